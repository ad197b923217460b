// How V8 sizes the heap during a read. A read's live data is small and constant (the pages in
// flight), while every page leaves megabytes of short-lived objects. Two V8 defaults are made for
// throughput instead (npm run bench, scenario 3, 2M events; RSS peaks):
// - after each full collection the old generation may grow to 4x what survived: 170-190 MB.
//   Growing by 25% is set here, at start-up: the flag is read at every resize of the heap, so
//   it takes effect (one given on node's command line wins; NODE_OPTIONS cannot carry it).
// - a young generation of 2 x 16 MB: its size is fixed when node starts, so it is a launch flag,
//   --max-semi-space-size=4, on main.ts's first line and in the Dockerfile's ENTRYPOINT.
//   Records are written as bytes copied from the page (airbyte/emitter.ts), which leaves little
//   young garbage: 8 MB semi-spaces then let the HTTP buffers they free wait longer (peak RSS
//   about 152 MB), 4 MB gives 136-140 MB for the same CPU (npm run bench, scenario 2).
// Both together: about 132 MB, for 10-20% of CPU (about 220,000 events/s instead of 255,000).
// A third launch flag, --single-threaded, keeps V8's own work on the main thread: its helper
// threads cost more CPU than they saved on a 2-core machine, and without compiles on them the
// pacing below cannot make process.exit() hang (see paceFullCollections; docs/performance.md).
// Full collections are paced here rather than by V8's incremental marking, which with one GC
// thread ran nearly all the time and kept what a read freed until it ended: on Node 26, about
// 190 MB against about 140 paced (npm run bench, scenario 2; docs/performance.md).
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

const HEAP_GROWING_PERCENT = 25;

/** Sets V8's heap growth unless node's command line did; true when it was set here. */
export function limitHeapGrowth(execArgv: readonly string[]): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}

const MB = 1024 * 1024;
const FIRST_COLLECTION_AT = 32 * MB;
const GROWTH_FACTOR = 1.6;
const MIN_GROWTH = 12 * MB;
// Often enough to catch an API page's worth of growth (up to 1 MB); a check costs microseconds.
const CHECK_EVERY_MS = 10;

/** Decides when the next full collection is due, from what the last one left. */
export class CollectionPacer {
  private dueAt = FIRST_COLLECTION_AT;

  constructor(
    /** Bytes of V8's heap in use plus the memory its objects hold outside it. */
    private readonly heapBytes: () => number,
    private readonly collect: () => void,
  ) {}

  /** Collects if the heap grew enough since the last collection; true when it did. */
  check(): boolean {
    if (this.heapBytes() < this.dueAt) return false;
    this.collect();
    const left = this.heapBytes();
    this.dueAt = Math.max(left * GROWTH_FACTOR, left + MIN_GROWTH);
    return true;
  }
}

function heapBytes(): number {
  const s = getHeapStatistics();
  return s.used_heap_size + s.external_memory;
}

/**
 * Turns V8's incremental marking off and paces full collections from a timer, when node runs with
 * the launch flag --single-threaded and its command line neither chose how V8 marks nor exposed gc
 * itself; the pacer when it was started here. Without that flag V8 compiles on helper threads,
 * whose allocations reach the heap's limit more often without incremental marking: one then waits
 * for the main thread to collect, and a process.exit() joining it meanwhile never returns.
 */
export function paceFullCollections(execArgv: readonly string[]): CollectionPacer | undefined {
  if (!execArgv.some((a) => /^--single[-_]threaded$/.test(a))) return undefined;
  if (execArgv.some((a) => /^--(no-)?(incremental[-_]marking|expose[-_]gc)\b/.test(a))) return undefined;
  setFlagsFromString("--no-incremental-marking");
  const pacer = new CollectionPacer(heapBytes, fullCollection());
  setInterval(() => pacer.check(), CHECK_EVERY_MS).unref();
  return pacer;
}

/**
 * V8's gc(), which runs a full collection: taken from a context made while the flag is on, then
 * the flag is put back, so no other context (the program's own included) sees it.
 */
export function fullCollection(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  setFlagsFromString("--no-expose-gc");
  return gc;
}
