// `sync` with stream_layout single_stream: one DuckDB table log_events keyed by log group, log
// stream and event id, holding every group's events (the same log stream names in several groups),
// its state per log group; the next sync adds only what is new.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import { runSync } from "../../src/local/sync.js";
import { tempDir } from "../support/connector.js";
import { putEvents } from "../support/seed.js";
import { Collect, readConfig, simConfig } from "./support.js";

const GROUPS = ["/aws/lambda/orders", "/aws/lambda/billing"];
const COLD = "/aws/lambda/archive";

async function stored(path: string): Promise<{ keys: string[]; state: Record<string, number> }> {
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    const rows = (
      await db.runAndReadAll(`SELECT "logGroupName", "logStreamName", "eventId" FROM "log_events"`)
    ).getRowObjectsJS();
    const state = (
      await db.runAndReadAll(
        "SELECT CAST(state AS VARCHAR) AS s FROM _source_cloudwatch_logs_state WHERE stream = 'log_events'",
      )
    ).getRowObjectsJS();
    const blob = JSON.parse(String(state[0]!.s)) as { log_groups: Record<string, { timestamp: number }> };
    return {
      keys: rows.map((r) => `${String(r.logGroupName)}|${String(r.logStreamName)}|${String(r.eventId)}`).sort(),
      state: Object.fromEntries(Object.entries(blob.log_groups).map(([g, v]) => [g, v.timestamp])),
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe("local sync, single stream", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 12,
        quotas: "none",
        // FilterLogEvents cannot read it: not read, and said once in the summary.
        logGroups: [
          ...GROUPS.map((name) => ({
            name,
            streams: { count: 2, namePattern: "s-{index}" },
            timeRange: { start: "now-2h", end: "now-10m" },
            events: { count: 3000 },
            message: { shape: "text" as const, size: 60 },
          })),
          {
            name: COLD,
            logClass: "INFREQUENT_ACCESS",
            streams: ["archive"],
            timeRange: { start: "now-1d", end: "now" },
            events: { count: 10 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  it("one table log_events with every group's events; the next sync adds only new ones", async () => {
    const dir = tempDir();
    const config = readConfig(simConfig(dir, sim.url, { stream_layout: "single_stream" }));
    const database = join(dir, "logs.duckdb");
    const stdout = new Collect();
    const first = await runSync(
      { config, format: "duckdb", target: database, streams: undefined },
      { stdout, stderr: new Collect() },
    );
    assert.equal(first.code, 0, stdout.text);
    const expected = [...expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })]
      .filter((e) => e.logGroupName !== COLD)
      .map((e) => `${e.logGroupName}|${e.logStreamName}|${e.eventId}`)
      .sort();
    let db = await stored(database);
    assert.equal(expected.length, 6000);
    assert.deepEqual(db.keys, expected);
    assert.deepEqual(Object.keys(db.state).sort(), [...GROUPS].sort());
    // The stream is complete up to its earliest group's watermark (every group is, up to it).
    const upTo = new Date(Math.min(...Object.values(db.state))).toISOString().slice(0, 19).replace("T", " ");
    assert.match(stdout.text, new RegExp(`\\n  log_events +COMPLETE +6000  ${upTo}\\n`), stdout.text);
    const cold = `Log group "${COLD}" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read; it is not read.`;
    assert.deepEqual(first.warnings, [cold], "the cold group is noted once, by discover and the read alike");

    const t = Date.now() - 1000;
    await putEvents(sim.url, GROUPS[1]!, "s-1", [{ timestamp: t, message: "fresh" }]);
    const second = await runSync(
      { config, format: "duckdb", target: database, streams: undefined },
      { stdout: new Collect(), stderr: new Collect(), now: () => Date.now() + 10 * 60_000 },
    );
    assert.equal(second.code, 0);
    db = await stored(database);
    assert.equal(db.keys.length, 6001);
    assert.equal(
      second.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      1,
      "the second sync committed only the new event",
    );
  });
});
