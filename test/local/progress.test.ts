import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { estimateLeft, renderProgress, type ProgressSnapshot } from "../../src/local/progress.js";

const T = Date.UTC(2024, 5, 1, 12);

const snapshot: ProgressSnapshot = {
  now: T,
  startedAt: T - 10_000,
  upperBound: T,
  throttles: 3,
  streams: [
    {
      stream: "/aws/lambda/orders",
      status: "RUNNING",
      received: 50_000,
      committed: 40_000,
      reread: 0,
      watermark: T - 3_600_000,
      firstWatermark: T - 7_200_000,
      firstWatermarkAt: T - 10_000,
    },
    {
      stream: "/ecs/checkout",
      status: "COMPLETE",
      received: 2_000,
      committed: 2_000,
      reread: 0,
      watermark: T,
      firstWatermark: T,
      firstWatermarkAt: T - 5_000,
    },
    {
      stream: "/api/access",
      status: "STARTED",
      received: 0,
      committed: 0,
      reread: 0,
      watermark: undefined,
      firstWatermark: undefined,
      firstWatermarkAt: undefined,
    },
  ],
};

describe("progress rendering", () => {
  it("shows status, records, events/s, time reached, throttles and what is left", () => {
    const lines = renderProgress(snapshot);
    assert.equal(lines.length, 5);
    assert.match(lines[0]!, /^stream\s+status\s+records\s+events\/s\s+reached \(UTC\)\s+left$/);
    // One hour of log time in 10 s, one hour left: 10 s.
    assert.match(lines[1]!, /^\/aws\/lambda\/orders\s+RUNNING\s+50000\s+5000\s+2024-06-01 11:00:00\s+10s$/);
    assert.match(lines[2]!, /^\/ecs\/checkout\s+COMPLETE\s+2000\s+200\s+2024-06-01 12:00:00\s+0s$/);
    assert.match(lines[3]!, /^\/api\/access\s+STARTED\s+0\s+0\s+-\s+\?$/);
    assert.equal(lines[4], "3 streams, 52000 records, 5200 events/s, 3 throttled, 10s elapsed, estimating");
  });

  it("estimates from the watermark's speed", () => {
    assert.equal(estimateLeft(snapshot.streams[0]!, T, T), 10_000);
    assert.equal(estimateLeft(snapshot.streams[2]!, T, T), undefined);
  });
});
