// What `sync` knows about each stream's progress (the protocol messages, the store's commits and
// the read's windows), and how it is shown: renderProgress is a pure function of a snapshot and
// the terminal's size so that it can be tested as such.
import { wrap } from "./terminal.js";

export interface StreamProgress {
  readonly stream: string;
  /** The last STREAM_STATUS (PENDING before any): STARTED, RUNNING, COMPLETE or INCOMPLETE. */
  readonly status: string;
  readonly received: number;
  /** Rows committed to the store in this sync, re-read ones included. */
  readonly committed: number;
  /** Of the committed rows, those the store held before (lookback, resumed windows): not new. */
  readonly reread: number;
  /** The latest committed state's timestamp (epoch ms): everything before it is stored. */
  readonly watermark: number | undefined;
  /** Where this sync starts the stream (its stored state, or where a new one starts); undefined: unknown. */
  readonly start: number | undefined;
  /**
   * How far the store held the stream when this sync began (its stored state's watermark):
   * where it is complete up to until a commit of this sync; undefined: nothing stored.
   */
  readonly storedUpTo: number | undefined;
  /**
   * The stream's windows being read right now (from their first request sent): none, for a
   * started stream, means it waits for a worker or for its turn under the rate limit.
   */
  readonly reading: number;
  /**
   * The read of the stream has ended and its last records are being stored: COMPLETE (or
   * INCOMPLETE) is shown once they are, not before.
   */
  readonly storing: boolean;
  /** It failed (an error named it, or its commit failed), rather than being cut short by a stop. */
  readonly failed: boolean;
  /** When the stream started and ended (clock ms): its own active time. */
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
  /** The first watermark seen in this sync, and when: the speed baseline. */
  readonly firstWatermark: number | undefined;
  readonly firstWatermarkAt: number | undefined;
  /**
   * What a ms of the stream's log time weighs in the overall time left: its log group's stored
   * bytes per ms of the time they span (a busy group's hour is more to read than a quiet one's),
   * or 1 for every stream when some group's size is not known.
   */
  readonly weight: number;
}

/** Totals over the last few seconds: the current speed. */
interface RecentProgress {
  readonly ms: number;
  readonly received: number;
}

export interface ProgressSnapshot {
  readonly now: number;
  readonly startedAt: number;
  /** Where the read stops: now - ingestion delay at the start of the sync. */
  readonly upperBound: number;
  readonly throttles: number;
  /** A line above the table (e.g. `sync --follow`'s cycle and totals), if any. */
  readonly title?: string;
  /** Log time the watermarks advanced by in this sync, each stream's weighted, summed (ms). */
  readonly covered?: number;
  /** The moving window (about the last 10 s); undefined before any time passed. */
  readonly recent?: RecentProgress;
  readonly streams: readonly StreamProgress[];
}

/** A stream's progress before anything happened to it. */
export const NOT_STARTED: Omit<StreamProgress, "stream"> = {
  status: "PENDING",
  received: 0,
  committed: 0,
  reread: 0,
  watermark: undefined,
  start: undefined,
  storedUpTo: undefined,
  reading: 0,
  storing: false,
  failed: false,
  startedAt: undefined,
  endedAt: undefined,
  firstWatermark: undefined,
  firstWatermarkAt: undefined,
  weight: 1,
};

interface Mutable {
  status: string;
  received: number;
  committed: number;
  reread: number;
  watermark: number | undefined;
  start: number | undefined;
  storedUpTo: number | undefined;
  reading: number;
  storing: boolean;
  failed: boolean;
  startedAt: number | undefined;
  endedAt: number | undefined;
  firstWatermark: number | undefined;
  firstWatermarkAt: number | undefined;
  weight: number;
}

interface Sample {
  readonly at: number;
  readonly received: number;
}

/** The moving window of the current speed, and how often it is sampled. */
const RECENT_MS = 10_000;
const SAMPLE_MS = 1_000;

/** A stream status that ends the stream: COMPLETE or INCOMPLETE. */
export function finished(status: string): boolean {
  return status === "COMPLETE" || status === "INCOMPLETE";
}

/**
 * How far a state says its stream is complete: its watermark, or for the single stream (one
 * watermark per log group) the earliest of the watermarks of `keys`, the groups it reads, up to
 * which every one of them is complete; none until each has one (a group not begun has nothing
 * stored). Other keys (a deleted group's watermark, kept) do not count.
 */
