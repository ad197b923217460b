// Runs the built connector as a child process, exactly as Airbyte would, and checks its output.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AirbyteMessage, AirbyteRecordMessage, AirbyteStateMessage } from "../../src/airbyte/protocol.js";
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
/** Each way a leaked secret may be written, with what it is called; rebuilt when a secret is registered. */
let leakForms = new Map<string, string>();
let leakPattern: RegExp | undefined;

/**
 * The forms a secret takes in text: raw, JSON-escaped (up to three levels deep, also ASCII-only),
 * URL-encoded (path and form style, either hex case) and base64 (at the three byte alignments it
 * may have inside a longer encoded value, the characters that depend on it alone). Written apart
 * from the connector's redactor on purpose: a form that one forgets, the other catches.
 */
function formsOf(secret: string): [string, string][] {
  const jsonEscape = (text: string) => JSON.stringify(text).slice(1, -1);
  // As Python's json.dumps writes it: non-ASCII as \uXXXX.
  const ascii = (escaped: string) =>
    escaped.replace(/[\x80-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const json = jsonEscape(secret);
  const bytes = Buffer.from(secret, "utf8");
  const base64 = [0, 1, 2].flatMap((pad): [string, string][] => {
    const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString("base64");
    const core = text.slice(Math.ceil((pad * 4) / 3), Math.floor(((pad + bytes.length) * 4) / 3));
    return [
      [core, `base64 (offset ${pad})`],
      [core.replaceAll("+", "-").replaceAll("/", "_"), `base64url (offset ${pad})`],
    ];
  });
  const forms: [string, string][] = [
    [secret, "raw"],
    [json, "JSON-escaped"],
    [jsonEscape(json), "JSON-escaped twice"],
    // A message quoting a JSON text, itself in a JSON line on stdout.
    [jsonEscape(jsonEscape(json)), "JSON-escaped three times"],
    [ascii(json), "JSON-escaped, ASCII only"],
    [jsonEscape(ascii(json)), "JSON-escaped, ASCII only, twice"],
    ...[encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)].flatMap(
      (u): [string, string][] => [
        [u, "URL-encoded"],
        [u.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()), "URL-encoded, lower-case hex"],
      ],
    ),
    ...base64,
  ];
  return forms.filter(([f]) => f.length >= 4);
}

/** Throws when any registered secret appears, in any of its forms, in the given outputs. */
export function assertNoSecrets(what: string, ...outputs: string[]): void {
  if (!leakPattern) return;
  for (const o of outputs) {
    const found = leakPattern.exec(o);
    if (found)
      throw new Error(
        `a secret value leaked into the output of ${what} (${leakForms.get(found[0]) ?? "a form"} of it)`,
      );
  }
}

export function registerSecrets(...values: (string | undefined)[]): void {
  const before = secretsSeen.size;
  for (const v of values) if (v) secretsSeen.add(v);
  if (secretsSeen.size === before) return;
  leakForms = new Map([...secretsSeen].flatMap(formsOf).reverse());
  // Longest first: the name shown is that of the longest form found.
  const forms = [...leakForms.keys()].sort((a, b) => b.length - a.length);
  leakPattern = new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"));
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
export async function runMain(
  main: string,
  args: readonly string[],
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): Promise<RunResult> {
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
    ...["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_external_id"].map(
      (k) => config[k] as string | undefined,
    ),
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
    .filter(
      (m) =>
        m.type === "TRACE" &&
        m.trace?.type === "STREAM_STATUS" &&
        m.trace.stream_status?.stream_descriptor.name === stream,
    )
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
