import { test } from "node:test";
import assert from "node:assert/strict";
import { DAY_MS } from "../../src/domain/time.js";
import {
  MAX_EVENT_AGE_MS,
  RETENTION_SLACK_MS,
  WindowPlanner,
  earliestEventTime,
  syncRange,
  type Window,
} from "../../src/engine/plan.js";
import { StreamCheckpoint } from "../../src/engine/checkpoint.js";
import { prng } from "../support/prng.js";

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

test("full refresh without start date starts 14 days before the group was created", () => {
  const created = NOW - 3 * DAY_MS;
  const r = syncRange({
    syncMode: "full_refresh",
    stateTimestamp: 123,
    startDate: undefined,
    groupCreationTime: created,
    groupRetentionDays: undefined,
    now: NOW,
    ingestionDelayMs: 300_000,
  });
  const start = created - MAX_EVENT_AGE_MS;
  assert.deepEqual(r, {
    start,
    end: NOW - 300_000,
    initialWatermark: start,
    storedState: undefined,
    stateClamped: false,
    startDateAhead: false,
  });
});

test("retention bounds the earliest event time, with AWS's deletion slack", () => {
  assert.equal(earliestEventTime(NOW - 400 * DAY_MS, 30, NOW), NOW - 30 * DAY_MS - RETENTION_SLACK_MS);
  assert.equal(earliestEventTime(NOW - DAY_MS, 30, NOW), NOW - DAY_MS - MAX_EVENT_AGE_MS);
  assert.equal(earliestEventTime(undefined, undefined, NOW), NOW - MAX_EVENT_AGE_MS);
});

test("incremental resumes at the state, never before start_date, and never moves it back", () => {
  const base = {
    syncMode: "incremental" as const,
    groupCreationTime: NOW - DAY_MS,
    groupRetentionDays: undefined,
    now: NOW,
    ingestionDelayMs: 0,
  };
  const flags = { stateClamped: false, startDateAhead: false };
  assert.deepEqual(syncRange({ ...base, stateTimestamp: NOW - 1000, startDate: undefined }), {
    start: NOW - 1000,
    end: NOW,
    initialWatermark: NOW - 1000,
    storedState: NOW - 1000,
    ...flags,
  });
  assert.deepEqual(syncRange({ ...base, stateTimestamp: 5, startDate: NOW - 50 }), {
    start: NOW - 50,
    end: NOW,
    initialWatermark: NOW - 50,
    storedState: 5,
    ...flags,
  });
  const lookback = syncRange({ ...base, stateTimestamp: NOW - 1000, startDate: undefined, lookbackMs: 600 });
  assert.deepEqual(lookback, {
    start: NOW - 1600,
    end: NOW,
    initialWatermark: NOW - 1000,
    storedState: NOW - 1000,
    ...flags,
  });
});

test("no watermark goes past now minus the ingestion delay: a later state counts as that time", () => {
  const base = {
    syncMode: "incremental" as const,
    groupCreationTime: NOW - DAY_MS,
    groupRetentionDays: undefined,
    now: NOW,
    ingestionDelayMs: 300_000,
  };
  const end = NOW - 300_000;
  for (const stored of [NOW + DAY_MS, Number.MAX_SAFE_INTEGER, NOW - 1000 /* the delay grew since */]) {
    const r = syncRange({ ...base, stateTimestamp: stored, startDate: undefined, lookbackMs: 600 });
    assert.deepEqual(
      r,
      { start: end - 600, end, initialWatermark: end, storedState: end, stateClamped: true, startDateAhead: false },
      String(stored),
    );
  }
  assert.equal(
    syncRange({ ...base, stateTimestamp: end, startDate: undefined }).stateClamped,
    false,
    "the limit itself is fine",
  );
  // Full refresh ignores the state: nothing to clamp.
  assert.equal(
    syncRange({ ...base, syncMode: "full_refresh", stateTimestamp: NOW + DAY_MS, startDate: undefined }).stateClamped,
    false,
  );
  // A short retention and a long delay put the earliest event after the end: an empty range at the end.
  const late = syncRange({
    ...base,
    syncMode: "full_refresh",
    stateTimestamp: undefined,
    startDate: undefined,
    groupCreationTime: NOW,
    groupRetentionDays: 1,
    ingestionDelayMs: 14 * DAY_MS,
  });
  assert.deepEqual([late.start, late.initialWatermark], [late.end, late.end]);
});

