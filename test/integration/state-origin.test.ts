// A state says where its events were read from (region and account, `origin`) and when its log
// group was made: carried to another region or account, or to a group of the same name made again,
// whose events are others, it does not cover them. Found by helper-53: another region's read with
// the first one's state delivered 0 of 123,500 events, every stream COMPLETE, without a word.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { startMoto, type Moto } from "../support/moto.js";
import { DeleteLogGroupCommand, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { endpointConfig, logsClient, seedGroup, spreadEvents, TEST_KEYS } from "../support/seed.js";
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

    test("a stream named by its log group's ARN keeps its state under that name; another region's ARN is no group here", async () => {
      const arn = `${EAST}:log-group:/app/o`;
      const first = await read(sources.east, arn);
      assert.equal(first.code, 0, first.stderr);
      assert.equal(records(first.messages, arn).length, 20);
      assert.deepEqual(
        lastStates(first.messages).map((m) => m.stream!.stream_descriptor.name),
        [arn],
        "the STATE under the catalog's name, as its records",
      );
      const again = await read(sources.east, arn, lastStates(first.messages));
      assert.equal(records(again.messages).length, 0);
      // The group of that name in us-east-1 was read for a us-west-2 ARN (helper-55).
      const west = await read(sources.east, `${WEST}:log-group:/app/o`);
      assert.equal(west.code, 1);
      assert.equal(records(west.messages).length, 0);
      assert.match(
        errors(west.messages)[0]?.message ?? "",
        /is in the catalog but is neither a custom report nor a log group in us-east-1/,
      );
    });

    test("a state saved by a custom report is not a log group stream's of the same name, nor the other way round", async () => {
      await seedGroup(
        sources.east.url,
        "/app/b",
        spreadEvents(6, now - 3 * HOUR, 2 * HOUR, ["s"], "b"),
        TEST_KEYS,
        "us-east-1",
      );
      const asReport = {
        excluded_log_groups: ["/app/b"],
        custom_log_reports: [{ name: "/app/b", log_group_name: "/app/o" }],
      };
      const sameName = (msgs: readonly AirbyteMessage[]) =>
        msgs.filter((m) => m.log?.level === "WARN" && /of that name, which read other events/.test(m.log.message));
      const report = await read(sources.east, "/app/b", undefined, asReport);
      assert.equal(report.code, 0, report.stderr);
      assert.equal(records(report.messages).length, 20, "the report reads /app/o");
      // The report's state given to the log group /app/b: 0 of 6 events were read, COMPLETE.
      const group = await read(sources.east, "/app/b", lastStates(report.messages));
      assert.equal(group.code, 0, group.stderr);
      assert.equal(records(group.messages).length, 6);
      assert.equal(sameName(group.messages).length, 1);
      // And back: the log group's state given to the report.
      const back = await read(sources.east, "/app/b", lastStates(group.messages), asReport);
      assert.equal(back.code, 0, back.stderr);
      assert.equal(records(back.messages).length, 20);
      assert.deepEqual(
        sameName(back.messages).map((m) => m.log!.message),
        [
          "The state of custom report \"/app/b\" was saved by a log group's stream of that name, which read other events: it does not cover the report's, so they are read from their start.",
        ],
      );
      // Each with its own state: nothing again, nothing said.
      const mine = await read(sources.east, "/app/b", lastStates(back.messages), asReport);
      assert.equal(records(mine.messages).length, 0);
      assert.deepEqual(sameName(mine.messages), []);
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

/** Deletes the log group and makes it again with 4 other events ("again 0".."again 3"), 3 to 1 hours before `now`. */
async function remake(url: string, name: string, now: number): Promise<void> {
  const client = logsClient(url);
  try {
    await client.send(new DeleteLogGroupCommand({ logGroupName: name }));
  } finally {
    client.destroy();
  }
  await seedGroup(url, name, spreadEvents(4, now - 3 * HOUR, 2 * HOUR, ["s"], "again"));
}

// moto deletes log groups (the simulator does not).
describe("a state says when its log group was made (moto)", () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto?.stop());

  const messagesOf = (msgs: readonly AirbyteMessage[]) =>
    records(msgs)
      .map((r) => (r.data as { message: string }).message)
      .sort();
  const recreated = (msgs: readonly AirbyteMessage[]) =>
    msgs.filter((m) => m.log?.level === "WARN" && /made again/.test(m.log.message)).map((m) => m.log!.message);
  /** The remade group's 4 events (see remake) all read, with one made-again WARN (times as T) that starts with `warning`. */
  const assertReadFromStart = (msgs: readonly AirbyteMessage[], warning: string) => {
    assert.deepEqual(
      messagesOf(msgs),
      ["again 0", "again 1", "again 2", "again 3"],
      "the new group's events before the state's watermark too",
    );
    assert.deepEqual(
      recreated(msgs).map((m) => m.replace(/\d+ \([^)]*Z\)/g, "T")),
      [`${warning} That state does not cover the new group's events, so they are read from their start.`],
    );
  };

  test("a first read cut short in a group of older events resumes without a word; a group made again is read from its start", async () => {
    const now = Date.now();
    // Events from before the group was made (AWS takes them up to 14 days old).
    await seedGroup(moto.url, "/app/r", spreadEvents(10, now - 3 * HOUR, 2 * HOUR, ["s"], "first"));
    const read = (state: unknown) =>
      runWith("read", endpointConfig(moto.url), { catalog: catalogFor(["/app/r"]), state });
    const first = await read(undefined);
    assert.equal(records(first.messages).length, 10);
    const saved = stateOf(first.messages);
    assert.equal(typeof saved.log_group_creation_time, "number");
    assert.ok((saved.log_group_creation_time as number) >= now);

    // What a first read stopped half way writes: a watermark before the group was made.
    const midway = now - 2 * HOUR;
    const resumed = await read({ "/app/r": { ...saved, timestamp: midway } });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(records(resumed.messages).length, 5, "the events from the watermark on");
    assert.deepEqual(recreated(resumed.messages), []);
    // Another creation time before the state's watermark is no group made again (AWS makes none
    // in the past; a restarted simulator's groups date from its start): the state holds.
    const created = saved.log_group_creation_time as number;
    const restarted = await read({ "/app/r": { ...saved, log_group_creation_time: created - 1000 } });
    assert.equal(records(restarted.messages).length, 0);
    assert.deepEqual(recreated(restarted.messages), []);

    // Deleted and made again under the same name, with other events, all older than the state.
    await remake(moto.url, "/app/r", now);
    const again = await read(lastStates(first.messages));
    assert.equal(again.code, 0, again.stderr);
    assertReadFromStart(
      again.messages,
      'Log group "/app/r" was created at T, not at T as when the state of stream "/app/r" was saved: deleted and made again.',
    );
    assert.notEqual(stateOf(again.messages).log_group_creation_time, saved.log_group_creation_time);
  });

  test("log_events: an entry before its group was made says when it was made; resumed without a word, or read from its start once the group is made again", async () => {
    const now = Date.now();
    await seedGroup(moto.url, "/app/s", spreadEvents(10, now - 3 * HOUR, 2 * HOUR, ["s"], "first"));
    const read = (state: unknown) =>
      runWith("read", endpointConfig(moto.url, { stream_layout: "single_stream", log_group_prefix: "/app/s" }), {
        catalog: catalogFor(["log_events"]),
        state,
      });
    const entryOf = (msgs: readonly AirbyteMessage[]) =>
      (stateOf(msgs).log_groups as Record<string, Record<string, unknown>>)["/app/s"];
    const first = await read(undefined);
    assert.equal(records(first.messages).length, 10);
    // Read through, its watermark is after the group was made: nothing more to say (40 bytes a group).
    assert.deepEqual(Object.keys(entryOf(first.messages) ?? {}), ["timestamp"]);
    const client = logsClient(moto.url);
    let created: number;
    try {
      const { logGroups } = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app/s" }));
      created = logGroups![0]!.creationTime!;
    } finally {
      client.destroy();
    }
    assert.ok(created >= now);

    // What a first read cut short half way writes (the unit tests of GroupStates): a watermark
    // before the group was made, with the group's creation time.
    const midway = now - 2 * HOUR;
    const origin = stateOf(first.messages).origin;
    const cutShort = {
      log_events: { log_groups: { "/app/s": { timestamp: midway, log_group_creation_time: created } }, origin },
    };
    const resumed = await read(cutShort);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(records(resumed.messages).length, 5, "the events from the watermark on");
    assert.deepEqual(recreated(resumed.messages), [], "no guess: the entry says the group is the one it read");
    assert.deepEqual(Object.keys(entryOf(resumed.messages) ?? {}), ["timestamp"]);

    await remake(moto.url, "/app/s", now);
    const remade = await read(cutShort);
    assert.equal(remade.code, 0, remade.stderr);
    assertReadFromStart(
      remade.messages,
      'Log group "/app/s" was created at T, not at T as when its entry in the state of stream "log_events" was saved: deleted and made again.',
    );
  });

  test("log_events: an entry read past its group's creation, then the group made again, is read from its start; an earlier version's entry keeps the guess until read", async () => {
    const now = Date.now();
    await seedGroup(moto.url, "/v/a", spreadEvents(10, now - 3 * HOUR, 2 * HOUR, ["s"], "first"));
    await seedGroup(moto.url, "/v/b", spreadEvents(10, now - 3 * HOUR, 2 * HOUR, ["s"], "b"));
    const read = (state: unknown, excluded: string[] = []) =>
      runWith(
        "read",
        endpointConfig(moto.url, {
          stream_layout: "single_stream",
          log_group_prefix: "/v/",
          excluded_log_groups: excluded,
        }),
        { catalog: catalogFor(["log_events"]), state },
      );
    const entriesOf = (msgs: readonly AirbyteMessage[]) =>
      stateOf(msgs).log_groups as Record<string, Record<string, unknown>>;
    const first = await read(undefined);
    assert.equal(records(first.messages).length, 20);
    const saved = stateOf(first.messages);
    // Of this version: its entries, without a creation time, were read past their groups' creation.
    assert.equal(saved.version, 2);
    assert.deepEqual(entriesOf(first.messages), {
      "/v/a": { timestamp: entriesOf(first.messages)["/v/a"]!.timestamp },
      "/v/b": { timestamp: entriesOf(first.messages)["/v/b"]!.timestamp },
    });

    // An earlier version's state (no version): "/v/b" stopped before its group's creation, cut
    // short or made again, cannot be told apart; it is excluded, so not read: marked so.
    const { version: _, ...earlier } = saved;
    const earlierB = {
      log_events: { ...earlier, log_groups: { ...entriesOf(first.messages), "/v/b": { timestamp: now - 2 * HOUR } } },
    };
    const converted = await read(earlierB, ["/v/b"]);
    assert.equal(converted.code, 0, converted.stderr);
    assert.deepEqual(recreated(converted.messages), []);
    assert.equal(stateOf(converted.messages).version, 2);
    assert.deepEqual(entriesOf(converted.messages)["/v/b"], { timestamp: now - 2 * HOUR, earlier_version: true });
    assert.deepEqual(Object.keys(entriesOf(converted.messages)["/v/a"]!), ["timestamp"]);

    await remake(moto.url, "/v/a", now);
    const remade = await read(lastStates(converted.messages), ["/v/b"]);
    assert.equal(remade.code, 0, remade.stderr);
    assert.equal(statuses(remade.messages, "log_events").at(-1), "COMPLETE");
    assertReadFromStart(
      remade.messages,
      'Log group "/v/a" was created at T, after its entry in the state of stream "log_events" was saved: deleted and made again.',
    );

    // This sync's entry says when the new group was made (a store tells its events from the old ones).
    assert.equal(typeof entriesOf(remade.messages)["/v/a"]?.log_group_creation_time, "number");
    const next = await read(lastStates(remade.messages), ["/v/b"]);
    assert.deepEqual(recreated(next.messages), []);
    assert.deepEqual(Object.keys(entriesOf(next.messages)["/v/a"]!), ["timestamp"]);

    // The marked entry, read again: the guess, and the events from its timestamp on.
    const resumed = await read(lastStates(remade.messages));
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(messagesOf(resumed.messages), ["b 5", "b 6", "b 7", "b 8", "b 9"]);
    assert.match(
      recreated(resumed.messages).join("\n"),
      /^Log group "\/v\/b" was created at .*, after its entry in the state of stream "log_events" was saved \(timestamp .*\): deleted and made again\? If so/,
    );
    assert.deepEqual(Object.keys(entriesOf(resumed.messages)["/v/b"]!), ["timestamp"], "this version's from now on");
  });
});