export function watermarkOf(state: Record<string, unknown>, keys: readonly string[] = []): number | undefined {
  if (typeof state.timestamp === "number") return state.timestamp;
  const groups = state.log_groups;
  if (keys.length === 0 || groups === null || typeof groups !== "object") return undefined;
  let earliest = Number.POSITIVE_INFINITY;
  for (const key of keys) {
    const at = (groups as Record<string, { timestamp?: unknown } | undefined>)[key]?.timestamp;
    if (typeof at !== "number") return undefined;
    earliest = Math.min(earliest, at);
  }
  return earliest;
}

/** What a sync knows of its streams before reading (see stream-starts.ts); each map may leave streams out. */
export interface StreamsKnown {
  /** Where each stream starts in this sync, for the time left of streams not begun. */
  readonly starts?: ReadonlyMap<string, number>;
  /** Each stream's weight (see StreamProgress.weight), 1 for a stream not given. */
  readonly weights?: ReadonlyMap<string, number>;
  /** The single stream's log groups, by their keys in its state (see watermarkOf). */
  readonly groupKeys?: ReadonlyMap<string, readonly string[]>;
  /** The states the store holds, by stream (see StreamProgress.storedUpTo). */
  readonly stored?: ReadonlyMap<string, Record<string, unknown>>;
}

export class ProgressTracker {
  private readonly streams = new Map<string, Mutable>();
  private readonly notes = new Set<string>();
  private received_ = 0;
  private covered = 0;
  /** Totals sampled at most once a second, back to the start of the moving window. */
  private readonly samples: Sample[];
  /** The single stream's log groups, by their keys in its state (see watermarkOf). */
  private readonly groupKeys: ReadonlyMap<string, readonly string[]>;

  constructor(
    streams: readonly string[],
    private readonly clock: () => number,
    known: StreamsKnown = {},
  ) {
    for (const s of streams) {
      const e = this.entry(s);
      e.start = known.starts?.get(s);
      e.weight = known.weights?.get(s) ?? 1;
    }
    this.groupKeys = known.groupKeys ?? new Map();
    for (const s of streams) {
      const state = known.stored?.get(s);
      this.entry(s).storedUpTo = state === undefined ? undefined : watermarkOf(state, this.groupKeys.get(s));
    }
    this.samples = [{ at: clock(), received: 0 }];
  }

  private entry(stream: string): Mutable {
    let e = this.streams.get(stream);
    if (!e) {
      e = { ...NOT_STARTED };
      this.streams.set(stream, e);
    }
    return e;
  }

  received(stream: string, n: number): void {
    this.entry(stream).received += n;
    this.received_ += n;
  }

  /** `n` rows committed with `state`, `reread` of them already in the store. */
  committed(stream: string, n: number, state: Record<string, unknown>, reread = 0): void {
    const e = this.entry(stream);
    e.committed += n;
    e.reread += reread;
    const watermark = watermarkOf(state, this.groupKeys.get(stream));
    if (watermark !== undefined) {
      const from = e.watermark ?? e.start;
      if (from !== undefined && watermark > from) this.covered += (watermark - from) * e.weight;
      e.watermark = watermark;
      if (e.firstWatermark === undefined) {
        e.firstWatermark = watermark;
        e.firstWatermarkAt = this.clock();
      }
    }
  }

  status(stream: string, status: string): void {
    const e = this.entry(stream);
    e.status = status;
    if (status === "PENDING") return;
    e.startedAt ??= this.clock();
    if (finished(status)) {
      e.endedAt ??= this.clock();
      e.storing = false;
    }
  }

  /** The stream failed: an error named it, or the store could not take it. */
  failed(stream: string): void {
    this.entry(stream).failed = true;
  }

  /** The stream's read ended; its last records wait for their commit (its rate stays as it ended). */
  storing(stream: string): void {
    const e = this.entry(stream);
    e.storing = true;
    e.endedAt ??= this.clock();
  }

  /** A window of the stream started (+1) or ended (-1) being read. */
  reading(stream: string, change: number): void {
    this.entry(stream).reading += change;
  }

  /** A note for the summary; one already held is not repeated. */
  note(text: string): void {
    this.notes.add(text);
  }

  warnings(): readonly string[] {
    return [...this.notes];
  }

  /** The progress now; also samples the totals for the moving window (the display asks twice a second). */
  snapshot(base: { startedAt: number; upperBound: number; throttles: number; title?: string }): ProgressSnapshot {
    const now = this.clock();
    if (now - this.samples.at(-1)!.at >= SAMPLE_MS) this.samples.push({ at: now, received: this.received_ });
    // Keep one sample at or before the window's start: the window then spans its full length.
    while (this.samples.length > 1 && this.samples[1]!.at <= now - RECENT_MS) this.samples.shift();
    const oldest = this.samples[0]!;
    const ms = now - oldest.at;
    return {
      ...base,
      now,
      covered: this.covered,
      ...(ms > 0 ? { recent: { ms, received: this.received_ - oldest.received } } : {}),
      streams: [...this.streams].map(([stream, e]) => ({ stream, ...e })),
    };
  }
}