test("a start_date after now minus the delay reads nothing and makes up no state", () => {
  const base = { groupCreationTime: NOW - DAY_MS, groupRetentionDays: undefined, now: NOW, ingestionDelayMs: 0 };
  const year2099 = Date.UTC(2099, 0, 1);
  for (const syncMode of ["full_refresh", "incremental"] as const) {
    const r = syncRange({ ...base, syncMode, stateTimestamp: undefined, startDate: year2099 });
    assert.equal(r.startDateAhead, true);
    assert.equal(r.storedState, undefined, `${syncMode}: no state to report`);
    assert.ok(r.start >= r.end && r.initialWatermark <= r.end, `${syncMode}: nothing read, nothing beyond the end`);
  }
  const kept = syncRange({ ...base, syncMode: "incremental", stateTimestamp: NOW - 5000, startDate: year2099 });
  assert.deepEqual([kept.startDateAhead, kept.storedState], [true, NOW - 5000], "the stored state stays as it was");
  const both = syncRange({ ...base, syncMode: "incremental", stateTimestamp: year2099, startDate: year2099 });
  assert.deepEqual([both.startDateAhead, both.stateClamped, both.storedState], [true, true, NOW]);
});

/** A pure stand-in for FilterLogEvents over sorted timestamps, paging `pageSize` events. */
function simulate(timestamps: readonly number[], range: Window, pageSize: number) {
  const planner = new WindowPlanner(range, {
    targetPagesPerWindow: 4,
    maxPagesPerWindow: 8,
    defaultPageEvents: pageSize,
  });
  const checkpoint = new StreamCheckpoint(range.start);
  const delivered: number[] = [];
  const watermarks: number[] = [];
  let requests = 0;
  for (let w = planner.next(); w; w = planner.next()) {
    checkpoint.begin(w);
    const win = w;
    const inWin = timestamps.filter((t) => t >= win.start && t < win.end);
    let split = false;
    for (let offset = 0; offset === 0 || offset < inWin.length; offset += pageSize) {
      requests++;
      const page = inWin.slice(offset, offset + pageSize);
      const hasMore = offset + pageSize < inWin.length;
      if (offset === 0 && planner.firstPage(w, { timestamps: page, hasMore }) === "split") {
        split = true;
        break;
      }
      delivered.push(...page);
    }
    if (split) {
      checkpoint.drop(w);
      continue;
    }
    planner.completed(w, inWin.length);
    checkpoint.finish(w);
    const wm = checkpoint.watermark(planner.frontier());
    // Invariant: every event below the watermark has been delivered.
    assert.equal(delivered.filter((t) => t < wm).length, timestamps.filter((t) => t >= range.start && t < wm).length);
    watermarks.push(wm);
  }
  if (process.env.DEBUG_PLAN) console.error({ requests, checkpoints: watermarks.length });
  return { delivered, watermarks, requests, final: checkpoint.watermark(planner.frontier()) };
}

test("a sparse range is read in one request", () => {
  const ts = [NOW - 5 * DAY_MS, NOW - 2 * DAY_MS, NOW - 1000];
  const r = simulate(ts, { start: NOW - 20 * DAY_MS, end: NOW }, 10_000);
  assert.equal(r.requests, 1);
  assert.deepEqual(r.delivered, ts);
  assert.equal(r.final, NOW);
});

test("a dense range is split into windows: every event exactly once, watermark monotonic, few wasted requests", () => {
  const ts: number[] = [];
  // 30 days: quiet first 20 days, then 100k events in the last 10, with a burst sharing one millisecond.
  for (let i = 0; i < 100_000; i++) ts.push(NOW - 10 * DAY_MS + Math.floor((i * 10 * DAY_MS) / 100_000));
  for (let i = 0; i < 250; i++) ts.push(NOW - 3 * DAY_MS);
  ts.push(NOW - 25 * DAY_MS);
  ts.sort((a, b) => a - b);
  const range = { start: NOW - 30 * DAY_MS, end: NOW };
  const r = simulate(ts, range, 1000);
  assert.deepEqual(
    [...r.delivered].sort((a, b) => a - b),
    ts,
    "every event delivered exactly once",
  );
  for (let i = 1; i < r.watermarks.length; i++)
    assert.ok(r.watermarks[i]! >= r.watermarks[i - 1]!, "watermark never moves back");
  assert.equal(r.final, NOW);
  assert.ok(r.watermarks.length > 10, "dense data is checkpointed many times");
  const minimum = Math.ceil(ts.length / 1000);
  assert.ok(r.requests <= minimum * 1.5, `requests ${r.requests} should stay near the minimum ${minimum}`);
});

