// `sync --follow`'s policy and loop in process: the backoff schedule, what a cycle's outcome does
// to the next wait, the lines on stderr, the totals on stdout, stopping during a cycle and during
// the wait, and no signal listener left behind. Cycles and waits are fakes: nothing waits for time.
import { strict as assert } from "node:assert";
import { EventEmitter, getEventListeners } from "node:events";
import { describe, test } from "node:test";
import { ConfigError } from "../../src/airbyte/errors.js";
import { childCancellation, watchCancellation } from "../../src/engine/cancel.js";
import { followCommand } from "../../src/local/follow.js";
import {
  cycleLine,
  followSummary,
  followTitle,
  noCycles,
  waitBeforeNextCycle,
  withCycle,
} from "../../src/local/follow-policy.js";
import { NOT_STARTED, type ProgressSnapshot, type StreamProgress } from "../../src/local/progress.js";
import { SyncError, type SyncCycle, type SyncOutcome } from "../../src/local/sync.js";
import { Collect } from "../local/support.js";

const T0 = Date.parse("2026-12-01T12:00:00Z");

function stream(name: string, status: string, committed: number, reread = 0, watermark?: number): StreamProgress {
  return {
    ...NOT_STARTED,
    stream: name,
    status,
    received: committed,
    committed,
    reread,
    watermark,
    firstWatermark: watermark,
    firstWatermarkAt: watermark,
  };
}

function snapshot(streams: StreamProgress[]): ProgressSnapshot {
  return { now: T0, startedAt: T0, upperBound: T0, throttles: 0, streams };
}

function outcome(code: number, streams: StreamProgress[], warnings: string[] = []): SyncOutcome {
  return { code, snapshot: snapshot(streams), warnings };
}

