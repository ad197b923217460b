// CAT's hardest incremental check: a read resumed from each mid-sync checkpoint of a first read
// returns exactly the rest. Dense data so the first read checkpoints several times: seeded into
// every endpoint kind, and a generated 50,000-event group on the simulator.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { seedGroup } from "../support/seed.js";
import { catalogFor, records, runWith, states, type RunResult } from "../support/connector.js";
import { sampleConfig } from "../support/acceptance-inputs.js";
import { checkpoints, recordCountProblems, resumeProblems } from "../support/cat-checks.js";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";

const HOUR = 3_600_000;

/** Reads once, then once from every checkpoint of that read; checks each resumed read. */
async function assertResumesFromEveryCheckpoint(
  config: Record<string, unknown>,
  group: string,
  expectedTotal: number,
  minCheckpoints: number,
): Promise<void> {
  const first = await runWith("read", config, { catalog: catalogFor([group]) });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(records(first.messages).length, expectedTotal);
  assert.deepEqual(recordCountProblems(first.messages, group), []);
  const cps = checkpoints(first.messages, group);
  assert.ok(
    cps.length >= minCheckpoints,
    `the first read checkpoints at least ${minCheckpoints} times (${cps.length})`,
  );
  console.error(`${group}: resuming from ${cps.length} checkpoints`);
  const resumed = await Promise.all(
    cps.map((cp) =>
      runWith("read", config, { catalog: catalogFor([group]), state: [first.messages[cp.index]!.state] }),
    ),
  );
  resumed.forEach((r: RunResult, i) => {
    const cp = cps[i]!;
    assert.equal(r.code, 0, r.stderr);
    const recs = records(r.messages, group);
    assert.deepEqual(resumeProblems(first.messages, group, cp, recs), [], `checkpoint ${i} at ${cp.timestamp}`);
    assert.deepEqual(recordCountProblems(r.messages, group), [], `recordCount of the read from checkpoint ${i}`);
    if (i === 0 && recs.length > 0) {
      // The checker itself catches a lost record and a repeated one.
      assert.notDeepEqual(resumeProblems(first.messages, group, cp, recs.slice(1)), []);
      assert.notDeepEqual(resumeProblems(first.messages, group, cp, [...recs, recs[0]!]), []);
    }
    const counted = states(r.messages, group).reduce((n, s) => n + (s.sourceStats?.recordCount ?? 0), 0);
    assert.equal(counted, recs.length);
  });
}

for (const kind of ENDPOINT_KINDS) {
  describe(`resume from every checkpoint (${kind.name})`, { timeout: 120_000 }, () => {
    let ep: Endpoint;
    before(async () => {
      ep = await kind.start();
    });
    after(async () => ep?.stop());

    test("30,000 events, 6 per millisecond, over 3 log streams", async () => {
      const start = Date.now() - 2 * HOUR;
      const events = Array.from({ length: 30_000 }, (_, i) => ({
        stream: `s${i % 3}`,
        timestamp: start + Math.floor(i / 6),
        message: `dense ${i}`,
      }));
      await seedGroup(ep.url, "/acceptance/dense", events);
      // One request at a time: windows complete in order, so every window is a checkpoint and the
      // count does not depend on scheduling.
      await assertResumesFromEveryCheckpoint(
        sampleConfig(ep.url, { max_concurrency: 1 }),
        "/acceptance/dense",
        events.length,
        3,
      );
    });
  });
}

describe("resume from every checkpoint (simulator, generated group)", { timeout: 120_000 }, () => {
  let sim: Simulator;
  before(async () => {
    const now = Date.now();
    sim = await startSimulator({
      scenario: {
        seed: 3,
        region: "us-east-1",
        // Not a test of quotas: the resumed reads run all at once, and a quota would make their
        // throttles (and retries) depend on this machine's speed.
        quotas: "none",
        logGroups: [
          {
            name: "/acceptance/generated",
            streams: { count: 8, namePattern: "gen-{index}" },
            timeRange: { start: now - 6 * HOUR, end: now - HOUR },
            events: { count: 50_000 },
          },
        ],
      },
    });
  });
  after(async () => sim?.stop());

  test("50,000 generated events: every resumed read returns exactly the events at or after its checkpoint", async () => {
    const total = [...expectedEvents(sim.scenario, { withoutMessages: true })].length;
    assert.equal(total, 50_000);
    // Default concurrency: windows complete out of order and the state only covers the contiguous
    // prefix, so how many checkpoints appear depends on scheduling; at least one is mid-sync.
    await assertResumesFromEveryCheckpoint(sampleConfig(sim.url), "/acceptance/generated", total, 2);
  });
});
