// What `sync`'s screen calls "being read", against the simulator through the real SDK: a stream
// counts from its window's first request sent, not from the moment a worker took the window and
// started waiting for its turn under the rate limit (under a low quota, streams sat at "STARTED
// 0" for a minute while no request of theirs had gone out).
import { strict as assert } from "node:assert";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { connect } from "../../src/commands/context.js";
import { read } from "../../src/commands/read.js";
import { parseState } from "../../src/airbyte/state.js";
import { readConfig, simConfig } from "./support.js";
import { tempDir } from "../support/connector.js";

const GROUPS = 8;

describe("sync's streams being read", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 3,
        quotas: "none",
        groupSets: [
          {
            namePrefix: "/reading/g-",
            count: GROUPS,
            totalEvents: 400,
            distribution: "uniform",
            streams: { count: 2, namePattern: "s-{index}" },
            timeRange: { start: "now-1h", end: "now-20m" },
            message: { shape: "text", size: 40 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  it("counts a stream from its first request sent, not while its window waits for the rate limit", async () => {
    // 2 requests a second (a bucket of 1) for 8 streams that more workers than that take at once.
    const raw = readConfig(simConfig(tempDir(), sim.url, { max_requests_per_second: 2 }));
    const { api, context } = connect(raw);
    const ctx = context(new Writable({ write: (_chunk, _enc, cb) => cb() }));
    const names = Array.from({ length: GROUPS }, (_, i) => `/reading/g-${i}`);
    const reading = new Map<string, number>();
    let started = 0;
    let requestsAtStart = -1;
    let most = 0;
    const early: string[] = [];
    try {
      requestsAtStart = api.stats.requests;
      const ok = await read(ctx, {
        catalog: names.map((name) => ({ name, syncMode: "incremental" as const, cursorField: undefined })),
        state: parseState([]),
        onWindows: (stream, change) => {
          reading.set(stream, (reading.get(stream) ?? 0) + change);
          if (change === 1) {
            started++;
            // Each window counted has had its first request sent (the API counts it as it goes out).
            if (started > api.stats.requests - requestsAtStart) early.push(`${stream}: ${started} windows counted`);
          }
          most = Math.max(most, [...reading.values()].filter((n) => n > 0).length);
        },
      });
      assert.equal(ok, true);
    } finally {
      api.close();
    }
    assert.deepEqual(early, [], "a window counted before its request was sent");
    assert.ok(started >= GROUPS, `${started} windows read`);
    assert.deepEqual(
      [...reading.values()].filter((n) => n !== 0),
      [],
      "every window counted ended",
    );
    // At 2 requests a second, 8 streams are read at once only if an answer of the local simulator
    // took 3.5 s; counted when taken by a worker, all 8 were at once.
    assert.ok(most < GROUPS, `${most} streams read at once`);
  });
});
