// The file sink: a file's RECORD comes only once its bytes are on disk, with their size and count
// and the injected clock's time; writing leaves the event loop free; a crashed attempt's file is
// replaced, not appended to.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Writable } from "node:stream";
import { Emitter } from "../../src/airbyte/emitter.js";
import type { LogEvent } from "../../src/domain/logs.js";
import { DAY_MS } from "../../src/domain/time.js";
import { fileSink } from "../../src/sinks/files.js";

interface FileRecord {
  emitted_at: number;
  data: { file_relative_path: string; file_size_bytes: number; event_count: number; last_event_timestamp: number };
  file_reference: { staging_file_url: string; file_size_bytes: number };
}

const DAY = 20_000 * DAY_MS;

function event(timestamp: number, message: string, logStreamName = "web/1"): LogEvent {
  return { logStreamName, timestamp, ingestionTime: timestamp, message, eventId: String(timestamp) };
}

function setup(rangeStart = DAY) {
  const directory = mkdtempSync(join(tmpdir(), "cwl-file-sink-"));
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      lines.push(
        ...String(chunk)
          .split("\n")
          .filter((l) => l !== ""),
      );
      cb();
    },
  });
  const emitter = new Emitter(
    out,
    (t) => t,
    () => 1,
  );
  const sink = fileSink({ emitter, stream: "app", logGroupName: "/app", directory, rangeStart, now: () => 42 });
  const records = async (): Promise<FileRecord[]> => {
    await emitter.flush();
    return lines
      .map((l) => JSON.parse(l) as { type: string; record?: FileRecord })
      .flatMap((m) => (m.type === "RECORD" && m.record ? [m.record] : []));
  };
  return { directory, sink, records, done: () => rmSync(directory, { recursive: true, force: true }) };
}

describe("file sink", () => {
  test("announces a finished day's file with the bytes on disk, its count, and the injected clock", async () => {
    const s = setup();
    try {
      await s.sink.deliver([
        event(DAY + 1, "first"),
        event(DAY + 2, "caf\u00e9 \ud800\n"),
        event(DAY + DAY_MS + 5, "next day"),
      ]);
      await s.sink.deliver([event(DAY + 3, "third")]);
      assert.deepEqual(await s.records(), [], "nothing announced before the state may pass the file");
      const held = s.sink.commit(DAY + DAY_MS + 10);
      assert.equal(held, DAY + DAY_MS, "the state is held at the open file of the next day");
      const [r, ...more] = await s.records();
      assert.ok(r);
      assert.equal(more.length, 0);
      const path = join(s.directory, r.data.file_relative_path);
      assert.equal(r.file_reference.staging_file_url, path);
      assert.equal(readFileSync(path, "utf8"), "first\ncaf\u00e9 \ufffd\nthird\n");
      assert.equal(r.data.file_size_bytes, statSync(path).size);
      assert.equal(r.file_reference.file_size_bytes, statSync(path).size);
      assert.equal(r.data.event_count, 3);
      assert.equal(r.data.last_event_timestamp, DAY + 3);
      assert.equal(r.emitted_at, 42, "emitted_at comes from the injected clock");
      assert.equal(s.sink.close(DAY + 2 * DAY_MS), DAY + 2 * DAY_MS);
      assert.equal((await s.records()).length, 2, "close announces the open file");
    } finally {
      s.done();
    }
  });

  test("writes without holding the event loop: other work runs while a page is written", async () => {
    const s = setup();
    try {
      let ran = false;
      setImmediate(() => (ran = true));
      await s.sink.deliver([event(DAY + 1, "a"), event(DAY + 2, "b", "web/2")]);
      assert.ok(ran, "a callback queued before deliver() ran before its writes finished");
    } finally {
      s.done();
    }
  });

  test("a page spread over many files: each file has its own lines, in order", async () => {
    const s = setup();
    try {
      const events = Array.from({ length: 300 }, (_, i) => event(DAY + i, `line ${i}`, `web/${i % 23}`));
      await s.sink.deliver(events.slice(0, 150));
      await s.sink.deliver(events.slice(150));
      s.sink.close(DAY + DAY_MS);
      const records = await s.records();
      assert.equal(records.length, 23);
      for (const r of records) {
        const text = readFileSync(join(s.directory, r.data.file_relative_path), "utf8");
        const stream = Number(/^web_(\d+)\//.exec(r.data.file_relative_path)?.[1]);
        const want = events.filter((_, i) => i % 23 === stream).map((e) => `${e.message}\n`);
        assert.equal(text, want.join(""), r.data.file_relative_path);
        assert.equal(r.data.event_count, want.length);
      }
    } finally {
      s.done();
    }
  });

  test("a file left by a crashed attempt at the same range is replaced, not appended to", async () => {
    const s = setup(DAY + 7);
    try {
      const stale = join(s.directory, "web_1", new Date(DAY).toISOString().slice(0, 10), `${DAY + 7}.log`);
      mkdirSync(dirname(stale), { recursive: true });
      writeFileSync(stale, "left by a crash\n");
      await s.sink.deliver([event(DAY + 8, "again")]);
      s.sink.close(DAY + DAY_MS);
      const [r] = await s.records();
      assert.ok(r);
      assert.equal(join(s.directory, r.data.file_relative_path), stale);
      assert.equal(readFileSync(stale, "utf8"), "again\n");
    } finally {
      s.done();
    }
  });
});
