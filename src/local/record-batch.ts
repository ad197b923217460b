// A stream's records between two of its STATEs, as the connector wrote them: whole RECORD lines
// in buffers. Kept as bytes, outside the JS heap, until their commit: a store that reads lines
// itself (DuckDB) never turns them into strings, and garbage collection never copies them.
import { recordLine, splitRecordLine } from "../airbyte/emitter.js";
import type { EventRecord } from "../domain/record.js";
import { messageJsonText } from "../sinks/records.js";

/** A record's data as parsed from its line. */
export type RecordData = EventRecord & { readonly message_json?: unknown };

const NEWLINE = 10;

/**
 * The data's JSON text of a parsed record (a line not in the emitter's form). The parsed
 * message_json is a JS round trip (big numbers rounded, duplicate keys dropped, too deep to
 * serialize again); its text is the message's own, which the records sink spliced in, so it is
 * taken from there.
 */
export function dataText(data: RecordData): string {
  if (data.message_json === undefined) return JSON.stringify(data);
  const { message_json: json, ...fields } = data;
  const text = json === null ? "null" : messageJsonText(data.message);
  return `${JSON.stringify(fields).slice(0, -1)},"message_json":${text}}`;
}

export class RecordBatch {
  /** Each a run of whole lines, each line a RECORD with its line break. */
  private readonly runs: Buffer[] = [];
  private records = 0;

  /** A batch of records given by their data's JSON text (as RECORD lines of `stream`). */
  static ofData(stream: string, texts: readonly string[]): RecordBatch {
    const batch = new RecordBatch();
    if (texts.length > 0)
      batch.add(Buffer.from(texts.map((t) => `${recordLine(stream, t, 0)}\n`).join("")), texts.length);
    return batch;
  }

  get count(): number {
    return this.records;
  }

  /** The lines, in order. */
  get lines(): readonly Buffer[] {
    return this.runs;
  }

  /** Takes `count` whole lines (the buffer is the batch's from now on). */
  add(lines: Buffer, count: number): void {
    this.runs.push(lines);
    this.records += count;
  }

  /** Takes the other batch's records after this one's. */
  append(other: RecordBatch): void {
    for (const run of other.runs) this.runs.push(run);
    this.records += other.records;
  }

  /** Whether any line holds `text` (an ASCII text no line break can split). */
  includes(text: string): boolean {
    return this.runs.some((run) => run.includes(text));
  }

  /** Each record's data as the JSON text the connector wrote (parsed only for a line in another form). */
  dataTexts(): string[] {
    const texts: string[] = [];
    for (const run of this.runs) {
      for (let at = 0; at < run.length; ) {
        let end = run.indexOf(NEWLINE, at);
        if (end < 0) end = run.length;
        const line = run.toString("utf8", at, end);
        texts.push(
          splitRecordLine(line)?.data ?? dataText((JSON.parse(line) as { record: { data: RecordData } }).record.data),
        );
        at = end + 1;
      }
    }
    return texts;
  }
}
