// Which fault, if any, hits a request: drawn from the run's seeded sequence, so a run reproduces.
import type { Settings } from "./model.js";
import type { FaultKind } from "./counters.js";

/** The names of the rates in a scenario's `faults`, in the order they are drawn. */
export const FAULT_RATES = [
  "throttleRate",
  "http500Rate",
  "http503Rate",
  "resetRate",
  "stallRate",
  "errorBodyRate",
  "emptyBodyRate",
  "truncatedBodyRate",
  "garbageTailRate",
  "htmlBodyRate",
  "bodyStallRate",
  "bodyResetRate",
] as const;

export function drawFault(faults: Settings["faults"], u: number): FaultKind | undefined {
  let edge = faults.throttleRate;
  if (u < edge) return "throttle";
  if (u < (edge += faults.http500Rate)) return "http500";
  if (u < (edge += faults.http503Rate)) return "http503";
  if (u < (edge += faults.resetRate)) return "reset";
  if (u < (edge += faults.stallRate)) return "stall";
  if (u < (edge += faults.errorBodyRate)) return "errorBody";
  if (u < (edge += faults.emptyBodyRate)) return "emptyBody";
  if (u < (edge += faults.truncatedBodyRate)) return "truncatedBody";
  if (u < (edge += faults.garbageTailRate)) return "garbageTail";
  if (u < (edge += faults.htmlBodyRate)) return "htmlBody";
  if (u < (edge += faults.bodyStallRate)) return "bodyStall";
  if (u < (edge += faults.bodyResetRate)) return "bodyReset";
  return undefined;
}
