// The progress screen and the summary as pure functions of a snapshot (and the terminal's size),
// and the tracker that makes the snapshot (own rates, moving window, overall time left).
import { strict as assert } from "node:assert";
import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import {
  NOT_STARTED,
  ProgressTracker,
  estimateLeft,
  overallLeft,
  renderProgress,
  watermarkOf,
  type ProgressSnapshot,
  type StreamProgress,
} from "../../src/local/progress.js";
import { startProgressDisplay } from "../../src/local/progress-display.js";
import { streamStarts, streamWeights } from "../../src/local/stream-starts.js";
import { syncSummary } from "../../src/local/summary.js";
import { parseConfig } from "../../src/config/config.js";

const T = Date.UTC(2024, 5, 1, 12);
const HOUR = 3_600_000;

function stream(name: string, fields: Partial<StreamProgress> = {}): StreamProgress {
  return { stream: name, ...NOT_STARTED, ...fields };
}

const snapshot: ProgressSnapshot = {
  now: T,
  startedAt: T - 10_000,
  upperBound: T,
  throttles: 3,
  streams: [
    stream("/aws/lambda/orders", {
      status: "RUNNING",
      received: 50_000,
      committed: 40_000,
      reading: 2,
      startedAt: T - 10_000,
      watermark: T - HOUR,
      firstWatermark: T - 2 * HOUR,
      firstWatermarkAt: T - 10_000,
    }),
    stream("/ecs/checkout", {
      status: "COMPLETE",
      received: 2_000,
      committed: 2_000,
      startedAt: T - 9_000,
      endedAt: T - 5_000,
      watermark: T,
      firstWatermark: T,
      firstWatermarkAt: T - 5_000,
    }),
    stream("/api/access", { status: "STARTED", reading: 1, startedAt: T - 1_000 }),
  ],
};

/**
 * `n` streams named like log groups: 10 being read, 5 started and waiting, 15 complete and the
 * rest pending, each of these starting 6 hours back.
 */
function many(n: number): ProgressSnapshot {
  const streams = Array.from({ length: n }, (_, i) => {
    const name = `/aws/lambda/service-number-${String(i).padStart(3, "0")}`;
    const start = T - 6 * HOUR;
    if (i < 10)
      return stream(name, {
        status: "RUNNING",
        reading: 1,
        start,
        received: 1000 * (i + 1),
        committed: 900 * (i + 1),
        reread: i === 0 ? 100 : 0,
        startedAt: T - 60_000,
        watermark: T - 3 * HOUR,
        firstWatermark: T - 5 * HOUR,
        firstWatermarkAt: T - 50_000,
      });
    if (i < 15) return stream(name, { status: "STARTED", start, startedAt: T - 5_000 });
    if (i < 30)
      return stream(name, {
        status: "COMPLETE",
        start,
        received: 500,
        committed: 500,
        startedAt: T - 120_000,
        endedAt: T - 100_000 + i,
        watermark: T,
      });
    return stream(name, { start });
  });
  return {
    now: T,
    startedAt: T - 120_000,
    upperBound: T,
    throttles: 0,
    title: "cycle 3: 123456 records in 2 cycles, next in 60s",
    // 15 complete streams' 6 h and 10 running ones' 3 h each.
    covered: 120 * HOUR,
    recent: { ms: 10_000, received: 20_000 },
    streams,
  };
}

/** Every line fits the width, and there is a free line for the cursor. */
function assertFits(lines: readonly string[], columns: number, rows: number): void {
  assert.ok(lines.length <= rows - 1, `${lines.length} lines for ${rows} rows`);
  for (const l of lines) assert.ok(l.length <= columns, `${l.length} > ${columns}: ${l}`);
}

