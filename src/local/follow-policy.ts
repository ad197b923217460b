// `sync --follow`'s policy and words, without I/O: how long to wait before the next cycle, the
// totals across cycles, and the lines people read (one per cycle on stderr, the summary on
// stdout). Kept apart from the loop (follow.ts) so that cli/ can take the default interval without
// loading DuckDB, and the tests can check the policy without waiting.
import type { FailureType } from "../airbyte/errors.js";
import type { ProgressSnapshot } from "./progress.js";
import { cutStart, reached, STORED_UP_TO } from "./summary.js";
import { plural, WIDTH, wrap } from "./terminal.js";

/** `--interval`'s default, in seconds. */
export const DEFAULT_FOLLOW_INTERVAL_SECONDS = 60;

/** The longest wait after failed cycles, unless the interval itself is longer. */
const MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The wait before the next cycle after `failures` failed cycles in a row: the interval, doubled
 * per failure, up to 10 intervals or 15 minutes, whichever is shorter (never below the interval).
 */
export function waitBeforeNextCycle(intervalMs: number, failures: number): number {
  if (failures === 0) return intervalMs;
  const cap = Math.max(intervalMs, Math.min(10 * intervalMs, MAX_BACKOFF_MS));
  // The exponent is bounded so that a long outage cannot overflow to Infinity.
  return Math.min(intervalMs * 2 ** Math.min(failures, 30), cap);
}

/** Waiting cannot fix a configuration error met before anything was ever synced. */
export function stopsTheLoop(failureType: FailureType, cycle: number): boolean {
  return cycle === 1 && failureType === "config_error";
}

interface StreamTotal {
  readonly committed: number;
  readonly reread: number;
  readonly watermark: number | undefined;
}

export interface FollowTotals {
  readonly startedAt: number;
  readonly cycles: number;
  readonly failed: number;
  readonly committed: number;
  readonly reread: number;
  readonly streams: ReadonlyMap<string, StreamTotal>;
}

export function noCycles(startedAt: number): FollowTotals {
  return { startedAt, cycles: 0, failed: 0, committed: 0, reread: 0, streams: new Map() };
}

/** The totals with one more cycle: what it committed (a cycle that threw has no snapshot). */
export function withCycle(totals: FollowTotals, snapshot: ProgressSnapshot | undefined, failed: boolean): FollowTotals {
  const streams = new Map(totals.streams);
  let committed = 0;
  let reread = 0;
  for (const p of snapshot?.streams ?? []) {
    committed += p.committed;
    reread += p.reread;
    const before = streams.get(p.stream);
    streams.set(p.stream, {
      committed: (before?.committed ?? 0) + p.committed,
      reread: (before?.reread ?? 0) + p.reread,
      watermark: p.watermark ?? before?.watermark ?? p.storedUpTo,
    });
  }
  return {
    startedAt: totals.startedAt,
    cycles: totals.cycles + 1,
    failed: totals.failed + (failed ? 1 : 0),
    committed: totals.committed + committed,
    reread: totals.reread + reread,
    streams,
  };
}

/** "12:04:05 UTC". */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/**
 * When the next cycle starts, seen from `from`: its date too when that is another day (an
 * `--interval` of a day said "waiting until 08:22:36 UTC" at 08:22:35).
 */
function nextTime(ms: number, from: number): string {
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  return day(ms) === day(from) ? clockTime(ms) : `${day(ms)} ${clockTime(ms)}`;
}

function seconds(ms: number): string {
  return `${(Math.max(ms, 0) / 1000).toFixed(1)} s`;
}

/** What the progress screen shows above the table during cycle `n`. */
export function followTitle(n: number, startedAt: number, totals: FollowTotals): string {
  const head = `sync --follow: cycle ${n} since ${clockTime(startedAt)}`;
  if (totals.cycles === 0) return head;
  return `${head}; before it ${plural(totals.cycles, "cycle")} (${totals.failed} failed), ${totals.committed - totals.reread} new records`;
}

