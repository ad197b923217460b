// argv -> command; files -> objects; errors -> protocol messages and exit codes.
// The only place that decides the process's exit code.
import { readFile } from "node:fs/promises";
import type { Writable } from "node:stream";
import { CANCEL_EXIT_CODES, type Cancellation, watchCancellation } from "../engine/cancel.js";
import { check } from "../commands/check.js";
import type { CommandContext } from "../commands/context.js";
import { discover } from "../commands/discover.js";
import { read } from "../commands/read.js";
import { parseConfig, secretValues } from "../config/config.js";
import { connectorSpecification } from "../config/spec.js";
import { Emitter } from "../airbyte/emitter.js";
import { ConfigError, asConnectorError, type ConnectorError } from "../airbyte/errors.js";
import { toConnectorError } from "../commands/api-failures.js";
import { redactor } from "../airbyte/redact.js";
import { parseConfiguredCatalog } from "../airbyte/configured-catalog.js";
import { parseState } from "../airbyte/state.js";
import { logsApiFor } from "../aws/from-config.js";
import type { ApiStats } from "../aws/logs-api.js";
import { stagingDirectory } from "../sinks/files.js";
import {
  commandHelp,
  flagNames,
  flagsOf,
  isAirbyteCommand,
  isCommand,
  overview,
  packageVersion,
  synopsis,
} from "./usage.js";

/** Appended to argument errors: every command's synopsis. */
const USAGE = synopsis();

export interface Io {
  /** A terminal's width (process.stdout's) lets `query` fit its table to it. */
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  readonly now?: () => number;
  /** SIGTERM/SIGINT source (the process) that cancels `read`, `sync` and `demo`. */
  readonly signals?: NodeJS.EventEmitter;
}

interface Args {
  readonly command: string;
  readonly files: ReadonlyMap<string, string>;
}

function parseArgs(argv: readonly string[]): Args {
  const [command, ...rest] = argv;
  if (!command || !isAirbyteCommand(command)) {
    throw new ConfigError(`Unknown command ${JSON.stringify(command ?? "")}.\n${USAGE}`);
  }
  const allowed = flagNames(command);
  const files = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const flag = rest[i]!;
    const [name, inline] = flag.includes("=")
      ? [flag.slice(0, flag.indexOf("=")), flag.slice(flag.indexOf("=") + 1)]
      : [flag, undefined];
    if (!allowed.includes(name)) throw new ConfigError(`${command} does not take ${JSON.stringify(name)}.\n${USAGE}`);
    const value = inline ?? rest[++i];
    if (value === undefined || value === "") throw new ConfigError(`${name} needs a file path.\n${USAGE}`);
    files.set(name, value);
  }
  for (const required of flagsOf(command)
    .filter((f) => f.required)
    .map((f) => f.name)) {
    if (!files.has(required)) throw new ConfigError(`${command} needs ${required} FILE.\n${USAGE}`);
  }
  return { command, files };
}

/** What an input file holds: one JSON value, or (a state file only) JSON lines, named by line. */
interface JsonInput {
  readonly value: unknown;
  readonly itemName?: (index: number) => string;
}

async function readJson(flag: string, path: string): Promise<unknown> {
  return (await readJsonInput(flag, path)).value;
}

/**
 * The values of a file of JSON lines (e.g. `read`'s stdout saved to a file), each named by its
 * line; undefined when the text does not start like one (its first line is no JSON object).
 */
function jsonLines(flag: string, path: string, text: string): JsonInput | undefined {
  const lines = text
    .split("\n")
    .map((line, i) => ({ line: line.trim(), number: i + 1 }))
    .filter((l) => l.line !== "");
  const parse = (l: { line: string; number: number }): unknown => {
    try {
      return JSON.parse(l.line);
    } catch (err) {
      throw new ConfigError(
        `${flag} ${path} line ${l.number} is not valid JSON: ${jsonProblem((err as Error).message, l.line).replace(/\(line 1, /, "(")}`,
      );
    }
  };
  if (lines.length < 2 || !lines[0]!.line.startsWith("{")) return undefined;
  try {
    JSON.parse(lines[0]!.line);
  } catch {
    return undefined;
  }
  return { value: lines.map(parse), itemName: (i) => `${flag} line ${lines[i]!.number}` };
}

