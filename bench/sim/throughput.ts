// Benchmark (not a test): how fast the simulator serves FilterLogEvents pages from a 10-million
// event group, with no quota and no latency, and how much memory it needs meanwhile.
// Run: npm run bench:sim [-- --events N --streams K --size BYTES --windows W]
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Agent, request } from "node:http";
import { spawnSimulator } from "../../sim/index.js";
import type { ScenarioFile } from "../../sim/scenario-file.js";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    streams: { type: "string", default: "20" },
    size: { type: "string", default: "150" },
    windows: { type: "string", default: "4" },
    shape: { type: "string", default: "text" },
    prof: { type: "boolean", default: false },
  },
});
const EVENTS = Number(values.events);
const WINDOWS = Number(values.windows);
const END = Date.now() - 3_600_000;
const START = END - 10 * 86_400_000;

function procStatus(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) the process has used so far; /proc ticks are 1/100 s on Linux. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Run {
  events: number;
  bytes: number;
  requests: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
const EVENT_ID = Buffer.from('"eventId"');

/** POSTs a FilterLogEvents request; the body stays a Buffer (the client must cost little). */
function post(url: URL, body: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/",
        agent,
        headers: {
          "X-Amz-Target": "Logs_20140328.FilterLogEvents",
          "Content-Type": "application/x-amz-json-1.1",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Pages one window to its end; counts events by scanning for "eventId" rather than parsing JSON. */
async function pageWindow(base: string, startTime: number, endTime: number): Promise<Run> {
  const url = new URL(base);
  const run: Run = { events: 0, bytes: 0, requests: 0 };
  let nextToken: string | undefined;
  do {
    const res = await post(url, JSON.stringify({ logGroupName: "/bench/big", startTime, endTime, nextToken }));
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body.subarray(0, 200).toString()}`);
    run.requests++;
    run.bytes += res.body.length;
    for (let i = res.body.indexOf(EVENT_ID); i >= 0; i = res.body.indexOf(EVENT_ID, i + 9)) run.events++;
    const m = /"nextToken":"([^"]+)"\}$/.exec(res.body.subarray(Math.max(0, res.body.length - 512)).toString("latin1"));
    nextToken = m ? m[1] : undefined;
  } while (nextToken);
  return run;
}

async function measure(label: string, url: string, pid: number, windows: number): Promise<void> {
  const span = (END - START) / windows;
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const runs = await Promise.all(
    Array.from({ length: windows }, (_, w) =>
      pageWindow(url, Math.floor(START + w * span), Math.floor(START + (w + 1) * span)),
    ),
  );
  const secs = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(pid) - cpu0;
  const total = runs.reduce(
    (a, r) => ({ events: a.events + r.events, bytes: a.bytes + r.bytes, requests: a.requests + r.requests }),
    { events: 0, bytes: 0, requests: 0 },
  );
  if (total.events !== EVENTS) throw new Error(`${label}: served ${total.events} events, expected ${EVENTS}`);
  console.log(
    `${label.padEnd(22)} ${total.events} events in ${secs.toFixed(1)} s = ${Math.round(total.events / secs).toLocaleString("en-US")} events/s, ` +
      `${(total.bytes / 1_048_576 / secs).toFixed(1)} MB/s, ${total.requests} pages; simulator CPU ${cpu.toFixed(1)} s = ${Math.round(total.events / cpu).toLocaleString("en-US")} events per CPU-second; VmRSS ${procStatus(pid, "VmRSS").toFixed(0)} MB`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "sim-bench-"));
  const scenario: ScenarioFile = {
    seed: 1,
    quotas: "none",
    logGroups: [
      {
        name: "/bench/big",
        streams: { count: Number(values.streams), namePattern: "host-{index}" },
        timeRange: { start: START, end: END },
        events: { count: EVENTS },
        message: { shape: values.shape as "text", size: Number(values.size) },
      },
    ],
  };
  const path = join(dir, "bench.json");
  writeFileSync(path, JSON.stringify(scenario));
  const sim = await spawnSimulator({
    scenarioPath: path,
    nodeArgs: values.prof ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [],
  });
  try {
    console.log(`command: ${process.argv.map((a) => (a === process.execPath ? "node" : a)).join(" ")}`);
    console.log(
      `scenario: 1 group, ${EVENTS} events over ${values.streams} streams, ${values.shape} messages of ${values.size} chars, no quota, no latency`,
    );
    console.log(`simulator pid ${sim.pid}: VmRSS after start ${procStatus(sim.pid, "VmRSS").toFixed(0)} MB`);
    await measure("sequential (1 window)", sim.url, sim.pid, 1);
    await measure(`concurrent (${WINDOWS} windows)`, sim.url, sim.pid, WINDOWS);
    console.log(`simulator peak RSS (VmHWM) ${procStatus(sim.pid, "VmHWM").toFixed(0)} MB`);
  } finally {
    await sim.stop();
    agent.destroy();
    if (values.prof) console.log(`cpu profile in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
