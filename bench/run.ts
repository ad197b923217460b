// Benchmarks (not tests): `npm run bench [-- --only 1,2,3,4,5,6,7,8 --events1 N --events2 N --runs2 N --events3 N --groups7 N --layout7 L --events8 N --runs8 N]`.
// Each scenario prints its figures and the command line that reproduces it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { expectedEvents, loadScenario, spawnSimulator, type ScenarioFile } from "../sim/index.js";
import { DAY_MS, cpuBound, faultStorm, quotaBound } from "./scenarios.js";
import { referenceRead } from "./reference-reader.js";
import { faultTable } from "./fault-table.js";
import { fleetBench } from "./fleet.js";
import { pageCapacity } from "./page-capacity.js";
import { syncThroughput } from "./sync-throughput.js";
import { connectorRun, median, naiveRun, type PeerRun } from "./peers.js";
import { launchFlags } from "../test/support/packaging-rules.js";

// The SDK version is pinned; its notice about future Node versions is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

function options() {
  try {
    return parseArgs({
      options: {
        only: { type: "string", default: "1,2,3,4,5" },
        events1: { type: "string", default: "1000000" },
        events2: { type: "string", default: "1000000" },
        runs2: { type: "string", default: "3" },
        events3: { type: "string", default: "10000000" },
        events5: { type: "string", default: "300000" },
        "fault-rate": { type: "string", default: "0.1" },
        "fault-runs": { type: "string", default: "3" },
        "heap-mb": { type: "string", default: "" },
        "semi-space-mb": { type: "string", default: "" },
        concurrency: { type: "string", default: "" },
        groups7: { type: "string", default: "10000" },
        big7: { type: "string", default: "10" },
        "big-events7": { type: "string", default: "50000" },
        latency7: { type: "string", default: "80" },
        layout7: { type: "string" },
        events8: { type: "string", default: "2000000" },
        runs8: { type: "string", default: "3" },
      },
    });
  } catch (err) {
    // An unknown flag or one without its value: the message, not a stack trace.
    console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return process.exit(2);
  }
}
const { values } = options();
// Counts and sizes are whole numbers of 1 or more (empty: the default); the fault rate is within [0, 1].
const WHOLE = [
  "events1",
  "events2",
  "runs2",
  "events3",
  "events5",
  "fault-runs",
  "groups7",
  "big7",
  "big-events7",
  "latency7",
  "events8",
  "runs8",
  "heap-mb",
  "semi-space-mb",
  "concurrency",
] as const;
for (const name of WHOLE) {
  const text = values[name];
  const least = name === "latency7" ? 0 : 1;
  if (text !== "" && !(Number.isInteger(Number(text)) && Number(text) >= least)) {
    console.error(`bench: --${name} must be a whole number of ${least} or more (got ${JSON.stringify(text)})`);
    process.exit(2);
  }
}
const faultRate = Number(values["fault-rate"]);
if (!(faultRate >= 0 && faultRate <= 1)) {
  console.error(`bench: --fault-rate must be a number from 0 to 1 (got ${JSON.stringify(values["fault-rate"])})`);
  process.exit(2);
}
const only = new Set(values.only.split(","));
const unknown = [...only].filter((n) => !/^[1-8]$/.test(n));
if (unknown.length > 0) {
  console.error(
    `bench: --only takes scenario numbers from 1 to 8, separated by commas (got ${JSON.stringify(values.only)})`,
  );
  process.exit(2);
}
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));
// The connector runs with its launch flags (main.js's first line, as its bin and image run it).
const LAUNCH_FLAGS = launchFlags(readFileSync(MAIN, "utf8"));
const dir = mkdtempSync(join(tmpdir(), "cwl-bench-"));

interface ConnectorRun {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly requests: number;
  readonly throttled: number;
  readonly peakRssMb: number;
  readonly exitCode: number | null;
}