describe("follow policy", () => {
  test("the wait doubles per failed cycle in a row, up to 10 intervals or 15 minutes, never below the interval", () => {
    const waits = (intervalMs: number) => [0, 1, 2, 3, 4, 5, 60, 5000].map((f) => waitBeforeNextCycle(intervalMs, f));
    assert.deepEqual(waits(1000), [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000, 10_000]);
    assert.deepEqual(waits(60_000), [60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000, 600_000]);
    assert.deepEqual(waits(300_000), [300_000, 600_000, 900_000, 900_000, 900_000, 900_000, 900_000, 900_000]);
    assert.deepEqual(waits(3_600_000), Array(8).fill(3_600_000));
  });

  test("totals add each cycle's committed and re-read rows per stream and keep the latest watermark", () => {
    let totals = noCycles(T0);
    totals = withCycle(totals, snapshot([stream("/a", "COMPLETE", 10, 2, T0 - 5000)]), false);
    totals = withCycle(totals, undefined, true);
    totals = withCycle(
      totals,
      snapshot([
        stream("/a", "INCOMPLETE", 3, 0, undefined),
        stream("/b", "COMPLETE", 4, 1, T0),
        // Failed at its first cycle with nothing committed: complete up to where the store held it.
        { ...stream("/c", "INCOMPLETE", 0), storedUpTo: T0 - 7000 },
      ]),
      true,
    );
    assert.deepEqual(
      { ...totals, streams: Object.fromEntries(totals.streams) },
      {
        startedAt: T0,
        cycles: 3,
        failed: 2,
        committed: 17,
        reread: 3,
        streams: {
          "/a": { committed: 13, reread: 2, watermark: T0 - 5000 },
          "/b": { committed: 4, reread: 1, watermark: T0 },
          "/c": { committed: 0, reread: 0, watermark: T0 - 7000 },
        },
      },
    );
    assert.equal(
      followTitle(4, T0 + 65_000, totals),
      "sync --follow: cycle 4 since 12:01:05 UTC; before it 3 cycles (2 failed), 14 new records",
    );
    assert.equal(followTitle(1, T0, noCycles(T0)), "sync --follow: cycle 1 since 12:00:00 UTC");
    assert.match(
      followSummary(totals, { location: "out", format: "jsonl", by: "SIGTERM", now: T0 + 2 * 3600_000 + 5 * 60_000 }),
      /^Followed until SIGTERM: 3 cycles \(2 failed\), 14 new records \(3 re-read\)\ncommitted to out \(jsonl\) in 2h05m\.\n {2}stream +new {2}complete up to \(UTC\)\n {2}\/a +11 {2}2026-12-01 11:59:55\n/,
    );
  });

  test("the totals fit 80 columns: a long log group name loses its start", () => {
    const long = "/aws/lambda/function-with-a-rather-longish-name-0600";
    const totals = withCycle(noCycles(T0), snapshot([stream(long, "COMPLETE", 10, 0, T0)]), false);
    const lines = followSummary(totals, { location: "x.duckdb", format: "duckdb", by: "SIGINT", now: T0 }).split("\n");
    for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    assert.ok(
      lines.some((l) => /^ {2}…[\w/-]+-name-0600 +10 {2}2026-12-01 12:00:00$/.test(l)),
      lines.join("\n"),
    );
  });

  test("a cycle's line: counts, duration, and the wait or the retry", () => {
    const synced = snapshot([stream("/a", "COMPLETE", 125, 5), stream("/b", "INCOMPLETE", 0)]);
    assert.equal(
      cycleLine({
        n: 3,
        startedAt: T0,
        endedAt: T0 + 1234,
        end: { kind: "synced", snapshot: synced, failedStreams: 0 },
        nextAt: T0 + 61_234,
        failures: 0,
      }),
      "cycle 3 (12:00:00 UTC): 120 new records, 5 re-read, 1/2 streams complete, 1.2 s; waiting until 12:01:01 UTC",
    );
    assert.equal(
      cycleLine({
        n: 4,
        startedAt: T0,
        endedAt: T0 + 1000,
        end: { kind: "synced", snapshot: synced, failedStreams: 1 },
        nextAt: T0 + 121_000,
        failures: 1,
      }),
      "cycle 4 (12:00:00 UTC): 120 new records, 5 re-read, 1/2 streams complete, 1.0 s; 1 stream failed (see the notes); retrying at 12:02:01 UTC (1 failed cycle in a row)",
    );
    // A day's wait (--interval 86400) names the day: the time alone read as a second away.
    const at = (nextAt: number, failures = 0) =>
      cycleLine({
        n: 5,
        startedAt: T0,
        endedAt: T0 + 1000,
        end: { kind: "synced", snapshot: synced, failedStreams: 0 },
        nextAt,
        failures,
      });
    assert.match(at(T0 + 1000 + 86_400_000), /; waiting until 2026-12-02 12:00:01 UTC$/);
    assert.match(
      at(T0 + 1000 + 7 * 86_400_000, 2),
      /; retrying at 2026-12-08 12:00:01 UTC \(2 failed cycles in a row\)$/,
    );
    // Past midnight UTC, even an hour away.
    assert.match(at(T0 + 12 * 3_600_000 + 1000), /; waiting until 2026-12-02 00:00:01 UTC$/);
    assert.match(at(T0 + 11 * 3_600_000), /; waiting until 23:00:00 UTC$/);
  });

  test("a child cancellation aborts with its parent, and its dispose leaves no listener on the parent", () => {
    const signals = new EventEmitter();
    const parent = watchCancellation(signals);
    const children = [1, 2, 3].map(() => childCancellation(parent));
    assert.equal(getEventListeners(parent.signal, "abort").length, 3);
    children[0]!.dispose();
    children[1]!.dispose();
    assert.equal(getEventListeners(parent.signal, "abort").length, 1);
    signals.emit("SIGTERM");
    assert.equal(children[2]!.signal.aborted, true);
    assert.equal(children[2]!.by, "SIGTERM");
    assert.equal(children[0]!.signal.aborted, false, "a disposed child is no longer told");
    // A child made after the abort is aborted from the start.
    const late = childCancellation(parent);
    assert.equal(late.signal.aborted, true);
    late.dispose();
    parent.dispose();
    assert.equal(signals.listenerCount("SIGTERM"), 0);
  });
});

