// stream_layout single_stream through the built connector: one stream log_events for every log
// group, its state per log group; a group created between syncs is read from its start, a deleted
// one keeps its entry, ties at a group's watermark millisecond come with the next read.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import type { AirbyteMessage, AirbyteRecordMessage } from "../../src/airbyte/protocol.js";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, logsClient, putEvents, seedGroup, spreadEvents, type SeedEvent } from "../support/seed.js";
import { catalogFor, errors, lastStates, records, runWith, states, statuses } from "../support/connector.js";

const HOUR = 3_600_000;
const ALL = "log_events";

type GroupsBlob = { log_groups: Record<string, { timestamp: number }> };

function groupWatermarks(messages: readonly AirbyteMessage[]): Record<string, number> {
  const last = states(messages, ALL).at(-1);
  assert.ok(last, "a STATE of log_events");
  const blob = last.stream!.stream_state as GroupsBlob;
  return Object.fromEntries(Object.entries(blob.log_groups).map(([g, s]) => [g, s.timestamp]));
}

/** What a record is, by content: its log group, log stream, timestamp and message. */
function shown(r: AirbyteRecordMessage): string {
  const d = r.data as { logGroupName: string; logStreamName: string; timestamp: number; message: string };
  return `${d.logGroupName}|${d.logStreamName}|${d.timestamp}|${d.message}`;
}

function seeded(group: string, events: readonly SeedEvent[]): string[] {
  return events.map((e) => `${group}|${e.stream}|${e.timestamp}|${e.message}`);
}

function key(r: AirbyteRecordMessage): string {
  const d = r.data as { logGroupName: string; logStreamName: string; eventId: string };
  return `${d.logGroupName}|${d.logStreamName}|${d.eventId}`;
}

for (const kind of ENDPOINT_KINDS) {
  describe(`single stream (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    before(async () => {
      ep = await kind.start();
      config = endpointConfig(ep.url, {
        stream_layout: "single_stream",
        log_group_prefix: "/app/",
      });
    });
    after(async () => ep.stop());
    beforeEach(async () => ep.reset());

    test("discover offers log_events keyed by log group, log stream and event id, and the custom reports", async () => {
      await seedGroup(ep.url, "/app/a", spreadEvents(3, Date.now() - HOUR, HOUR, ["s"]));
      const r = await runWith("discover", {
        ...config,
        custom_log_reports: [{ name: "errors", log_group_name: "/app/a", filter_pattern: "ERROR" }],
      });
      assert.equal(r.code, 0, r.stderr);
      const streams = r.messages.find((m) => m.type === "CATALOG")!.catalog!.streams;
      assert.deepEqual(
        streams.map((s) => s.name),
        [ALL, "errors"],
      );
      assert.deepEqual(streams[0]!.source_defined_primary_key, [["logGroupName"], ["logStreamName"], ["eventId"]]);
      assert.deepEqual(streams[1]!.source_defined_primary_key, [["logStreamName"], ["eventId"]]);
    });

    test("exact events of every group; next read: ties at the watermark, a new group from its start, a deleted group's entry kept", async () => {
      const now = Date.now();
      // The same log stream names and messages in two groups: records differ by their log group.
      const a = spreadEvents(60, now - 5 * HOUR, 4 * HOUR, ["s1", "s2"], "same");
      const b = spreadEvents(40, now - 5 * HOUR, 4 * HOUR, ["s1", "s2"], "same");
      await seedGroup(ep.url, "/app/a", a);
      await seedGroup(ep.url, "/app/b", b);
      await seedGroup(ep.url, "/other/x", spreadEvents(5, now - HOUR, HOUR, ["o"]));
      const first = await runWith("read", config, { catalog: catalogFor([ALL]) });
      assert.equal(first.code, 0, first.stderr);
      assert.deepEqual(statuses(first.messages, ALL), ["STARTED", "RUNNING", "COMPLETE"]);
      const got1 = records(first.messages, ALL);
      assert.deepEqual(got1.map(shown).sort(), [...seeded("/app/a", a), ...seeded("/app/b", b)].sort());
      assert.equal(new Set(got1.map(key)).size, got1.length, "primary keys are unique");
      const w1 = groupWatermarks(first.messages);
      assert.deepEqual(Object.keys(w1).sort(), ["/app/a", "/app/b"]);
      const wa = w1["/app/a"]!;

      // Between syncs: two events at /app/a's watermark millisecond, one just before it (late,
      // not read again without a lookback), a new group, and /app/b deleted.
      await putEvents(ep.url, "/app/a", "s1", [
        { timestamp: wa - 1, message: "late" },
        { timestamp: wa, message: "tie 1" },
      ]);
      await putEvents(ep.url, "/app/a", "s3", [{ timestamp: wa, message: "tie 2" }], true);
      const c = spreadEvents(25, now - 3 * HOUR, 2 * HOUR, ["c1"], "new");
      await seedGroup(ep.url, "/app/c", c);
      const client = logsClient(ep.url);
      await client.send(new DeleteLogGroupCommand({ logGroupName: "/app/b" }));
      client.destroy();

      const second = await runWith("read", config, { catalog: catalogFor([ALL]), state: lastStates(first.messages) });
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(errors(second.messages), []);
      assert.deepEqual(
        records(second.messages, ALL).map(shown).sort(),
        [`/app/a|s1|${wa}|tie 1`, `/app/a|s3|${wa}|tie 2`, ...seeded("/app/c", c)].sort(),
      );
      const w2 = groupWatermarks(second.messages);
      assert.deepEqual(Object.keys(w2).sort(), ["/app/a", "/app/b", "/app/c"]);
      assert.equal(w2["/app/b"], w1["/app/b"], "a deleted group's entry is kept as it was");
      assert.ok(w2["/app/a"]! > wa && w2["/app/c"]! > wa);
    });
  });
}