/** Runs `read` with stdout to /dev/null; the figures come from the connector's stderr summary. */
function runConnector(
  url: string,
  region: string,
  streams: readonly string[],
  extraConfig: Record<string, unknown>,
  nodeArgs: readonly string[],
): ConnectorRun {
  const config = join(dir, `config-${Date.now()}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      region_name: region,
      aws_access_key_id: "AKIABENCH0000000001",
      aws_secret_access_key: "bench-secret-0000000000000001",
      endpoint_url: url,
      ...extraConfig,
    }),
  );
  const catalog = join(dir, `catalog-${Date.now()}.json`);
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: streams.map((name) => ({ stream: { name }, sync_mode: "incremental", destination_sync_mode: "append" })),
    }),
  );
  const out = openSync("/dev/null", "w");
  const r = spawnSync(
    process.execPath,
    [...LAUNCH_FLAGS, ...nodeArgs, MAIN, "read", "--config", config, "--catalog", catalog],
    { stdio: ["ignore", out, "pipe"], maxBuffer: 64 * 1024 * 1024 },
  );
  const summary = r.stderr.toString().trim().split("\n").pop() ?? "";
  const num = (re: RegExp) => Number(re.exec(summary)?.[1] ?? NaN);
  return {
    records: num(/read (\d+) records/),
    seconds: num(/in ([\d.]+) s/),
    recordsPerSecond: num(/\((\d+) records\/s\)/),
    requests: num(/; (\d+) requests/),
    throttled: num(/(\d+) throttled/),
    peakRssMb: num(/peak RSS (\d+) MB/),
    exitCode: r.status,
  };
}

async function withSimulator<T>(name: string, scenario: ScenarioFile, fn: (url: string) => Promise<T>): Promise<T> {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(scenario));
  const sim = await spawnSimulator({ scenarioPath: path });
  try {
    return await fn(sim.url);
  } finally {
    await sim.stop();
  }
}

const cmd = (extra: string) => `npm run bench -- ${extra}`;
const lines: string[] = [];
const print = (s: string) => {
  lines.push(s);
  console.log(s);
};

if (only.has("1") || only.has("4")) {
  const total = Number(values.events1);
  const scenario = quotaBound(total);
  const resolved = loadScenario(scenario);
  const counts = new Map<string, number>();
  for (const e of expectedEvents(resolved, { withoutMessages: true }))
    counts.set(e.logGroupName, (counts.get(e.logGroupName) ?? 0) + 1);
  const groups = resolved.groups.map((g) => g.name);
  const events = [...counts.values()].reduce((a, b) => a + b, 0);
  const startDate = Math.floor((Date.now() - 30 * DAY_MS - 3_600_000) / 1000) * 1000;
  await withSimulator("quota-bound", scenario, async (url) => {
    const biggest = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const capacity = await pageCapacity(url, biggest, startDate, Date.now());
    const minRequests = groups.reduce((n, g) => n + Math.max(1, Math.ceil((counts.get(g) ?? 0) / capacity)), 0);
    const tps = 10;
    const nominalBound = events / 10_000 / tps;
    const bound = Math.max(events / capacity / tps, minRequests / tps);
    if (only.has("1")) {
      // Let the simulator's buckets refill after the capacity probe.
      await new Promise((r) => setTimeout(r, 1000));
      const r = runConnector(
        url,
        "us-west-2",
        groups,
        { start_date: new Date(startDate).toISOString().replace(".000Z", "Z"), ingestion_delay_seconds: 0 },
        [],
      );
      print(
        `\n## 1. quota-bound: ${groups.length} log groups, ${events} events (power-law, largest ${counts.get(biggest)}), 30 days, FilterLogEvents 10 TPS, latency 150 ms + 0.25 ms/KB`,
      );
      print(
        `connector: ${r.records} records in ${r.seconds} s = ${r.recordsPerSecond} events/s; ${r.requests} requests (${r.throttled} throttled); peak RSS ${r.peakRssMb} MB; exit ${r.exitCode}`,
      );
      print(
        `page capacity under 1 MB: ${capacity} events; minimum requests ${minRequests}; lower bound ${bound.toFixed(1)} s (issue's nominal events/10,000/TPS: ${nominalBound.toFixed(1)} s)`,
      );
      print(
        `ratio wall / lower bound: ${(r.seconds / bound).toFixed(2)}x; requests / minimum: ${(r.requests / minRequests).toFixed(2)}x`,
      );
      print(`command: ${cmd(`--only 1 --events1 ${total}`)}`);
      if (only.has("4")) {
        const ref = await referenceRead(url, "us-west-2", startDate, Date.now());
        print(
          `\n## 4. reference reader (sequential FilterLogEvents, 1-day windows, one request at a time) on scenario 1`,
        );
        print(
          `reference: ${ref.events} events in ${ref.seconds.toFixed(1)} s = ${Math.round(ref.events / ref.seconds)} events/s; ${ref.requests} requests`,
        );
        print(`speed-up of the connector: ${(ref.seconds / r.seconds).toFixed(1)}x`);
        print(`command: ${cmd(`--only 1,4 --events1 ${total}`)}`);
      }
    }
  });
}

