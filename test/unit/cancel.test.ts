// Cancellation in-process: the scheduler starts nothing after the abort and ends open streams
// with the reason; the emitter writes a lone message without waiting for a full batch, and stops
// a page of records part way once cancelled (saying so, so the page is not taken as delivered).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { Cancelled, isCancelled, unlessCancelled } from "../../src/engine/cancel.js";
import { Emitter } from "../../src/airbyte/emitter.js";
import type { Window } from "../../src/engine/plan.js";
import type { StreamReader } from "../../src/engine/reader.js";
import { runStreams, type StreamTask } from "../../src/engine/scheduler.js";

/** A reader of 100 windows; `onRead` sees the count of windows read so far. */
function fakeReader(onRead: (n: number) => void): StreamReader {
  const WINDOWS = 100;
  let reads = 0;
  let taken = 0;
  const fake = {
    take: (): Window | undefined =>
      taken < WINDOWS ? ({ start: taken * 1000, end: ++taken * 1000 } as Window) : undefined,
    read: async () => {
      await new Promise((r) => setImmediate(r));
      onRead(++reads);
    },
    isSettled: () => reads === WINDOWS,
    failed: () => undefined,
  };
  return fake as unknown as StreamReader;
}

describe("scheduler cancellation", () => {
  test("no stream starts and no window is read after the abort; open streams end with the reason", {
    timeout: 10_000,
  }, async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const ended = new Map<string, unknown>();
    let readsAfterAbort = 0;
    const task = (name: string): StreamTask => ({
      name,
      async start() {
        started.push(name);
        return fakeReader((n) => {
          if (controller.signal.aborted) readsAfterAbort++;
          if (name === "a" && n === 3) controller.abort(new Cancelled("SIGTERM"));
        });
      },
      end: (_reader, failure) => ended.set(name, failure),
    });
    await runStreams([task("a"), task("b"), task("c")], 1, controller.signal);
    // One worker: stream a takes it until the abort; b and c never start.
    assert.deepEqual(started, ["a"]);
    assert.equal(readsAfterAbort, 0);
    assert.deepEqual([...ended.keys()], ["a"]);
    assert.ok(isCancelled(ended.get("a")));
  });

  test("a start still in flight is abandoned and its stream ends cancelled", { timeout: 10_000 }, async () => {
    const controller = new AbortController();
    const ended = new Map<string, unknown>();
    const never: StreamTask = {
      name: "slow",
      start: () => new Promise(() => undefined),
      end: (_r, f) => ended.set("slow", f),
    };
    const run = runStreams([never], 2, controller.signal);
    setImmediate(() => controller.abort(new Cancelled("SIGINT")));
    await run;
    assert.ok(isCancelled(ended.get("slow")));
  });

  test("unlessCancelled rejects with the reason at once, and ignores the abandoned work", async () => {
    const controller = new AbortController();
    let fail: (e: Error) => void = () => undefined;
    const work = new Promise<number>((_resolve, reject) => (fail = reject));
    const raced = unlessCancelled(work, controller.signal);
    controller.abort(new Cancelled("SIGTERM"));
    await assert.rejects(raced, Cancelled);
    fail(new Error("late failure of abandoned work")); // no unhandled rejection
    await new Promise((r) => setImmediate(r));
  });
});

function collector(): { out: Writable; text: () => string; firstWrite: Promise<void> } {
  let text = "";
  let wrote: () => void = () => undefined;
  const firstWrite = new Promise<void>((r) => (wrote = r));
  const out = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      wrote();
      cb();
    },
  });
  return { out, text: () => text, firstWrite };
}

describe("emitter promptness and cancellation", () => {
  test("a lone STATE is written without a flush, while the run goes on", async () => {
    const c = collector();
    const emitter = new Emitter(c.out);
    emitter.state("s", { timestamp: 5 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), 5000)));
    const first = await Promise.race([c.firstWrite, timeout]);
    clearTimeout(timer);
    assert.notEqual(first, "timeout", "the STATE was written on its own");
    assert.match(c.text(), /^\{"type":"STATE".*\n$/);
  });

  const data = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ i, pad: "x".repeat(100) }));
  const asBytes = {
    head: Buffer.from("{"),
    middles: data.map((d) => d.slice(1, -1)),
    tails: Buffer.from("}"),
  };
  const pages = {
    "as text": (emitter: Emitter, signal: AbortSignal) => emitter.serializedRecords("s", data, signal),
    "as bytes": (emitter: Emitter, signal: AbortSignal) => emitter.encodedRecords("s", asBytes, signal),
  };
  for (const [given, write] of Object.entries(pages))
    test(`a page of records given ${given} stops part way once cancelled, and says so`, async () => {
      const c = collector();
      const emitter = new Emitter(c.out);
      const controller = new AbortController();
      // Abort as soon as the first slice has been written.
      void c.firstWrite.then(() => controller.abort(new Cancelled("SIGTERM")));
      await assert.rejects(write(emitter, controller.signal), Cancelled);
      await emitter.flush();
      const lines = c
        .text()
        .split("\n")
        .filter((l) => l.startsWith('{"type":"RECORD"'));
      assert.ok(lines.length > 0 && lines.length < data.length, `${lines.length} of ${data.length} records written`);
      assert.ok(c.text().endsWith("\n"));
      for (const [i, l] of lines.entries()) assert.equal(JSON.parse(l).record.data.i, i, "whole records, in order");
    });
});
