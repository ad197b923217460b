// How V8 grows the heap during a read. After each full collection V8 lets the old generation grow
// to up to 4x what survived, a setting made for throughput. A read's live data is small and
// constant (the pages in flight), while every page leaves megabytes of short-lived objects; with
// the default a 10M-event read peaked near 180 MB RSS, with 25% near 150 MB, for ~10% of CPU
// (npm run bench, scenario 3). The flag is read at every resize of the heap, so setting it at
// start-up takes effect; one given on node's command line wins (NODE_OPTIONS cannot carry it).
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 25;

/** Sets V8's heap growth unless node's command line did; true when it was set here. */
export function limitHeapGrowth(execArgv: readonly string[]): boolean {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