describe("progress screen", () => {
  it("shows status, records, a stream's own events/s, time reached, throttles and what is left", () => {
    const lines = renderProgress(snapshot, 200, 50);
    assert.equal(lines.length, 6);
    assert.match(lines[0]!, /^stream\s+status\s+records\s+events\/s\s+reached \(UTC\)\s+left$/);
    // One hour of log time in 10 s, one hour left: 10 s.
    assert.match(lines[1]!, /^\/aws\/lambda\/orders\s+RUNNING\s+50000\s+5000\s+2024-06-01 11:00:00\s+10s$/);
    assert.match(lines[2]!, /^\/api\/access\s+STARTED\s+0\s+0\s+-\s+\?$/);
    // 2000 records over its own 4 s.
    assert.match(lines[3]!, /^\/ecs\/checkout\s+COMPLETE\s+2000\s+500\s+2024-06-01 12:00:00\s+-$/);
    assert.equal(lines[4], "2 running, 0 waiting, 0 pending, 1 complete");
    assert.equal(
      lines[5],
      "3 streams, 52000 records (42000 new stored), 3 throttled, 5200 events/s, 10s elapsed, estimating",
    );
  });

  it("shows a stream that committed nothing yet as reached where the store held it", () => {
    const streams = [
      stream("/api/access", { status: "STARTED", reading: 1, startedAt: T - 1_000, storedUpTo: T - HOUR }),
    ];
    const lines = renderProgress({ ...snapshot, streams }, 200, 50);
    assert.match(lines[1]!, /^\/api\/access\s+STARTED\s+0\s+0\s+2024-06-01 11:00:00\s+\?$/);
  });

  it("estimates a stream's time left from its watermark's speed", () => {
    assert.equal(estimateLeft(snapshot.streams[0]!, T, T), 10_000);
    assert.equal(estimateLeft(snapshot.streams[2]!, T, T), undefined);
  });

  for (const [columns, rows] of [
    [80, 24],
    [200, 50],
  ] as const) {
    it(`fits ${columns}x${rows} with 60 streams: title, header, streams being read first, the counts, the totals`, () => {
      const s = many(60);
      const lines = renderProgress(s, columns, rows);
      assertFits(lines, columns, rows);
      if (columns === 80) assert.equal(lines.length, rows - 1, "the screen is used");
      assert.equal(lines[0], s.title);
      assert.match(lines[1]!, /^stream\s+status\s+records/);
      const rowsShown = lines.slice(2).filter((l) => /number-\d{3}/.test(l));
      // Being read, then waiting, then complete; pending ones only counted.
      const statuses = rowsShown.map((l) => /\s(RUNNING|waiting|COMPLETE)\s/.exec(l)?.[1]);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill("RUNNING"));
      assert.deepEqual(statuses.slice(10, 15), Array(Math.min(5, rowsShown.length - 10)).fill("waiting"));
      assert.ok(statuses.slice(15).every((x) => x === "COMPLETE"));
      const hidden = 30 - rowsShown.length;
      const counts = lines.find((l) => l.startsWith("10 running"));
      assert.equal(
        counts,
        `10 running, 5 waiting, 30 pending, 15 complete${hidden > 0 ? ` (${hidden} more not shown)` : ""}`,
      );
      assert.match(lines.join(" "), /60 streams, 62500 records \(56900 new, 100 re-read stored\), 0 throttled/);
      assert.match(lines.at(-1)!, /left$/);
      if (columns === 80) {
        assert.ok(hidden > 0);
        // Names are cut at the front: the end tells log groups apart.
        assert.match(rowsShown[0]!, /^…\S*number-000 /);
      } else {
        assert.equal(hidden, 0);
        assert.match(rowsShown[0]!, /^\/aws\/lambda\/service-number-000 /);
      }
    });
  }

  it("never has more lines than rows - 1 nor a line wider than the terminal, at any size", () => {
    const s = many(55);
    for (let columns = 1; columns <= 220; columns += 7)
      for (let rows = 1; rows <= 60; rows += 3) {
        const lines = renderProgress(s, columns, rows);
        assertFits(lines, columns, Math.max(2, rows));
        // The totals (with the time left) are what a tiny terminal keeps.
        if (rows >= 2 && columns >= 80) assert.match(lines.at(-1)!, /left$/);
      }
  });

  it("shows a started stream with no window being read as waiting", () => {
    const s: ProgressSnapshot = {
      ...snapshot,
      streams: [stream("/w", { status: "STARTED", startedAt: T - 1000 }), stream("/r", { status: "RUNNING" })],
    };
    const lines = renderProgress(s, 100, 10);
    assert.match(lines[1]!, /^\/w\s+waiting\s/);
    assert.match(lines[2]!, /^\/r\s+waiting\s/);
    assert.equal(lines[3], "0 running, 2 waiting, 0 pending, 0 complete");
  });

  it("shows a stream whose read ended and whose last records wait for their commit as storing, its rate as it ended", () => {
    let now = T - 4000;
    const tracker = new ProgressTracker(["/s", "/r"], () => now);
    tracker.status("/s", "RUNNING");
    tracker.status("/r", "RUNNING");
    tracker.reading("/r", 1);
    tracker.received("/s", 2000);
    now = T - 2000;
    tracker.storing("/s");
    now = T;
    const render = () =>
      renderProgress(tracker.snapshot({ startedAt: T - 4000, upperBound: T, throttles: 0 }), 100, 10);
    let lines = render();
    // 2000 records over the 2 s until its read ended, not over 4 s; after the stream being read.
    assert.match(lines[2]!, /^\/s\s+storing\s+2000\s+1000\s+-\s/);
    assert.equal(lines[3], "1 running, 0 waiting, 1 storing, 0 pending, 0 complete");
    tracker.committed("/s", 2000, { timestamp: T - 1000 });
    tracker.status("/s", "COMPLETE");
    lines = render();
    assert.match(lines[2]!, /^\/s\s+COMPLETE\s+2000\s+1000\s+\d{4}-\d\d-\d\d \S+\s+-$/);
    assert.equal(lines[3], "1 running, 0 waiting, 0 pending, 1 complete");
  });
});

