// An in-process Airbyte destination: takes the connector's protocol output (JSON lines) and
// commits each stream's records to the store when the STATE covering them arrives. Records
// after a stream's last STATE are never committed; the next sync reads them again.
import { Writable } from "node:stream";
import { splitRecordLine } from "../airbyte/emitter.js";
import { ConnectorError } from "../airbyte/errors.js";
import type { EventRecord } from "../domain/record.js";
import { messageJsonText } from "../sinks/records.js";
import type { CommitReport, LocalStore } from "./store.js";
import type { ProgressTracker } from "./progress.js";

/** A record's data as parsed from its line. */
type RecordData = EventRecord & { readonly message_json?: unknown };

interface Message {
  type?: string;
  record?: { stream: string; data: RecordData };
  state?: { stream?: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> } };
  trace?: {
    type?: string;
    stream_status?: { stream_descriptor: { name: string }; status: string };
    error?: { message: string; stream_descriptor?: { name: string } };
  };
  log?: { level: string; message: string };
}

/**
 * The data's JSON text of a parsed record (a line not in the emitter's form). The parsed
 * message_json is a JS round trip (big numbers rounded, duplicate keys dropped, too deep to
 * serialize again); its text is the message's own, which the records sink spliced in, so it is
 * taken from there.
 */
function dataText(data: RecordData): string {
  if (data.message_json === undefined) return JSON.stringify(data);
  const { message_json: json, ...fields } = data;
  const text = json === null ? "null" : messageJsonText(data.message);
  return `${JSON.stringify(fields).slice(0, -1)},"message_json":${text}}`;
}

/** An error's first line: a database error may go on with a quote of the statement. */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}

/**
 * How the destination batches its commits. DuckDB writes a commit of at least a row group
 * (122,880 rows) straight to the file; smaller ones go through its write-ahead log and are
 * written again by a checkpoint, which measured about twice the time per record.
 */
export interface BatchLimits {
  /** Records ready to commit from which a commit starts without waiting for more. */
  readonly minRecords: number;
  /** The longest a STATE waits for more records before its commit starts, in ms. */
  readonly maxWaitMs: number;
  /** Records ready to commit beyond which the connector waits (memory stays bounded). */
  readonly maxReady: number;
}

const BATCH_LIMITS: BatchLimits = { minRecords: 130_000, maxWaitMs: 1000, maxReady: 150_000 };

export class Destination extends Writable {
  /** Per stream, the data's JSON text of each record received since its last STATE. */
  private readonly buffers = new Map<string, string[]>();
  /** Stream names by their JSON literal on RECORD lines; null: not as the emitter writes it. */
  private readonly streamNames = new Map<string, string | null>();
  /** Per stream, what the store could not keep as given, for one counted note each at the end. */
  private readonly degraded = new Map<string, Omit<CommitReport, "reread">>();
  /** Streams whose commit failed, with why: nothing more of theirs is taken; the end reports them. */
  private readonly failed = new Map<string, string>();
  /** A failure not of one stream (output it cannot read): everything after it is dropped. */
  private broken: string | undefined;
  private rest = "";
  /**
   * Per stream, the records its latest STATE covers and that state, waiting for the commit in
   * progress: the store works while the next records are parsed, and what arrives meanwhile is
   * committed together (one transaction per stream, its latest state), which the store does
   * faster than many small ones.
   */
  private readonly ready = new Map<string, { records: string[]; state: Record<string, unknown> }>();
  private readyRecords = 0;
  /** When `ready` last went from empty to not empty (its oldest STATE waits since then, or less). */
  private readySince = 0;
  /** Starts the commit of what is ready when its oldest STATE has waited long enough. */
  private timer: NodeJS.Timeout | undefined;
  /** The connector's output has ended: whatever is ready is committed now. */
  private ending = false;
  /** Commits the ready batches, one at a time, while a commit is due; undefined when idle. */
  private draining: Promise<void> | undefined;

