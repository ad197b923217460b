// Scenario 6 of `npm run bench`: one fault at a time, at a given rate, several seeded runs; for
// each run the events expected and delivered (distinct, per stream) and each stream's outcome.
// The connector's stdout is read whole here, since the outcome is in its messages.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { FAULT_RATES, expectedEvents, spawnSimulator, type Scenario, type ScenarioFile } from "../sim/index.js";

/** Every fault of the simulator but throttles, 500s and pre-answer stalls (scenario 5 has those). */
const FAULTS = FAULT_RATES.filter((f) => f !== "throttleRate" && f !== "http500Rate" && f !== "stallRate");

const GROUPS = ["/faults/a", "/faults/b", "/faults/c"];

function scenario(seed: number, fault: (typeof FAULTS)[number], rate: number, eventsPerGroup: number): ScenarioFile {
  return {
    seed,
    quotas: "none",
    faults: { [fault]: rate, stallMs: 3000 },
    logGroups: GROUPS.map((name) => ({
      name,
      creationTime: "now-2d",
      streams: { count: 3, namePattern: "s-{index}" },
      timeRange: { start: "now-30h", end: "now-1h" },
      events: { count: eventsPerGroup },
      message: { shape: "text", size: 3000 },
    })),
  };
}

export interface FaultRow {
  readonly fault: string;
  readonly rate: number;
  readonly runs: number;
  readonly expected: number;
  readonly delivered: number;
  readonly complete: number;
  readonly incomplete: number;
  /** Streams COMPLETE with an event missing: must be 0. */
  readonly silentlyWrong: number;
  readonly maxSeconds: number;
}

async function readAll(main: string, launchFlags: readonly string[], dir: string, url: string) {
  const config = join(dir, "faults-config.json");
  writeFileSync(
    config,
    JSON.stringify({
      region_name: "us-east-1",
      aws_access_key_id: "AKIABENCH0000000001",
      aws_secret_access_key: "bench-secret-0000000000000001",
      endpoint_url: url,
      request_timeout_seconds: 1,
      max_requests_per_second: 1000,
    }),
  );
  const catalog = join(dir, "faults-catalog.json");
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: GROUPS.map((name) => ({ stream: { name }, sync_mode: "incremental", destination_sync_mode: "append" })),
    }),
  );
  const child = spawn(process.execPath, [...launchFlags, main, "read", "--config", config, "--catalog", catalog], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  const keys = new Map<string, Set<string>>(GROUPS.map((g) => [g, new Set()]));
  const status = new Map<string, string>();
  for await (const line of createInterface({ input: child.stdout })) {
    const m = JSON.parse(line) as {
      type: string;
      record?: { stream: string; data: { logStreamName: string; eventId: string } };
      trace?: { stream_status?: { stream_descriptor: { name: string }; status: string } };
    };
    if (m.type === "RECORD")
      keys.get(m.record!.stream)!.add(`${m.record!.data.logStreamName}|${m.record!.data.eventId}`);
    const s = m.trace?.stream_status;
    if (s) status.set(s.stream_descriptor.name, s.status);
  }
  await new Promise((r) => child.on("close", r));
  return { keys, status };
}

export async function faultTable(
  main: string,
  launchFlags: readonly string[],
  dir: string,
  rate: number,
  runs: number,
  eventsPerGroup: number,
): Promise<FaultRow[]> {
  const rows: FaultRow[] = [];
  for (const fault of FAULTS) {
    let expected = 0,
      delivered = 0,
      complete = 0,
      incomplete = 0,
      silentlyWrong = 0,
      maxSeconds = 0;
    for (let run = 0; run < runs; run++) {
      const file = scenario(600 + run, fault, rate, eventsPerGroup);
      const path = join(dir, `faults-${fault}-${run}.json`);
      writeFileSync(path, JSON.stringify(file));
      const sim = await spawnSimulator({ scenarioPath: path });
      try {
        // The simulator resolved "now" when it started: its own resolved scenario has the events.
        const resolved = (await (await fetch(`${sim.url}/_sim/scenario`)).json()) as Scenario;
        const want = new Map<string, Set<string>>(GROUPS.map((g) => [g, new Set()]));
        for (const e of expectedEvents(resolved, { withoutMessages: true }))
          want.get(e.logGroupName)!.add(`${e.logStreamName}|${e.eventId}`);
        const started = Date.now();
        const { keys, status } = await readAll(main, launchFlags, dir, sim.url);
        maxSeconds = Math.max(maxSeconds, (Date.now() - started) / 1000);
        for (const g of GROUPS) {
          const got = keys.get(g)!;
          const all = want.get(g)!;
          expected += all.size;
          delivered += [...got].filter((k) => all.has(k)).length;
          if (status.get(g) === "COMPLETE") {
            complete++;
            if (got.size !== all.size || [...all].some((k) => !got.has(k))) silentlyWrong++;
          } else incomplete++;
        }
      } finally {
        await sim.stop();
      }
    }
    rows.push({ fault, rate, runs, expected, delivered, complete, incomplete, silentlyWrong, maxSeconds });
  }
  return rows;
}
