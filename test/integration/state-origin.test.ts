// A state says where its events were read from (region and account, `origin`): carried to another
// region or account, whose log groups of the same names hold other events, it does not cover them.
// Found by helper-53: another region's read with the first one's state delivered 0 of 123,500
// events, every stream COMPLETE, without a word.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { startMoto, type Moto } from "../support/moto.js";
import { endpointConfig, seedGroup, spreadEvents, TEST_KEYS } from "../support/seed.js";
import { catalogFor, errors, lastStates, records, runWith, statuses } from "../support/connector.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";

const HOUR = 3_600_000;
const EAST = "arn:aws:logs:us-east-1:123456789012";
const WEST = "arn:aws:logs:us-west-2:123456789012";
const OTHER_ACCOUNT = "arn:aws:logs:us-east-1:210987654321";

/** Where a read goes: an endpoint and the region its config names. */
interface Source {
  readonly url: string;
  readonly region: string;
}

interface Sources {
  readonly east: Source;
  readonly west: Source;
  /** Another account in us-east-1 (the simulator's setting; moto's account is fixed). */
  readonly otherAccount?: Source;
  stop(): Promise<void>;
}

/** moto keeps each region's log groups apart behind one endpoint. */
async function motoSources(): Promise<Sources> {
  const moto: Moto = await startMoto();
  return {
    east: { url: moto.url, region: "us-east-1" },
    west: { url: moto.url, region: "us-west-2" },
    stop: () => moto.stop(),
  };
}

/** A simulator is one account in one region: one per source. */
async function simulatorSources(): Promise<Sources> {
  const start = (scenario: Record<string, unknown>) => startSimulator({ scenario: { quotas: "none", ...scenario } });
  const sims: Simulator[] = [
    await start({ region: "us-east-1" }),
    await start({ region: "us-west-2" }),
    await start({ region: "us-east-1", accountId: "210987654321" }),
  ];
  const [east, west, other] = sims.map((s) => s.url);
  return {
    east: { url: east!, region: "us-east-1" },
    west: { url: west!, region: "us-west-2" },
    otherAccount: { url: other!, region: "us-east-1" },
    stop: async () => {
      for (const s of sims) await s.stop();
    },
  };
}

function stateOf(msgs: readonly AirbyteMessage[]): Record<string, unknown> {
  const [last] = lastStates(msgs);
  return last!.stream!.stream_state as Record<string, unknown>;
}

function otherOriginWarnings(msgs: readonly AirbyteMessage[]): string[] {
  return msgs
    .filter((m) => m.log?.level === "WARN" && /was saved reading/.test(m.log.message))
    .map((m) => m.log!.message);
}

for (const [kind, startSources] of [
  ["moto", motoSources],
  ["simulator", simulatorSources],
] as const) {
  describe(`a state carried to another region or account (${kind})`, () => {
    let sources: Sources;
    const now = Date.now();
    before(async () => {
      sources = await startSources();
      const seeds: [Source | undefined, number, string][] = [
        [sources.east, 20, "east"],
        [sources.west, 7, "west"],
        [sources.otherAccount, 5, "other"],
      ];
      for (const [source, n, tag] of seeds) {
        if (source === undefined) continue;
        await seedGroup(
          source.url,
          "/app/o",
          spreadEvents(n, now - 3 * HOUR, 2 * HOUR, ["s"], tag),
          TEST_KEYS,
          source.region,
        );
      }
    });
    after(async () => sources?.stop());

    const read = (source: Source, stream: string, state?: unknown, extra: Record<string, unknown> = {}) =>
      runWith("read", endpointConfig(source.url, { region_name: source.region, ...extra }), {
        catalog: catalogFor([stream]),
        ...(state === undefined ? {} : { state }),
      });

    test("a log group's stream: the other region's events are read from their start, with a WARN", async () => {
      const first = await read(sources.east, "/app/o");
      assert.equal(first.code, 0, first.stderr);
      assert.equal(records(first.messages).length, 20);
      assert.equal(stateOf(first.messages).origin, EAST);

      const moved = await read(sources.west, "/app/o", lastStates(first.messages));
      assert.equal(moved.code, 0, moved.stderr);
      assert.deepEqual(errors(moved.messages), []);
      assert.equal(records(moved.messages).length, 7, "every event of the other region");
      assert.ok(
        records(moved.messages).every((r) => String((r.data as { message: string }).message).startsWith("west")),
      );
      assert.deepEqual(otherOriginWarnings(moved.messages), [
        `The state of stream "/app/o" was saved reading ${EAST}, but this read reads ${WEST} (another region or account): that state does not cover these events, so they are read from their start.`,
      ]);
      assert.equal(statuses(moved.messages, "/app/o").at(-1), "COMPLETE");
      assert.equal(stateOf(moved.messages).origin, WEST);

      // Its own state holds: nothing again, nothing said.
      const again = await read(sources.west, "/app/o", lastStates(moved.messages));
      assert.equal(records(again.messages).length, 0);
      assert.deepEqual(otherOriginWarnings(again.messages), []);
      // A state without origin (an earlier version's, or the Python connector's) is taken as it is.
      const { origin: _, ...older } = stateOf(moved.messages);
      const old = await read(sources.west, "/app/o", { "/app/o": older });
      assert.equal(records(old.messages).length, 0);
      assert.deepEqual(otherOriginWarnings(old.messages), []);
    });

    test("the single stream: the caller's groups' entries saved elsewhere are dropped, with a WARN", async () => {
      const single = { stream_layout: "single_stream" };
      const first = await read(sources.east, "log_events", undefined, single);
      assert.equal(records(first.messages).length, 20);
      assert.equal(stateOf(first.messages).origin, EAST);
      assert.deepEqual(Object.keys(stateOf(first.messages).log_groups as object), ["/app/o"]);

      const moved = await read(sources.west, "log_events", lastStates(first.messages), single);
      assert.equal(moved.code, 0, moved.stderr);
      assert.equal(records(moved.messages).length, 7);
      assert.deepEqual(otherOriginWarnings(moved.messages), [
        `The state of stream "log_events" was saved reading ${EAST}, but this read reads ${WEST} (another region or account): that state does not cover these events, so they are read from their start.`,
      ]);
      assert.equal(stateOf(moved.messages).origin, WEST);
      assert.equal(statuses(moved.messages, "log_events").at(-1), "COMPLETE");

      const again = await read(sources.west, "log_events", lastStates(moved.messages), single);
      assert.equal(records(again.messages).length, 0);
      assert.deepEqual(otherOriginWarnings(again.messages), []);
    });

    // moto's account is fixed; a simulator is given its account.
    if (kind === "simulator")
      test("another account in the same region: its events are read from their start", async () => {
        const first = await read(sources.east, "/app/o");
        const moved = await read(sources.otherAccount!, "/app/o", lastStates(first.messages));
        assert.equal(moved.code, 0, moved.stderr);
        assert.equal(records(moved.messages).length, 5);
        assert.match(
          otherOriginWarnings(moved.messages).join("\n"),
          new RegExp(`saved reading ${EAST}, but this read reads ${OTHER_ACCOUNT}`),
        );
        assert.equal(stateOf(moved.messages).origin, OTHER_ACCOUNT);
      });
  });
}
