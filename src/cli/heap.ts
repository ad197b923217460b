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
// A third launch flag, --single-threaded-gc, runs every collection on the main thread: V8's helper
// threads cost more CPU than they saved on a 2-core machine (npm run bench, scenario 2: about 12%
// less CPU per event, peak RSS about 7 MB higher; docs/performance.md).
import { setFlagsFromString } from "node:v8";

const HEAP_GROWING_PERCENT = 25;

/** Sets V8's heap growth unless node's command line did; true when it was set here. */
export function limitHeapGrowth(execArgv: readonly string[]): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
