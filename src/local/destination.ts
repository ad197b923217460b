// An in-process Airbyte destination: takes the connector's protocol output (JSON lines) and
// commits each stream's records to the store when the STATE covering them arrives. Records
// after a stream's last STATE are never committed; the next sync reads them again.
import { Writable } from "node:stream";
import { recordLine, recordLineStream } from "../airbyte/emitter.js";
import { ConnectorError } from "../airbyte/errors.js";
import { dataText, RecordBatch, type RecordData } from "./record-batch.js";
import type { CommitReport, LocalStore } from "./store.js";
import { ROW_GROUP_ROWS } from "./duckdb-store.js";
import { listNames, NAMES_SHOWN } from "./name-list.js";
import { finished, type ProgressTracker } from "./progress.js";

const NEWLINE = 10;

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

/** An error's first line: a database error may go on with a quote of the statement. */
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
}

/**
 * How the destination batches its commits. DuckDB writes a commit of at least a row group
 * straight to the file; smaller ones go through its write-ahead log and are
 * written again by a checkpoint, which measured about twice the time per record. So commits
 * start at a row group's worth of records: DuckDB starts working sooner than at 190,000 (a 2M
 * sync's first commit 0.5 s earlier). The partly filled row group each commit leaves is not
 * merged at close after such commits (see DuckDbStore.close).
 */
export interface BatchLimits {
  /** Records ready to commit from which a commit starts without waiting for more. */
  readonly minRecords: number;
  /** The longest a STATE waits for more records before its commit starts, in ms. */
  readonly maxWaitMs: number;
  /**
   * Records ready to commit beyond which the connector waits until their commit starts (memory
   * stays bounded: about twice this, with the commit in progress). At least minRecords, so that
   * a commit is due, and started, whenever the connector waits.
   */
  readonly maxReady: number;
}

const BATCH_LIMITS: BatchLimits = { minRecords: ROW_GROUP_ROWS, maxWaitMs: 1000, maxReady: 240_000 };

