// argv of the local commands (not Airbyte commands: flags, all optional but sync's --config, and
// query's SQL operand).
import { ConfigError } from "../airbyte/errors.js";
import {
  DEFAULT_DATABASE,
  DEFAULT_JSONL_DIRECTORY,
  flagsOf,
  operandOf,
  synopsis,
  type LocalCommand,
} from "../cli/usage.js";

const USAGE = synopsis();

export interface SyncOptions {
  readonly configPath: string;
  readonly format: "duckdb" | "jsonl";
  /** The DuckDB file, or the jsonl directory. */
  readonly target: string;
  /** undefined: every stream discover finds. */
  readonly streams: readonly string[] | undefined;
}

export interface CommandLine {
  /** Flag -> value; a switch (a flag without a value) maps to "". */
  readonly flags: ReadonlyMap<string, string>;
  /** The arguments that are not flags, for a command that takes an operand. */
  readonly operands: readonly string[];
}

export function parseCommandLine(command: LocalCommand, argv: readonly string[]): CommandLine {
  const allowed = flagsOf(command);
  const takesOperand = operandOf(command) !== undefined;
  const flags = new Map<string, string>();
  const operands: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // Only a flag's shape is a flag: SQL may start with "--" (a comment) or "-" (a number).
    if (takesOperand && !/^--[a-z][a-z-]*(=|$)/.test(arg)) {
      operands.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const flag = allowed.find((f) => f.name === name);
    if (!flag) throw new ConfigError(`${command} does not take ${JSON.stringify(name)}.\n${USAGE}`);
    if (flag.value === undefined) {
      if (eq > 0) throw new ConfigError(`${name} takes no value.\n${USAGE}`);
      flags.set(name, "");
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new ConfigError(`${name} needs a value.\n${USAGE}`);
    flags.set(name, value);
  }
  return { flags, operands };
}

/** The flags of a command that takes no operand. */
export function parseFlags(command: LocalCommand, argv: readonly string[]): ReadonlyMap<string, string> {
  return parseCommandLine(command, argv).flags;
}

export function parseSyncArgs(argv: readonly string[]): SyncOptions {
  const flags = parseFlags("sync", argv);
  const configPath = flags.get("--config");
  if (configPath === undefined) throw new ConfigError(`sync needs --config FILE.\n${USAGE}`);
  const format = flags.get("--format") ?? "duckdb";
  if (format !== "duckdb" && format !== "jsonl")
    throw new ConfigError(`--format must be duckdb or jsonl (got ${JSON.stringify(format)}).\n${USAGE}`);
  if (format === "jsonl" && flags.has("--database"))
    throw new ConfigError(`--database is for --format duckdb; use --output DIR with jsonl.\n${USAGE}`);
  if (format === "duckdb" && flags.has("--output"))
    throw new ConfigError(`--output is for --format jsonl; use --database FILE with duckdb.\n${USAGE}`);
  const target =
    format === "jsonl"
      ? (flags.get("--output") ?? DEFAULT_JSONL_DIRECTORY)
      : (flags.get("--database") ?? DEFAULT_DATABASE);
  const streams = flags
    .get("--streams")
    ?.split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  return { configPath, format, target, streams };
}
