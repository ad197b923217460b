// Pure time planning: which range a stream reads and how it is cut into half-open windows
// [start, end). No I/O; the reader feeds back what each window's pages looked like.

import { DAY_MS } from "../domain/time.js";

/** PutLogEvents accepts events up to 14 days older than the moment they are put. */
export const MAX_EVENT_AGE_MS = 14 * DAY_MS;
/** AWS may take up to 72 hours to delete events past retention. */
export const RETENTION_SLACK_MS = 3 * DAY_MS;

export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface RangeInput {
  readonly syncMode: "full_refresh" | "incremental";
  /** Watermark from state: every event with timestamp < it was delivered. */
  readonly stateTimestamp: number | undefined;
  readonly startDate: number | undefined;
  readonly groupCreationTime: number | undefined;
  readonly groupRetentionDays: number | undefined;
  readonly now: number;
  readonly ingestionDelayMs: number;
  /** Re-read this much before the state (incremental only). */
  readonly lookbackMs?: number;
}

export interface SyncRange {
  /** The range to read; empty when start >= end. */
  readonly start: number;
  /** now - ingestion delay: no watermark, read or stored, goes beyond it. */
  readonly end: number;
  /** The watermark before reading; reported as state if nothing advances it. */
  readonly initialWatermark: number;
  /** The incremental state this range continues from, at most `end`; undefined: none. */
  readonly storedState: number | undefined;
  /** The stored state was beyond `end` (in the future, or the ingestion delay grew); it counts as `end`. */
  readonly stateClamped: boolean;
  /**
   * start_date is beyond `end`: nothing is read, and no state may be made up from start_date, so
   * that correcting it takes effect; only `storedState` may be reported.
   */
  readonly startDateAhead: boolean;
}

/** The earliest timestamp an event of the group can have, never epoch 0 by default. */
export function earliestEventTime(
  creationTime: number | undefined,
  retentionDays: number | undefined,
  now: number,
): number {
  let earliest = (creationTime ?? now) - MAX_EVENT_AGE_MS;
  if (retentionDays !== undefined && retentionDays > 0) {
    earliest = Math.max(earliest, now - retentionDays * DAY_MS - RETENTION_SLACK_MS);
  }
  return Math.max(0, earliest);
}

export function syncRange(input: RangeInput): SyncRange {
  const end = Math.max(0, input.now - input.ingestionDelayMs);
  const stored = input.syncMode === "incremental" ? input.stateTimestamp : undefined;
  const stateClamped = stored !== undefined && stored > end;
  const state = stored === undefined ? undefined : Math.min(stored, end);
  if (input.startDate !== undefined && input.startDate > end) {
    return { start: end, end, initialWatermark: state ?? end, storedState: state, stateClamped, startDateAhead: true };
  }
  const flags = { storedState: state, stateClamped, startDateAhead: false };
  if (state === undefined) {
    // A short retention with a long ingestion delay can put the earliest event after `end`.
    const configuredStart = Math.min(
      end,
      input.startDate ?? earliestEventTime(input.groupCreationTime, input.groupRetentionDays, input.now),
    );
    return { start: configuredStart, end, initialWatermark: configuredStart, ...flags };
  }
  const watermark = Math.max(state, input.startDate ?? 0);
  const start = Math.max(watermark - (input.lookbackMs ?? 0), input.startDate ?? 0);
  return { start, end, initialWatermark: watermark, ...flags };
}

export interface PlannerOptions {
  /** Pages a window aims to hold: its records are checkpointed together. */
  readonly targetPagesPerWindow: number;
  /** A window whose first page predicts more pages than this is split instead of read. */
  readonly maxPagesPerWindow: number;
  /** Events per full page until a full page was seen (10,000 on AWS, fewer with 1 MB). */
  readonly defaultPageEvents: number;
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = {
  targetPagesPerWindow: 6,
  maxPagesPerWindow: 8,
  defaultPageEvents: 10_000,
};

export interface FirstPageStats {
  /** Timestamps of the page's events within the window, in any order. */
  readonly timestamps: readonly number[];
  readonly hasMore: boolean;
}

export type FirstPageDecision = "read" | "split";

/**
 * Cuts a range into windows adaptively. The first window covers the whole range: a sparse group
 * is read in one request. A window whose first page shows it holds many pages is split (its first
 * page is discarded) into windows sized from the density that page revealed, and every completed
 * window updates that density, so requests go where the data is.
 */
export class WindowPlanner {
  private cursor: number;
  private readonly end: number;
  private readonly queue: Window[] = [];
  /** Events per ms, learned from the data; undefined until a window tells. */
  private density: number | undefined;
  private pageEvents: number | undefined;

