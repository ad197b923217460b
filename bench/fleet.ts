// Scenario 7 of `npm run bench`: thousands of log groups (lambdaFleet), discovered and read as
// the platform does it (discover, then read every discovered stream). The connector's stdout is
// read whole: the delivered event set, each stream's outcome and the size of every STATE are in
// its messages; request counts come from the simulator's counters.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expectedEvents, spawnSimulator, type CountersSnapshot, type Scenario } from "../sim/index.js";
import { lambdaFleet } from "./scenarios.js";
import { pageCapacity } from "./page-capacity.js";

export interface FleetOptions {
  readonly main: string;
  readonly launchFlags: readonly string[];
  readonly dir: string;
  readonly groups: number;
  readonly big: number;
  readonly bigEvents: number;
  /** Fixed latency of every simulated request. */
  readonly latencyMs: number;
  /** Passed as the config's max_concurrency only when given. */
  readonly concurrency: number | undefined;
  /** Passed as the config's stream_layout only when given (a connector without it ignores the field). */
  readonly layout: string | undefined;
}

export interface FleetResult {
  readonly groups: number;
  readonly expectedEvents: number;
  readonly largestGroup: number;
  readonly pageCapacity: number;
  readonly discover: { seconds: number; streams: number; describeRequests: number; throttled: number };
  readonly read: {
    seconds: number;
    exitCode: number | null;
    /** Records delivered, with repeats. */
    records: number;
    /** Distinct expected events among them. */
    delivered: number;
    /** Records that are not expected events, or repeats. */
    unexpected: number;
    streams: number;
    complete: number;
    filterRequests: number;
    describeRequests: number;
    throttled: number;
    states: number;
    largestStateBytes: number;
    peakRssMb: number;
    summary: string;
  };
  /** Minimum FilterLogEvents requests: one per group, a full page of events per request. */
  readonly minFilterRequests: number;
  readonly describePages: number;
  /** DescribeLogGroups pages at 10 TPS, then the minimum FilterLogEvents requests at 25 TPS. */
  readonly readBoundSeconds: number;
}

const FILTER_TPS = 25;
const DESCRIBE_TPS = 10;

interface Message {
  type: string;
  record?: { stream: string; data: { logGroupName: string; logStreamName: string; eventId: string } };
  trace?: { stream_status?: { stream_descriptor: { name: string }; status: string } };
  catalog?: { streams: { name: string }[] };
}

/** Runs one connector command; `onLine` sees each stdout line, the result is stderr's last line. */
async function runCommand(
  options: FleetOptions,
  args: readonly string[],
  onLine: (line: string) => void,
): Promise<{ seconds: number; exitCode: number | null; lastStderrLine: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [...options.launchFlags, options.main, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const closed = new Promise<number | null>((r) => child.on("close", r));
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) onLine(line);
  const exitCode = await closed;
  return {
    seconds: (performance.now() - started) / 1000,
    exitCode,
    lastStderrLine: stderr.trim().split("\n").pop() ?? "",
  };
}

const sum = (record: Record<string, number>) => Object.values(record).reduce((a, b) => a + b, 0);