  constructor(
    private readonly store: LocalStore,
    private readonly tracker: ProgressTracker,
    private readonly limits: BatchLimits = BATCH_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {
    // Back-pressure: the connector waits while a STATE's commit waits for the one before.
    super({ decodeStrings: false, highWaterMark: 1 << 20 });
    // A store failure reaches end()'s callback (see _final); as an 'error' event without a
    // listener it would end the process in the middle of the other streams' commits.
    this.on("error", () => undefined);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.ending = true;
    this.kick();
    // A commit never rejects: a stream's failure is recorded in `failed`.
    void (this.draining ?? Promise.resolve()).then(() => this.finish(callback));
  }

  private finish(callback: (error?: Error | null) => void): void {
    this.noteDegraded();
    if (this.broken !== undefined) {
      callback(
        new ConnectorError(
          `could not take the connector's output (${this.broken}); what was stored before is kept`,
          "system_error",
        ),
      );
    } else if (this.failed.size > 0) {
      const which = [...this.failed].map(([stream, why]) => `${stream} (${why})`).join(", ");
      callback(
        new ConnectorError(
          `could not store ${which} in ${this.store.location}; the other streams were stored, and the next sync retries these from their last stored state`,
          "system_error",
        ),
      );
    } else {
      callback();
    }
  }

  private noteDegraded(): void {
    for (const [stream, r] of this.degraded) {
      if (r.messageJsonDropped > 0) {
        this.tracker.note(
          `${stream}: ${r.messageJsonDropped} record(s) stored with message_json NULL: the store cannot represent their ` +
            `JSON (e.g. an escaped unpaired surrogate "\\ud800"); their message is stored as is`,
        );
      }
      if (r.messagesReplaced > 0) {
        this.tracker.note(
          `${stream}: ${r.messagesReplaced} message(s) have unpaired surrogates, stored with U+FFFD in their place`,
        );
      }
    }
    this.degraded.clear();
  }

  /** Records received but not committed, per stream (what an interruption discards). */
  uncommitted(): ReadonlyMap<string, number> {
    const out = new Map([...this.buffers].map(([s, b]) => [s, b.length]));
    for (const [s, r] of this.ready) out.set(s, (out.get(s) ?? 0) + r.records.length);
    return out;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.broken !== undefined) {
      callback();
      return;
    }
    const text = this.rest + (typeof chunk === "string" ? chunk : chunk.toString("utf8"));
    const lines = text.split("\n");
    this.rest = lines.pop() ?? "";
    const done = this.handle(lines);
    // Never an error to the writer: a destroyed stream would leave the connector waiting for
    // 'drain' forever. What cannot be taken is dropped and reported at the end (see _final).
    done.then(
      () => callback(),
      (err: unknown) => {
        this.broken ??= firstLine(err);
        this.buffers.clear();
        callback();
      },
    );
  }

  /** Whether what is ready is to be committed now rather than wait for more. */
  private commitDue(): boolean {
    return (
      this.ending ||
      this.readyRecords >= this.limits.minRecords ||
      this.clock() - this.readySince >= this.limits.maxWaitMs
    );
  }