describe("overall time left", () => {
  it("is the log time left over all unfinished streams (pending ones from their start) over the sync's speed", () => {
    const s = many(60);
    // 10 running at 3 h left each, 5 waiting and 30 pending at 6 h each: 240 h; 120 h in 120 s.
    assert.equal(overallLeft(s), 240 * 1000);
    assert.match(renderProgress(s, 200, 50).at(-1)!, /~4m00s left$/);
  });

  it("takes the whole sync's speed: what the last seconds covered does not count alone", () => {
    // Whatever the last 10 s did (a stream's concurrent windows completing together), 24 h over
    // 120 s: 720 s of log time per second.
    const s = { ...many(60), covered: 24 * HOUR };
    assert.equal(overallLeft(s), (240 * HOUR) / ((24 * HOUR) / 120_000));
  });

  it("weighs each stream's log time by its group's size: a busy group's hour is more to read", () => {
    const s: ProgressSnapshot = {
      now: T,
      startedAt: T - 100_000,
      upperBound: T,
      throttles: 0,
      // Weighted log time: 100 h in 100 s.
      covered: 100 * HOUR,
      streams: [
        stream("/busy", { status: "RUNNING", reading: 1, watermark: T - HOUR, weight: 90 }),
        stream("/quiet", { status: "RUNNING", reading: 1, watermark: T - 10 * HOUR, weight: 1 }),
      ],
    };
    // 90 x 1 h + 1 x 10 h = 100 h of weighted log time, at 1 h a second.
    assert.equal(overallLeft(s), 100_000);
  });

  it("is unknown while less than 1% of the weighted log time is covered: a tiny group read whole says little", () => {
    // The demo at 2 s: a quiet group's 7 days are read and stored, the busy groups' first windows
    // are still open (no watermark yet), and the covered log time weighs almost nothing.
    const busy = (name: string) => stream(name, { status: "RUNNING", reading: 1, start: T - 24 * HOUR, weight: 100 });
    const at = (covered: number): ProgressSnapshot => ({
      now: T,
      startedAt: T - 2000,
      upperBound: T,
      throttles: 0,
      covered,
      recent: { ms: 2000, received: 100_000 },
      streams: [
        stream("/quiet", { status: "COMPLETE", start: T - 7 * 24 * HOUR, watermark: T, weight: 0.01 }),
        busy("/a"),
        busy("/b"),
      ],
    });
    // Left: 2 x 24 h at weight 100 (4800 h); covered: 7 x 24 h at weight 0.01 (1.68 h), 0.035%.
    assert.equal(overallLeft(at(7 * 24 * HOUR * 0.01)), undefined);
    assert.match(renderProgress(at(7 * 24 * HOUR * 0.01), 80, 24).at(-1)!, /, estimating$/);
    // From 1% on, the speed tells: 49 h covered in 2 s (1.01%), 4800 h left.
    assert.equal(overallLeft(at(49 * HOUR)), (4800 * HOUR) / ((49 * HOUR) / 2000));
  });

  it("says how many records are left to store once no stream is read or waits to be, not a time from log time", () => {
    // The demo's end: every read ended and three groups' last records wait for their commits.
    // Their log time left is one commit each, whatever its size: the estimate said ~5s, then ~3s,
    // then ~4s, and the sync ended at 5 s.
    const s: ProgressSnapshot = {
      now: T,
      startedAt: T - 3000,
      upperBound: T,
      throttles: 0,
      covered: 40 * HOUR,
      recent: { ms: 3000, received: 200_000 },
      streams: [
        stream("/a", {
          status: "RUNNING",
          storing: true,
          received: 60_000,
          committed: 20_000,
          watermark: T - 10 * HOUR,
        }),
        stream("/b", { status: "RUNNING", storing: true, received: 30_000, committed: 30_000, watermark: T - HOUR }),
        stream("/c", { status: "COMPLETE", received: 70_000, committed: 70_000, watermark: T }),
      ],
    };
    assert.ok(overallLeft(s)! > 0);
    assert.match(renderProgress(s, 100, 10).at(-1)!, /, 3s elapsed, storing the last 40000 records$/);
    // One stream still waiting for its turn: the estimate from log time, as before.
    const waiting = { ...s, streams: [...s.streams, stream("/d", { status: "STARTED", start: T - HOUR })] };
    assert.match(renderProgress(waiting, 100, 10).at(-1)!, /, 3s elapsed, ~\d+s left$/);
  });

  it("is unknown until a watermark moved, and 0 when every stream finished", () => {
    assert.equal(overallLeft({ ...many(60), recent: undefined, covered: 0 }), undefined);
    const done = { ...snapshot, streams: [stream("/a", { status: "COMPLETE" })] };
    assert.equal(overallLeft(done), 0);
    assert.equal(overallLeft({ ...snapshot, streams: [stream("/a", { status: "STARTED" })] }), undefined);
  });
});