export async function fleetBench(options: FleetOptions): Promise<FleetResult> {
  const { dir } = options;
  const scenarioPath = join(dir, "fleet.json");
  writeFileSync(
    scenarioPath,
    JSON.stringify(lambdaFleet(options.groups, options.big, options.bigEvents, options.latencyMs)),
  );
  const sim = await spawnSimulator({ scenarioPath });
  try {
    const control = (path: string, method = "GET") => fetch(`${sim.url}/_sim/${path}`, { method });
    // The simulator resolved "now" when it started: its own resolved scenario has the events.
    const resolved = (await (await control("scenario")).json()) as Scenario;
    const want = new Set<string>();
    const perGroup = new Map<string, number>();
    for (const e of expectedEvents(resolved, { withoutMessages: true })) {
      want.add(`${e.logGroupName}|${e.logStreamName}|${e.eventId}`);
      perGroup.set(e.logGroupName, (perGroup.get(e.logGroupName) ?? 0) + 1);
    }
    const [biggest, largestGroup] = [...perGroup.entries()].sort((a, b) => b[1] - a[1])[0] ?? ["", 0];
    const capacity = largestGroup > 0 ? await pageCapacity(sim.url, biggest, 0, Date.now()) : 1;
    const minFilterRequests = resolved.groups.reduce(
      (n, g) => n + Math.max(1, Math.ceil((perGroup.get(g.name) ?? 0) / capacity)),
      0,
    );
    const describePages = Math.max(1, Math.ceil(resolved.groups.length / 50));

    const config = join(dir, "fleet-config.json");
    writeFileSync(
      config,
      JSON.stringify({
        region_name: "us-east-1",
        aws_access_key_id: "AKIABENCH0000000001",
        aws_secret_access_key: "bench-secret-0000000000000001",
        endpoint_url: sim.url,
        ...(options.concurrency === undefined ? {} : { max_concurrency: options.concurrency }),
        ...(options.layout === undefined ? {} : { stream_layout: options.layout }),
      }),
    );
    // Let the simulator's buckets refill after the capacity probe.
    await new Promise((r) => setTimeout(r, 1000));
    await control("counters/reset", "POST");
    let catalog: { streams: { name: string }[] } | undefined;
    const disc = await runCommand(options, ["discover", "--config", config], (line) => {
      const m = JSON.parse(line) as Message;
      if (m.type === "CATALOG") catalog = m.catalog;
    });
    if (!catalog) throw new Error(`discover gave no catalog (exit ${disc.exitCode}): ${disc.lastStderrLine}`);
    // The spec allows unknown fields, so a connector without stream_layout would silently read
    // per log group: a single_stream run must show it in its catalog.
    if (options.layout === "single_stream" && catalog.streams.length !== 1)
      throw new Error(
        `stream_layout single_stream was not applied: discover offered ${catalog.streams.length} streams (does this connector know the setting?)`,
      );
    const afterDiscover = (await (await control("counters")).json()) as CountersSnapshot;
    const catalogPath = join(dir, "fleet-catalog.json");
    writeFileSync(
      catalogPath,
      JSON.stringify({
        streams: catalog.streams.map((stream) => ({
          stream,
          sync_mode: "incremental",
          destination_sync_mode: "append",
        })),
      }),
    );

    await new Promise((r) => setTimeout(r, 1000));
    await control("counters/reset", "POST");
    const got = new Set<string>();
    const status = new Map<string, string>();
    let records = 0;
    let unexpected = 0;
    let states = 0;
    let largestStateBytes = 0;
    const run = await runCommand(options, ["read", "--config", config, "--catalog", catalogPath], (line) => {
      // Most lines are records; only those and the few others are parsed.
      if (line.startsWith('{"type":"STATE"')) {
        states++;
        largestStateBytes = Math.max(largestStateBytes, Buffer.byteLength(line) + 1);
        return;
      }
      const m = JSON.parse(line) as Message;
      if (m.type === "RECORD") {
        const d = m.record!.data;
        const key = `${d.logGroupName}|${d.logStreamName}|${d.eventId}`;
        records++;
        if (!want.has(key) || got.has(key)) unexpected++;
        got.add(key);
      }
      const s = m.trace?.stream_status;
      if (s) status.set(s.stream_descriptor.name, s.status);
    });
    const afterRead = (await (await control("counters")).json()) as CountersSnapshot;
    const peak = /peak RSS (\d+) MB/.exec(run.lastStderrLine);
    return {
      groups: resolved.groups.length,
      expectedEvents: want.size,
      largestGroup,
      pageCapacity: capacity,
      discover: {
        seconds: disc.seconds,
        streams: catalog.streams.length,
        describeRequests: afterDiscover.requests.DescribeLogGroups ?? 0,
        throttled: sum(afterDiscover.throttles),
      },
      read: {
        seconds: run.seconds,
        exitCode: run.exitCode,
        records,
        delivered: [...got].filter((k) => want.has(k)).length,
        unexpected,
        streams: status.size,
        complete: [...status.values()].filter((s) => s === "COMPLETE").length,
        filterRequests: afterRead.requests.FilterLogEvents ?? 0,
        describeRequests: afterRead.requests.DescribeLogGroups ?? 0,
        throttled: sum(afterRead.throttles),
        states,
        largestStateBytes,
        peakRssMb: peak ? Number(peak[1]) : Number.NaN,
        summary: run.lastStderrLine,
      },
      minFilterRequests,
      describePages,
      readBoundSeconds: describePages / DESCRIBE_TPS + minFilterRequests / FILTER_TPS,
    };
  } finally {
    await sim.stop();
  }
}
