// File transfer: events are appended to raw log files, one per log stream and UTC day (one
// message per line), in the staging directory. A file is announced with a RECORD carrying a
// file_reference once every event of it is written; the state never passes an unannounced file.
// Files are written asynchronously (the event loop stays free for the other streams' requests).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Emitter } from "../airbyte/emitter.js";
import type { LogEvent } from "../domain/logs.js";
import { DAY_MS } from "../domain/time.js";
import { fileSegment } from "./file-names.js";
import type { EventSink } from "./sink.js";

/** Where Airbyte expects staged files (the same variable as Airbyte's file-based connectors). */
export function stagingDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.AIRBYTE_STAGING_DIRECTORY ?? "/staging/files";
}

interface OpenFile {
  readonly relativePath: string;
  readonly logStreamName: string;
  readonly day: number;
  /** First millisecond the file covers: its events all lie in [coverageStart, day end). */
  readonly coverageStart: number;
  /** The file was made (or emptied) for this sync by its first write. */
  written: boolean;
  /** Bytes written; the file holds nothing else, so this is its size. */
  size: number;
  /** Of the events written. */
  events: number;
  first: number;
  last: number;
}

/** A page's lines for one file, counted in the file once they are written. */
interface Batch {
  readonly lines: string[];
  first: number;
  last: number;
}

/** Files written at once (libuv's default thread pool runs four file operations at a time). */
const WRITERS = 4;

function isoDay(dayStart: number): string {
  return new Date(dayStart).toISOString().slice(0, 10);
}

export interface FileSinkOptions {
  readonly emitter: Emitter;
  readonly stream: string;
  readonly logGroupName: string;
  /** The stream's folder inside the staging directory. */
  readonly directory: string;
  /** Where this sync starts reading: the first file of each log stream covers from here. */
  readonly rangeStart: number;
  /** The clock of the file records' emitted_at. */
  readonly now: () => number;
}

export function fileSink(options: FileSinkOptions): EventSink {
  const { emitter, stream, logGroupName, directory, rangeStart, now } = options;
  const open = new Map<string, OpenFile>();

  /** Appends the text to the file; its first write replaces a file left by a crashed attempt of the same range. */
  const write = async (f: OpenFile, batch: Batch): Promise<void> => {
    const path = join(directory, f.relativePath);
    const text = batch.lines.join("");
    if (!f.written) await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, { flag: f.written ? "a" : "w" });
    f.written = true;
    f.size += Buffer.byteLength(text);
    f.events += batch.lines.length;
    f.first = Math.min(f.first, batch.first);
    f.last = Math.max(f.last, batch.last);
  };

  const announce = (f: OpenFile) => {
    open.delete(`${f.logStreamName}\u0000${f.day}`);
    // Nothing of it was written (its first write failed, and with it the stream): no file to hand over.
    if (!f.written) return;
    const absolute = join(directory, f.relativePath);
    emitter.record({
      stream,
      emitted_at: now(),
      data: {
        file_relative_path: f.relativePath,
        file_size_bytes: f.size,
        logGroupName,
        logStreamName: f.logStreamName,
        date: isoDay(f.day),
        event_count: f.events,
        first_event_timestamp: f.first,
        last_event_timestamp: f.last,
      },
      file_reference: {
        staging_file_url: absolute,
        source_file_relative_path: f.relativePath,
        file_size_bytes: f.size,
      },
    });
  };

  const fileFor = (e: LogEvent): OpenFile => {
    const day = Math.floor(e.timestamp / DAY_MS) * DAY_MS;
    const key = `${e.logStreamName}\u0000${day}`;
    let f = open.get(key);
    if (!f) {
      // Named by the first millisecond it covers, so a re-read after a crash overwrites the same
      // file and the next sync's part of the same day gets a file of its own.
      const coverageStart = Math.max(day, rangeStart);
      const relativePath = `${fileSegment(e.logStreamName)}/${isoDay(day)}/${coverageStart}.log`;
      f = {
        relativePath,
        logStreamName: e.logStreamName,
        day,
        coverageStart,
        written: false,
        size: 0,
        events: 0,
        first: e.timestamp,
        last: e.timestamp,
      };
      open.set(key, f);
    }
    return f;
  };

  return {
    maxWindowsInFlight: 1,
    // Every line of the page is written before this resolves (one write per file): the reader
    // waits for the disk, and a file is complete on disk whenever commit() may announce it.
    async deliver(events) {
      const batches = new Map<OpenFile, Batch>();
      for (const e of events) {
        const f = fileFor(e);
        const line = e.message.endsWith("\n") ? e.message : `${e.message}\n`;
        const batch = batches.get(f);
        if (batch) {
          batch.lines.push(line);
          batch.first = Math.min(batch.first, e.timestamp);
          batch.last = Math.max(batch.last, e.timestamp);
        } else {
          batches.set(f, { lines: [line], first: e.timestamp, last: e.timestamp });
        }
      }
      // A few files at a time (each write holds a descriptor while it runs), and every write
      // finished, failed or not, before deliver() returns: none may still run after it failed.
      const queue = batches.entries(); // shared by the writers: each takes the next file
      let failure: { readonly reason: unknown } | undefined;
      const writer = async () => {
        for (const [f, batch] of queue) {
          await write(f, batch).catch((reason: unknown) => {
            failure ??= { reason };
          });
        }
      };
      await Promise.all(Array.from({ length: Math.min(WRITERS, batches.size) }, writer));
      if (failure) throw failure.reason;
    },
    commit(watermark) {
      let held = watermark;
      for (const f of [...open.values()]) {
        if (f.day + DAY_MS <= watermark) announce(f);
        else held = Math.min(held, f.coverageStart);
      }
      return held;
    },
    close(watermark) {
      for (const f of [...open.values()]) announce(f);
      return watermark;
    },
  };
}