  constructor(
    range: Window,
    private readonly options: PlannerOptions = DEFAULT_PLANNER_OPTIONS,
  ) {
    this.cursor = range.start;
    this.end = range.end;
  }

  /** The next window to read, or undefined when the whole range has been handed out. */
  next(): Window | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (this.cursor >= this.end) return undefined;
    const size = this.density === undefined ? this.end - this.cursor : this.windowSize(this.density);
    const w = { start: this.cursor, end: Math.min(this.end, this.cursor + size) };
    this.cursor = w.end;
    return w;
  }

  /** Start of the earliest part of the range not yet handed out (the range end when none). */
  frontier(): number {
    return this.queue[0]?.start ?? this.cursor;
  }

  /**
   * Decides from a window's first page whether to read it through or split it. The page's own
   * density predicts the rest of the window, so a sparse prefix does not hide a dense tail.
   */
  firstPage(w: Window, stats: FirstPageStats): FirstPageDecision {
    const n = stats.timestamps.length;
    if (!stats.hasMore || n === 0) return "read";
    this.pageEvents = Math.max(this.pageEvents ?? 0, n);
    const sorted = [...stats.timestamps].sort((a, b) => a - b);
    const maxTimestamp = sorted[n - 1]!;
    // Density of the page's later half: what comes next looks like the end of the page, and a
    // few early outliers do not dilute it.
    const half = Math.floor(n / 2);
    const density = (n - half) / Math.max(1, maxTimestamp - sorted[half]! + 1);
    const remainingPages = ((w.end - maxTimestamp - 1) * density) / n;
    if (remainingPages <= this.options.maxPagesPerWindow) return "read";
    this.density = density;
    // The head is what the first page covered (about one page); the rest is cut by density.
    const head = { start: w.start, end: maxTimestamp + 1 };
    if (w.end === this.cursor && this.queue.length === 0) {
      // Nothing after this window was handed out: let next() size the rest lazily.
      this.queue.push(head);
      this.cursor = head.end;
    } else {
      // Windows split out of order (several in flight): the queue stays in time order, so the
      // frontier is its earliest start and the watermark never passes an unread range.
      this.queue.push(head, ...this.split({ start: head.end, end: w.end }, this.density));
      this.queue.sort((a, b) => a.start - b.start);
    }
    return "split";
  }

  /** A window was read through: its event count gives the density of the data ahead. */
  completed(w: Window, eventCount: number): void {
    const length = Math.max(1, w.end - w.start);
    // An empty window says "sparse": half an event per window keeps the estimate finite.
    this.density = Math.max(eventCount, 0.5) / length;
  }

  private windowSize(density: number): number {
    const pageEvents = this.pageEvents ?? this.options.defaultPageEvents;
    // A little under a whole number of pages: a window's last page is then nearly full, where a
    // window of exactly N pages' worth spilled a few events into one more request about every
    // other time (measured: scenario 1 of npm run bench made 10% more requests than full pages).
    // The margin covers the spread of randomly timed events (3 standard deviations of their count),
    // at most a quarter of a page.
    const events = this.options.targetPagesPerWindow * pageEvents;
    const margin = Math.min(pageEvents / 4, 3 * Math.sqrt(events));
    return Math.max(1, Math.floor((events - margin) / density));
  }

  private split(w: Window, density: number): Window[] {
    const size = this.windowSize(density);
    const pieces: Window[] = [];
    for (let s = w.start; s < w.end; s += size) pieces.push({ start: s, end: Math.min(w.end, s + size) });
    return pieces;
  }
}
