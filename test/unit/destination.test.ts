// The in-process destination of `sync` with an in-memory store: a stream whose commit fails stops
// alone, output it cannot read is reported at the end, and neither leaves the writer waiting.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Emitter, splitRecordLine } from "../../src/airbyte/emitter.js";
import { type BatchLimits, Destination } from "../../src/local/destination.js";
import { ProgressTracker } from "../../src/local/progress.js";
import type { EventRecord } from "../../src/domain/record.js";
import { CLEAN_COMMIT, type CommitReport, type LocalStore } from "../../src/local/store.js";
import type { RecordBatch } from "../../src/local/record-batch.js";

/** A committed record's data, parsed. */
type LogRecord = EventRecord & { readonly message_json?: unknown };
const parsed = (records: readonly string[]) => records.map((r) => JSON.parse(r) as LogRecord);

class MemoryStore implements LocalStore {
  readonly location = "memory";
  readonly notes = [];
  readonly committed = new Map<string, LogRecord[]>();
  constructor(
    private readonly failing: ReadonlySet<string>,
    /** Why a failing stream's commit fails. */
    private readonly why: (stream: string) => string = () => "disk full",
  ) {}
  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map();
  }
  /** Each record's data text as committed. */
  readonly texts: string[] = [];
  async commit(stream: string, batch: RecordBatch): Promise<CommitReport> {
    if (this.failing.has(stream)) throw new Error(`${this.why(stream)}\n  while writing ${stream}`);
    const records = batch.dataTexts();
    this.texts.push(...records);
    this.committed.set(stream, [...(this.committed.get(stream) ?? []), ...parsed(records)]);
    return CLEAN_COMMIT;
  }
  async close(): Promise<void> {}
}

const record = (stream: string, i: number) =>
  JSON.stringify({
    type: "RECORD",
    record: {
      stream,
      emitted_at: 1,
      data: {
        logGroupName: stream,
        logStreamName: "s",
        timestamp: i,
        ingestionTime: i,
        message: `m${i}`,
        eventId: `${i}`,
      },
    },
  });
const state = (stream: string, t: number) =>
  JSON.stringify({
    type: "STATE",
    state: { type: "STREAM", stream: { stream_descriptor: { name: stream }, stream_state: { timestamp: t } } },
  });

/** A commit for every STATE as soon as the one before is done. */
const IMMEDIATE: BatchLimits = { minRecords: 0, maxWaitMs: 0, maxReady: 100_000 };

/** How a destination ended: end()'s error, if any, the notes it gave the tracker, and whether a commit failed. */
interface Ended {
  readonly error: Error | undefined;
  readonly notes: readonly string[];
  readonly storeFailed: boolean;
}

/** Writes the lines and ends the destination. */
async function run(store: LocalStore, lines: readonly string[]): Promise<Ended> {
  const tracker = new ProgressTracker(["a", "b"], () => 0);
  const destination = new Destination(store, tracker);
  for (const line of lines) {
    if (!destination.write(`${line}\n`)) await new Promise((resolve) => destination.once("drain", resolve));
  }
  const error = await new Promise<Error | undefined>((resolve) =>
    destination.end((err?: Error | null) => resolve(err ?? undefined)),
  );
  return { error, notes: tracker.warnings(), storeFailed: destination.storeFailed };
}

/** The one note of a destination whose commits failed: end() took no error, the sync fails by storeFailed. */
function failureNote(ended: Ended): string {
  assert.equal(ended.error, undefined);
  assert.equal(ended.storeFailed, true);
  assert.equal(ended.notes.length, 1, ended.notes.join("\n"));
  return ended.notes[0]!;
}

