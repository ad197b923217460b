// Scenario 2 of `npm run bench`: the connector side by side with the reader a user would write
// (naive-reader.ts), against the same simulator, runs interleaved. Each peer's stdout is a pipe
// read by this process (as Airbyte reads a source), not /dev/null. CPU seconds (user + sys) and
// peak RSS of each child are measured from outside by GNU time, the same way for both; the
// connector's figures add its `discover` to its `read`, as the platform runs both.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const TIME = "/usr/bin/time";
const NAIVE = fileURLToPath(new URL("./naive-reader.js", import.meta.url));

export interface PeerRun {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
  /** Lines written to stdout that carry an event (RECORD messages, or the naive reader's lines). */
  readonly events: number;
  readonly exitCode: number | null;
}

interface ChildFigures extends PeerRun {
  readonly stdout: string;
}

/** Runs a node child under GNU time, its stdout piped here; `keep` keeps stdout's text (small outputs only). */
async function timed(dir: string, args: readonly string[], isEvent: (line: string) => boolean, keep = false) {
  const figures = join(dir, `time-${process.hrtime.bigint()}.txt`);
  const started = performance.now();
  const child = spawn(TIME, ["-f", "%U %S %M", "-o", figures, process.execPath, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let events = 0;
  let tail = "";
  let kept = "";
  child.stdout.setEncoding("latin1");
  child.stdout.on("data", (chunk: string) => {
    if (keep) kept += chunk;
    const text = tail + chunk;
    let from = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
      if (isEvent(text.slice(from, Math.min(nl, from + 20)))) events++;
      from = nl + 1;
    }
    tail = text.slice(from);
  });
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c: string) => (stderr += c));
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", resolve));
  const wallSeconds = (performance.now() - started) / 1000;
  if (exitCode !== 0) process.stderr.write(stderr);
  const [user, sys, rssKb] = readFileSync(figures, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
  return {
    wallSeconds,
    cpuSeconds: user! + sys!,
    peakRssMb: rssKb! / 1024,
    events,
    exitCode,
    stdout: kept,
  } satisfies ChildFigures;
}

const isRecord = (head: string) => head.startsWith('{"type":"RECORD"');

/** discover, then read of every discovered stream, with the bin's launch flags. */
export async function connectorRun(
  main: string,
  launchFlags: readonly string[],
  dir: string,
  config: Record<string, unknown>,
): Promise<PeerRun> {
  const configPath = join(dir, `peer-config-${process.hrtime.bigint()}.json`);
  writeFileSync(configPath, JSON.stringify(config));
  const discover = await timed(dir, [...launchFlags, main, "discover", "--config", configPath], () => false, true);
  const streams = discover.stdout
    .split("\n")
    .filter((l) => l.startsWith('{"type":"CATALOG"'))
    .flatMap((l) => (JSON.parse(l) as { catalog: { streams: { name: string }[] } }).catalog.streams);
  const catalogPath = join(dir, `peer-catalog-${process.hrtime.bigint()}.json`);
  writeFileSync(
    catalogPath,
    JSON.stringify({
      streams: streams.map((stream) => ({ stream, sync_mode: "incremental", destination_sync_mode: "append" })),
    }),
  );
  const read = await timed(
    dir,
    [...launchFlags, main, "read", "--config", configPath, "--catalog", catalogPath],
    isRecord,
  );
  return {
    wallSeconds: discover.wallSeconds + read.wallSeconds,
    cpuSeconds: discover.cpuSeconds + read.cpuSeconds,
    peakRssMb: Math.max(discover.peakRssMb, read.peakRssMb),
    events: read.events,
    exitCode: discover.exitCode || read.exitCode,
  };
}

export async function naiveRun(dir: string, endpoint: string, region: string): Promise<PeerRun> {
  const { stdout: _, ...run } = await timed(dir, [NAIVE, endpoint, region], (head) => head.startsWith("{"));
  return run;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