test("more events in one millisecond than a page holds are still read through", () => {
  const ts = Array.from({ length: 2500 }, () => NOW - 10_000);
  const r = simulate(ts, { start: NOW - DAY_MS, end: NOW }, 100);
  assert.equal(r.delivered.length, 2500);
  assert.equal(r.final, NOW);
});

test("watermark stops at the earliest window still open", () => {
  const cp = new StreamCheckpoint(0);
  const a = { start: 0, end: 10 };
  const b = { start: 10, end: 20 };
  cp.begin(a);
  cp.begin(b);
  cp.finish(b);
  assert.equal(cp.watermark(20), 0);
  cp.finish(a);
  assert.equal(cp.watermark(20), 20);
  assert.equal(cp.watermark(15), 20, "never backwards");
});

/**
 * Several windows in flight, finishing (or splitting) in random order, as the concurrent reader
 * does: after every completion, every event below the watermark must have been delivered.
 */
function simulateConcurrent(
  timestamps: readonly number[],
  range: Window,
  pageSize: number,
  inFlight: number,
  seed: number,
) {
  const random = prng(seed);
  const planner = new WindowPlanner(range, {
    targetPagesPerWindow: 2,
    maxPagesPerWindow: 3,
    defaultPageEvents: pageSize,
  });
  const checkpoint = new StreamCheckpoint(range.start);
  const delivered: number[] = [];
  const open: Window[] = [];
  let done = false;
  while (!done) {
    while (open.length < inFlight) {
      const w = planner.next();
      if (!w) break;
      checkpoint.begin(w);
      open.push(w);
    }
    if (open.length === 0) {
      done = true;
      break;
    }
    const w = open.splice(Math.floor(random() * open.length), 1)[0]!;
    const inWin = timestamps.filter((t) => t >= w.start && t < w.end);
    const first = inWin.slice(0, pageSize);
    if (planner.firstPage(w, { timestamps: first, hasMore: inWin.length > pageSize }) === "split") {
      checkpoint.drop(w);
      continue;
    }
    delivered.push(...inWin);
    planner.completed(w, inWin.length);
    checkpoint.finish(w);
    const wm = checkpoint.watermark(planner.frontier());
    const below = timestamps.filter((t) => t >= range.start && t < wm).length;
    assert.equal(
      delivered.filter((t) => t < wm).length,
      below,
      `seed ${seed}: everything below the watermark ${wm} was delivered`,
    );
  }
  return { delivered, final: checkpoint.watermark(planner.frontier()) };
}

test("windows finishing and splitting out of order never let the watermark pass an unread range", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = prng(seed * 7919);
    const ts: number[] = [];
    // Bursts of different densities so windows split at several levels.
    for (let b = 0; b < 6; b++) {
      const at = Math.floor(random() * 30 * DAY_MS);
      const n = Math.floor(random() * 3000);
      const spread = Math.floor(random() * DAY_MS) + 1;
      for (let i = 0; i < n; i++) ts.push(NOW - 30 * DAY_MS + at + Math.floor(random() * spread));
    }
    ts.sort((a, b) => a - b);
    const range = { start: NOW - 30 * DAY_MS, end: NOW };
    const r = simulateConcurrent(ts, range, 100, 1 + (seed % 6), seed);
    assert.deepEqual(
      [...r.delivered].sort((a, b) => a - b),
      ts.filter((t) => t < NOW),
      `seed ${seed}: every event in range exactly once`,
    );
    assert.equal(r.final, NOW);
  }
});

test("windows of randomly spread events end in nearly full pages: requests stay within 7% of full pages", () => {
  const random = prng(2026);
  const range = { start: NOW - 30 * DAY_MS, end: NOW };
  const ts = Array.from({ length: 200_000 }, () => range.start + Math.floor(random() * 30 * DAY_MS)).sort(
    (a, b) => a - b,
  );
  const r = simulate(ts, range, 1000);
  assert.equal(r.delivered.length, ts.length);
  // The minimum is one request per full page; the split of the first window costs one more. Four
  // pages less a margin take four requests (5% here); windows of exactly four pages' worth took 13%.
  const minimum = ts.length / 1000 + 1;
  assert.ok(r.requests <= minimum * 1.07, `requests ${r.requests} within 7% of ${minimum}`);
});
