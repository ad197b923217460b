// Reads one stream: hands out its windows, reads each window's pages, passes records to the
// emitter and advances the stream's checkpoint as windows complete. Several windows of one
// stream may be read at once; the state only covers the contiguous prefix of completed windows.
import { unlessCancelled } from "./cancel.js";
import type { StreamSource } from "../domain/streams.js";
import { StreamCheckpoint, stateBlob } from "./checkpoint.js";
import type { Emitter } from "../airbyte/emitter.js";
import { ConnectorError } from "../airbyte/errors.js";
import type { EventPage, LogEvent, LogsApi } from "../domain/logs.js";
import type { EventSink } from "../sinks/sink.js";
import { DEFAULT_PLANNER_OPTIONS, type PlannerOptions, type SyncRange, type Window, WindowPlanner } from "./plan.js";

/**
 * Empty pages in a row, each with a nextToken the window was already asked with, after which a
 * window fails: the endpoint makes no progress (the same token again, or a cycle: A, B, A, B).
 * A real scan's token moves on; the simulator's random empty pages repeat it, each with a
 * probability of at most 0.99 (0.99^1000: 4e-5).
 */
const STUCK_PAGES = 1000;
/** The tokens of a run of empty pages kept to find a cycle: cycles up to this long are found. */
const RECENT_TOKENS = 16;

export interface StreamReadInput {
  readonly api: LogsApi;
  readonly emitter: Emitter;
  readonly sink: EventSink;
  readonly source: StreamSource;
  readonly range: SyncRange;
  readonly plannerOptions?: PlannerOptions;
  /** Read with unmask=true (the `unmask` setting). */
  readonly unmask?: boolean;
  /** Cancellation: no page request starts after it aborts, one in flight is abandoned. */
  readonly signal?: AbortSignal;
  /** Where the watermark goes when it moves; default: a STATE of the stream (the single stream gathers them). */
  readonly onCheckpoint?: (watermark: number) => void;
  /**
   * Told when one of the stream's windows starts being read (+1: its first request is sent, after
   * its turn under the rate limit) and when its read is done (-1): a started stream none of whose
   * windows is being read waits for a worker or for the rate limit (e.g. for `sync`'s screen).
   */
  readonly onWindows?: (change: 1 | -1) => void;
}

/** Events of the page inside the half-open window (AWS's endTime may be inclusive). */
function inWindow(page: EventPage, w: Window): LogEvent[] {
  return page.events.filter((e) => e.timestamp >= w.start && e.timestamp < w.end);
}

export class StreamReader {
  private readonly planner: WindowPlanner;
  private readonly checkpoint: StreamCheckpoint;
  private lastEmitted: number | undefined;
  private inFlight = 0;
  private failure: unknown;

  constructor(private readonly input: StreamReadInput) {
    this.planner = new WindowPlanner(
      { start: input.range.start, end: input.range.end },
      input.plannerOptions ?? DEFAULT_PLANNER_OPTIONS,
    );
    this.checkpoint = new StreamCheckpoint(input.range.initialWatermark);
  }

  get name(): string {
    return this.input.source.name;
  }

  /** The next window to read, unless the stream failed or has none available right now. */
  take(): Window | undefined {
    if (this.failure !== undefined || this.inFlight >= this.input.sink.maxWindowsInFlight) return undefined;
    const w = this.planner.next();
    if (w) {
      this.checkpoint.begin(w);
      this.inFlight++;
    }
    return w;
  }

  /** No window is being read and none is left (or the stream failed). */
  isSettled(): boolean {
    return this.inFlight === 0 && (this.failure !== undefined || this.planner.frontier() >= this.input.range.end);
  }

  failed(): unknown {
    return this.failure;
  }

  /**
   * Reads a window handed out by take(); a failure (or the cancellation) marks the stream failed
   * instead of throwing. A window not read through stays open, so no state covers it.
   */
  async read(w: Window): Promise<void> {
    let reading = false;
    const sent = () => {
      if (reading) return;
      reading = true;
      this.input.onWindows?.(1);
    };
    try {
      const outcome = await this.readWindow(w, sent);
      if (outcome === "split") {
        this.checkpoint.drop(w);
      } else {
        this.planner.completed(w, outcome);
        this.checkpoint.finish(w);
        this.emitStateIfAdvanced();
      }
    } catch (err) {
      if (this.failure === undefined) this.failure = err;
    } finally {
      this.inFlight--;
      if (reading) this.input.onWindows?.(-1);
    }
  }

