// argv -> a command's options, for every command. The flags are usage.ts's tables (what the help
// shows), split by node's parseArgs; the checks and their messages are ours, each with the synopsis.
import { parseArgs } from "node:util";
import { ConfigError } from "../airbyte/errors.js";
import type { QueryRequest } from "../local/query.js";
import type { QueryFormat } from "../local/query-output.js";
import type { SyncOptions } from "../local/sync.js";
import { DEFAULT_FOLLOW_INTERVAL_SECONDS } from "../local/follow-policy.js";
import { settingFlagsOf, type SettingFlags } from "../local/sync-flags.js";
import {
  DEFAULT_DATABASE,
  DEFAULT_JSONL_DIRECTORY,
  DEMO_DATABASE,
  flagsOf,
  isAirbyteCommand,
  operandOf,
  synopsis,
  commandSynopsis,
  type AirbyteCommand,
  type Command,
  type FlagHelp,
} from "./usage.js";

/** Every command's synopsis: after an unknown command. */
export const USAGE = synopsis();

/** An argument error of `command`, with its synopsis (not every command's: those are `--help`'s). */
function usageError(command: Command, problem: string): ConfigError {
  return new ConfigError(`${problem}.\n${commandSynopsis(command)}`);
}

export interface CommandLine {
  /** Flag -> value; a switch (a flag without a value) maps to "". */
  readonly flags: ReadonlyMap<string, string>;
  /** The arguments that are not flags, for a command that takes an operand (query's SQL). */
  readonly operands: readonly string[];
}

/** Only a flag's shape is a flag where an operand may come: SQL may start with "--" (a comment) or "-" (a number). */
const FLAG_SHAPE = /^--[a-z][a-z-]*(=|$)/;

/**
 * A command's flags (`--flag VALUE` or `--flag=VALUE`, a switch alone) and operands; fails on a
 * flag the command does not take, a flag without its value, a switch with one, a flag given twice
 * with different values, or a required flag missing.
 */
export function parseCommandLine(command: Command, argv: readonly string[]): CommandLine {
  const table = flagsOf(command);
  const takesOperand = operandOf(command) !== undefined;
  const options = Object.fromEntries(
    table.map((f) => [f.name.slice(2), { type: f.value === undefined ? ("boolean" as const) : ("string" as const) }]),
  );
  const flags = new Map<string, string>();
  const operands: string[] = [];
  // "--" ends nothing here (it is an operand, or not taken): what follows it is parsed again.
  let rest = argv;
  while (rest.length > 0) {
    // Not strict: unknown flags and values that look like flags come back as tokens, refused below in our words.
    const { tokens } = parseArgs({ args: [...rest], options, strict: false, allowPositionals: true, tokens: true });
    let next: readonly string[] = [];
    let seen = -1;
    for (const token of tokens) {
      // A group of short options ("-abc") is one argument of several tokens.
      if (token.index === seen) continue;
      seen = token.index;
      const arg = rest[token.index]!;
      if (token.kind === "option-terminator") next = rest.slice(token.index + 1);
      if (takesOperand && !FLAG_SHAPE.test(arg)) {
        operands.push(arg);
        if (token.kind === "option-terminator") break;
        continue;
      }
      const eq = arg.indexOf("=");
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const flag = token.kind === "option" ? table.find((f) => f.name === name) : undefined;
      if (token.kind !== "option" || !flag)
        throw usageError(command, `${command} does not take ${JSON.stringify(name)}`);
      if (flag.value === undefined) {
        if (token.inlineValue) throw usageError(command, `${name} takes no value`);
        flags.set(name, "");
      } else {
        // The Airbyte commands' flags all name files.
        const needs = `${name} needs ${isAirbyteCommand(command) ? "a file path" : "a value"}`;
        if (!token.value) throw usageError(command, needs);
        // The next argument is the value, whatever it looks like, unless it is one of the command's
        // own flags: then the value was left out ("--region --prefix /a/"), which parseArgs hides.
        if (!token.inlineValue && table.some((f) => f.name === token.value!.split("=")[0]))
          throw usageError(
            command,
            `${needs} (it is followed by ${token.value}; a value like that goes as ${name}=VALUE)`,
          );
        // Which of two values was meant is a guess: "--database a --database b" must not write to b silently.
        const earlier = flags.get(name);
        if (earlier !== undefined && earlier !== token.value)
          throw usageError(
            command,
            `${name} is given twice (${JSON.stringify(earlier)} and ${JSON.stringify(token.value)}); give it once`,
          );
        flags.set(name, token.value);
      }
    }
    rest = next;
  }
  for (const f of table) {
    if (f.required && !flags.has(f.name)) throw usageError(command, `${command} needs ${f.name} ${f.value}`);
  }
  return { flags, operands };
}