describe("progress tracker", () => {
  it("keeps a finished stream's events/s as it ended, while time passes", () => {
    let now = T;
    const tracker = new ProgressTracker(["/a"], () => now);
    tracker.status("/a", "STARTED");
    tracker.reading("/a", 1);
    now += 10_000;
    tracker.received("/a", 1000);
    tracker.committed("/a", 1000, { timestamp: T - HOUR });
    tracker.reading("/a", -1);
    tracker.status("/a", "COMPLETE");
    const rateAt = (t: number): string => {
      now = t;
      const base = { startedAt: T, upperBound: T, throttles: 0 };
      return /\/a\s+COMPLETE\s+1000\s+(\d+)/.exec(renderProgress(tracker.snapshot(base), 120, 10)[1]!)![1]!;
    };
    assert.equal(rateAt(T + 10_000), "100");
    assert.equal(rateAt(T + 100_000), "100");
    assert.equal(rateAt(T + 1_000_000), "100");
  });

  it("takes a second at least for a stream's events/s: a stream read in 2 ms shows its 60 events, not 30000/s", () => {
    let now = T;
    const tracker = new ProgressTracker(["/tiny"], () => now);
    tracker.status("/tiny", "STARTED");
    tracker.reading("/tiny", 1);
    now += 2;
    tracker.received("/tiny", 60);
    tracker.reading("/tiny", -1);
    tracker.status("/tiny", "COMPLETE");
    now += 5000;
    const lines = renderProgress(tracker.snapshot({ startedAt: T, upperBound: T, throttles: 0 }), 120, 10);
    assert.match(lines[1]!, /^\/tiny\s+COMPLETE\s+60\s+60\s/);
  });

  it("counts the log time a stream's watermark covers at the stream's weight", () => {
    const now = T;
    const tracker = new ProgressTracker(["/a", "/b"], () => now, {
      starts: new Map([
        ["/a", T - 10 * HOUR],
        ["/b", T - 10 * HOUR],
      ]),
      weights: new Map([["/a", 3]]),
    });
    tracker.committed("/a", 10, { timestamp: T - 9 * HOUR });
    tracker.committed("/b", 10, { timestamp: T - 8 * HOUR });
    const snap = tracker.snapshot({ startedAt: T, upperBound: T, throttles: 0 });
    assert.equal(snap.covered, 3 * HOUR + 2 * HOUR);
    assert.deepEqual(
      snap.streams.map((p) => p.weight),
      [3, 1],
    );
  });

  it("measures the current events/s over the last 10 s, and covered log time from each stream's start", () => {
    let now = T;
    const starts = new Map([
      ["/a", T - 10 * HOUR],
      ["/b", T - 10 * HOUR],
    ]);
    const tracker = new ProgressTracker(["/a", "/b"], () => now, { starts });
    const base = { startedAt: T, upperBound: T, throttles: 0 };
    // 20 s at 100 events/s, then 10 s at 10 events/s.
    for (let s = 1; s <= 30; s++) {
      now = T + s * 1000;
      tracker.received("/a", s <= 20 ? 100 : 10);
      tracker.snapshot(base);
    }
    tracker.committed("/a", 0, { timestamp: T - 9 * HOUR });
    tracker.committed("/a", 0, { timestamp: T - 8 * HOUR });
    tracker.committed("/b", 0, { state: "no timestamp" });
    const s = tracker.snapshot(base);
    assert.deepEqual(s.recent, { ms: 10_000, received: 100 });
    assert.equal(s.covered, 2 * HOUR);
    assert.match(renderProgress(s, 200, 10).at(-1)!, /, 10 events\/s, /);
    // 8 h + 10 h left at 2 h in the sync's 30 s.
    assert.equal(overallLeft(s), 270_000);
  });
});