  /** Starts committing what is ready if a commit is due, else makes sure the time bound will. */
  private kick(): void {
    if (this.draining !== undefined || this.ready.size === 0) return;
    if (this.commitDue()) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.draining = this.drain();
    } else {
      const wait = this.readySince + this.limits.maxWaitMs - this.clock();
      // Unref'd: a sync that stops without ending its output does not stay for it.
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.kick();
      }, wait).unref();
    }
  }

  private async drain(): Promise<void> {
    for (let next = this.ready.entries().next(); !next.done && this.commitDue(); next = this.ready.entries().next()) {
      const [stream, batch] = next.value;
      this.ready.delete(stream);
      this.readyRecords -= batch.records.length;
      await this.commit(stream, batch.records, batch.state);
    }
    this.draining = undefined;
    this.kick();
  }

  private async commit(stream: string, records: readonly string[], state: Record<string, unknown>): Promise<void> {
    // An earlier commit of the stream failed while this batch was being filled.
    if (this.failed.has(stream)) return;
    let report: CommitReport;
    try {
      report = await this.store.commit(stream, records, state);
    } catch (err) {
      // This stream stops here (its stored state stays where it was); the others go on.
      this.failed.set(stream, firstLine(err));
      this.buffers.delete(stream);
      this.tracker.status(stream, "INCOMPLETE");
      return;
    }
    if (report.messageJsonDropped > 0 || report.messagesReplaced > 0) {
      const sum = this.degraded.get(stream);
      this.degraded.set(stream, {
        messageJsonDropped: (sum?.messageJsonDropped ?? 0) + report.messageJsonDropped,
        messagesReplaced: (sum?.messagesReplaced ?? 0) + report.messagesReplaced,
      });
    }
    this.tracker.committed(stream, records.length, state, report.reread);
  }

  /** The stream a RECORD line's JSON literal names, if it is the literal the emitter writes for it. */
  private streamName(literal: string): string | undefined {
    let name = this.streamNames.get(literal);
    if (name === undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(literal);
      } catch {
        parsed = undefined;
      }
      name = typeof parsed === "string" && JSON.stringify(parsed) === literal ? parsed : null;
      this.streamNames.set(literal, name);
    }
    return name ?? undefined;
  }

  private received(stream: string, data: string): void {
    if (this.failed.has(stream)) return;
    let buffer = this.buffers.get(stream);
    if (!buffer) {
      buffer = [];
      this.buffers.set(stream, buffer);
    }
    buffer.push(data);
    this.tracker.received(stream, 1);
  }

  private async handle(lines: readonly string[]): Promise<void> {
    for (const line of lines) {
      if (this.broken !== undefined) return;
      if (line === "") continue;
      // Most lines are records as the emitter writes them: their data's text is taken as it is.
      const split = splitRecordLine(line);
      const stream = split && this.streamName(split.streamJson);
      if (split && stream !== undefined) {
        this.received(stream, split.data);
        continue;
      }
      const msg = JSON.parse(line) as Message;
      if (msg.type === "RECORD" && msg.record) {
        this.received(msg.record.stream, dataText(msg.record.data));
      } else if (msg.type === "STATE" && msg.state?.stream) {
        const stream = msg.state.stream.stream_descriptor.name;
        if (this.failed.has(stream)) continue;
        const records = this.buffers.get(stream) ?? [];
        this.buffers.delete(stream);
        if (this.ready.size === 0) this.readySince = this.clock();
        const ready = this.ready.get(stream);
        if (ready === undefined) this.ready.set(stream, { records, state: msg.state.stream.stream_state });
        else {
          for (const r of records) ready.records.push(r);
          ready.state = msg.state.stream.stream_state;
        }
        this.readyRecords += records.length;
        this.kick();
        // Memory stays bounded: the connector waits until what is ready is stored.
        if (this.readyRecords > this.limits.maxReady) await this.draining;
      } else if (msg.type === "TRACE" && msg.trace?.type === "STREAM_STATUS" && msg.trace.stream_status) {
        if (this.failed.has(msg.trace.stream_status.stream_descriptor.name)) continue;
        this.tracker.status(msg.trace.stream_status.stream_descriptor.name, msg.trace.stream_status.status);
      } else if (msg.type === "TRACE" && msg.trace?.type === "ERROR" && msg.trace.error) {
        const where = msg.trace.error.stream_descriptor?.name;
        this.tracker.note(`${where ? `${where}: ` : ""}${msg.trace.error.message}`);
      } else if (
        msg.type === "LOG" &&
        msg.log &&
        (msg.log.level === "WARN" || msg.log.level === "ERROR" || msg.log.level === "FATAL")
      ) {
        this.tracker.note(msg.log.message);
      }
    }
  }
}
