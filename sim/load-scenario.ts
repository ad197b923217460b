// Reads a scenario file from disk (JSON), or accepts one already in memory.
import { readFileSync } from "node:fs";
import type { Scenario } from "./model.js";
import type { ScenarioFile } from "./scenario-file.js";
import { parseScenario, ScenarioError } from "./validate-scenario.js";

export type ScenarioInput = string | ScenarioFile | Scenario;

function isResolved(s: ScenarioFile | Scenario): s is Scenario {
  return "settings" in s && "groups" in s;
}

/** A path, a scenario file object, or an already resolved scenario; undefined = empty account. */
export function loadScenario(input: ScenarioInput | undefined, wallNow: number = Date.now()): Scenario {
  if (input === undefined) return parseScenario({}, wallNow);
  if (typeof input !== "string") return isResolved(input) ? input : parseScenario(input, wallNow);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(input, "utf8"));
  } catch (e) {
    throw new ScenarioError([{ path: input, message: `cannot read JSON: ${(e as Error).message}` }]);
  }
  return parseScenario(parsed, wallNow);
}