if (only.has("2")) {
  const n = Number(values.events2);
  const runs = Number(values.runs2);
  await withSimulator("cpu-bound", cpuBound(n), async (url) => {
    const config = {
      region_name: "us-east-1",
      aws_access_key_id: "AKIABENCH0000000001",
      aws_secret_access_key: "bench-secret-0000000000000001",
      endpoint_url: url,
      max_requests_per_second: 1000,
    };
    const connector: PeerRun[] = [];
    const naive: PeerRun[] = [];
    // Interleaved, so both peers see the same machine load.
    for (let i = 0; i < runs; i++) {
      connector.push(await connectorRun(MAIN, LAUNCH_FLAGS, dir, config));
      naive.push(await naiveRun(dir, url, "us-east-1"));
    }
    print(
      `\n## 2. CPU-bound: one group of ${n} events, no quota (max_requests_per_second 1000), no latency; stdout to a pipe; ${runs} interleaved runs each, medians`,
    );
    print(
      "| peer | wall s | CPU s (user + sys) | CPU s per million events | peak RSS MB | events | runs (wall s / CPU s / RSS MB) |",
    );
    print("|---|---|---|---|---|---|---|");
    const row = (name: string, rs: readonly PeerRun[]) => {
      const cpu = median(rs.map((r) => r.cpuSeconds));
      print(
        `| ${name} | ${median(rs.map((r) => r.wallSeconds)).toFixed(2)} | ${cpu.toFixed(2)} | ${((cpu * 1e6) / n).toFixed(2)} | ${median(rs.map((r) => r.peakRssMb)).toFixed(0)} | ${rs.map((r) => (r.exitCode === 0 ? r.events : `${r.events} (exit ${r.exitCode})`)).join(", ")} | ${rs.map((r) => `${r.wallSeconds.toFixed(1)}/${r.cpuSeconds.toFixed(2)}/${r.peakRssMb.toFixed(0)}`).join(", ")} |`,
      );
      return cpu;
    };
    const c = row("connector (discover + read, launch flags)", connector);
    const v = row("naive SDK reader (paginateFilterLogEvents, JSON.stringify)", naive);
    const wallRatio = median(naive.map((r) => r.wallSeconds)) / median(connector.map((r) => r.wallSeconds));
    print(`connector / naive: CPU ${(c / v).toFixed(2)}x; the connector ${wallRatio.toFixed(2)}x faster (wall)`);
    print(`command: ${cmd(`--only 2 --events2 ${n} --runs2 ${runs}`)}`);
  });
}

if (only.has("3")) {
  const n = Number(values.events3);
  await withSimulator("memory", cpuBound(n), async (url) => {
    const heap = values["heap-mb"];
    const semi = values["semi-space-mb"];
    const nodeArgs = [
      ...(heap ? [`--max-old-space-size=${heap}`] : []),
      ...(semi ? [`--max-semi-space-size=${semi}`] : []),
    ];
    const conc = values.concurrency ? { max_concurrency: Number(values.concurrency) } : {};
    const r = runConnector(url, "us-east-1", ["/bench/dense"], { max_requests_per_second: 1000, ...conc }, nodeArgs);
    const flags = [
      heap ? ` --heap-mb ${heap}` : "",
      semi ? ` --semi-space-mb ${semi}` : "",
      values.concurrency ? ` --concurrency ${values.concurrency}` : "",
    ].join("");
    print(
      `\n## 3. memory: one group of ${n} events, node ${[...LAUNCH_FLAGS, ...nodeArgs].join(" ")}${values.concurrency ? `, max_concurrency ${values.concurrency}` : ""}`,
    );
    print(
      `connector: ${r.records} records in ${r.seconds} s = ${r.recordsPerSecond} events/s; peak RSS ${r.peakRssMb} MB`,
    );
    print(`command: ${cmd(`--only 3 --events3 ${n}${flags}`)}`);
  });
}
if (only.has("5")) {
  const n = Number(values.events5);
  const groups = loadScenario(faultStorm(n, false)).groups.map((g) => g.name);
  const settings = { max_requests_per_second: 1000, request_timeout_seconds: 2 };
  const calm = await withSimulator("calm", faultStorm(n, false), async (url) =>
    runConnector(url, "us-east-1", groups, settings, []),
  );
  const storm = await withSimulator("storm", faultStorm(n, true), async (url) =>
    runConnector(url, "us-east-1", groups, settings, []),
  );
  print(
    `\n## 5. fault storm: ${n} events in 5 groups, latency 50 ms; storm = 30% throttles, 3% 500, 2% 503, 2% resets, 1% stalls of 10 s (request timeout 2 s)`,
  );
  print(
    `without faults: ${calm.records} records in ${calm.seconds} s, ${calm.requests} requests, exit ${calm.exitCode}`,
  );
  print(
    `with faults:    ${storm.records} records in ${storm.seconds} s, ${storm.requests} requests (${storm.throttled} throttled), exit ${storm.exitCode}`,
  );
  print(`slow-down under faults: ${(storm.seconds / calm.seconds).toFixed(2)}x`);
  print(`command: ${cmd(`--only 5 --events5 ${n}`)}`);
}

