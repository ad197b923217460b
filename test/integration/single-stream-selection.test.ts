// stream_layout single_stream with log_group_name_pattern and excluded_log_groups, through the
// built connector on the simulator (which answers a pattern as AWS does, without class or
// retention): log_events reads exactly the readable groups of the selection, at discover and at
// every read; an excluded group is never requested, and one excluded later keeps its state entry
// (as a vanished group does), so that lifting the exclusion resumes it where it stopped.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteMessage, AirbyteRecordMessage } from "../../src/airbyte/protocol.js";
import { endpointConfig, logsClient, putEvents, seedGroup, spreadEvents, type SeedEvent } from "../support/seed.js";
import { catalogFor, errors, lastStates, records, runWith, states, statuses } from "../support/connector.js";

const HOUR = 3_600_000;
const ALL = "log_events";
const READ = ["/app/payments-api", "/app/payments-worker"] as const;
/** Selected by the pattern but excluded: by a prefix entry and by a name entry. */
const EXCLUDED = ["/app/payments-noisy-1", "/app/payments-noisy-2", "/ops/payments"] as const;
/** Not selected: the pattern is case-sensitive. */
const OTHERS = ["/app/Payments-old", "/app/orders"] as const;
/** Selected, but FilterLogEvents cannot read it: its class comes from the details request. */
const COLD = "/cold/payments";

type GroupsBlob = { log_groups: Record<string, { timestamp: number }> };

function groupWatermarks(messages: readonly AirbyteMessage[]): Record<string, number> {
  const last = states(messages, ALL).at(-1);
  assert.ok(last, "a STATE of log_events");
  const blob = last.stream!.stream_state as GroupsBlob;
  return Object.fromEntries(Object.entries(blob.log_groups).map(([g, s]) => [g, s.timestamp]));
}

function shown(r: AirbyteRecordMessage): string {
  const d = r.data as { logGroupName: string; logStreamName: string; timestamp: number; message: string };
  return `${d.logGroupName}|${d.logStreamName}|${d.timestamp}|${d.message}`;
}

function seeded(group: string, events: readonly SeedEvent[]): string[] {
  return events.map((e) => `${group}|${e.stream}|${e.timestamp}|${e.message}`);
}

function warnings(messages: readonly AirbyteMessage[]): string[] {
  return messages.filter((m) => m.type === "LOG" && m.log?.level === "WARN").map((m) => m.log!.message);
}

describe("single stream with a name pattern and exclusions (simulator)", () => {
  let sim: Simulator;
  let config: Record<string, unknown>;
  const now = Date.now();
  const eventsOf = (group: string) => spreadEvents(6, now - 3 * HOUR, 2 * HOUR, ["s1", "s2"], group);
  before(async () => {
    sim = await startSimulator({ scenario: { quotas: "none" } });
    config = endpointConfig(sim.url, {
      stream_layout: "single_stream",
      log_group_name_pattern: "payments",
      excluded_log_groups: ["/app/payments-noisy-*", "/ops/payments"],
    });
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    await sim.reset();
    for (const g of [...READ, ...EXCLUDED, ...OTHERS]) await seedGroup(sim.url, g, eventsOf(g));
    const client = logsClient(sim.url);
    await client.send(new CreateLogGroupCommand({ logGroupName: COLD, logGroupClass: "INFREQUENT_ACCESS" }));
    client.destroy();
    sim.resetCounters();
  });

  test("discover offers log_events, warns of the cold group only, and says which settings select nothing", async () => {
    const r = await runWith("discover", config);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      r.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name),
      [ALL],
    );
    assert.deepEqual(warnings(r.messages), [
      `Log group "${COLD}" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read; it is not read.`,
    ]);
    assert.deepEqual(sim.counters().requestsByGroup, {}, "discover reads no log group");
    const none = await runWith("discover", { ...config, log_group_name_pattern: "refunds" });
    assert.equal(none.code, 0, none.stderr);
    assert.deepEqual(warnings(none.messages), [
      'No readable log group whose name contains log_group_name_pattern "refunds" and not in excluded_log_groups in region us-east-1 at ' +
        `${sim.url}: stream log_events reads nothing until one appears; check region_name, log_group_name_pattern and excluded_log_groups.`,
    ]);
  });

  test("exact events of the selected groups, excluded ones never requested; a group excluded later keeps its entry and resumes from it", async () => {
    const first = await runWith("read", config, { catalog: catalogFor([ALL]) });
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(statuses(first.messages, ALL), ["STARTED", "RUNNING", "COMPLETE"]);
    assert.deepEqual(
      records(first.messages, ALL).map(shown).sort(),
      READ.flatMap((g) => seeded(g, eventsOf(g))).sort(),
    );
    const w1 = groupWatermarks(first.messages);
    assert.deepEqual(Object.keys(w1).sort(), [...READ], "state entries of the read groups only");
    assert.deepEqual(Object.keys(sim.counters().requestsByGroup).sort(), [...READ], "only the selected groups read");

    // Between syncs: new events in both groups, and the worker excluded too.
    const [api, worker] = READ;
    const apiNew = [{ stream: "s1", timestamp: w1[api]! + 1, message: "api new" }];
    const workerNew = [{ stream: "s1", timestamp: w1[worker]! + 1, message: "worker new" }];
    await putEvents(sim.url, api, "s1", apiNew);
    await putEvents(sim.url, worker, "s1", workerNew);
    sim.resetCounters();
    const narrower = { ...config, excluded_log_groups: [...(config.excluded_log_groups as string[]), worker] };
    const second = await runWith("read", narrower, { catalog: catalogFor([ALL]), state: lastStates(first.messages) });
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(errors(second.messages), []);
    assert.deepEqual(records(second.messages, ALL).map(shown), seeded(api, apiNew));
    assert.deepEqual(Object.keys(sim.counters().requestsByGroup), [api], "the newly excluded group is not read");
    const w2 = groupWatermarks(second.messages);
    assert.deepEqual(Object.keys(w2).sort(), [...READ]);
    assert.equal(w2[worker], w1[worker], "the excluded group's entry is kept as it was");
    assert.ok(w2[api]! > w1[api]!);

    // The exclusion lifted: the worker goes on from its entry, nothing read twice.
    sim.resetCounters();
    const third = await runWith("read", config, { catalog: catalogFor([ALL]), state: lastStates(second.messages) });
    assert.equal(third.code, 0, third.stderr);
    assert.deepEqual(records(third.messages, ALL).map(shown), seeded(worker, workerNew));
    assert.deepEqual(Object.keys(sim.counters().requestsByGroup).sort(), [...READ]);
  });
});