/** Runs the loop over scripted cycles; `sleep` records the waits and may act (say, send a signal). */
async function follow(
  cycles: ((c: SyncCycle, signals: EventEmitter) => SyncOutcome | Error)[],
  onSleep: (ms: number, signals: EventEmitter, n: number) => void,
  intervalSeconds = 10,
  /** stdout and stderr as a terminal of this width; undefined: pipes. */
  columns?: number,
) {
  const signals = new EventEmitter();
  const terminal = columns === undefined ? {} : { isTTY: true, columns };
  const stdout = Object.assign(new Collect(), terminal);
  const stderr = Object.assign(new Collect(), terminal);
  const waits: number[] = [];
  const titles: string[] = [];
  let now = T0;
  let n = 0;
  const code = await followCommand(
    { config: {}, format: "duckdb", target: "x.duckdb", streams: undefined },
    intervalSeconds,
    { stdout, stderr, signals, now: () => now },
    {
      cycle: async (c) => {
        assert.equal(signals.listenerCount("SIGINT"), 1, "one watcher for the whole loop");
        assert.equal(c.cancellation.signal.aborted, false);
        titles.push(c.title);
        const script = cycles[n++];
        assert.ok(script, `cycle ${n} was not expected`);
        now += 500;
        const result = script(c, signals);
        if (result instanceof Error) throw result;
        return result;
      },
      sleep: async (ms, signal) => {
        // The cycles' children are disposed: only the loop's sleep may listen to its signal.
        assert.equal(getEventListeners(signal, "abort").length, 0);
        waits.push(ms);
        now += ms;
        onSleep(ms, signals, waits.length);
      },
    },
  );
  assert.equal(signals.listenerCount("SIGINT") + signals.listenerCount("SIGTERM"), 0, "no listener left");
  return { code, stdout: stdout.text, stderr: stderr.text, waits, titles };
}

const ok =
  (committed: number, reread = 0) =>
  () =>
    outcome(0, [stream("/a", "COMPLETE", committed, reread, T0), stream("/b", "COMPLETE", 0, 0, T0)]);

