// Crash and resume: SIGKILL at seeded random points of a backfill, resume from the last state
// each stream emitted before the kill, until a run completes. Nothing may be lost; duplicates may
// only come from windows that were not checkpointed at the kill. Also for stream_layout
// single_stream, whose one state holds a watermark per log group.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteStateMessage } from "../../src/airbyte/protocol.js";
import { catalogFor, registerSecrets, tempDir, writeJson } from "../support/connector.js";
import { runKillable, type KillRule } from "../support/killable.js";
import { prng } from "../support/prng.js";

const GROUPS = ["/crash/api", "/crash/worker", "/crash/lambda", "/crash/vpc", "/crash/sparse"];

interface CrashLoop {
  readonly sim: Simulator;
  readonly config: Record<string, unknown>;
  readonly streams: readonly string[];
  /** The log groups' watermarks in a stream's state. */
  readonly watermarks: (state: AirbyteStateMessage) => [string, number][];
  /** When the run-th run is killed; undefined: it runs to its end. */
  readonly killRule: (run: number, random: () => number) => KillRule | undefined;
}

interface CrashOutcome {
  readonly expected: number;
  readonly runs: number;
  readonly kills: number;
  /** Runs that resumed from a state: the resume is exercised. */
  readonly resumed: number;
  readonly duplicates: number;
  readonly lost: string[];
  readonly badDuplicates: number;
}

/** Reads until a run completes, resuming each killed run from the last states it wrote. */
async function crashLoop(loop: CrashLoop): Promise<CrashOutcome> {
  const expected = new Map<string, number>();
  for (const e of expectedEvents(loop.sim.scenario, { withoutMessages: true }))
    expected.set(`${e.logGroupName}|${e.logStreamName}|${e.eventId}`, e.timestamp);
  const dir = tempDir();
  registerSecrets("AKIASIMULATOR000001", "simulator-secret-000000000001");
  const config = writeJson(dir, "config.json", {
    region_name: "us-east-1",
    aws_access_key_id: "AKIASIMULATOR000001",
    aws_secret_access_key: "simulator-secret-000000000001",
    endpoint_url: loop.sim.url,
    max_concurrency: 6,
    ...loop.config,
  });
  const catalog = writeJson(dir, "catalog.json", catalogFor(loop.streams));
  const random = prng(20261125);
  const deliveries = new Map<string, number>();
  let state: AirbyteStateMessage[] = [];
  let kills = 0;
  let runs = 0;
  let resumed = 0;
  let badDuplicates = 0;
  for (;;) {
    runs++;
    assert.ok(runs < 200, "the sync must eventually complete");
    const args = ["read", "--config", config, "--catalog", catalog];
    if (state.length > 0) args.push("--state", writeJson(dir, `state-${runs}.json`, state));
    const run = await runKillable(args, loop.killRule(runs, random) ?? Number.MAX_SAFE_INTEGER);
    const resumeFrom = new Map(state.flatMap(loop.watermarks));
    if (resumeFrom.size > 0) resumed++;
    for (const m of run.messages) {
      if (m.type !== "RECORD") continue;
      const d = m.record!.data as { logGroupName: string; logStreamName: string; eventId: string; timestamp: number };
      const key = `${d.logGroupName}|${d.logStreamName}|${d.eventId}`;
      assert.ok(expected.has(key), `unexpected record ${key}`);
      const seen = deliveries.get(key) ?? 0;
      // A record seen before may come again only if it was at or above the state this run resumed from.
      if (seen > 0 && d.timestamp < (resumeFrom.get(d.logGroupName) ?? -Infinity)) badDuplicates++;
      deliveries.set(key, seen + 1);
    }
    const last = new Map(state.map((s) => [s.stream!.stream_descriptor.name, s]));
    for (const m of run.messages) if (m.type === "STATE") last.set(m.state!.stream!.stream_descriptor.name, m.state!);
    state = [...last.values()];
    if (!run.killed) {
      assert.equal(run.code, 0, run.stderr);
      break;
    }
    kills++;
  }
  const lost = [...expected.keys()].filter((k) => !deliveries.has(k));
  const duplicates = [...deliveries.values()].reduce((n, c) => n + (c - 1), 0);
  return { expected: expected.size, runs, kills, resumed, duplicates, lost, badDuplicates };
}

