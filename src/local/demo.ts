// `demo`: a simulated AWS account with a realistic bundled scenario, synced into ./demo.duckdb,
// then a summary and a sample query. No AWS account needed. A second run continues
// incrementally: it adds only the events that "arrived" since the first.
import { isAbsolute, relative } from "node:path";
import type { Io } from "../commands/context.js";
import { demoReport } from "./demo-report.js";
import { WIDTH, failureText, wrap } from "./terminal.js";
import { runSync, SyncError } from "./sync.js";
import { openDatabaseFile } from "./duckdb-store.js";
import { ConfigError } from "../airbyte/errors.js";

/**
 * The demo's simulator as the stores name its endpoint: the same on every run, whatever the port.
 * A name, not a path: it is part of the stored state's identity, so it outlived the scenario's move.
 */
const DEMO_ENDPOINT = "demo simulator (scenarios/demo.json)";

/** A file as a person can open it: relative to the working directory when under it, else absolute. */
function shownPath(path: string): string {
  const under = relative(process.cwd(), path);
  return under !== "" && !under.startsWith("..") && !isAbsolute(under) ? under : path;
}

export interface DemoOptions {
  /** The DuckDB file the demo syncs into. */
  readonly database: string;
}

export async function demoCommand(options: DemoOptions, io: Io): Promise<number> {
  const { database } = options;
  // A --database sync cannot write fails here, alone, before the simulator's banner.
  try {
    (await openDatabaseFile(database)).closeSync();
  } catch (err) {
    io.stderr.write(failureText("demo", err instanceof ConfigError ? err.message : String(err), io.stderr));
    return 1;
  }
  // Imported here, not at the top: only the demo needs the simulator.
  let sim: import("../../sim/index.js").Simulator;
  let scenario = "the demo's scenario";
  try {
    const { startSimulator, DEMO_SCENARIO_PATH } = await import("../../sim/index.js");
    // The build's copy (dist/sim/scenarios/demo.json), which is what an installed package has.
    scenario = shownPath(DEMO_SCENARIO_PATH);
    sim = await startSimulator({ scenario: DEMO_SCENARIO_PATH });
  } catch (err) {
    const message = `cannot start the simulator with ${scenario}: ${(err as Error).message}`;
    io.stderr.write(failureText("demo", message, io.stderr));
    return 1;
  }
  try {
    const groups = sim.scenario.groups;
    const events = groups.reduce((n, g) => n + g.streams.reduce((m, s) => m + (s.generated?.count ?? 0), 0), 0);
    io.stdout.write(
      `${wrap(`Simulated CloudWatch Logs account at ${sim.url}: ${groups.length} log groups, about ${events} events over the last 7 days (scenario: ${scenario}).`, WIDTH).join("\n")}\n\n`,
    );
    // Fake keys: the simulator does not check signatures.
    const config = {
      region_name: "us-east-1",
      aws_access_key_id: "AKIADEMODEMODEMO0000",
      aws_secret_access_key: "demo-secret-not-used",
      endpoint_url: sim.url,
      parse_json_messages: true,
      ingestion_delay_seconds: 60,
    };
    const { code } = await runSync(
      { config, format: "duckdb", target: database, streams: undefined },
      io,
      DEMO_ENDPOINT,
    );
    if (code === 0)
      io.stdout.write(
        `\n${await demoReport(database)}Run it again: it continues from the stored state and adds only the events\nthat arrived since.\n`,
      );
    return code;
  } catch (err) {
    const message = err instanceof SyncError || err instanceof ConfigError ? err.message : String(err);
    io.stderr.write(failureText("demo", message, io.stderr));
    return 1;
  } finally {
    await sim.stop();
  }
}