describe("follow loop", () => {
  test("on a terminal, a cycle's line and its notes break at spaces to its width, later lines indented; the summary fits it", async () => {
    const note = `/aws/lambda/a-rather-long-function-name: ${"why ".repeat(20)}it failed`;
    const r = await follow(
      [() => outcome(1, [stream("/a", "INCOMPLETE", 7), stream("/b", "COMPLETE", 1)], [note])],
      (_ms, signals) => signals.emit("SIGINT"),
      10,
      50,
    );
    const lines = r.stderr.trimEnd().split("\n");
    for (const l of lines) assert.ok(l.length <= 50, `${l.length} > 50: ${l}`);
    assert.deepEqual(lines.slice(0, 2), [
      "cycle 1 (12:00:00 UTC): 8 new records, 0 re-read,",
      "  1/2 streams complete, 0.5 s; 1 stream failed",
    ]);
    const noteAt = lines.findIndex((l) => l.startsWith("  note: "));
    assert.ok(noteAt > 0, r.stderr);
    assert.ok(
      lines.slice(noteAt + 1).every((l) => l.startsWith("    ")),
      r.stderr,
    );
    // The words as they were, on one line apiece off a terminal.
    const joined = (from: number, to?: number) =>
      lines
        .slice(from, to)
        .map((l) => l.trim())
        .join(" ");
    assert.equal(joined(noteAt), `note: ${note}`);
    assert.match(joined(0, noteAt), /^cycle 1 .*; retrying at 12:00:20 UTC \(1 failed cycle in a row\)$/);
    // The summary at the stop fits too.
    for (const l of r.stdout.trimEnd().split("\n")) assert.ok(l.length <= 50, `${l.length} > 50: ${l}`);
    assert.match(r.stdout, /^Followed until SIGINT: 1 cycle \(1 failed\),/);
  });

  test("failed cycles back off and a good one resets the wait; stopped during the wait: exit 130 and the totals", async () => {
    const r = await follow(
      [
        ok(100),
        () => new SyncError("Cannot reach CloudWatch Logs: network down", "config_error"),
        () => new SyncError("CloudWatch Logs kept throttling", "transient_error"),
        () => outcome(1, [stream("/a", "INCOMPLETE", 7), stream("/b", "COMPLETE", 1)], ['/a: "throttled out"']),
        ok(12, 2),
      ],
      (_ms, signals, n) => {
        if (n === 5) signals.emit("SIGINT");
      },
    );
    assert.equal(r.code, 130);
    assert.deepEqual(r.waits, [10_000, 20_000, 40_000, 80_000, 10_000]);
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(lines, [
      "cycle 1 (12:00:00 UTC): 100 new records, 0 re-read, 2/2 streams complete, 0.5 s; waiting until 12:00:10 UTC",
      "cycle 2 (12:00:10 UTC) failed after 0.5 s: Cannot reach CloudWatch Logs: network down; retrying at 12:00:31 UTC (1 failed cycle in a row)",
      "cycle 3 (12:00:31 UTC) failed after 0.5 s: CloudWatch Logs kept throttling; retrying at 12:01:11 UTC (2 failed cycles in a row)",
      "cycle 4 (12:01:11 UTC): 8 new records, 0 re-read, 1/2 streams complete, 0.5 s; 1 stream failed (see the notes); retrying at 12:02:32 UTC (3 failed cycles in a row)",
      '  note: /a: "throttled out"',
      "cycle 5 (12:02:32 UTC): 10 new records, 2 re-read, 2/2 streams complete, 0.5 s; waiting until 12:02:42 UTC",
    ]);
    assert.deepEqual(r.titles, [
      "sync --follow: cycle 1 since 12:00:00 UTC",
      "sync --follow: cycle 2 since 12:00:10 UTC; before it 1 cycle (0 failed), 100 new records",
      "sync --follow: cycle 3 since 12:00:31 UTC; before it 2 cycles (1 failed), 100 new records",
      "sync --follow: cycle 4 since 12:01:11 UTC; before it 3 cycles (2 failed), 100 new records",
      "sync --follow: cycle 5 since 12:02:32 UTC; before it 4 cycles (3 failed), 108 new records",
    ]);
    assert.equal(
      r.stdout,
      [
        "Followed until SIGINT: 5 cycles (3 failed), 118 new records (2 re-read)",
        "committed to x.duckdb (duckdb) in 2m43s.",
        "  stream        new  complete up to (UTC)",
        "  /a            117  2026-12-01 12:00:00",
        "  /b              1  2026-12-01 12:00:00",
        "Stored up to each stream's time above; run the same command again to continue.",
        "",
      ].join("\n"),
    );
  });

  test("a configuration error at the first cycle ends the loop with exit 1; at a later cycle it is retried", async () => {
    const first = await follow(
      [() => new ConfigError("No log groups found in region us-east-1 with prefix /nope.")],
      () => assert.fail("no wait"),
    );
    assert.deepEqual(
      { code: first.code, stdout: first.stdout, stderr: first.stderr },
      {
        code: 1,
        stdout: "",
        stderr: "source-cloudwatch-logs sync: No log groups found in region us-east-1 with prefix /nope.\n",
      },
    );
    const later = await follow(
      [
        ok(1),
        () => new SyncError("x.duckdb is in use by process 42 (node)", "config_error"),
        () => new Error("disk full"),
        ok(0),
      ],
      (_ms, signals, n) => {
        if (n === 4) signals.emit("SIGTERM");
      },
    );
    assert.equal(later.code, 143);
    assert.deepEqual(later.waits, [10_000, 20_000, 40_000, 10_000]);
    assert.match(later.stderr, /^cycle 2 \(.*\) failed after 0\.5 s: x\.duckdb is in use by process 42 \(node\);/m);
    assert.match(later.stderr, /^cycle 3 \(.*\) failed after 0\.5 s: Unexpected error: disk full; retrying/m);
    // An unexpected failure at the first cycle is retried too: only a configuration error stops it.
    const unexpected = await follow([() => new Error("boom"), ok(0)], (_ms, signals, n) => {
      if (n === 2) signals.emit("SIGINT");
    });
    assert.equal(unexpected.code, 130);
  });

  test("a note that differs only in its times is told once (start_date ahead of each cycle's time)", async () => {
    const ahead = (now: number) =>
      `start_date 1900000000000 (2030-03-17T17:46:40.000Z) is later than now minus ingestion_delay_seconds, ${now} (${new Date(now).toISOString()}): stream "/a" has nothing to read yet`;
    const r = await follow(
      [
        () => outcome(0, [stream("/a", "COMPLETE", 0)], [ahead(1_764_000_000_000)]),
        () => outcome(0, [stream("/a", "COMPLETE", 0)], [ahead(1_764_000_010_000)]),
        (_c, signals) => {
          signals.emit("SIGTERM");
          return outcome(143, [stream("/a", "COMPLETE", 0)], ["/b: throttled out", ahead(1_764_000_020_000)]);
        },
      ],
      () => undefined,
    );
    const notes = r.stderr.split("\n").filter((l) => l.startsWith("  note: "));
    assert.equal(notes.length, 3, r.stderr);
    assert.match(notes[0]!, /1764000000000/);
    assert.equal(notes[1], "  note: /b: throttled out", "a new note says all of them again");
  });

  test("a note told before cycles that failed without a sync (network down) is not told again after them", async () => {
    const notes = ["/archive is INFREQUENT_ACCESS: skipped"];
    const r = await follow(
      [
        () => outcome(0, [stream("/a", "COMPLETE", 5)], notes),
        () => new SyncError("Cannot reach CloudWatch Logs: network down", "transient_error"),
        () => new SyncError("Cannot reach CloudWatch Logs: network down", "transient_error"),
        () => outcome(0, [stream("/a", "COMPLETE", 6)], notes),
      ],
      (_ms, signals, n) => {
        if (n === 4) signals.emit("SIGINT");
      },
    );
    assert.equal(r.code, 130);
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => (l.startsWith("  note: ") ? l : l.slice(0, 8))),
      ["cycle 1 ", `  note: ${notes[0]}`, "cycle 2 ", "cycle 3 ", "cycle 4 "],
    );
  });

  test("a note told before a cycle that failed with notes of its own is not told again by the next good cycle", async () => {
    const notes = ["/archive is INFREQUENT_ACCESS: skipped"];
    const r = await follow(
      [
        () => outcome(0, [stream("/a", "COMPLETE", 5)], notes),
        () => outcome(1, [stream("/a", "INCOMPLETE", 0)], ['/a: "throttled out"', ...notes]),
        () => outcome(0, [stream("/a", "COMPLETE", 6)], notes),
      ],
      (_ms, signals, n) => {
        if (n === 3) signals.emit("SIGINT");
      },
    );
    assert.equal(r.code, 130);
    const lines = r.stderr.trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => (l.startsWith("  note: ") ? l : l.slice(0, 8))),
      ["cycle 1 ", `  note: ${notes[0]}`, "cycle 2 ", '  note: /a: "throttled out"', `  note: ${notes[0]}`, "cycle 3 "],
    );
  });

  test("a signal during a cycle stops it (exit 143) with no wait; a skipped group's note is told once", async () => {
    const notes = ["/archive is INFREQUENT_ACCESS: skipped"];
    const r = await follow(
      [
        () => outcome(0, [stream("/a", "COMPLETE", 5)], notes),
        () => outcome(0, [stream("/a", "COMPLETE", 6)], notes),
        (c, signals) => {
          signals.emit("SIGTERM");
          assert.equal(c.cancellation.signal.aborted, true, "the cycle's read is cancelled");
          assert.equal(c.cancellation.by, "SIGTERM");
          return outcome(143, [stream("/a", "RUNNING", 3)], notes);
        },
      ],
      () => undefined,
    );
    assert.equal(r.code, 143);
    assert.deepEqual(r.waits, [10_000, 10_000]);
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.filter((l) => l.startsWith("  note: ")).length, 1, r.stderr);
    assert.equal(
      lines.at(-1),
      "cycle 3 (12:00:21 UTC): 3 new records, 0 re-read, 0/1 streams complete, 0.5 s; stopped by SIGTERM",
    );
    assert.match(r.stdout, /^Followed until SIGTERM: 3 cycles \(0 failed\), 14 new records/);
  });

  test("a cycle that fails because it was cancelled ends the loop with the signal's code", async () => {
    const r = await follow(
      [
        (_c, signals) => {
          signals.emit("SIGINT");
          return new SyncError("interrupted while opening the store", "config_error");
        },
      ],
      () => assert.fail("no wait"),
    );
    assert.equal(r.code, 130);
    assert.match(r.stderr, /^cycle 1 \(12:00:00 UTC\) failed after 0\.5 s: interrupted while opening the store\n$/);
    assert.match(r.stdout, /^Followed until SIGINT: 1 cycle \(1 failed\), 0 new records/);
  });

  test("the real wait ends at once on a signal (an hour's interval does not hold the test)", {
    timeout: 10_000,
  }, async () => {
    const signals = new EventEmitter();
    const stdout = new Collect();
    const code = await followCommand(
      { config: {}, format: "jsonl", target: "out", streams: undefined },
      3600,
      { stdout, stderr: new Collect(), signals },
      {
        cycle: async () => {
          // After the loop has started its wait.
          setImmediate(() => signals.emit("SIGINT"));
          return outcome(0, [stream("/a", "COMPLETE", 1)]);
        },
      },
    );
    assert.equal(code, 130);
    assert.match(stdout.text, /^Followed until SIGINT: 1 cycle \(0 failed\), 1 new records/);
  });
});
