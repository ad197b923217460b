// The only writer of stdout: serializes protocol messages one per line, in batches, with
// back-pressure, and keeps per-stream record counts for STATE sourceStats. A batch waits at most
// FLUSH_DELAY_MS: a STATE must reach the platform promptly, not when 64 KB have gathered.
import type { Writable } from "node:stream";
import type { ConnectorError } from "./errors.js";
import type { AirbyteMessage, AirbyteRecordMessage, AirbyteStreamStatus } from "./protocol.js";

const FLUSH_BYTES = 64 * 1024;
const FLUSH_DELAY_MS = 200;
/** A slice of encoded records: FLUSH_BYTES and room for its last record (a larger one gets a larger slice). */
const SLICE_BYTES = FLUSH_BYTES + 4 * 1024;
/** Slices written out are reused (fewer buffers for GC to free; measured: RSS); at most this many wait. */
const SPARE_SLICES = 8;

export type LogLevel = "FATAL" | "ERROR" | "WARN" | "INFO" | "DEBUG" | "TRACE";

// A RECORD line of serializedRecords is a per-stream prefix, the data's JSON text and a suffix,
// so a reader in the same process (sync's destination) can take the data's text without parsing.
const RECORD_HEAD = '{"type":"RECORD","record":{"stream":';
const DATA_KEY = ',"data":';
const EMITTED_AT_KEY = ',"emitted_at":';
const QUOTE = 34;
const BACKSLASH = 92;

/** What precedes a record's data on a RECORD line of `stream`. */
function recordLinePrefix(stream: string): string {
  return `${RECORD_HEAD}${JSON.stringify(stream)}${DATA_KEY}`;
}

/** What follows a record's data on a RECORD line (without the line break). */
function recordLineSuffix(emittedAt: number): string {
  return `${EMITTED_AT_KEY}${emittedAt}}}`;
}

/** A RECORD line as serializedRecords writes it (without the line break), for a record's data text. */
export function recordLine(stream: string, data: string, emittedAt: number): string {
  return `${recordLinePrefix(stream)}${data}${recordLineSuffix(emittedAt)}`;
}

const RECORD_HEAD_BYTES = Buffer.from(RECORD_HEAD);
/** The closing quote of the stream's name and the key after it: inside the name, every quote is escaped. */
const STREAM_END_BYTES = Buffer.from(`"${DATA_KEY}`);

/**
 * Where the stream's name (a JSON string literal) of a RECORD line in bytes[start, end) begins
 * and ends, and where its data begins, when the line opens as serializedRecords writes it;
 * undefined otherwise. Only the opening is looked at: the rest is the reader's to check.
 */
export function recordLineStream(
  bytes: Buffer,
  start: number,
  end: number,
): { readonly from: number; readonly to: number; readonly data: number } | undefined {
  const from = start + RECORD_HEAD_BYTES.length;
  if (from >= end || bytes[from] !== QUOTE) return undefined;
  if (bytes.compare(RECORD_HEAD_BYTES, 0, RECORD_HEAD_BYTES.length, start, from) !== 0) return undefined;
  const close = bytes.indexOf(STREAM_END_BYTES, from + 1);
  if (close < 0 || close + STREAM_END_BYTES.length > end) return undefined;
  return { from, to: close + 1, data: close + STREAM_END_BYTES.length };
}

