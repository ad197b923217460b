// Runs the connector behind a slow consumer (it pauses after every chunk it reads, sometimes
// longer) and sends it a signal after a given number of stdout lines, as Airbyte cancels a sync.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { MAIN, assertNoSecrets } from "./connector.js";
import { launchFlags } from "./packaging-rules.js";
import { prng } from "./prng.js";

export interface SignalledRun {
  /** Everything the consumer read from stdout, unparsed (a cut-off last line shows here). */
  readonly stdout: string;
  readonly code: number | null;
  /** The signal that ended the process (a connector that does not handle the signal). */
  readonly killedBy: NodeJS.Signals | null;
  readonly signalled: boolean;
  /** Milliseconds from the signal to the process's exit. */
  readonly exitMs: number | undefined;
  readonly stderr: string;
}

export interface SignalOptions {
  readonly signal: NodeJS.Signals;
  /** Send the signal after this many stdout lines (never, if the run ends first). */
  readonly afterLines: number;
  /** Seeds the consumer's pauses. */
  readonly seed: number;
  readonly env?: Record<string, string>;
}

export async function runSignalled(args: readonly string[], options: SignalOptions): Promise<SignalledRun> {
  // With its launch flags, as Airbyte starts it: how the process exits depends on them.
  const child = spawn(process.execPath, [...launchFlags(readFileSync(MAIN, "utf8")), MAIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...options.env },
  });
  const random = prng(options.seed);
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-8000)));
  const chunks: string[] = [];
  let lines = 0;
  let signalledAt: number | undefined;
  let exitedAt: number | undefined;
  child.on("exit", () => (exitedAt = performance.now()));
  child.stdout.setEncoding("utf8").on("data", (d: string) => {
    chunks.push(d);
    for (let i = d.indexOf("\n"); i >= 0; i = d.indexOf("\n", i + 1)) lines++;
    if (signalledAt === undefined && lines >= options.afterLines) {
      signalledAt = performance.now();
      child.kill(options.signal);
    }
    // A slow consumer: a short pause after every chunk, now and then a long one.
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), random() < 0.03 ? 150 : 2 + Math.floor(random() * 6));
  });
  const closed = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal })),
  );
  const stdout = chunks.join("");
  assertNoSecrets("a signalled read", stdout, stderr);
  return {
    stdout,
    code: closed.code,
    killedBy: closed.signal,
    signalled: signalledAt !== undefined,
    exitMs: signalledAt !== undefined && exitedAt !== undefined ? exitedAt - signalledAt : undefined,
    stderr,
  };
}
