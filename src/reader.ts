// Reads one stream: its windows, their pages, records to the emitter, checkpoints as windows complete.
import type { StreamSource } from "./catalog.js";
import { StreamCheckpoint, stateBlob } from "./checkpoint.js";
import type { Emitter } from "./emitter.js";
import type { EventPage, LogEvent, LogsApi } from "./logs-api.js";
import { type PlannerOptions, type SyncRange, type Window, WindowPlanner, DEFAULT_PLANNER_OPTIONS } from "./plan.js";

export interface StreamReadInput {
  readonly api: LogsApi;
  readonly emitter: Emitter;
  readonly source: StreamSource;
  readonly range: SyncRange;
  readonly plannerOptions?: PlannerOptions;
}

export interface StreamReadResult {
  readonly watermark: number;
  readonly records: number;
  readonly requests: number;
}

interface WindowOutcome {
  readonly split: boolean;
  readonly events: number;
  readonly requests: number;
}

function toRecord(logGroupName: string, e: LogEvent): object {
  return {
    logGroupName,
    logStreamName: e.logStreamName,
    timestamp: e.timestamp,
    ingestionTime: e.ingestionTime,
    message: e.message,
    eventId: e.eventId,
  };
}

/** Events of the page inside the half-open window (AWS's endTime may be inclusive). */
function inWindow(page: EventPage, w: Window): LogEvent[] {
  return page.events.filter((e) => e.timestamp >= w.start && e.timestamp < w.end);
}

/** The checkpoint is written with the watermark it reached, so a crash after it loses nothing. */
export class StreamReader {
  private readonly planner: WindowPlanner;
  private readonly checkpoint: StreamCheckpoint;
  private lastEmitted: number | undefined;
  private records = 0;
  private requests = 0;

  constructor(private readonly input: StreamReadInput) {
    this.planner = new WindowPlanner(
      { start: input.range.start, end: input.range.end },
      input.plannerOptions ?? DEFAULT_PLANNER_OPTIONS,
    );
    this.checkpoint = new StreamCheckpoint(input.range.initialWatermark);
  }

  async run(): Promise<StreamReadResult> {
    for (let w = this.planner.next(); w; w = this.planner.next()) {
      this.checkpoint.begin(w);
      const outcome = await this.readWindow(w);
      this.requests += outcome.requests;
      if (outcome.split) {
        this.checkpoint.drop(w);
        continue;
      }
      this.records += outcome.events;
      this.planner.completed(w, outcome.events);
      this.checkpoint.finish(w);
      this.emitStateIfAdvanced();
    }
    // Every stream ends with a state, also one that had nothing to read.
    if (this.lastEmitted === undefined) this.emitState();
    else this.emitStateIfAdvanced();
    return { watermark: this.checkpoint.current(), records: this.records, requests: this.requests };
  }

  /** On failure: report what is safely checkpointed so far. */
  emitProgress(): void {
    this.emitStateIfAdvanced();
  }

  private async readWindow(w: Window): Promise<WindowOutcome> {
    const { api, emitter, source } = this.input;
    let nextToken: string | undefined;
    let events = 0;
    let requests = 0;
    do {
      const page = await api.filterEvents({
        logGroupName: source.logGroupName,
        startTime: w.start,
        endTime: w.end,
        logStreamNames: source.logStreamNames,
        filterPattern: source.filterPattern,
        nextToken,
      });
      requests++;
      const kept = inWindow(page, w);
      if (requests === 1) {
        const timestamps = kept.map((e) => e.timestamp);
        const decision = this.planner.firstPage(w, { timestamps, hasMore: page.nextToken !== undefined });
        if (decision === "split") return { split: true, events: 0, requests };
      }
      await emitter.records(source.name, kept.map((e) => toRecord(source.logGroupName, e)));
      events += kept.length;
      nextToken = page.nextToken;
    } while (nextToken);
    return { split: false, events, requests };
  }

  private emitStateIfAdvanced(): void {
    const wm = this.checkpoint.watermark(this.planner.frontier());
    if (this.lastEmitted === undefined || wm > this.lastEmitted) this.emitState();
  }

  private emitState(): void {
    const wm = this.checkpoint.watermark(this.planner.frontier());
    this.lastEmitted = wm;
    this.input.emitter.state(this.input.source.name, stateBlob(wm));
  }
}