if (only.has("6")) {
  const rate = Number(values["fault-rate"]);
  const runs = Number(values["fault-runs"]);
  const rows = await faultTable(MAIN, LAUNCH_FLAGS, dir, rate, runs, 3000);
  print(
    `\n## 6. one fault at a time at ${rate * 100}% of Logs requests, ${runs} seeded runs each, 3 groups of 3,000 events (request timeout 1 s)`,
  );
  print(
    "| fault | rate | runs | events expected | delivered | streams COMPLETE | INCOMPLETE | COMPLETE with an event missing | longest run |",
  );
  print("|---|---|---|---|---|---|---|---|---|");
  for (const r of rows)
    print(
      `| ${r.fault.replace(/Rate$/, "")} | ${r.rate * 100}% | ${r.runs} | ${r.expected} | ${r.delivered} | ${r.complete} | ${r.incomplete} | ${r.silentlyWrong} | ${r.maxSeconds.toFixed(1)} s |`,
    );
  print(`command: ${cmd(`--only 6 --fault-rate ${rate} --fault-runs ${runs}`)}`);
}

if (only.has("7")) {
  const groups = Number(values.groups7);
  const big = Number(values.big7);
  const bigEvents = Number(values["big-events7"]);
  const latencyMs = Number(values.latency7);
  const layout = values.layout7;
  const concurrency = values.concurrency ? Number(values.concurrency) : undefined;
  const f = await fleetBench({
    main: MAIN,
    launchFlags: LAUNCH_FLAGS,
    dir,
    groups,
    big,
    bigEvents,
    latencyMs,
    concurrency,
    layout,
  });
  const r = f.read;
  const n = (x: number) => x.toLocaleString("en-US");
  print(
    `\n## 7. many log groups: ${n(f.groups)} groups, ${n(big)} of 10,000 to ${n(bigEvents)} events, the others 1 to 20; ${n(f.expectedEvents)} events; FilterLogEvents 25 TPS, DescribeLogGroups 10 TPS, latency ${latencyMs} ms + 0.25 ms/KB; max_concurrency ${concurrency ?? "default"}; stream_layout ${layout ?? "not set (per_log_group)"}`,
  );
  print("| measure | value | lower bound | ratio |");
  print("|---|---|---|---|");
  print(
    `| discover | ${f.discover.seconds.toFixed(1)} s, ${f.discover.describeRequests} DescribeLogGroups requests (${f.discover.throttled} throttled), ${n(f.discover.streams)} streams | ${f.describePages} pages at 10 TPS = ${(f.describePages / 10).toFixed(1)} s | ${(f.discover.seconds / (f.describePages / 10)).toFixed(2)}x |`,
  );
  print(
    `| read | ${r.seconds.toFixed(1)} s, ${n(r.filterRequests)} FilterLogEvents + ${r.describeRequests} DescribeLogGroups requests (${r.throttled} throttled), exit ${r.exitCode} | ${f.describePages} pages at 10 TPS + ${n(f.minFilterRequests)} requests at 25 TPS = ${f.readBoundSeconds.toFixed(1)} s | **${(r.seconds / f.readBoundSeconds).toFixed(3)}x** |`,
  );
  print(
    `| FilterLogEvents requests | ${n(r.filterRequests)} | ${n(f.minFilterRequests)} (one per group; a full page holds ${n(f.pageCapacity)} events, largest group ${n(f.largestGroup)}) | ${(r.filterRequests / f.minFilterRequests).toFixed(3)}x |`,
  );
  print(
    `| events delivered | ${n(r.delivered)} of ${n(f.expectedEvents)} expected, ${r.unexpected} unexpected or repeated (${n(r.records)} records) | exact | ${r.delivered === f.expectedEvents && r.unexpected === 0 ? "exact" : "**NOT EXACT**"} |`,
  );
  print(`| streams COMPLETE | ${n(r.complete)} of ${n(r.streams)} | all | |`);
  print(`| peak RSS of the connector (read) | ${r.peakRssMb} MB | | |`);
  print(`| STATE messages | ${n(r.states)}, the largest ${n(r.largestStateBytes)} bytes | under 1 MB | |`);
  print(`connector's summary: ${r.summary}`);
  print(
    `command: ${cmd(`--only 7 --groups7 ${groups} --big7 ${big} --big-events7 ${bigEvents}${latencyMs === 80 ? "" : ` --latency7 ${latencyMs}`}${concurrency === undefined ? "" : ` --concurrency ${concurrency}`}${layout === undefined ? "" : ` --layout7 ${layout}`}`)}`,
  );
}

