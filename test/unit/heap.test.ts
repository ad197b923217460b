import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
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
});

/**
 * V8's trace of the collections of a node process that starts the pacing, then frees 1 MB buffers
 * and keeps small objects (enough for V8 to start marking by itself).
 */
function collectionsTraced(nodeFlags: readonly string[]): string {
  const heap = new URL("../../src/cli/heap.js", import.meta.url).href;
  const script =
    `import { paceFullCollections } from ${JSON.stringify(heap)};\n` +
    "paceFullCollections(process.execArgv);\n" +
    "const kept = [];\n" +
    "const objects = [];\n" +
    "for (let i = 0; i < 80; i++) {\n" +
    "  kept.push(Buffer.alloc(1 << 20));\n" +
    "  objects.push(Array.from({ length: 20000 }, (_, j) => ({ i, j })));\n" +
    "  if (kept.length > 4) kept.shift();\n" +
    "  await new Promise((resolve) => setTimeout(resolve, 15));\n" +
    "}\n";
  // A small first old generation: V8 would start marking within the run.
  const flags = [...nodeFlags, "--initial-old-space-size=4", "--trace-gc", "--input-type=module"];
  return execFileSync(process.execPath, [...flags, "-e", script], {
    encoding: "utf8",
  });
}

test("under --single-threaded the pacing's timer runs full collections itself, and V8 marks none incrementally", () => {
  // gc() collections are traced with the reason "testing"; V8's own, after incremental marking.
  const paced = collectionsTraced(["--single-threaded"]);
  assert.match(paced, /Mark-Compact.*testing/, "the pacer collected");
  assert.doesNotMatch(paced, /incremental marking/);
  const unpaced = collectionsTraced([]);
  assert.doesNotMatch(unpaced, /testing/, "without the flag nothing collects but V8");
  assert.match(unpaced, /incremental marking/, "V8 marks by itself within the run");
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
