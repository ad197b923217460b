// The in-process destination of `sync` with an in-memory store: a stream whose commit fails stops
// alone, output it cannot read is reported at the end, and neither leaves the writer waiting.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Destination } from "../../src/local/destination.js";
import { ProgressTracker } from "../../src/local/progress.js";
import { CLEAN_COMMIT, type CommitReport, type LocalStore, type LogRecord } from "../../src/local/store.js";

class MemoryStore implements LocalStore {
  readonly location = "memory";
  readonly committed = new Map<string, LogRecord[]>();
  constructor(private readonly failing: ReadonlySet<string>) {}
  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map();
  }
  async commit(stream: string, records: readonly LogRecord[]): Promise<CommitReport> {
    if (this.failing.has(stream)) throw new Error(`disk full\n  while writing ${stream}`);
    this.committed.set(stream, [...(this.committed.get(stream) ?? []), ...records]);
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

/** Writes the lines, ends the destination and resolves with end()'s error, if any. */
async function run(store: LocalStore, lines: readonly string[]): Promise<Error | undefined> {
  const destination = new Destination(store, new ProgressTracker(["a", "b"], () => 0));
  for (const line of lines) {
    if (!destination.write(`${line}\n`)) await new Promise((resolve) => destination.once("drain", resolve));
  }
  return new Promise((resolve) => destination.end((err?: Error | null) => resolve(err ?? undefined)));
}

/** A store whose commits wait until the test lets them finish; it records each commit's batch and state. */
class GatedStore implements LocalStore {
  readonly location = "gated";
  readonly commits: { stream: string; timestamps: number[]; state: unknown }[] = [];
  private readonly gates: (() => void)[] = [];
  private waiting: (() => void) | undefined;
  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map();
  }
  async commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<CommitReport> {
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
  test("beyond its bound of ready records, the destination takes no more output until they are stored", async () => {
    const store = new GatedStore();
    const destination = new Destination(store, new ProgressTracker(["a"], () => 0), 1);
    const write = (lines: readonly string[], done: () => void) => destination.write(`${lines.join("\n")}\n`, done);
    await new Promise<void>((resolve) => write([record("a", 1), state("a", 2)], resolve));
    // The first batch is committing; the second is over the bound of 1, so its write waits.
    let second = false;
    write([record("a", 2), record("a", 3), state("a", 4)], () => (second = true));
    await store.release();
    await store.started(2);
    assert.equal(second, false, "output is taken again only when the ready records are stored");
    await store.release();
    await new Promise<void>((resolve) => destination.end(() => resolve()));
    assert.equal(second, true);
    assert.deepEqual(
      store.commits.map((c) => c.timestamps),
      [[1], [2, 3]],
    );
  });

  test("STATEs that arrive while a commit is in progress are committed together, in order, with the latest state", async () => {
    const store = new GatedStore();
    const tracker = new ProgressTracker(["a", "b"], () => 0);
    const destination = new Destination(store, tracker);
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

  test("a stream whose commit fails stops alone; the end reports it in one line", async () => {
    const store = new MemoryStore(new Set(["a"]));
    const err = await run(store, [
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
    assert.match(err?.message ?? "", /^could not store a \(disk full\) in memory; the other streams were stored/);
  });

  test("output it cannot read is reported at the end, and later output does not wait", async () => {
    const store = new MemoryStore(new Set());
    const err = await run(store, [record("b", 1), "{not json", record("b", 2), state("b", 3)]);
    assert.equal(store.committed.size, 0, "nothing after the unreadable line is stored");
    assert.match(err?.message ?? "", /^could not take the connector's output/);
  });
});
