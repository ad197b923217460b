// Public API of the CloudWatch Logs simulator (see docs/simulator.md).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { startServer } from "./server.js";
import { loadScenario, type ScenarioInput } from "./load-scenario.js";
import type { CountersSnapshot } from "./counters.js";
import type { Scenario } from "./model.js";
import { resolveTime, type TimeSpec } from "./time-spec.js";

export type {
  Scenario,
  Settings,
  GroupSpec,
  StreamSpec,
  GeneratedStreamSpec,
  LogClass,
  MessageShape,
  ApiName,
} from "./model.js";
export type { ScenarioFile, GroupFile, GroupSetFile } from "./scenario-file.js";
export type { CountersSnapshot } from "./counters.js";
export type { ExpectedEvent, ExpectedOptions } from "./expected.js";
export { expectedEvents } from "./expected.js";
export { parseScenario, ScenarioError, type ScenarioIssue } from "./validate-scenario.js";
export { loadScenario, type ScenarioInput } from "./load-scenario.js";
export { makeGroups } from "./make-groups.js";
export { defaultQuotas } from "./quotas.js";
export { FAULT_RATES } from "./faults.js";

/**
 * The demo's scenario file. The build copies sim/scenarios/demo.json beside the compiled simulator
 * (dist/sim/scenarios/demo.json), so the path holds in a checkout, the npm package and the image.
 */
export const DEMO_SCENARIO_PATH: string = fileURLToPath(new URL("./scenarios/demo.json", import.meta.url));

export interface SimulatorOptions {
  /** A scenario file path, a scenario object, or a resolved scenario; omitted = empty account. */
  readonly scenario?: ScenarioInput;
  /** 0 or omitted = a free port. */
  readonly port?: number;
  /** Defaults to 127.0.0.1. */
  readonly host?: string;
}

export interface Simulator {
  readonly url: string;
  readonly port: number;
  readonly scenario: Scenario;
  counters(): CountersSnapshot;
  resetCounters(): void;
  /** Drops seeded groups and events and zeroes the counters (like moto's reset). */
  reset(): Promise<void>;
  /** Simulator time (epoch ms). */
  now(): number;
  setClock(time: TimeSpec): void;
  advanceClock(ms: number): void;
  stop(): Promise<void>;
}

/** Starts a simulator in this process. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const scenario = loadScenario(options.scenario);
  const host = options.host ?? "127.0.0.1";
  const server = await startServer(scenario, options.port ?? 0, host);
  const { state } = server;
  return {
    url: `http://${host}:${server.port}`,
    port: server.port,
    scenario,
    counters: () => state.counters.snapshot(),
    resetCounters: () => state.counters.reset(),
    async reset() {
      state.account.restore(scenario);
      state.counters.reset();
    },
    now: () => state.clock.now(),
    setClock(time) {
      const t = resolveTime(time, state.clock.now());
      if (t === undefined) throw new Error(`not a time: ${String(time)}`);
      state.clock.set(t);
    },
    advanceClock: (ms) => state.clock.advance(ms),
    stop: () => server.close(),
  };
}

export interface ChildSimulator {
  readonly url: string;
  readonly pid: number;
  /** GET /_sim/counters. */
  counters(): Promise<CountersSnapshot>;
  stop(): Promise<void>;
}

/** Starts `node dist/sim/main.js` as a child process (its memory and CPU are its own). */
export async function spawnSimulator(
  options: { scenarioPath?: string; port?: number; nodeArgs?: readonly string[] } = {},
): Promise<ChildSimulator> {
  const main = fileURLToPath(new URL("./main.js", import.meta.url));
  const args = [...(options.nodeArgs ?? []), main];
  if (options.scenarioPath) args.push("--scenario", options.scenarioPath);
  if (options.port) args.push("--port", String(options.port));
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines = createInterface({ input: child.stdout });
  const url = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`simulator exited (${code}): ${stderr}`)));
  });
  lines.on("line", () => undefined); // keep draining stdout
  return {
    url,
    pid: child.pid as number,
    counters: async () => (await (await fetch(`${url}/_sim/counters`)).json()) as CountersSnapshot,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
