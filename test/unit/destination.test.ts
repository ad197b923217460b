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

describe("sync destination", () => {
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