export class Destination extends Writable {
  /** Per stream, the records received since its last STATE. */
  private readonly buffers = new Map<string, RecordBatch>();
  /** Stream names by their JSON literal on RECORD lines; null: not as the emitter writes it. */
  private readonly streamNames = new Map<string, string | null>();
  /** Per stream, what the store could not keep as given, for one counted note each at the end. */
  private readonly degraded = new Map<string, Omit<CommitReport, "reread">>();
  /** Streams whose commit failed, with why: nothing more of theirs is taken; the end reports them. */
  private readonly failed = new Map<string, string>();
  /** Streams with at least one commit made: what the end may say was stored. */
  private readonly stored = new Set<string>();
  /** A failure not of one stream (output it cannot read): everything after it is dropped. */
  private broken: string | undefined;
  /** The start of a line whose end has not come yet (a copy: the writer may reuse its buffers). */
  private rest: Buffer | undefined;
  /** The opening (up to its data) of the last RECORD line taken, and its stream: most lines repeat it. */
  private lastPrefix: Buffer | undefined;
  private lastStream = "";
  /**
   * Per stream, the records its latest STATE covers and that state, waiting for the commit in
   * progress: the store works while the next records are parsed, and what arrives meanwhile is
   * committed together (one transaction per stream, its latest state), which the store does
   * faster than many small ones.
   */
  private readonly ready = new Map<string, { records: RecordBatch; state: Record<string, unknown> }>();
  private readyRecords = 0;
  /** When `ready` last went from empty to not empty (its oldest STATE waits since then, or less). */
  private readySince = 0;
  /** Starts the commit of what is ready when its oldest STATE has waited long enough. */
  private timer: NodeJS.Timeout | undefined;
  /** The connector's output has ended: whatever is ready is committed now. */
  private ending = false;
  /** Commits the ready batches, one at a time, while a commit is due; undefined when idle. */
  private draining: Promise<void> | undefined;
  /** The commit in progress, if any (its records are no longer in `ready`), and its stream. */
  private committing: Promise<void> | undefined;
  private committingStream: string | undefined;
  /**
   * Per stream, its COMPLETE or INCOMPLETE while a batch of its STATEs is ready or committing:
   * shown once that commit is done, so that the screen never says a stream is complete before
   * its records are stored (nor shows the watermark of the commit before).
   */
  private readonly endings = new Map<string, string>();

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
    } else {
      // A stream the store could not take is one of the sync's failed streams: the summary lists
      // it INCOMPLETE with this note, beside the streams that were stored (see storeFailed).
      if (this.failed.size > 0) this.tracker.note(this.failureNote());
      callback();
    }
  }

  /** Whether a stream's commit failed: the sync then fails, though the read completed the stream. */
  get storeFailed(): boolean {
    return this.failed.size > 0;
  }

  /** The streams whose commit failed, in one note. */
  private failureNote(): string {
    // Grouped by why: thousands of streams failing alike (the store out of memory) make one short line.
    // At most NAMES_SHOWN causes, in case each names its stream: the rest are counted.
    const byWhy = new Map<string, string[]>();
    for (const [stream, why] of this.failed) {
      const streams = byWhy.get(why);
      if (streams) streams.push(stream);
      else byWhy.set(why, [stream]);
    }
    const causes = [...byWhy];
    const counted = causes.slice(NAMES_SHOWN).reduce((n, [, streams]) => n + streams.length, 0);
    const which =
      causes
        .slice(0, NAMES_SHOWN)
        .map(([why, streams]) => `${listNames(streams)} (${why})`)
        .join("; ") + (counted > 0 ? `; and ${counted} more for other causes` : "");
    // Every stream can fail at once (a full disk): then none was stored.
    const others = [...this.stored].some((s) => !this.failed.has(s))
      ? "the other streams were stored"
      : "no other stream stored anything";
    return `could not store ${which} in ${this.store.location}; ${others}, and the next sync retries these from their last stored state`;
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
    const out = new Map([...this.buffers].map(([s, b]) => [s, b.count]));
    for (const [s, r] of this.ready) out.set(s, (out.get(s) ?? 0) + r.records.count);
    return out;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.broken !== undefined) {
      callback();
      return;
    }
    const done = this.handle(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk);
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
      this.readyRecords -= batch.records.count;
      this.committingStream = stream;
      this.committing = this.commit(stream, batch.records, batch.state);
      await this.committing;
      this.committingStream = undefined;
      this.showEnding(stream);
    }
    this.committing = undefined;
    this.draining = undefined;
    this.kick();
  }

  private async commit(stream: string, records: RecordBatch, state: Record<string, unknown>): Promise<void> {
    // An earlier commit of the stream failed while this batch was being filled.
    if (this.failed.has(stream)) return;
    let report: CommitReport;
    try {
      report = await this.store.commit(stream, records, state);
    } catch (err) {
      // This stream stops here (its stored state stays where it was); the others go on.
      this.failed.set(stream, firstLine(err));
      this.buffers.delete(stream);
      this.tracker.failed(stream);
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
    this.stored.add(stream);
    this.tracker.committed(stream, report.stored ?? records.count, state, report.reread);
  }

  /** Whether a batch of the stream's STATEs waits for its commit or is being committed. */
  private awaitingCommit(stream: string): boolean {
    return this.ready.has(stream) || this.committingStream === stream;
  }

  /** Shows the stream's held COMPLETE or INCOMPLETE once none of its batches waits (a failed commit showed INCOMPLETE). */
  private showEnding(stream: string): void {
    const status = this.endings.get(stream);
    if (status === undefined || this.awaitingCommit(stream)) return;
    this.endings.delete(stream);
    if (!this.failed.has(stream)) this.tracker.status(stream, status);
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

  /** The stream of a RECORD line in bytes[start, end) that opens as the emitter writes it. */
  private recordStream(bytes: Buffer, start: number, end: number): string | undefined {
    const last = this.lastPrefix;
    if (
      last !== undefined &&
      end - start > last.length &&
      bytes.compare(last, 0, last.length, start, start + last.length) === 0
    )
      return this.lastStream;
    const at = recordLineStream(bytes, start, end);
    const stream = at && this.streamName(bytes.toString("utf8", at.from, at.to));
    if (at === undefined || stream === undefined) return undefined;
    this.lastPrefix = Buffer.from(bytes.subarray(start, at.data));
    this.lastStream = stream;
    return stream;
  }

  /** Takes `count` whole RECORD lines of the stream (copied: the writer may reuse its buffer). */
  private received(stream: string, lines: Buffer, count: number): void {
    if (this.failed.has(stream)) return;
    let batch = this.buffers.get(stream);
    if (!batch) {
      batch = new RecordBatch();
      this.buffers.set(stream, batch);
    }
    batch.add(Buffer.from(lines), count);
    this.tracker.received(stream, count);
  }

  /**
   * Takes the lines of the chunk: runs of RECORD lines of one stream as the emitter writes them
   * are taken as bytes, as they are (most of the output); any other line is parsed.
   */
  private async handle(chunk: Buffer): Promise<void> {
    const bytes = this.rest === undefined ? chunk : Buffer.concat([this.rest, chunk]);
    this.rest = undefined;
    let runStream: string | undefined;
    let runStart = 0;
    let runCount = 0;
    let at = 0;
    while (at < bytes.length) {
      const end = bytes.indexOf(NEWLINE, at);
      if (end < 0) {
        this.rest = Buffer.from(bytes.subarray(at));
        break;
      }
      const stream = this.recordStream(bytes, at, end);
      if (stream !== undefined && stream === runStream) runCount++;
      else {
        if (runStream !== undefined) this.received(runStream, bytes.subarray(runStart, at), runCount);
        runStream = stream;
        runStart = at;
        runCount = 1;
        if (stream === undefined && end > at) await this.message(bytes.toString("utf8", at, end));
      }
      at = end + 1;
    }
    if (runStream !== undefined) this.received(runStream, bytes.subarray(runStart, at), runCount);
  }

  /** A line other than a RECORD in the emitter's form. */
  private async message(line: string): Promise<void> {
    const msg = JSON.parse(line) as Message;
    if (msg.type === "RECORD" && msg.record) {
      const { stream, data } = msg.record;
      this.received(stream, Buffer.from(`${recordLine(stream, dataText(data), 0)}\n`), 1);
    } else if (msg.type === "STATE" && msg.state?.stream) {
      const stream = msg.state.stream.stream_descriptor.name;
      if (this.failed.has(stream)) return;
      const records = this.buffers.get(stream) ?? new RecordBatch();
      this.buffers.delete(stream);
      if (this.ready.size === 0) this.readySince = this.clock();
      const ready = this.ready.get(stream);
      if (ready === undefined) this.ready.set(stream, { records, state: msg.state.stream.stream_state });
      else {
        ready.records.append(records);
        ready.state = msg.state.stream.stream_state;
      }
      this.readyRecords += records.count;
      this.kick();
      // Memory stays bounded: beyond maxReady, the connector waits until the ready records' commit
      // starts, not until the store is idle, so that it reads while the store writes (waiting for
      // the whole drain left one of them idle at a time: a 2M-event sync used 1.15 of 2 cores).
      while (this.readyRecords > this.limits.maxReady && this.committing !== undefined) await this.committing;
    } else if (msg.type === "TRACE" && msg.trace?.type === "STREAM_STATUS" && msg.trace.stream_status) {
      const stream = msg.trace.stream_status.stream_descriptor.name;
      const status = msg.trace.stream_status.status;
      if (this.failed.has(stream)) return;
      if (finished(status) && this.awaitingCommit(stream)) {
        this.endings.set(stream, status);
        this.tracker.storing(stream);
      } else this.tracker.status(stream, status);
    } else if (msg.type === "TRACE" && msg.trace?.type === "ERROR" && msg.trace.error) {
      const where = msg.trace.error.stream_descriptor?.name;
      if (where !== undefined) this.tracker.failed(where);
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
