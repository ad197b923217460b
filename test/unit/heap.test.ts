import { test } from "node:test";
import assert from "node:assert/strict";
import { CollectionPacer, fullCollection, limitHeapGrowth, paceFullCollections } from "../../src/cli/heap.js";

const MB = 1024 * 1024;

test("heap growth is limited unless node's command line sets it", () => {
  assert.equal(limitHeapGrowth(["--heap-growing-percent=50"]), false);
  assert.equal(limitHeapGrowth(["--max-old-space-size=96", "--heap_growing_percent=10"]), false);
  assert.equal(limitHeapGrowth(["--max-old-space-size=96"]), true);
  assert.equal(limitHeapGrowth([]), true);
});

test("a full collection is due when the heap grew by 60% or 12 MB over what the last one left", () => {
  let bytes = 31 * MB;
  const collections: number[] = [];
  // A collection leaves the live part: here 20 MB, then 40 MB.
  let live = 20 * MB;
  const pacer = new CollectionPacer(
    () => bytes,
    () => {
      collections.push(bytes);
      bytes = live;
    },
  );
  assert.equal(pacer.check(), false, "the first is due at 32 MB");
  bytes = 32 * MB;
  assert.equal(pacer.check(), true);
  // 20 MB left: the next is due at 32 MB (20 + 12 beats 20 x 1.6).
  bytes = 31.9 * MB;
  assert.equal(pacer.check(), false);
  bytes = 32 * MB;
  live = 40 * MB;
  assert.equal(pacer.check(), true);
  // 40 MB left: due at 64 MB (40 x 1.6 beats 40 + 12).
  bytes = 63.9 * MB;
  assert.equal(pacer.check(), false);
  bytes = 64 * MB;
  assert.equal(pacer.check(), true);
  assert.deepEqual(collections, [32 * MB, 32 * MB, 64 * MB]);
});

test("collections are paced under --single-threaded unless node's command line chose how V8 marks or exposed gc", () => {
  const flag = "--single-threaded";
  assert.equal(paceFullCollections(["--max-semi-space-size=4"]), undefined, "compiles on helper threads");
  assert.equal(paceFullCollections(["--max-semi-space-size=4", "--single-threaded-gc"]), undefined);
  assert.equal(paceFullCollections([flag, "--incremental-marking"]), undefined);
  assert.equal(paceFullCollections([flag, "--no-incremental-marking"]), undefined);
  assert.equal(paceFullCollections(["--max-semi-space-size=4", flag, "--expose-gc"]), undefined);
  assert.equal(paceFullCollections(["--expose_gc", "--single_threaded"]), undefined);
  const pacer = paceFullCollections(["--max-semi-space-size=4", flag]);
  assert.ok(pacer);
  // The real heap of this process: whether a collection is due or not, checking works.
  assert.equal(typeof pacer.check(), "boolean");
});

test("the full collection frees what nothing references, and gc stays out of the program's context", async () => {
  const collect = fullCollection();
  let held: object | undefined = { page: "x".repeat(1000) };
  const ref = new WeakRef(held);
  held = undefined;
  // A WeakRef's target is kept until the current job ends.
  await new Promise<void>((resolve) => setImmediate(resolve));
  collect();
  assert.equal(ref.deref(), undefined);
  assert.equal("gc" in globalThis, false);
});
