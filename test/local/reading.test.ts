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
    // 2 requests a second (a bucket of 1): the workers take more windows at once than requests go out.
    const raw = readConfig(simConfig(tempDir(), sim.url, { max_requests_per_second: 2 }));
    const { api, context } = connect(raw);
    const ctx = context(new Writable({ write: (_chunk, _enc, cb) => cb() }));
    const names = Array.from({ length: GROUPS }, (_, i) => `/reading/g-${i}`);
    const reading = new Map<string, number>();
    let started = 0;
    const early: string[] = [];
    const requestsAtStart = api.stats.requests;
    try {
      const ok = await read(ctx, {
        catalog: names.map((name) => ({ name, syncMode: "incremental" as const, cursorField: undefined })),
        state: parseState([]),
        onWindows: (stream, change) => {
          reading.set(stream, (reading.get(stream) ?? 0) + change);
          if (change === 1) {
            started++;
            // Each window counted has had its first request sent: the API counts a request as it
            // goes out (read's own DescribeLogGroups requests only add to the count).
            if (started > api.stats.requests - requestsAtStart) early.push(`${stream}: ${started} windows counted`);
          }
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
  });
});
