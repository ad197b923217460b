// Drives the engine in-process for unit tests: an Emitter writing to memory, and stream tasks
// wired to StreamReader and runStreams the way src/commands/read.ts wires them (statuses and
// final states), without config, catalog or log group resolution.
import { Writable } from "node:stream";
import { Emitter } from "../../src/airbyte/emitter.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import type { StreamSource } from "../../src/domain/streams.js";
import { isCancelled } from "../../src/engine/cancel.js";
import type { PlannerOptions, SyncRange } from "../../src/engine/plan.js";
import { StreamReader } from "../../src/engine/reader.js";
import { runStreams, type StreamTask } from "../../src/engine/scheduler.js";
import type { EventSink } from "../../src/sinks/sink.js";
import { recordSink } from "../../src/sinks/records.js";
import type { FakeLogsApi } from "./fake-logs-api.js";
import { parseMessages } from "./protocol.js";

/** An Emitter whose output stays in memory, as protocol messages. */
export class CapturedOutput {
  private written = "";
  readonly emitter: Emitter;

  constructor(clock: () => number = () => 1) {
    const out = new Writable({
      write: (chunk: Buffer | string, _enc, cb) => {
        this.written += chunk.toString();
        cb();
      },
    });
    this.emitter = new Emitter(out, (t) => t, clock);
  }

  /**
   * Every message written so far, each validated against the protocol. Writes out what the
   * emitter holds first (synchronously, into memory), so a test may look mid-run.
   */
  messages(): AirbyteMessage[] {
    void this.emitter.flush();
    return parseMessages(this.text);
  }

  /** The output written so far, as text. */
  get text(): string {
    void this.emitter.flush();
    return this.written;
  }
}

/** The STATE watermarks of a stream, in order. */
export function statesOf(messages: readonly AirbyteMessage[], stream: string): number[] {
  return messages
    .filter((m) => m.type === "STATE" && m.state?.stream?.stream_descriptor.name === stream)
    .map((m) => (m.state!.stream!.stream_state as { timestamp: number }).timestamp);
}

/** The data of a stream's RECORDs, in order. */
export function recordsOf(messages: readonly AirbyteMessage[], stream: string): Record<string, unknown>[] {
  return messages
    .filter((m) => m.type === "RECORD" && m.record?.stream === stream)
    .map((m) => m.record!.data as Record<string, unknown>);
}

/** The STREAM_STATUS values of a stream, in order. */
export function statusesOf(messages: readonly AirbyteMessage[], stream: string): string[] {
  return messages
    .filter((m) => m.type === "TRACE" && m.trace?.stream_status?.stream_descriptor.name === stream)
    .map((m) => m.trace!.stream_status!.status);
}

/** A log group read whole (no report filters). */
export function sourceFor(logGroupName: string, name = logGroupName): StreamSource {
  return {
    name,
    logGroupName,
    logGroupIdentifier: undefined,
    accountId: undefined,
    origin: undefined,
    groupCreationTime: undefined,
    logStreamNames: [],
    filterPattern: undefined,
    report: undefined,
  };
}

/** A range with nothing stored: read [start, end) from scratch. */
export function freshRange(start: number, end: number): SyncRange {
  return { start, end, initialWatermark: start, storedState: undefined, stateClamped: false, startDateAhead: false };
}

interface EngineStream {
  readonly source: StreamSource;
  readonly range: SyncRange;
  /** Default: the records sink without message_json. */
  readonly sink?: (emitter: Emitter) => EventSink;
  readonly plannerOptions?: PlannerOptions;
}

export interface StreamEnd {
  readonly name: string;
  readonly failure: unknown;
  /** Requests the API had got when the stream ended. */
  readonly requestsSoFar: number;
  /** Requests of the stream's log group still unanswered when it ended. */
  readonly pendingRequests: number;
}

export interface EngineRun {
  readonly api: FakeLogsApi;
  readonly output: CapturedOutput;
  readonly streams: readonly EngineStream[];
  readonly workers: number;
  readonly signal?: AbortSignal;
}

/** Runs the streams to their end; resolves with how each ended, in the order they ended. */
export async function runEngine(run: EngineRun): Promise<StreamEnd[]> {
  const { api, output, signal } = run;
  const { emitter } = output;
  const ends: StreamEnd[] = [];
  const tasks = run.streams.map(
    (s): StreamTask => ({
      name: s.source.name,
      async start() {
        emitter.status(s.source.name, "STARTED");
        const sink = s.sink?.(emitter) ?? recordSink(emitter, s.source.name, s.source.logGroupName, false);
        return new StreamReader({
          api,
          emitter,
          sink,
          source: s.source,
          range: s.range,
          signal,
          ...(s.plannerOptions ? { plannerOptions: s.plannerOptions } : {}),
        });
      },
      end(reader, failure) {
        ends.push({
          name: s.source.name,
          failure,
          requestsSoFar: api.requests.length,
          pendingRequests: api.requests.filter(
            (r) => r.outcome === "pending" && r.request.logGroupName === s.source.logGroupName,
          ).length,
        });
        // As read.ts: a cancelled stream keeps the states it earned and is not COMPLETE.
        if (isCancelled(failure)) reader?.stop();
        else reader?.finish();
        emitter.status(s.source.name, failure === undefined ? "COMPLETE" : "INCOMPLETE");
      },
    }),
  );
  await runStreams(tasks, run.workers, signal);
  await emitter.flush();
  return ends;
}

/**
 * Where a stream's output would lose data: the first STATE that claims an event (timestamp below
 * its watermark) whose RECORD had not come before it; undefined when every STATE is covered.
 */
export function uncoveredState(
  messages: readonly AirbyteMessage[],
  stream: string,
  events: readonly { readonly eventId: string; readonly timestamp: number }[],
): string | undefined {
  const delivered = new Set<unknown>();
  for (const m of messages) {
    if (m.type === "RECORD" && m.record?.stream === stream) delivered.add(m.record.data.eventId);
    if (m.type !== "STATE" || m.state?.stream?.stream_descriptor.name !== stream) continue;
    const watermark = (m.state.stream.stream_state as { timestamp: number }).timestamp;
    const missing = events.find((e) => e.timestamp < watermark && !delivered.has(e.eventId));
    if (missing)
      return `STATE ${watermark} of ${stream} before the record of event ${missing.eventId} (${missing.timestamp})`;
  }
  return undefined;
}