function iso(ms: number | undefined): string {
  return ms === undefined ? "-" : new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Time left for a stream: the span still to read divided by how fast its watermark moves. */
export function estimateLeft(p: StreamProgress, upperBound: number, now: number): number | undefined {
  if (finished(p.status)) return 0;
  if (p.watermark === undefined || p.firstWatermark === undefined || p.firstWatermarkAt === undefined) return undefined;
  const elapsed = now - p.firstWatermarkAt;
  const advanced = p.watermark - p.firstWatermark;
  if (elapsed <= 0 || advanced <= 0) return undefined;
  return Math.max(0, upperBound - p.watermark) / (advanced / elapsed);
}

/**
 * The share of the sync's weighted log time its watermarks must have covered before its speed
 * says when it ends: until then, the only covered time may be a tiny group's, read whole while
 * the big ones' first windows are still open (the demo said "~1h40m left" at 2 s of 10).
 */
const MIN_COVERED_SHARE = 0.01;

/**
 * Time left for the whole sync: the log time still to read, summed over the unfinished streams
 * (from their watermark, or their start when none yet), divided by how much log time the
 * streams covered per ms over the whole sync; each stream's log time weighted by how much its
 * group holds per ms (see StreamProgress.weight). Not the moving window's speed: watermarks move
 * in jumps (a stream's concurrent windows complete together), so its estimate swung (50 groups,
 * 142 s: a median error of 42% of the time left, against 9% for the whole sync's; docs/local.md).
 * Streams whose start is unknown (the single stream until its first state) are not counted. Undefined until there is
 * a speed, and while less than MIN_COVERED_SHARE of the log time is covered.
 */
export function overallLeft(s: ProgressSnapshot): number | undefined {
  let span = 0;
  let known = false;
  for (const p of s.streams) {
    const from = p.watermark ?? p.start;
    if (finished(p.status) || from === undefined) continue;
    known = true;
    span += Math.max(0, s.upperBound - from) * p.weight;
  }
  if (!known) return s.streams.every((p) => finished(p.status)) ? 0 : undefined;
  if (span === 0) return 0;
  const covered = s.covered ?? 0;
  if (covered < MIN_COVERED_SHARE * (covered + span)) return undefined;
  const speed = covered / Math.max(1, s.now - s.startedAt);
  return speed > 0 ? span / speed : undefined;
}

/**
 * Events per second of a stream over its own active time (a finished stream's stays as it ended),
 * a second at least: a stream read in a few ms showed its 60 events as 60000 events/s.
 */
function streamRate(p: StreamProgress, now: number): number {
  if (p.startedAt === undefined) return 0;
  return p.received / Math.max(1, ((p.endedAt ?? now) - p.startedAt) / 1000);
}

type Phase = "running" | "waiting" | "storing" | "pending" | "complete" | "incomplete";

function phaseOf(p: StreamProgress): Phase {
  if (p.status === "PENDING") return "pending";
  if (p.status === "COMPLETE") return "complete";
  if (p.status === "INCOMPLETE") return "incomplete";
  if (p.storing) return "storing";
  return p.reading > 0 ? "running" : "waiting";
}

/** Rows in this order: being read, waiting for a worker, being stored, failed, then complete (latest first). */
const ORDER: Record<Phase, number> = { running: 0, waiting: 1, storing: 2, incomplete: 3, complete: 4, pending: 5 };

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + " ".repeat(width - text.length);
}

/** A name cut to `width` keeping its end (the part that tells log groups apart). */
function fitName(name: string, width: number): string {
  return name.length <= width ? name : `…${name.slice(name.length - width + 1)}`;
}

/** The columns after the name: status, records, events/s, reached, left, with their separators. */
const FIXED_WIDTH = 2 + 10 + 1 + 10 + 1 + 9 + 2 + 19 + 2 + 7;

/**
 * The progress screen for a terminal of `columns` x `rows`: the title (if any), a header, the
 * streams being read, then waiting, failed and complete ones as far as rows allow, a line counting
 * the streams by phase, and the totals. Every line fits in `columns` (cut, never wrapped) and
 * there are at most `rows - 1` lines (the cursor's line stays free).
 */
