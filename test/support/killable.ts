// Runs the connector and kills it with SIGKILL after it has written a given number of stdout
// lines (or lines after its n-th STATE): only the lines read before the kill count as delivered,
// as for a real destination.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import { MAIN, assertNoSecrets } from "./connector.js";
import { parseMessages } from "./protocol.js";

export interface KillableRun {
  readonly messages: AirbyteMessage[];
  readonly killed: boolean;
  readonly code: number | null;
  readonly stderr: string;
}

/** Kill after this many lines, or some lines after the run's n-th STATE message. */
export type KillRule = number | { readonly afterState: number; readonly thenLines: number };

export async function runKillable(
  args: readonly string[],
  rule: KillRule,
  env: Record<string, string> = {},
): Promise<KillableRun> {
  const child = spawn(process.execPath, [MAIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-8000)));
  const lines: string[] = [];
  let killed = false;
  let killAfterLines = typeof rule === "number" ? rule : Number.MAX_SAFE_INTEGER;
  let statesSeen = 0;
  const rl = createInterface({ input: child.stdout });
  const closed = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  for await (const line of rl) {
    if (killed) continue;
    lines.push(line);
    if (typeof rule !== "number" && line.startsWith('{"type":"STATE"') && ++statesSeen === rule.afterState)
      killAfterLines = lines.length + rule.thenLines;
    if (lines.length >= killAfterLines) {
      killed = true;
      child.kill("SIGKILL");
    }
  }
  const code = await closed;
  const stdout = lines.join("\n");
  assertNoSecrets("a killed read", stdout, stderr);
  return { messages: parseMessages(stdout), killed: killed && code !== 0, code, stderr };
}