  /**
   * The stream was cut short (cancelled): its last state covers the completed windows, and never
   * a file that is still open (that file is written again, under the same name, on resume).
   */
  stop(): void {
    this.emitStateIfAdvanced();
  }

  /**
   * Final state of the stream: also for a stream that had nothing to read. A failed one's only if
   * its watermark moved (as a stopped one's), so that no state is made up from where it started.
   */
  finish(): void {
    const wm = this.input.sink.close(this.checkpoint.watermark(this.planner.frontier()));
    if (this.failure !== undefined) {
      if (wm > (this.lastEmitted ?? this.input.range.initialWatermark)) this.emitState(wm);
    } else if (this.lastEmitted === undefined || wm > this.lastEmitted) this.emitState(wm);
  }

  /** `sent`: told as each request is sent. */
  private async readWindow(w: Window, sent: () => void): Promise<number | "split"> {
    const { api, sink, source, signal } = this.input;
    let nextToken: string | undefined;
    let events = 0;
    let first = true;
    let stuck = 0;
    /** The tokens sent since the last page with events (the last RECENT_TOKENS of them). */
    const recent: string[] = [];
    do {
      if (this.failure !== undefined) throw this.failure;
      signal?.throwIfAborted();
      const page = await unlessCancelled(
        api.filterEvents({
          logGroupName: source.logGroupName,
          logGroupIdentifier: source.logGroupIdentifier,
          startTime: w.start,
          endTime: w.end,
          logStreamNames: source.logStreamNames,
          filterPattern: source.filterPattern,
          nextToken,
          unmask: this.input.unmask,
          // Aborts the HTTP request too, so a cancelled read leaves no socket busy behind it.
          signal,
          onSend: sent,
        }),
        signal,
      );
      const kept = inWindow(page, w);
      if (first) {
        first = false;
        const timestamps = kept.map((e) => e.timestamp);
        if (this.planner.firstPage(w, { timestamps, hasMore: page.nextToken !== undefined }) === "split")
          return "split";
      }
      // An empty page may hand back the token it was asked with (a scan that found nothing yet),
      // but not for ever, nor one asked with before it (a cycle): that endpoint would keep the
      // window, and the sync, going without end.
      if (page.events.length > 0 || nextToken === undefined) recent.length = 0;
      else {
        recent.push(nextToken);
        if (recent.length > RECENT_TOKENS) recent.shift();
      }
      stuck = recent.length > 0 && page.nextToken !== undefined && recent.includes(page.nextToken) ? stuck + 1 : 0;
      if (stuck >= STUCK_PAGES)
        throw new ConnectorError(
          `FilterLogEvents answered ${STUCK_PAGES} empty pages in a row with a nextToken it had been sent before, for log group ${source.logGroupName} from ${new Date(w.start).toISOString()}: the endpoint makes no progress; the sync can be retried`,
          "transient_error",
        );
      await sink.deliver(kept, signal);
      events += kept.length;
      nextToken = page.nextToken;
    } while (nextToken);
    return events;
  }

  /**
   * A state only once the watermark moved past where the stream started: a state made up from
   * start_date (or the group's earliest event) would outlive a corrected start_date, and would
   * read as a state older than its log group (see read.ts, warnIfRecreated). The stored state
   * stays as it was until then.
   */
  private emitStateIfAdvanced(): void {
    const wm = this.input.sink.commit(this.checkpoint.watermark(this.planner.frontier()));
    if (wm > (this.lastEmitted ?? this.input.range.initialWatermark)) this.emitState(wm);
  }

  private emitState(watermark: number): void {
    this.lastEmitted = watermark;
    if (this.input.onCheckpoint) this.input.onCheckpoint(watermark);
    else this.input.emitter.state(this.input.source.name, stateBlob(watermark, this.input.source));
  }
}