export function renderProgress(s: ProgressSnapshot, columns: number, rows: number): string[] {
  const width = Math.max(1, columns);
  const seconds = Math.max((s.now - s.startedAt) / 1000, 0.001);
  const longest = Math.max(6, ...s.streams.map((p) => p.stream.length));
  const nameWidth = Math.min(longest, Math.max(12, Math.min(60, width - FIXED_WIDTH)));
  const line = (cols: readonly string[]): string =>
    `${pad(cols[0]!, nameWidth)}  ${pad(cols[1]!, 10)} ${cols[2]!.padStart(10)} ${cols[3]!.padStart(9)}  ${pad(cols[4]!, 19)}  ${cols[5]!.padStart(7)}`.trimEnd();
  const header = line(["stream", "status", "records", "events/s", "reached (UTC)", "left"]);

  const count: Record<Phase, number> = { running: 0, waiting: 0, storing: 0, pending: 0, complete: 0, incomplete: 0 };
  let received = 0;
  let committed = 0;
  let reread = 0;
  let unstored = 0;
  for (const p of s.streams) {
    const phase = phaseOf(p);
    count[phase]++;
    received += p.received;
    committed += p.committed;
    reread += p.reread;
    if (phase === "storing") unstored += Math.max(0, p.received - p.committed);
  }
  const shown = s.streams
    .filter((p) => phaseOf(p) !== "pending")
    .map((p, i) => ({ p, i }))
    .sort((a, b) => ORDER[phaseOf(a.p)] - ORDER[phaseOf(b.p)] || (b.p.endedAt ?? 0) - (a.p.endedAt ?? 0) || a.i - b.i)
    .map(({ p }) => p);

  const rate = s.recent === undefined ? received / seconds : s.recent.received / (s.recent.ms / 1000);
  // Once only storing is left, the log time still to store is one last commit per stream, which
  // says nothing of how long it takes (the demo said "~5s left" then ended a second later).
  const onlyStoring = count.storing > 0 && count.running + count.waiting + count.pending === 0;
  const left = onlyStoring ? undefined : overallLeft(s);
  const ending = onlyStoring
    ? `storing the last ${unstored} records`
    : left === undefined
      ? "estimating"
      : `~${duration(left)} left`;
  // Two parts, on one line when it fits: what was read, and how fast and how long.
  const amounts = `${s.streams.length} streams, ${received} records (${committed - reread} new${reread > 0 ? `, ${reread} re-read` : ""} stored), ${s.throttles} throttled`;
  const speed = `${Math.round(rate)} events/s, ${duration(s.now - s.startedAt)} elapsed, ${ending}`;
  const totals =
    amounts.length + 2 + speed.length <= width
      ? [`${amounts}, ${speed}`]
      : [...wrap(amounts, width), ...wrap(speed, width)];
  const phases = (hidden: number): string[] =>
    wrap(
      `${count.running} running, ${count.waiting} waiting, ${count.storing > 0 ? `${count.storing} storing, ` : ""}` +
        `${count.pending} pending, ${count.complete} complete` +
        `${count.incomplete > 0 ? `, ${count.incomplete} incomplete` : ""}${hidden > 0 ? ` (${hidden} more not shown)` : ""}`,
      width,
    );

  const budget = Math.max(1, rows - 1);
  const title = s.title === undefined ? [] : [s.title];
  // The count line as long as it may get (with "not shown"), so that its height is known.
  const fixed = title.length + 1 + phases(shown.length).length + totals.length;
  let out: string[];
  if (fixed > budget) {
    // A tiny terminal: the totals first, then the counts, the title and the header.
    let room = budget;
    const take = (lines: readonly string[]): string[] => {
      const taken = lines.slice(0, room);
      room -= taken.length;
      return taken;
    };
    const [last, counts, top, head] = [take(totals), take(phases(shown.length)), take(title), take([header])];
    out = [...top, ...head, ...counts, ...last];
  } else {
    const room = budget - fixed;
    const rowsShown = shown.slice(0, room).map((p) => {
      const phase = phaseOf(p);
      const leftOf = estimateLeft(p, s.upperBound, s.now);
      return line([
        fitName(p.stream, nameWidth),
        phase === "waiting" || phase === "storing" ? phase : p.status,
        String(p.received),
        String(Math.round(streamRate(p, s.now))),
        iso(p.watermark ?? p.storedUpTo),
        finished(p.status) ? "-" : leftOf === undefined ? "?" : duration(leftOf),
      ]);
    });
    out = [...title, header, ...rowsShown, ...phases(shown.length - rowsShown.length), ...totals];
  }
  return out.map((l) => (l.length > width ? l.slice(0, width) : l));
}
