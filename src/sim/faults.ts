// Which fault, if any, hits a request: drawn from the run's seeded sequence, so a run reproduces.
import type { Settings } from "./model.js";
import type { FaultKind } from "./counters.js";

export function drawFault(faults: Settings["faults"], u: number): FaultKind | undefined {
  let edge = faults.throttleRate;
  if (u < edge) return "throttle";
  if (u < (edge += faults.http500Rate)) return "http500";
  if (u < (edge += faults.http503Rate)) return "http503";
  if (u < (edge += faults.resetRate)) return "reset";
  if (u < (edge += faults.stallRate)) return "stall";
  return undefined;
}
