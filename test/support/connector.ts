// Runs the built connector as a child process, exactly as Airbyte would, and checks its output.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage } from "../../src/protocol/types.js";
import { parseMessages } from "./protocol.js";

export const MAIN = fileURLToPath(new URL("../../src/main.js", import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly messages: AirbyteMessage[];
  readonly stdout: string;
  readonly stderr: string;
}

/** Every secret value that any test config ever carried; every output is scanned for them. */
const secretsSeen = new Set<string>();

/** Throws when any registered secret appears in the given outputs. */
export function assertNoSecrets(what: string, ...outputs: string[]): void {
  for (const secret of secretsSeen) {
    if (outputs.some((o) => o.includes(secret))) throw new Error(`a secret value leaked into the output of ${what}`);
  }
}

export function registerSecrets(...values: (string | undefined)[]): void {
  for (const v of values) if (v) secretsSeen.add(v);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "cwl-test-"));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value));
  return path;
}

export async function runConnector(args: readonly string[], env: Record<string, string> = {}): Promise<RunResult> {
  return runMain(MAIN, args, env);
}

/** Runs a given entry script (e.g. the one installed from the npm tarball) like runConnector. */
export async function runMain(main: string, args: readonly string[], env: Record<string, string> = {}, nodeArgs: readonly string[] = []): Promise<RunResult> {
  const child = spawn(process.execPath, [...nodeArgs, main, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assertNoSecrets(`${args[0]}`, stdout, stderr);
  return { code, messages: parseMessages(stdout), stdout, stderr };
}

/** Writes config (and catalog/state) files and runs a command with them. */
export async function runWith(
  command: "check" | "discover" | "read",
  config: Record<string, unknown>,
  extra: { catalog?: unknown; state?: unknown } = {},
  env: Record<string, string> = {},
): Promise<RunResult> {
  const dir = tempDir();
  registerSecrets(
    ...["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_external_id"].map((k) => config[k] as string | undefined),
  );
  const args = [command, "--config", writeJson(dir, "config.json", config)];
  if (extra.catalog !== undefined) args.push("--catalog", writeJson(dir, "catalog.json", extra.catalog));
  if (extra.state !== undefined) args.push("--state", writeJson(dir, "state.json", extra.state));
  return runConnector(args, env);
}

export function records(messages: readonly AirbyteMessage[], stream?: string): AirbyteRecordMessage[] {
  return messages
    .filter((m) => m.type === "RECORD")
    .map((m) => m.record!)
    .filter((r) => stream === undefined || r.stream === stream);
}

export function states(messages: readonly AirbyteMessage[], stream?: string): AirbyteStateMessage[] {
  return messages
    .filter((m) => m.type === "STATE")
    .map((m) => m.state!)
    .filter((s) => stream === undefined || s.stream?.stream_descriptor.name === stream);
}

/** The last STATE message of each stream, as a state file for the next read. */
export function lastStates(messages: readonly AirbyteMessage[]): AirbyteStateMessage[] {
  const last = new Map<string, AirbyteStateMessage>();
  for (const s of states(messages)) last.set(s.stream!.stream_descriptor.name, s);
  return [...last.values()];
}

export function statuses(messages: readonly AirbyteMessage[], stream: string): string[] {
  return messages
    .filter((m) => m.type === "TRACE" && m.trace?.type === "STREAM_STATUS" && m.trace.stream_status?.stream_descriptor.name === stream)
    .map((m) => m.trace!.stream_status!.status);
}

export function errors(messages: readonly AirbyteMessage[]) {
  return messages.filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR").map((m) => m.trace!.error!);
}

export function catalogFor(names: readonly string[], syncMode: "full_refresh" | "incremental" = "incremental") {
  return {
    streams: names.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
      sync_mode: syncMode,
      destination_sync_mode: syncMode === "incremental" ? "append_dedup" : "overwrite",
      cursor_field: ["timestamp"],
      primary_key: [["logStreamName"], ["eventId"]],
    })),
  };
}

/** Key of a delivered event: log stream + eventId. */
export function eventKey(r: AirbyteRecordMessage): string {
  const d = r.data as { logStreamName: string; eventId: string };
  return `${d.logStreamName}\u0000${d.eventId}`;
}
