// File transfer: events are appended to raw log files, one per log stream and UTC day (one
// message per line), in the staging directory. A file is announced with a RECORD carrying a
// file_reference once every event of it is written; the state never passes an unannounced file.
import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Emitter } from "../airbyte/emitter.js";
import type { LogEvent } from "../domain/logs.js";
import { DAY_MS } from "../engine/plan.js";
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
  pending: string[];
  pendingBytes: number;
  events: number;
  first: number;
  last: number;
}

const FLUSH_BYTES = 256 * 1024;

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
}

export function fileSink(options: FileSinkOptions): EventSink {
  const { emitter, stream, logGroupName, directory, rangeStart } = options;
  const open = new Map<string, OpenFile>();

  const flush = (f: OpenFile) => {
    if (f.pending.length === 0) return;
    const path = join(directory, f.relativePath);
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, f.pending.join(""));
    f.pending = [];
    f.pendingBytes = 0;
  };

  const announce = (f: OpenFile) => {
    flush(f);
    open.delete(`${f.logStreamName}\u0000${f.day}`);
    const absolute = join(directory, f.relativePath);
    const size = statSync(absolute).size;
    emitter.record({
      stream,
      emitted_at: Date.now(),
      data: {
        file_relative_path: f.relativePath,
        file_size_bytes: size,
        logGroupName,
        logStreamName: f.logStreamName,
        date: isoDay(f.day),
        event_count: f.events,
        first_event_timestamp: f.first,
        last_event_timestamp: f.last,
      },
      file_reference: { staging_file_url: absolute, source_file_relative_path: f.relativePath, file_size_bytes: size },
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
        pending: [],
        pendingBytes: 0,
        events: 0,
        first: e.timestamp,
        last: e.timestamp,
      };
      open.set(key, f);
      // A file left by a crashed attempt of this same range is replaced, not appended to.
      mkdirSync(dirname(join(directory, relativePath)), { recursive: true });
      appendFileSync(join(directory, relativePath), "", { flag: "w" });
    }
    return f;
  };

  return {
    maxWindowsInFlight: 1,
    async deliver(events) {
      for (const e of events) {
        const f = fileFor(e);
        const line = e.message.endsWith("\n") ? e.message : `${e.message}\n`;
        f.pending.push(line);
        f.pendingBytes += line.length;
        f.events++;
        f.first = Math.min(f.first, e.timestamp);
        f.last = Math.max(f.last, e.timestamp);
        if (f.pendingBytes >= FLUSH_BYTES) flush(f);
      }
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