/** Index just past the string literal opening at i; -1 if it does not end. */
function stringEnd(t: string, i: number): number {
  for (let q = t.indexOf('"', i + 1); q >= 0; q = t.indexOf('"', q + 1)) {
    let backslashes = 0;
    for (let k = q - 1; t.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return q + 1;
  }
  return -1;
}

/** Whether t[start, end) is one object: its "{" at start, the "}" closing it at end - 1 (brackets balanced, strings skipped). */
function isOneObject(t: string, start: number, end: number): boolean {
  if (t.charCodeAt(start) !== 123) return false;
  let depth = 0;
  for (let k = start; k < end; k++) {
    const c = t.charCodeAt(k);
    if (c === QUOTE) {
      const after = stringEnd(t, k);
      if (after < 0 || after > end) return false;
      k = after - 1;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) {
      depth--;
      if (depth === 0) return k === end - 1;
    }
  }
  return false;
}

/**
 * A RECORD line exactly as serializedRecords writes it, split: the stream's name as a JSON string
 * literal (its prefix's) and the data's JSON text. undefined for any other line (another message,
 * other members or spacing, another escaping of the stream's name); such a line is to be parsed.
 * The data is checked to be one object ending where the suffix begins, never a slice of more.
 */
export function splitRecordLine(line: string): { readonly streamJson: string; readonly data: string } | undefined {
  if (!line.startsWith(RECORD_HEAD) || line.charCodeAt(RECORD_HEAD.length) !== QUOTE) return undefined;
  const streamEnd = stringEnd(line, RECORD_HEAD.length);
  if (streamEnd < 0 || !line.startsWith(DATA_KEY, streamEnd)) return undefined;
  const dataStart = streamEnd + DATA_KEY.length;
  const suffixAt = line.lastIndexOf(EMITTED_AT_KEY);
  if (suffixAt <= dataStart || !line.endsWith("}}")) return undefined;
  const digitsEnd = line.length - 2;
  if (digitsEnd === suffixAt + EMITTED_AT_KEY.length) return undefined;
  for (let k = suffixAt + EMITTED_AT_KEY.length; k < digitsEnd; k++) {
    const c = line.charCodeAt(k);
    if (c < 48 || c > 57) return undefined;
  }
  if (!isOneObject(line, dataStart, suffixAt)) return undefined;
  return { streamJson: line.slice(RECORD_HEAD.length, streamEnd), data: line.slice(dataStart, suffixAt) };
}

/**
 * A page of records whose data is given as bytes and ASCII text, written into the output bytes
 * as they are: no record is ever built as a string, then encoded to UTF-8 when written (measured,
 * npm run bench scenario 2: that building, flattening and encoding was a quarter of the CPU).
 * Record i's data is `head`, then `middles[i]`, then its tail.
 */
export interface EncodedRecords {
  /** The same opening of every record's data. */
  readonly head: Buffer;
  /** ASCII only (each character is written as one byte). */
  readonly middles: readonly string[];
  /** One closing for every record, or one text per record (any, written as UTF-8). */
  readonly tails: Buffer | readonly string[];
}

export class Emitter {
  private chunks: (string | Buffer)[] = [];
  private pendingBytes = 0;
  private drained: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private sealed = false;
  private readonly sinceState = new Map<string, number>();
  private readonly totals = new Map<string, number>();
  private readonly recordPrefix = new Map<string, string>();
  private readonly recordPrefixBytes = new Map<string, Buffer>();
  private readonly spareSlices: ArrayBuffer[] = [];
  private readonly running = new Set<string>();

  constructor(
    private readonly out: Writable,
    /** Removes secret values from human-readable text before it is written. */
    private readonly redact: (text: string) => string = (t) => t,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Writes any protocol message. */
  message(msg: AirbyteMessage): void {
    this.push(`${JSON.stringify(msg)}\n`);
  }

  /**
   * Writes a page of records of one stream, each record's data already serialized as JSON;
   * resolves when the consumer can take more. Written in slices, each once the consumer took the
   * previous one, so little waits behind a slow consumer; after `signal` aborts, the rest of the
   * page is not written and the abort reason is thrown (the page was not delivered whole).
   */
  async serializedRecords(stream: string, data: readonly string[], signal?: AbortSignal): Promise<void> {
    if (data.length === 0) return;
    this.markRunning(stream);
    const prefix = this.prefixOf(stream);
    const suffix = this.recordSuffix();
    let text = "";
    let count = 0;
    for (const d of data) {
      text += prefix + d + suffix;
      count++;
      if (text.length >= FLUSH_BYTES) {
        await this.recordSlice(stream, text, count, signal);
        text = "";
        count = 0;
      }
    }
    if (count > 0) await this.recordSlice(stream, text, count, signal);
    if (this.drained) await this.drained;
  }

  /**
   * serializedRecords for data given as bytes and ASCII text: the same lines, in slices of the
   * same size, with the same back-pressure and cancellation.
   */
  async encodedRecords(stream: string, data: EncodedRecords, signal?: AbortSignal): Promise<void> {
    const { head, middles, tails } = data;
    if (middles.length === 0) return;
    this.markRunning(stream);
    let prefix = this.recordPrefixBytes.get(stream);
    if (prefix === undefined) {
      prefix = Buffer.from(this.prefixOf(stream));
      this.recordPrefixBytes.set(stream, prefix);
    }
    const open = Buffer.concat([prefix, head]);
    const suffix = Buffer.from(this.recordSuffix());
    const close = Buffer.isBuffer(tails) ? Buffer.concat([tails, suffix]) : undefined;
    const perTail = close === undefined ? (tails as readonly string[]) : undefined;
    let slice = this.newSlice();
    let at = 0;
    let count = 0;
    for (let i = 0; i < middles.length; i++) {
      const middle = middles[i]!;
      const tail = perTail?.[i];
      // At most 3 bytes per UTF-16 unit in UTF-8.
      const room = open.length + middle.length + (tail === undefined ? close!.length : 3 * tail.length + suffix.length);
      if (at + room > slice.length) {
        const larger = Buffer.allocUnsafe(Math.max(at + room, SLICE_BYTES));
        slice.copy(larger, 0, 0, at);
        slice = larger;
      }
      at += open.copy(slice, at);
      at += slice.write(middle, at, "latin1");
      if (tail === undefined) at += close!.copy(slice, at);
      else {
        at += slice.write(tail, at, "utf8");
        at += suffix.copy(slice, at);
      }
      count++;
      if (at >= FLUSH_BYTES) {
        await this.recordSlice(stream, slice.subarray(0, at), count, signal);
        slice = this.newSlice();
        at = 0;
        count = 0;
      }
    }
    if (count > 0) await this.recordSlice(stream, slice.subarray(0, at), count, signal);
    if (this.drained) await this.drained;
  }

  private newSlice(): Buffer {
    const spare = this.spareSlices.pop();
    return spare === undefined ? Buffer.allocUnsafeSlow(SLICE_BYTES) : Buffer.from(spare);
  }

  /** Writes a chunk; a slice of encoded records is reused once the stream is done with it. */
  private write(chunk: string | Buffer): boolean {
    if (typeof chunk === "string" || chunk.buffer.byteLength !== SLICE_BYTES) return this.out.write(chunk);
    return this.out.write(chunk, () => {
      if (this.spareSlices.length < SPARE_SLICES) this.spareSlices.push(chunk.buffer as ArrayBuffer);
    });
  }

  private prefixOf(stream: string): string {
    let prefix = this.recordPrefix.get(stream);
    if (prefix === undefined) {
      prefix = recordLinePrefix(stream);
      this.recordPrefix.set(stream, prefix);
    }
    return prefix;
  }

  private recordSuffix(): string {
    return `${recordLineSuffix(this.clock())}\n`;
  }

  private async recordSlice(
    stream: string,
    text: string | Buffer,
    count: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    // Wait before adding to a full pipe: concurrent windows then leave at most about one slice
    // queued behind the consumer, which a cancelled run must still write out before it exits.
    while (this.drained) await this.drained;
    signal?.throwIfAborted();
    this.count(stream, count);
    this.push(text);
  }

  /** One record built by the caller (e.g. a file reference). */
  record(record: AirbyteRecordMessage): void {
    this.markRunning(record.stream);
    this.count(record.stream, 1);
    this.message({ type: "RECORD", record });
  }

  private markRunning(stream: string): void {
    if (this.running.has(stream)) return;
    // Protocol: RUNNING once, just before a stream's first record.
    this.running.add(stream);
    this.status(stream, "RUNNING");
  }

  private count(stream: string, n: number): void {
    this.sinceState.set(stream, (this.sinceState.get(stream) ?? 0) + n);
    this.totals.set(stream, (this.totals.get(stream) ?? 0) + n);
  }

  /** A STREAM state with the number of records of that stream since its previous state. */
  state(stream: string, blob: object): void {
    const count = this.sinceState.get(stream) ?? 0;
    this.sinceState.set(stream, 0);
    this.message({
      type: "STATE",
      state: {
        type: "STREAM",
        stream: { stream_descriptor: { name: stream }, stream_state: blob as Record<string, unknown> },
        sourceStats: { recordCount: count },
      },
    });
  }

  status(stream: string, status: AirbyteStreamStatus): void {
    this.message({
      type: "TRACE",
      trace: {
        type: "STREAM_STATUS",
        emitted_at: this.clock(),
        stream_status: { stream_descriptor: { name: stream }, status },
      },
    });
  }

  error(err: ConnectorError, stream?: string): void {
    const cause = err.cause instanceof Error ? err.cause : undefined;
    this.message({
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: this.clock(),
        error: {
          message: this.redact(err.message),
          internal_message: this.redact(err.internalMessage ?? cause?.message ?? err.message),
          stack_trace: this.redact(cause?.stack ?? err.stack ?? ""),
          failure_type: err.failureType,
          ...(stream !== undefined ? { stream_descriptor: { name: stream } } : {}),
        },
      },
    });
  }

  log(level: LogLevel, text: string): void {
    this.message({ type: "LOG", log: { level, message: this.redact(text) } });
  }

  redactText(text: string): string {
    return this.redact(text);
  }

  recordsEmitted(stream: string): number {
    return this.totals.get(stream) ?? 0;
  }

  /** Writes what is buffered and waits until the consumer took it. */
  async flush(): Promise<void> {
    this.writeOut();
    while (this.drained) await this.drained;
    // Below the stream's high-water mark some text may still wait for the pipe: an empty write's
    // callback comes after it has gone (a process that exits next must not cut a line off).
    if (this.out.writableLength > 0) await new Promise<void>((resolve) => this.out.write("", () => resolve()));
  }

  /**
   * The last flush before a cancelled process exits: what abandoned work (a request that still
   * answers) would write later is dropped, so no line can be cut off by the exit.
   */
  async seal(): Promise<void> {
    await this.flush();
    this.sealed = true;
  }

  private push(text: string | Buffer): void {
    if (this.sealed) return;
    this.chunks.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= FLUSH_BYTES) this.writeOut();
    else this.flushTimer ??= setTimeout(() => this.writeOut(), FLUSH_DELAY_MS).unref();
  }

  private writeOut(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.chunks.length === 0) return;
    const chunks = this.chunks;
    this.chunks = [];
    this.pendingBytes = 0;
    let full: boolean;
    if (chunks.length === 1) full = !this.write(chunks[0]!);
    else if (chunks.every((c) => typeof c === "string")) full = !this.out.write(chunks.join(""));
    else {
      // Text and bytes: one write of the stream (writev), not one per chunk.
      full = false;
      this.out.cork();
      for (const c of chunks) full = !this.write(c);
      this.out.uncork();
    }
    if (full && !this.drained) {
      this.drained = new Promise<void>((resolve) =>
        this.out.once("drain", () => {
          this.drained = undefined;
          resolve();
        }),
      );
    }
  }
}