function report(layout: string, o: CrashOutcome): void {
  console.error(
    `crash-resume (${layout}): ${o.expected} events, ${o.runs} runs, ${o.kills} kills, ${o.resumed} resumed from a state, ${o.duplicates} duplicates, ${o.lost.length} lost`,
  );
}

describe("crash and resume (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 424242,
        quotas: "none",
        logGroups: GROUPS.map((name, i) => ({
          name,
          creationTime: "now-4d",
          streams: { count: 2 + i, namePattern: `${name.slice(7)}-{index}` },
          timeRange: { start: "now-3d", end: "now-1h" },
          events: { count: i === 4 ? 500 : 55_000 },
          message: { shape: i % 2 === 0 ? "json" : "text", size: 120 },
        })),
      },
    });
  });
  after(async () => sim.stop());

  test("200k+ events, killed at 20+ random points: zero lost, duplicates only from uncheckpointed windows", {
    timeout: 600_000,
  }, async () => {
    const o = await crashLoop({
      sim,
      config: {},
      streams: GROUPS,
      watermarks: (s) => [
        [s.stream!.stream_descriptor.name, (s.stream!.stream_state as { timestamp: number }).timestamp],
      ],
      // Kill early and late: a few lines in, or deep into the run.
      killRule: (run, random) => (run <= 20 ? 1 + Math.floor(random() ** 2 * 60_000) : undefined),
    });
    report("per_log_group", o);
    assert.ok(o.expected >= 200_000, `scenario has ${o.expected} events`);
    assert.ok(o.kills >= 20, `killed ${o.kills} times`);
    assert.equal(o.lost.length, 0, `lost ${o.lost.length} events, e.g. ${o.lost.slice(0, 3).join(", ")}`);
    assert.equal(o.badDuplicates, 0, "no event below a resumed checkpoint was delivered again");
  });
});

describe("crash and resume, single stream (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    // Many small log groups, each answered after 300 ms: a sync lasts long enough for the single
    // stream's state (written at most every 5 s) to come several times, whatever the machine.
    sim = await startSimulator({
      scenario: {
        seed: 515151,
        quotas: "none",
        latency: { fixedMs: 300 },
        groupSets: [
          {
            count: 240,
            namePrefix: "/crash/fn-",
            creationTime: "now-4d",
            totalEvents: 120_000,
            streams: { count: 3, namePattern: "s-{index}" },
            timeRange: { start: "now-3d", end: "now-1h" },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  test("killed after a mid-sync STATE each time: zero lost, duplicates only above each group's resumed watermark", {
    timeout: 600_000,
  }, async () => {
    const o = await crashLoop({
      sim,
      config: { stream_layout: "single_stream", log_group_prefix: "/crash/" },
      streams: ["log_events"],
      watermarks: (s) =>
        Object.entries(
          (s.stream!.stream_state as { log_groups: Record<string, { timestamp: number }> }).log_groups,
        ).map(([g, v]) => [g, v.timestamp]),
      // Killed right after its first or second STATE (up to 2 lines later: a record the state does
      // not cover, or the next STATE), six times; the seventh run reads to the end. Every run
      // lasts past its first STATE: each log group takes a request of 300 ms, 6 at a time.
      killRule: (run, random) =>
        run <= 6 ? { afterState: 1 + Math.floor(random() * 2), thenLines: Math.floor(random() * 3) } : undefined,
    });
    report("single_stream", o);
    assert.ok(o.expected >= 100_000, `scenario has ${o.expected} events`);
    assert.equal(o.kills, 6, `killed ${o.kills} times`);
    assert.ok(o.resumed >= o.kills, `every run after a kill resumed from a state (${o.resumed} of ${o.kills})`);
    assert.equal(o.lost.length, 0, `lost ${o.lost.length} events, e.g. ${o.lost.slice(0, 3).join(", ")}`);
    assert.equal(o.badDuplicates, 0, "no event below a resumed checkpoint was delivered again");
  });
});