/** How a cycle ended, for its line. */
export type CycleEnd =
  | { readonly kind: "synced"; readonly snapshot: ProgressSnapshot; readonly failedStreams: number }
  | { readonly kind: "interrupted"; readonly snapshot: ProgressSnapshot; readonly by: string }
  | { readonly kind: "threw"; readonly reason: string };

export interface CycleReport {
  readonly n: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly end: CycleEnd;
  /** When the next cycle starts; undefined when the loop stops. */
  readonly nextAt: number | undefined;
  /** Failed cycles in a row, this one included. */
  readonly failures: number;
}

function counts(s: ProgressSnapshot): string {
  const committed = s.streams.reduce((n, p) => n + p.committed, 0);
  const reread = s.streams.reduce((n, p) => n + p.reread, 0);
  const complete = s.streams.filter((p) => p.status === "COMPLETE").length;
  return `${committed - reread} new records, ${reread} re-read, ${complete}/${s.streams.length} streams complete`;
}

/**
 * One cycle's line on stderr, e.g. `cycle 3 (12:04:05 UTC): 120 new records, …; waiting until 12:05:05 UTC`
 * (`waiting until 2026-12-03 12:04:05 UTC` when that is another day).
 */
export function cycleLine(r: CycleReport): string {
  const head = `cycle ${r.n} (${clockTime(r.startedAt)})`;
  const took = seconds(r.endedAt - r.startedAt);
  const then =
    r.nextAt === undefined
      ? ""
      : r.failures === 0
        ? `; waiting until ${nextTime(r.nextAt, r.endedAt)}`
        : `; retrying at ${nextTime(r.nextAt, r.endedAt)} (${plural(r.failures, "failed cycle")} in a row)`;
  switch (r.end.kind) {
    case "synced": {
      const failed = r.end.failedStreams > 0 ? `; ${plural(r.end.failedStreams, "stream")} failed (see the notes)` : "";
      return `${head}: ${counts(r.end.snapshot)}, ${took}${failed}${then}`;
    }
    case "interrupted":
      return `${head}: ${counts(r.end.snapshot)}, ${took}; stopped by ${r.end.by}`;
    case "threw":
      return `${head} failed after ${took}: ${r.end.reason}${then}`;
  }
}

function elapsed(ms: number): string {
  const s = Math.round(Math.max(ms, 0) / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** The summary on stdout when the loop stops (by a signal): totals across cycles, per stream. */
export function followSummary(
  totals: FollowTotals,
  s: {
    readonly location: string;
    readonly format: string;
    readonly by: string;
    readonly now: number;
    /** The width the text fits (see widthFor); WIDTH by default. */
    readonly width?: number;
  },
): string {
  const width = s.width ?? WIDTH;
  const lines = wrap(
    `Followed until ${s.by}: ${plural(totals.cycles, "cycle")} (${totals.failed} failed), ` +
      `${totals.committed - totals.reread} new records (${totals.reread} re-read) committed to ${s.location} (${s.format}) ` +
      `in ${elapsed(s.now - totals.startedAt)}.`,
    width,
  );
  // As sync's summary: the name column takes what the others leave, a longer name loses its start.
  const rowOf =
    (width: number) =>
    (name: string, fresh: string, upTo: string): string =>
      `  ${cutStart(name, width).padEnd(width)}  ${fresh.padStart(9)}  ${upTo}`;
  const others = rowOf(0)("", "", "complete up to (UTC)").length;
  const names = [...totals.streams.keys()];
  const row = rowOf(Math.max(6, Math.min(Math.max(6, ...names.map((n) => n.length)), width - others)));
  if (names.length > 0) lines.push(row("stream", "new", "complete up to (UTC)"));
  for (const [name, t] of totals.streams)
    lines.push(row(name, String(t.committed - t.reread), reached(t.watermark, t.committed)));
  // Stopped before any stream was listed (in the first cycle's discover): nothing is "above".
  lines.push(
    ...wrap(names.length > 0 ? STORED_UP_TO : "Nothing was stored; run the same command again to start.", width),
  );
  return `${lines.join("\n")}\n`;
}
