// Crash and resume: SIGKILL at seeded random points of a backfill, resume from the last state
// each stream emitted before the kill, until a run completes. Nothing may be lost; duplicates may
// only come from windows that were not checkpointed at the kill.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteStateMessage } from "../../src/airbyte/protocol.js";
import { catalogFor, registerSecrets, tempDir, writeJson } from "../support/connector.js";
import { runKillable } from "../support/killable.js";
import { prng } from "../support/prng.js";

const GROUPS = ["/crash/api", "/crash/worker", "/crash/lambda", "/crash/vpc", "/crash/sparse"];

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
    const expected = new Map<string, number>();
    for (const e of expectedEvents(sim.scenario, { withoutMessages: true }))
      expected.set(`${e.logGroupName}|${e.logStreamName}|${e.eventId}`, e.timestamp);
    assert.ok(expected.size >= 200_000, `scenario has ${expected.size} events`);

    const dir = tempDir();
    registerSecrets("AKIASIMULATOR000001", "simulator-secret-000000000001");
    const config = writeJson(dir, "config.json", {
      region_name: "us-east-1",
      aws_access_key_id: "AKIASIMULATOR000001",
      aws_secret_access_key: "simulator-secret-000000000001",
      endpoint_url: sim.url,
      max_concurrency: 6,
    });
    const catalog = writeJson(dir, "catalog.json", catalogFor(GROUPS));
    const random = prng(20261125);
    const deliveries = new Map<string, number>();
    let state: AirbyteStateMessage[] = [];
    let kills = 0;
    let runs = 0;
    let badDuplicates = 0;
    for (;;) {
      runs++;
      assert.ok(runs < 200, "the sync must eventually complete");
      const args = ["read", "--config", config, "--catalog", catalog];
      if (state.length > 0) args.push("--state", writeJson(dir, `state-${runs}.json`, state));
      // Kill early and late: a few lines in, or deep into the run.
      const killAfter = kills < 20 ? 1 + Math.floor(random() ** 2 * 60_000) : Number.MAX_SAFE_INTEGER;
      const run = await runKillable(args, killAfter);
      const resumeFrom = new Map(
        state.map((s) => [
          s.stream!.stream_descriptor.name,
          (s.stream!.stream_state as { timestamp: number }).timestamp,
        ]),
      );
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
    console.error(
      `crash-resume: ${expected.size} events, ${runs} runs, ${kills} kills, ${duplicates} duplicates, ${lost.length} lost`,
    );
    assert.ok(kills >= 20, `killed ${kills} times`);
    assert.equal(lost.length, 0, `lost ${lost.length} events, e.g. ${lost.slice(0, 3).join(", ")}`);
    assert.equal(badDuplicates, 0, "no event below a resumed checkpoint was delivered again");
  });
});