/** A flag's value when it is one of those its placeholder lists ("a|b|c"), else its default. */
function choice(command: Command, name: string, flags: ReadonlyMap<string, string>, fallback: string): string {
  const value = flags.get(name) ?? fallback;
  const flag: FlagHelp | undefined = flagsOf(command).find((f) => f.name === name);
  const allowed = flag?.value?.split("|") ?? [];
  if (!allowed.includes(value)) {
    const listed = `${allowed.slice(0, -1).join(", ")} or ${allowed.at(-1)}`;
    throw usageError(command, `${name} must be ${listed} (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** An Airbyte command's input files, by flag. */
export function parseAirbyteArgs(command: AirbyteCommand, argv: readonly string[]): ReadonlyMap<string, string> {
  return parseCommandLine(command, argv).flags;
}

/** `sync`'s options; its configuration is still to be read, from `configPath` (if any) and the flags. */
export type SyncArgs = Omit<SyncOptions, "config" | "settings"> & {
  readonly configPath: string | undefined;
  readonly settings: SettingFlags;
  /** --follow's wait between cycles; absent: one sync. */
  readonly followSeconds?: number;
};

/** Up to a week: setTimeout cannot wait much longer (about 24.8 days), and a week is no longer following. */
const MAX_INTERVAL_SECONDS = 7 * 24 * 3600;

/** --follow's interval: seconds from 1 (a shorter wait would only hammer the API) to a week. */
function followSeconds(flags: ReadonlyMap<string, string>): number | undefined {
  const given = flags.get("--interval");
  if (!flags.has("--follow")) {
    if (given !== undefined)
      throw usageError("sync", "--interval is for --follow: add --follow, or leave --interval out");
    return undefined;
  }
  if (given === undefined) return DEFAULT_FOLLOW_INTERVAL_SECONDS;
  // Decimal digits only: Number() would also take "0x10", "1e2" and " 5".
  const seconds = /^\d+(\.\d+)?$/.test(given) ? Number(given) : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_INTERVAL_SECONDS))
    throw usageError(
      "sync",
      `--interval must be a number of seconds from 1 to ${MAX_INTERVAL_SECONDS}, e.g. --interval 60 (got ${JSON.stringify(given)})`,
    );
  return seconds;
}

export function parseSyncArgs(argv: readonly string[]): SyncArgs {
  const { flags } = parseCommandLine("sync", argv);
  const configPath = flags.get("--config");
  // The region is part of each stream's identity in the store: never guessed from the environment.
  if (configPath === undefined && !flags.has("--region"))
    throw usageError(
      "sync",
      "sync needs --region REGION (with --profile, --prefix, --since as needed), or --config FILE",
    );
  const format = choice("sync", "--format", flags, "duckdb") as SyncOptions["format"];
  if (format === "jsonl" && flags.has("--database"))
    throw usageError("sync", "--database is for --format duckdb; use --output DIR with jsonl");
  if (format === "duckdb" && flags.has("--output"))
    throw usageError("sync", "--output is for --format jsonl; use --database FILE with duckdb");
  const target =
    format === "jsonl"
      ? (flags.get("--output") ?? DEFAULT_JSONL_DIRECTORY)
      : (flags.get("--database") ?? DEFAULT_DATABASE);
  const streams = flags
    .get("--streams")
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  // `--streams ,,` would sync nothing and succeed, as if no stream had anything new.
  if (streams !== undefined && streams.length === 0)
    throw usageError(
      "sync",
      '--streams names no stream; give stream names separated by commas, e.g. --streams "/aws/lambda/a,/ecs/b"',
    );
  const follow = followSeconds(flags);
  return {
    configPath,
    format,
    target,
    streams,
    settings: settingFlagsOf(flags),
    ...(follow !== undefined && { followSeconds: follow }),
  };
}

/** `demo`'s DuckDB file. */
export function parseDemoArgs(argv: readonly string[]): { readonly database: string } {
  return { database: parseCommandLine("demo", argv).flags.get("--database") ?? DEMO_DATABASE };
}

export function parseQueryArgs(argv: readonly string[]): QueryRequest {
  const { flags, operands } = parseCommandLine("query", argv);
  const database = flags.get("--database") ?? DEFAULT_DATABASE;
  if (flags.has("--tables")) {
    if (operands.length > 0 || flags.has("--format"))
      throw usageError("query", "--tables takes no SQL and no --format");
    return { kind: "tables", database };
  }
  if (operands.length === 0 || operands.every((o) => o.trim() === ""))
    throw usageError("query", "query needs an SQL statement (in quotes), or --tables");
  if (operands.length > 1) {
    throw usageError(
      "query",
      `query takes one SQL statement: put it in quotes (got ${operands.length} arguments: ${operands.map((o) => JSON.stringify(o)).join(" ")})`,
    );
  }
  const format = choice("query", "--format", flags, "table") as QueryFormat;
  return { kind: "sql", database, sql: operands[0]!, format };
}