async function readJsonInput(flag: string, path: string): Promise<JsonInput> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(
      `${flag} ${path}: cannot read the file (${code === "ENOENT" ? "no such file" : (code ?? String(err))})`,
    );
  }
  // A byte order mark (as some Windows editors write) is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "" && flag === "--state") return { value: undefined };
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    // People save `read`'s stdout, one message per line, as the next state.
    const lines = flag === "--state" ? jsonLines(flag, path, text) : undefined;
    if (lines) return lines;
    throw new ConfigError(`${flag} ${path} is not valid JSON: ${jsonProblem((err as Error).message, text)}`);
  }
}

/**
 * JSON.parse's explanation without the excerpt of the input that V8 quotes in some messages
 * (`Unexpected token 'x', "...": 'abc'}" is not valid JSON`): the input is unparsed, so its
 * secrets are not known yet and cannot be redacted. Positions become line and column.
 */
function jsonProblem(message: string, text: string): string {
  const token = /^Unexpected token '(.)'/su.exec(message);
  // V8 of Node >= 22 appends its own " (line L column C)"; ours is added below on every version.
  const v8 = message.replace(/ \(line \d+ column \d+\)$/, "");
  let problem = token
    ? `unexpected character ${JSON.stringify(token[1])}`
    : v8.replace(/, ".*" is not valid JSON$/s, "");
  if (/"/.test(problem.replace(/^unexpected character ".*"$/s, ""))) problem = "syntax error";
  const pos = /at position (\d+)/.exec(problem);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    const line = before.split("\n").length;
    const column = before.length - before.lastIndexOf("\n");
    problem = `${problem} (line ${line}, column ${column})`;
  }
  return problem;
}

/** One line for people (and benchmarks) on stderr after a read. */
function readSummary(streams: readonly string[], emitter: Emitter, stats: ApiStats, ms: number): string {
  const records = streams.reduce((n, s) => n + emitter.recordsEmitted(s), 0);
  const seconds = ms / 1000;
  const rssMb = process.resourceUsage().maxRSS / 1024;
  return (
    `source-cloudwatch-logs: read ${records} records from ${streams.length} streams in ${seconds.toFixed(1)} s ` +
    `(${Math.round(records / Math.max(seconds, 0.001))} records/s); ${stats.requests} requests, ${stats.throttles} throttled, ` +
    `${stats.retries} retried, ${stats.credentialRefreshes} credential refreshes; peak RSS ${rssMb.toFixed(0)} MB`
  );
}

/** A question to the command line itself (help, version): plain text, no protocol messages. */
type HelpRequest =
  | { readonly kind: "overview" | "version" | "no arguments" }
  | { readonly kind: "command"; readonly command: string };

function helpRequest(argv: readonly string[]): HelpRequest | undefined {
  const [first, ...rest] = argv;
  const isHelp = (arg: string | undefined): boolean => arg === "--help" || arg === "-h";
  if (first === undefined) return { kind: "no arguments" };
  if (first === "--version" || first === "-v") return { kind: "version" };
  if (isHelp(first) || first === "help")
    return rest[0] === undefined ? { kind: "overview" } : { kind: "command", command: rest[0] };
  if (isCommand(first) && rest.some(isHelp)) return { kind: "command", command: first };
  return undefined;
}

function answer(asked: HelpRequest, io: Io): number {
  switch (asked.kind) {
    case "overview":
      io.stdout.write(overview());
      return 0;
    case "no arguments":
      io.stderr.write(overview());
      return 2;
    case "version":
      try {
        io.stdout.write(`${packageVersion()}\n`);
        return 0;
      } catch (err) {
        io.stderr.write(`source-cloudwatch-logs: cannot read the version: ${(err as Error).message}\n`);
        return 1;
      }
    case "command":
      if (!isCommand(asked.command)) {
        io.stderr.write(`Unknown command ${JSON.stringify(asked.command)}.\n${USAGE}\n`);
        return 2;
      }
      io.stdout.write(commandHelp(asked.command));
      return 0;
  }
}

