// What `sync` knows about each stream's progress, from the protocol messages alone, and how it
// is shown: renderProgress is a pure function of a snapshot so that it can be tested as such.

export interface StreamProgress {
  readonly stream: string;
  readonly status: string;
  readonly received: number;
  /** Rows committed to the store in this sync, re-read ones included. */
  readonly committed: number;
  /** Of the committed rows, those the store held before (lookback, resumed windows): not new. */
  readonly reread: number;
  /** The latest committed state's timestamp (epoch ms): everything before it is stored. */
  readonly watermark: number | undefined;
  /** The first watermark seen in this sync, and when: the speed baseline. */
  readonly firstWatermark: number | undefined;
  readonly firstWatermarkAt: number | undefined;
}

export interface ProgressSnapshot {
  readonly now: number;
  readonly startedAt: number;
  /** Where the read stops: now - ingestion delay at the start of the sync. */
  readonly upperBound: number;
  readonly throttles: number;
  /** A line above the table (e.g. `sync --follow`'s cycle and totals), if any. */
  readonly title?: string;
  readonly streams: readonly StreamProgress[];
}

interface Mutable {
  status: string;
  received: number;
  committed: number;
  reread: number;
  watermark: number | undefined;
  firstWatermark: number | undefined;
  firstWatermarkAt: number | undefined;
}

export class ProgressTracker {
  private readonly streams = new Map<string, Mutable>();
  private readonly notes: string[] = [];

  constructor(
    streams: readonly string[],
    private readonly clock: () => number,
  ) {
    for (const s of streams) this.entry(s);
  }

  private entry(stream: string): Mutable {
    let e = this.streams.get(stream);
    if (!e) {
      e = {
        status: "PENDING",
        received: 0,
        committed: 0,
        reread: 0,
        watermark: undefined,
        firstWatermark: undefined,
        firstWatermarkAt: undefined,
      };
      this.streams.set(stream, e);
    }
    return e;
  }

  received(stream: string, n: number): void {
    this.entry(stream).received += n;
  }

  /** `n` rows committed with `state`, `reread` of them already in the store. */
  committed(stream: string, n: number, state: Record<string, unknown>, reread = 0): void {
    const e = this.entry(stream);
    e.committed += n;
    e.reread += reread;
    if (typeof state.timestamp === "number") {
      e.watermark = state.timestamp;
      if (e.firstWatermark === undefined) {
        e.firstWatermark = state.timestamp;
        e.firstWatermarkAt = this.clock();
      }
    }
  }

  status(stream: string, status: string): void {
    this.entry(stream).status = status;
  }

  note(text: string): void {
    this.notes.push(text);
  }

  warnings(): readonly string[] {
    return [...this.notes];
  }

  snapshot(base: { startedAt: number; upperBound: number; throttles: number }): ProgressSnapshot {
    return { ...base, now: this.clock(), streams: [...this.streams].map(([stream, e]) => ({ stream, ...e })) };
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
  if (p.status === "COMPLETE" || p.status === "INCOMPLETE") return 0;
  if (p.watermark === undefined || p.firstWatermark === undefined || p.firstWatermarkAt === undefined) return undefined;
  const elapsed = now - p.firstWatermarkAt;
  const advanced = p.watermark - p.firstWatermark;
  if (elapsed <= 0 || advanced <= 0) return undefined;
  return Math.max(0, upperBound - p.watermark) / (advanced / elapsed);
}

function pad(text: string, width: number): string {
  return text.length >= width ? text.slice(0, width) : text + " ".repeat(width - text.length);
}

/** The progress table: a header, one line per stream, a total line. */
export function renderProgress(s: ProgressSnapshot): string[] {
  const seconds = Math.max((s.now - s.startedAt) / 1000, 0.001);
  const nameWidth = Math.min(40, Math.max(6, ...s.streams.map((p) => p.stream.length)));
  const line = (cols: readonly string[]): string =>
    `${pad(cols[0]!, nameWidth)}  ${pad(cols[1]!, 10)} ${cols[2]!.padStart(10)} ${cols[3]!.padStart(9)}  ${pad(cols[4]!, 19)}  ${cols[5]!.padStart(7)}`;
  const out = [line(["stream", "status", "records", "events/s", "reached (UTC)", "left"])];
  let total = 0;
  let longest = 0;
  let unknown = false;
  for (const p of s.streams) {
    total += p.received;
    const left = estimateLeft(p, s.upperBound, s.now);
    if (left === undefined && p.status !== "COMPLETE" && p.status !== "INCOMPLETE") unknown = true;
    longest = Math.max(longest, left ?? 0);
    out.push(
      line([
        p.stream,
        p.status,
        String(p.received),
        String(Math.round(p.received / seconds)),
        iso(p.watermark),
        left === undefined ? "?" : duration(left),
      ]),
    );
  }
  out.push(
    `${s.streams.length} streams, ${total} records, ${Math.round(total / seconds)} events/s, ${s.throttles} throttled, ` +
      `${duration(s.now - s.startedAt)} elapsed, ${unknown ? "estimating" : `~${duration(longest)} left`}`,
  );
  return out;
}