/** A store whose commits wait until the test lets them finish; it records each commit's batch and state. */
class GatedStore implements LocalStore {
  readonly location = "gated";
  readonly notes = [];
  readonly commits: { stream: string; timestamps: number[]; state: unknown }[] = [];
  private readonly gates: (() => void)[] = [];
  private waiting: (() => void) | undefined;
  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map();
  }
  async commit(stream: string, batch: RecordBatch, state: Record<string, unknown>): Promise<CommitReport> {
    const records = parsed(batch.dataTexts());
    this.commits.push({ stream, timestamps: records.map((r) => r.timestamp), state });
    await new Promise<void>((resolve) => {
      this.gates.push(resolve);
      this.waiting?.();
    });
    return { ...CLEAN_COMMIT, reread: records.filter((r) => r.timestamp < 2).length };
  }
  /** Resolves when a commit is waiting, then lets it finish. */
  async release(): Promise<void> {
    if (this.gates.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
    this.gates.shift()!();
  }
  /** Resolves when the `n`th commit is waiting. */
  async started(n: number): Promise<void> {
    while (this.commits.length < n) await new Promise<void>((resolve) => (this.waiting = resolve));
  }
  async close(): Promise<void> {}
}

describe("sync destination", () => {
  test("beyond its bound of ready records, the destination takes no more output until their commit starts", async () => {
    const store = new GatedStore();
    const destination = new Destination(store, new ProgressTracker(["a"], () => 0), { ...IMMEDIATE, maxReady: 1 });
    const write = (lines: readonly string[], done: () => void) => destination.write(`${lines.join("\n")}\n`, done);
    await new Promise<void>((resolve) => write([record("a", 1), state("a", 2)], resolve));
    // The first batch is committing; the second is over the bound of 1, so its write waits.
    let second = false;
    write([record("a", 2), record("a", 3), state("a", 4)], () => (second = true));
    await store.started(1);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(second, false, "output over the bound waits while the commit before it runs");
    await store.release();
    await store.started(2);
    await new Promise((resolve) => setImmediate(resolve));
    // The second batch left `ready` for its commit: the output is taken while the store writes it.
    assert.equal(second, true, "output is taken again once the ready records' commit has started");
    await store.release();
    await new Promise<void>((resolve) => destination.end(() => resolve()));
    assert.deepEqual(
      store.commits.map((c) => c.timestamps),
      [[1], [2, 3]],
    );
  });

  test("STATEs that arrive while a commit is in progress are committed together, in order, with the latest state", async () => {
    const store = new GatedStore();
    const tracker = new ProgressTracker(["a", "b"], () => 0);
    const destination = new Destination(store, tracker, IMMEDIATE);
    const write = (lines: readonly string[]) =>
      new Promise<void>((resolve) => destination.write(`${lines.join("\n")}\n`, () => resolve()));
    await write([record("a", 1), state("a", 2)]);
    // The first commit is in progress: the next records and states are taken meanwhile.
    await write([record("a", 2), state("a", 3), record("a", 3), record("b", 5), state("a", 4), state("b", 6)]);
    assert.deepEqual(store.commits, [{ stream: "a", timestamps: [1], state: { timestamp: 2 } }]);
    const ended = new Promise<Error | undefined>((resolve) =>
      destination.end((err?: Error | null) => resolve(err ?? undefined)),
    );
    await store.release();
    await store.release();
    await store.release();
    assert.equal(await ended, undefined);
    assert.deepEqual(store.commits, [
      { stream: "a", timestamps: [1], state: { timestamp: 2 } },
      { stream: "a", timestamps: [2, 3], state: { timestamp: 4 } },
      { stream: "b", timestamps: [5], state: { timestamp: 6 } },
    ]);
    const [a, b] = tracker.snapshot({ startedAt: 0, upperBound: 0, throttles: 0 }).streams;
    assert.deepEqual([a?.committed, a?.reread, a?.watermark], [3, 1, 4]);
    assert.deepEqual([b?.committed, b?.reread, b?.watermark], [1, 0, 6]);
  });

  test("a stream shows COMPLETE only once its last batch is committed, and INCOMPLETE if that commit fails", async () => {
    const status = (stream: string, s: string) =>
      JSON.stringify({
        type: "TRACE",
        trace: {
          type: "STREAM_STATUS",
          emitted_at: 1,
          stream_status: { stream_descriptor: { name: stream }, status: s },
        },
      });
    const store = new GatedStore();
    const tracker = new ProgressTracker(["a", "b"], () => 0);
    const shown = () =>
      tracker
        .snapshot({ startedAt: 0, upperBound: 0, throttles: 0 })
        .streams.map((p) => [p.status, p.watermark, p.storing]);
    const destination = new Destination(store, tracker, IMMEDIATE);
    const write = (lines: readonly string[]) =>
      new Promise<void>((resolve) => destination.write(`${lines.join("\n")}\n`, () => resolve()));
    await write([status("a", "RUNNING"), record("a", 1), state("a", 2)]);
    // a's first commit is in progress; its next batch waits behind it, then a ends: a is storing.
    // b ends with nothing to commit: shown at once.
    await write([record("a", 2), state("a", 3), status("a", "COMPLETE"), status("b", "COMPLETE")]);
    assert.deepEqual(shown(), [
      ["RUNNING", undefined, true],
      ["COMPLETE", undefined, false],
    ]);
    await store.release();
    await store.started(2);
    assert.deepEqual(shown()[0], ["RUNNING", 2, true], "complete is held while its last batch is being committed");
    await store.release();
    await new Promise<void>((resolve) => destination.end(() => resolve()));
    assert.deepEqual(shown()[0], ["COMPLETE", 3, false]);

    // The last batch's commit fails: the stream shows INCOMPLETE, never the COMPLETE it was sent.
    const tracker2 = new ProgressTracker(["a"], () => 0);
    const failing = new Destination(new MemoryStore(new Set(["a"])), tracker2, IMMEDIATE);
    failing.write(`${[record("a", 1), state("a", 2), status("a", "COMPLETE")].join("\n")}\n`);
    await new Promise<void>((resolve) => failing.end(() => resolve()));
    assert.equal(tracker2.snapshot({ startedAt: 0, upperBound: 0, throttles: 0 }).streams[0]?.status, "INCOMPLETE");
  });

  test("a stream whose commit fails stops alone; the end reports it in one line", async () => {
    const store = new MemoryStore(new Set(["a"]));
    const ended = await run(store, [
      record("a", 1),
      record("b", 1),
      state("a", 2),
      state("b", 2),
      record("a", 3),
      record("b", 3),
      state("a", 4),
      state("b", 4),
    ]);
    assert.deepEqual(
      store.committed.get("b")?.map((r) => r.timestamp),
      [1, 3],
    );
    assert.equal(store.committed.has("a"), false);
    assert.match(failureNote(ended), /^could not store "a" \(disk full\) in memory; the other streams were stored/);
  });

  test("when every stream's commit fails, the end does not say the others were stored", async () => {
    const store = new MemoryStore(new Set(["a", "b"]));
    const ended = await run(store, [record("a", 1), record("b", 1), state("a", 2), state("b", 2)]);
    assert.equal(store.committed.size, 0);
    assert.match(
      failureNote(ended),
      /^could not store "a", "b" \(disk full\) in memory; no other stream stored anything, and the next sync retries these/,
    );
  });

  test("streams failing for the same reason make one short list: ten names and how many more", async () => {
    const names = Array.from({ length: 25 }, (_, i) => `s${i}`);
    const store = new MemoryStore(new Set(names), (stream) => (stream === "s3" ? "disk full" : "out of memory"));
    const ended = await run(store, [
      ...names.map((s) => record(s, 1)),
      ...names.map((s) => state(s, 2)),
      record("a", 1),
      state("a", 2),
    ]);
    const others = names
      .filter((s) => s !== "s3")
      .slice(0, 10)
      .map((s) => `"${s}"`)
      .join(", ");
    assert.equal(
      failureNote(ended),
      `could not store ${others}, and 14 more (out of memory); "s3" (disk full) in memory; ` +
        "the other streams were stored, and the next sync retries these from their last stored state",
    );
  });

  test("causes that each name their stream: ten of them, the other streams counted", async () => {
    const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
    const store = new MemoryStore(new Set(names), (stream) => `table ${stream} is broken`);
    const ended = await run(store, [...names.map((s) => record(s, 1)), ...names.map((s) => state(s, 2))]);
    const shown = names
      .slice(0, 10)
      .map((s) => `"${s}" (table ${s} is broken)`)
      .join("; ");
    assert.equal(
      failureNote(ended),
      `could not store ${shown}; and 20 more for other causes in memory; no other stream stored anything, ` +
        "and the next sync retries these from their last stored state",
    );
  });

  test("output it cannot read is reported at the end, and later output does not wait", async () => {
    const store = new MemoryStore(new Set());
    const ended = await run(store, [record("b", 1), "{not json", record("b", 2), state("b", 3)]);
    assert.equal(store.committed.size, 0, "nothing after the unreadable line is stored");
    assert.match(ended.error?.message ?? "", /^could not take the connector's output/);
    // A stream name that is no JSON string: in the emitter's form otherwise, still unreadable.
    const bad = '{"type":"RECORD","record":{"stream":"\\q","data":{"eventId":"1"},"emitted_at":1}}';
    const invalid = await run(new MemoryStore(new Set()), [bad, state("b", 3)]);
    assert.match(invalid.error?.message ?? "", /^could not take the connector's output/);
  });

  test("records as the emitter writes them are committed as their data's own text", async () => {
    const store = new MemoryStore(new Set());
    const destination = new Destination(store, new ProgressTracker(['a "quoted" \u00e9 \u{1F600}'], () => 0));
    const emitter = new Emitter(
      destination,
      (t) => t,
      () => 1,
    );
    const stream = 'a "quoted" \u00e9 \u{1F600}';
    const texts = [
      // Escapes as the page had them, a big number and deep nesting in message_json, surrogates.
      '{"logGroupName":"g","logStreamName":"s\\u00e9","timestamp":1,"ingestionTime":2,"message":"{\\"n\\":12345678901234567890123}","eventId":"1","message_json":{"n":12345678901234567890123}}',
      `{"logGroupName":"g","timestamp":3,"message":"x","eventId":"2","message_json":${"[".repeat(200)}1${"]".repeat(200)}}`,
      '{"logGroupName":"g","message":"\\ud800 \\ud83d\\ude00 \\"}\\\\","eventId":"3","timestamp":4}',
    ];
    await emitter.serializedRecords(stream, texts);
    emitter.state(stream, { timestamp: 5 });
    await emitter.flush();
    await new Promise<void>((resolve) => destination.end(() => resolve()));
    assert.deepEqual(store.texts, texts);
  });

  test("output cut anywhere (inside a line, inside a character) is taken as if whole", async () => {
    const stream = "a \u00e9";
    const texts = [1, 2, 3].map(
      (i) =>
        `{"logGroupName":"g","logStreamName":"s","timestamp":${i},"ingestionTime":${i},"message":"\u00e9${i} \u{1F600}","eventId":"${i}"}`,
    );
    const line = (t: string) =>
      `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":${t},"emitted_at":1}}\n`;
    const output = Buffer.from(
      `${line(texts[0]!)}${line(texts[1]!)}${state(stream, 2)}\n${record("b", 7)}\n${line(texts[2]!)}${state(stream, 3)}\n${state("b", 8)}\n`,
    );
    for (const size of [1, 5, 64, output.length]) {
      const store = new MemoryStore(new Set());
      const destination = new Destination(store, new ProgressTracker([stream, "b"], () => 0), IMMEDIATE);
      for (let at = 0; at < output.length; at += size) destination.write(output.subarray(at, at + size));
      await new Promise<void>((resolve) => destination.end(() => resolve()));
      assert.deepEqual(store.texts.slice(0, 3), texts, `pieces of ${size} bytes: the data's own texts`);
      assert.deepEqual(
        store.committed.get(stream)?.map((r) => r.message),
        ["\u00e91 \u{1F600}", "\u00e92 \u{1F600}", "\u00e93 \u{1F600}"],
      );
      assert.deepEqual(
        store.committed.get("b")?.map((r) => r.timestamp),
        [7],
      );
    }
  });

  test("a line not exactly as the emitter writes records is parsed, never sliced", () => {
    const data = '{"logGroupName":"g","message":"m","eventId":"1","timestamp":1}';
    const head = '{"type":"RECORD","record":{"stream":"a","data":';
    assert.deepEqual(splitRecordLine(`${head}${data},"emitted_at":12}}`), { streamJson: '"a"', data });
    for (const line of [
      `${head}${data},"namespace":{"x":1},"emitted_at":12}}`,
      `${head}${data},"namespace":"x","emitted_at":12}}`,
      `${head}${data}, "emitted_at":12}}`,
      `${head}${data},"emitted_at":1.5}}`,
      `${head}${data},"emitted_at":}}`,
      `${head}${data},"emitted_at":12} }`,
      `${head}[1],"emitted_at":12}}`,
      `${head}{"a":"}"},{"b":1},"emitted_at":12}}`,
      `${head}{"a":"unterminated},"emitted_at":12}}`,
      `{"type":"RECORD","record":{"stream":"a" ,"data":${data},"emitted_at":12}}`,
      `{"type":"RECORD","record":{"stream":"a,"data":${data},"emitted_at":12}}`,
      `{"type":"STATE","state":{}}`,
      `${head}{"a":[1,"emitted_at":12}}`,
      '{"type":"RECORD","record":{"stream":"a\\"b',
    ]) {
      assert.equal(splitRecordLine(line), undefined, line);
    }
  });

  test("records in another form or another escaping of the stream are parsed: the data alone, message_json exact", async () => {
    const store = new MemoryStore(new Set());
    const data =
      '{"logGroupName":"a","logStreamName":"s","timestamp":1,"ingestionTime":1,"message":" {\\"n\\": 1e400}\\n","eventId":"1","message_json":{"n":1e400}}';
    const ended = await run(store, [
      `{"type":"RECORD","record":{"stream":"a","data":${data},"namespace":{"x":1},"emitted_at":1}}`,
      `{"type":"RECORD","record":{"stream":"\\u0061","data":${data},"emitted_at":1}}`,
      state("a", 2),
    ]);
    assert.deepEqual(ended, { error: undefined, notes: [], storeFailed: false });
    const exact =
      '{"logGroupName":"a","logStreamName":"s","timestamp":1,"ingestionTime":1,"message":" {\\"n\\": 1e400}\\n","eventId":"1","message_json":{"n": 1e400}}';
    assert.deepEqual(store.texts, [exact, exact]);
  });

  test("a STATE's commit waits for more records until enough are ready or the STATE has waited long enough", async () => {
    const store = new GatedStore();
    let now = 0;
    // An hour: the real timer never fires during the test; the clock given decides.
    const limits = { minRecords: 3, maxWaitMs: 3_600_000, maxReady: 10 };
    const destination = new Destination(store, new ProgressTracker(["a", "b"], () => 0), limits, () => now);
    const write = (lines: readonly string[]) =>
      new Promise<void>((resolve) => destination.write(`${lines.join("\n")}\n`, () => resolve()));
    await write([record("a", 1), state("a", 2)]);
    assert.equal(store.commits.length, 0, "one record waits for more");
    await write([record("a", 2), record("a", 3), state("a", 4)]);
    assert.deepEqual(store.commits, [{ stream: "a", timestamps: [1, 2, 3], state: { timestamp: 4 } }]);
    await store.release();
    await write([record("b", 5), state("b", 6)]);
    now = 3_599_999;
    await write([record("b", 6), state("b", 7)]);
    assert.equal(store.commits.length, 1, "two records, the first STATE waited just under the bound");
    now = 3_600_000;
    await write([record("a", 8), state("a", 9)]);
    assert.deepEqual(store.commits.slice(1), [{ stream: "b", timestamps: [5, 6], state: { timestamp: 7 } }]);
    const ended = new Promise<void>((resolve) => destination.end(() => resolve()));
    await store.release();
    await store.release();
    await ended;
    assert.deepEqual(store.commits.slice(2), [{ stream: "a", timestamps: [8], state: { timestamp: 9 } }]);
  });

  test("a STATE that waits for more records is committed when its time is up, without more output", async () => {
    const store = new GatedStore();
    const destination = new Destination(store, new ProgressTracker(["a"], () => 0), {
      minRecords: 100,
      maxWaitMs: 1,
      maxReady: 1000,
    });
    await new Promise<void>((resolve) => destination.write(`${record("a", 1)}\n${state("a", 2)}\n`, () => resolve()));
    await store.started(1);
    await store.release();
    await new Promise<void>((resolve) => destination.end(() => resolve()));
    assert.deepEqual(store.commits, [{ stream: "a", timestamps: [1], state: { timestamp: 2 } }]);
  });
});