describe("summary", () => {
  const interrupted: ProgressSnapshot = {
    ...snapshot,
    streams: [
      stream("/a", { status: "INCOMPLETE", committed: 1200, reread: 200, watermark: T - HOUR, failed: true }),
      stream("/b", { status: "COMPLETE", committed: 10, watermark: T }),
      stream("/c", { status: "INCOMPLETE" }),
      // Cut short by the stop: INCOMPLETE from the read, but not failed.
      stream("/d", { status: "INCOMPLETE", committed: 5, watermark: T - 2 * HOUR, start: T - 3 * HOUR }),
      // Stopped at its start: the state it committed is where it started (its start_date).
      stream("/e", { status: "INCOMPLETE", watermark: T - 5 * HOUR, start: T - 5 * HOUR }),
      ...Array.from({ length: 45 }, (_, i) => stream(`/pending-${i}`)),
    ],
  };

  it("lists the streams that did something and counts the others in one line; new and re-read apart", () => {
    const text = syncSummary({
      snapshot: interrupted,
      location: "x.duckdb",
      format: "duckdb",
      interrupted: true,
      warnings: [],
    });
    const lines = text.trimEnd().split("\n");
    for (const l of lines) assert.ok(l.length <= 80, l);
    assert.match(lines[0]!, /^Interrupted: 1215 records committed \(1015 new, 200 re-read\) to x\.duckdb \(duckdb\)/);
    assert.match(lines[1]!, /^in 10\.0 s \(122 records\/s\), 3 throttled requests\.$/);
    assert.match(lines[2]!, /^ {2}stream\s+status\s+new\s+re-read\s+complete up to \(UTC\)$/);
    assert.match(lines[3]!, /^ {2}\/a\s+INCOMPLETE\s+1000\s+200\s+2024-06-01 11:00:00$/);
    assert.match(lines[4]!, /^ {2}\/b\s+COMPLETE\s+10\s+0\s+2024-06-01 12:00:00$/);
    assert.match(lines[5]!, /^ {2}\/d\s+INTERRUPTED\s+5\s+0\s+2024-06-01 10:00:00$/);
    assert.deepEqual(lines.slice(6, 8), [
      "  45 streams not started, 2 stopped before any progress; run the same command",
      "    again to continue",
    ]);
    assert.equal(lines.length, 9);
  });

  it("after a full sync, names a failed stream that stored nothing", () => {
    const text = syncSummary({
      snapshot: { ...snapshot, streams: [stream("/c", { status: "INCOMPLETE" }), stream("/p")] },
      location: "x.duckdb",
      format: "duckdb",
      interrupted: false,
      warnings: ["/c: boom"],
    });
    assert.match(text, /^Synced: 0 records committed \(0 new\)/);
    assert.match(text, /\n {2}stream\s+status\s+new\s+complete up to \(UTC\)\n/);
    assert.match(text, /\n {2}\/c\s+INCOMPLETE\s+0\s+nothing stored yet\n/);
    assert.match(text, /\n {2}1 stream not started\n/);
    assert.match(text, /Some streams failed/);
  });

  it("a failed stream that committed nothing in this sync is complete up to where the store held it", () => {
    const tracker = new ProgressTracker(["/c", "/s"], () => T, {
      stored: new Map([
        ["/c", { timestamp: T - 3 * HOUR }],
        ["/s", { log_groups: { "/x": { timestamp: T - 2 * HOUR }, "/y": { timestamp: T - HOUR } } }],
      ]),
      groupKeys: new Map([["/s", ["/x", "/y"]]]),
    });
    for (const s of ["/c", "/s"]) {
      tracker.status(s, "INCOMPLETE");
      tracker.failed(s);
    }
    const text = syncSummary({
      snapshot: tracker.snapshot({ startedAt: T, upperBound: T, throttles: 0 }),
      location: "x.duckdb",
      format: "duckdb",
      interrupted: false,
      warnings: ["/c: boom"],
    });
    assert.match(text, /\n {2}\/c\s+INCOMPLETE\s+0\s+2024-06-01 09:00:00\n/);
    assert.match(text, /\n {2}\/s\s+INCOMPLETE\s+0\s+2024-06-01 10:00:00\n/);
  });

  it("with many streams, counts the complete ones that committed nothing; with a few, lists them all", () => {
    const summary = (streams: StreamProgress[]) =>
      syncSummary({
        snapshot: { ...snapshot, streams },
        location: "x.duckdb",
        format: "duckdb",
        interrupted: false,
        warnings: [],
      });
    const unchanged = (n: number) =>
      Array.from({ length: n }, (_, i) => stream(`/quiet-${i}`, { status: "COMPLETE", watermark: T }));
    const busy = [
      stream("/new", { status: "COMPLETE", committed: 7, watermark: T }),
      stream("/again", { status: "COMPLETE", committed: 3, reread: 3, watermark: T }),
      stream("/failed", { status: "INCOMPLETE", failed: true }),
    ];
    const many = summary([...busy, ...unchanged(2980)])
      .trimEnd()
      .split("\n");
    assert.deepEqual(
      many.slice(2).map((l) => l.replace(/ +/g, " ")),
      [
        " stream status new re-read complete up to (UTC)",
        " /new COMPLETE 7 0 2024-06-01 12:00:00",
        " /again COMPLETE 0 3 2024-06-01 12:00:00",
        " /failed INCOMPLETE 0 0 nothing stored yet",
        " 2980 streams complete with no new records",
        "Some streams failed (see notes); the next sync retries them from their state.",
      ],
    );
    const few = summary([...busy, ...unchanged(17)]);
    assert.match(few, /\n {2}\/quiet-16\s+COMPLETE\s+0\s+0\s+2024-06-01 12:00:00\n/);
    assert.doesNotMatch(few, /no new records/);
  });

  it("an interrupted sync where every stream stopped at its start says neither 'failed' nor 'time above'", () => {
    const text = syncSummary({
      snapshot: {
        ...snapshot,
        streams: [
          stream("/a", { status: "INCOMPLETE", watermark: T - HOUR, start: T - HOUR }),
          stream("/b", { status: "INCOMPLETE" }),
        ],
      },
      location: "x.duckdb",
      format: "duckdb",
      interrupted: true,
      warnings: [],
    });
    assert.deepEqual(text.trimEnd().split("\n").slice(2), [
      "  2 streams stopped before any progress; run the same command again to",
      "    continue",
    ]);
  });

  it("the single stream with records but a log group not begun: complete up to 'some log groups only'", () => {
    const text = syncSummary({
      snapshot: { ...snapshot, streams: [stream("log_events", { status: "INCOMPLETE", committed: 40 })] },
      location: "x.duckdb",
      format: "duckdb",
      interrupted: true,
      warnings: [],
    });
    assert.match(text, /\n {2}log_events\s+INTERRUPTED\s+40\s+some log groups only\n/);
  });

  it("fits 80 columns with long log group names: a name loses its start, not its end", () => {
    const long = "/aws/lambda/function-with-a-longish-name-0600";
    const text = syncSummary({
      snapshot: {
        ...snapshot,
        streams: [
          stream(long, { status: "COMPLETE", committed: 10, reread: 2, watermark: T }),
          stream("/b", { status: "COMPLETE", committed: 10, watermark: T }),
        ],
      },
      location: "x.duckdb",
      format: "duckdb",
      interrupted: false,
      warnings: [],
    });
    const lines = text.trimEnd().split("\n");
    for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    const row = lines.find((l) => l.includes("name-0600"))!;
    assert.match(row, /^ {2}…[\w/-]+-longish-name-0600 {2}COMPLETE\s+8\s+2\s+2024-06-01 12:00:00$/);
    assert.equal(
      lines.find((l) => l.includes("complete up to"))!.length,
      80,
      "the name column takes what the others leave",
    );
  });

  it("fits a terminal narrower than 80 columns: every line, words whole", () => {
    const long = "/aws/lambda/function-with-a-longish-name-0600";
    const note = 'could not store "/b" (disk full) in x.duckdb; the other streams were stored';
    const text = syncSummary({
      snapshot: {
        ...snapshot,
        streams: [
          stream(long, { status: "COMPLETE", committed: 10, reread: 2, watermark: T }),
          stream("/b", { status: "INCOMPLETE", failed: true, storedUpTo: T - HOUR }),
        ],
      },
      location: "x.duckdb",
      format: "duckdb",
      interrupted: false,
      warnings: [note],
      width: 66,
    });
    const lines = text.trimEnd().split("\n");
    for (const l of lines) assert.ok(l.length <= 66, `${l.length}: ${l}`);
    const words = (ls: readonly string[]) => ls.map((l) => l.trim()).join(" ");
    assert.match(
      words(lines),
      /^Synced: 10 records committed \(8 new, 2 re-read\) to x\.duckdb \(duckdb\) in 10\.0 s /,
    );
    assert.ok(words(lines).includes(`note: ${note}`), text);
    assert.match(words(lines), /Some streams failed \(see notes\); the next sync retries them from their state\.$/);
  });

  it("words its notes to 80 columns, under the note's first word", () => {
    const note =
      'Log group "/archive/audit" is of class INFREQUENT_ACCESS, which FilterLogEvents cannot read; it is not offered as a stream.';
    const text = syncSummary({
      snapshot,
      location: "x.duckdb",
      format: "duckdb",
      interrupted: false,
      warnings: [note],
    });
    const lines = text.trimEnd().split("\n");
    for (const l of lines) assert.ok(l.length <= 80, l);
    const at = lines.findIndex((l) => l.startsWith("  note: "));
    assert.deepEqual(lines.slice(at), [
      '  note: Log group "/archive/audit" is of class INFREQUENT_ACCESS, which',
      "    FilterLogEvents cannot read; it is not offered as a stream.",
    ]);
  });
});