if (only.has("8")) {
  const n = Number(values.events8);
  const rounds = Number(values.runs8);
  const b = await withSimulator("sync-throughput", cpuBound(n), (url) =>
    syncThroughput({
      main: MAIN,
      launchFlags: LAUNCH_FLAGS,
      dir,
      url,
      region: "us-east-1",
      stream: "/bench/dense",
      rounds,
    }),
  );
  const rate = (records: number, seconds: number) => Math.round(records / seconds);
  const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);
  print(
    `\n## 8. sync into DuckDB against read: scenario 2's group of ${n} events, no quota; reads and syncs take turns (read, sync, read, ...), ${rounds} round(s)`,
  );
  print(
    "| round | sync wall time | sync records/s | sync peak RSS | read before / after | faster read records/s | sync / read |",
  );
  print("|---|---|---|---|---|---|---|");
  b.rounds.forEach((r, i) => {
    print(
      `| ${i + 1} | ${r.sync.seconds.toFixed(1)} s | ${rate(r.sync.records, r.sync.seconds)} | ${r.sync.peakRssMb.toFixed(0)} MB | ` +
        `${r.reads[0].seconds.toFixed(1)} s / ${r.reads[1].seconds.toFixed(1)} s | ${Math.round(r.readRate)} | ${r.ratio.toFixed(2)} |`,
    );
  });
  const ratios = b.rounds.map((r) => r.ratio).sort((x, y) => x - y);
  const last = b.rounds.at(-1)!.sync;
  print(
    `sync / read records/s, median of ${ratios.length}: **${ratios[Math.floor((ratios.length - 1) / 2)]!.toFixed(2)}** ` +
      `(${ratios[0]!.toFixed(2)}-${ratios.at(-1)!.toFixed(2)}); ` +
      `file ${mb(last.fileBytes)} MB = ${(last.fileBytes / last.records).toFixed(1)} bytes/event (used blocks ${mb(b.fileUsedBytes)} MB)`,
  );
  print(
    `by column (blocks): ${b.columns.map((c) => `${c.column} ${mb(c.bytes)} MB (${c.compressions})`).join(", ")}; ` +
      `other (index, catalog) ${mb(b.fileUsedBytes - b.columns.reduce((t, c) => t + c.bytes, 0))} MB`,
  );
  for (const r of b.rounds) if (r.sync.exitCode !== 0) print(`sync failed: ${r.sync.stdout}${r.sync.stderr}`);
  print(`command: ${cmd(`--only 8 --events8 ${n} --runs8 ${rounds}`)}`);
}

writeFileSync(join(dir, "results.md"), `${lines.join("\n")}\n`);
console.log(`\n(results also in ${join(dir, "results.md")})`);