/** Runs one invocation; resolves to the process exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const asked = helpRequest(argv);
  if (asked) return answer(asked, io);
  // Local commands (not Airbyte's): their own argv, stdout for people, see src/local/.
  // Loaded on demand: DuckDB's native library is not for the Airbyte commands' startup or memory.
  if (argv[0] === "sync") return (await import("../local/sync.js")).syncCommand(argv.slice(1), io);
  if (argv[0] === "demo") return (await import("../local/demo.js")).demoCommand(argv.slice(1), io);
  if (argv[0] === "query") return (await import("../local/query.js")).queryCommand(argv.slice(1), io);
  // Watched from the start: a signal that comes while the inputs are read still cancels the read.
  const cancellation = watchCancellation(io.signals);
  try {
    return await runAirbyteCommand(argv, io, cancellation);
  } finally {
    cancellation.dispose();
  }
}

async function runAirbyteCommand(argv: readonly string[], io: Io, cancellation: Cancellation): Promise<number> {
  let emitter = new Emitter(io.stdout);
  let command = argv[0] ?? "";
  let ctx: CommandContext | undefined;
  try {
    const args = parseArgs(argv);
    command = args.command;
    if (command === "spec") {
      emitter.message({ type: "SPEC", spec: connectorSpecification });
      await emitter.flush();
      return 0;
    }
    const rawConfig = await readJson("--config", args.files.get("--config")!);
    emitter = new Emitter(io.stdout, redactor(secretValues(rawConfig)));
    const config = parseConfig(rawConfig);
    const api = logsApiFor(config);
    ctx = { config, api, emitter, now: io.now ?? Date.now, stagingDirectory: stagingDirectory() };
    try {
      if (command === "check") {
        const result = await check(ctx);
        emitter.message({
          type: "CONNECTION_STATUS",
          connectionStatus: result.ok
            ? { status: "SUCCEEDED" }
            : { status: "FAILED", message: emitter.redactText(result.message ?? "") },
        });
        await emitter.flush();
        return 0;
      }
      if (command === "discover") {
        emitter.message({ type: "CATALOG", catalog: await discover(ctx) });
        await emitter.flush();
        return 0;
      }
      const catalog = parseConfiguredCatalog(await readJson("--catalog", args.files.get("--catalog")!));
      const statePath = args.files.get("--state");
      const stateInput = statePath ? await readJsonInput("--state", statePath) : { value: undefined };
      const state = parseState(stateInput.value, { itemName: stateInput.itemName });
      const known = new Set(catalog.map((s) => s.name));
      for (const name of state.keys()) {
        if (!known.has(name))
          emitter.log("WARN", `State for stream ${JSON.stringify(name)} is not in the catalog; it is ignored.`);
      }
      const started = Date.now();
      const onStreamFailed = (stream: string, message: string) => {
        io.stderr.write(`Stream ${JSON.stringify(stream)} failed: ${emitter.redactText(message)}\n`);
      };
      const ok = await read(ctx, { catalog, state, onStreamFailed, signal: cancellation.signal });
      io.stderr.write(
        `${readSummary(
          catalog.map((s) => s.name),
          emitter,
          api.stats,
          Date.now() - started,
        )}\n`,
      );
      if (cancellation.by !== undefined) {
        emitter.log(
          "INFO",
          `Cancelled by ${cancellation.by}: every stream's last STATE covers what was delivered; the next sync continues from there.`,
        );
        await emitter.seal();
        return CANCEL_EXIT_CODES[cancellation.by];
      }
      return ok ? 0 : 1;
    } finally {
      api.close();
    }
  } catch (err) {
    const failure: ConnectorError = ctx
      ? toConnectorError(err, {
          region: ctx.config.region,
          endpointUrl: ctx.config.endpointUrl,
          doing: `running ${command}`,
        })
      : asConnectorError(err);
    if (command === "check") {
      emitter.message({
        type: "CONNECTION_STATUS",
        connectionStatus: { status: "FAILED", message: emitter.redactText(failure.message) },
      });
    }
    emitter.error(failure);
    await emitter.flush();
    io.stderr.write(`${emitter.redactText(failure.message)}\n`);
    return 1;
  }
}