/** A terminal as the display sees it: a size, a 'resize' event, and what was written. */
class FakeTerminal extends Writable {
  readonly isTTY = true;
  columns = 100;
  rows = 10;
  written: string[] = [];
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: () => void): void {
    this.written.push(chunk.toString());
    cb();
  }
}

describe("progress display", () => {
  it("draws on the alternate screen at the terminal's size, again on a resize, and leaves it at the end", async () => {
    const out = new FakeTerminal();
    const process = new EventEmitter();
    const display = startProgressDisplay(out, () => snapshot, process, 60_000);
    const flushed = () => new Promise<void>((r) => setImmediate(r));
    await flushed();
    assert.equal(out.written[0], "\x1b[?1049h\x1b[?25l", "the alternate screen, the cursor hidden");
    const frame = out.written[1]!;
    // Each line at its row, the rest of the screen cleared after the last; never a newline.
    assert.ok(frame.startsWith("\x1b[1;1H\x1b[2Kstream "));
    assert.ok(frame.endsWith("\x1b[7;1H\x1b[J"), JSON.stringify(frame.slice(-20)));
    assert.ok(!frame.includes("\n"));
    out.columns = 40;
    out.rows = 5;
    out.emit("resize");
    await flushed();
    const small = out.written[2]!;
    assert.ok(small.endsWith("\x1b[5;1H\x1b[J"), "4 lines on 5 rows");
    // The text of each line: up to the next escape sequence.
    for (const part of small.split("\x1b[2K").slice(1)) assert.ok(part.split("\x1b")[0]!.length <= 40, part);
    // A second Ctrl-C exits at once: the process's 'exit' gives the terminal back.
    process.emit("exit");
    await flushed();
    assert.equal(out.written.at(-1), "\x1b[?25h\x1b[?1049l");
    display.stop();
    await flushed();
    assert.equal(out.written.at(-1), "\x1b[?25h\x1b[?1049l");
    assert.equal(out.listenerCount("resize"), 0);
    assert.equal(process.listenerCount("exit"), 0);
  });

  it("draws nothing off a terminal", () => {
    const out = new FakeTerminal();
    Object.assign(out, { isTTY: false });
    startProgressDisplay(out, () => snapshot).stop();
    assert.deepEqual(out.written, []);
  });
});

describe("stream starts", () => {
  const DAY = 24 * HOUR;
  const group = (name: string) => ({
    name,
    creationTime: T - 2 * DAY,
    retentionInDays: undefined,
    logGroupClass: "STANDARD",
    storedBytes: 0,
  });
  const stored = new Map([["/stored", { timestamp: T - HOUR }]]);

  it("are where the read starts each stream: its state, else its group's earliest event; unknown ones left out", () => {
    const config = parseConfig({ region_name: "us-east-1", lookback_window_minutes: 10 });
    const starts = streamStarts(["/stored", "/new", "report"], stored, config, [group("/stored"), group("/new")], T);
    assert.deepEqual(
      [...starts],
      [
        ["/stored", T - HOUR],
        // Created 2 days ago: events may be up to 14 days older than their ingestion.
        ["/new", T - 2 * DAY - 14 * DAY],
      ],
    );
  });

  it("weigh each stream by its group's stored bytes per ms since its earliest event; all 1 when a size is unknown", () => {
    const config = parseConfig({ region_name: "us-east-1" });
    const sized = (name: string, storedBytes: number | undefined) => ({ ...group(name), storedBytes });
    // Both groups span the same days (created 2 days ago, events up to 14 days older).
    const weights = streamWeights(["/a", "/b"], config, [sized("/a", 1600), sized("/b", 16_000)], T);
    assert.ok(Math.abs(weights.get("/b")! / weights.get("/a")! - 10) < 1e-9);
    // From where a first sync would start the group to where the read ends.
    const start = streamStarts(["/a"], new Map(), config, [sized("/a", 1600)], T).get("/a")!;
    assert.equal(weights.get("/a"), 1600 / (T - config.ingestionDelayMs - start));
    assert.equal(streamWeights(["/a", "/b"], config, [sized("/a", 1600), sized("/b", undefined)], T).size, 0);
    assert.equal(streamWeights(["/a", "/b"], config, [sized("/a", 1600), sized("/b", 0)], T).size, 0);
    assert.equal(streamWeights(["/a", "/c"], config, [sized("/a", 1600)], T).size, 0);
    const single = parseConfig({ region_name: "us-east-1", stream_layout: "single_stream" });
    assert.equal(streamWeights(["log_events"], single, [sized("log_events", 5)], T).size, 0);
  });

  it("take start_date for a stream without state, and leave out the single stream", () => {
    const startDate = "2024-05-01T00:00:00Z";
    const config = parseConfig({ region_name: "us-east-1", start_date: startDate });
    assert.deepEqual(
      [...streamStarts(["/stored", "report"], stored, config, [], T)],
      [
        ["/stored", T - HOUR],
        ["report", Date.parse(startDate)],
      ],
    );
    const single = parseConfig({ region_name: "us-east-1", stream_layout: "single_stream" });
    assert.deepEqual([...streamStarts(["log_events"], new Map(), single, [group("log_events")], T)], []);
  });
});

describe("watermarkOf", () => {
  const groups = (entries: Record<string, number>) => ({
    log_groups: Object.fromEntries(Object.entries(entries).map(([g, t]) => [g, { timestamp: t }])),
  });

  it("is a stream's timestamp", () => {
    assert.equal(watermarkOf({ timestamp: T }), T);
  });

  it("is the earliest of the single stream's groups, once each has one; others do not count", () => {
    const keys = ["/a", "/b"];
    assert.equal(watermarkOf(groups({ "/a": T, "/b": T - HOUR }), keys), T - HOUR);
    assert.equal(watermarkOf(groups({ "/a": T }), keys), undefined, "/b not begun: nothing stored of it");
    assert.equal(watermarkOf(groups({}), keys), undefined);
    // A deleted group's watermark, kept in the state, is not one the read moves.
    assert.equal(watermarkOf(groups({ "/a": T, "/b": T, "/gone": T - 100 * HOUR }), keys), T);
    assert.equal(watermarkOf(groups({ "/a": T }), []), undefined, "no group read: no time");
  });
});
