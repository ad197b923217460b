// argv of `sync` and `demo` (not Airbyte commands: flags with values, all optional but --config).
import { ConfigError } from "../errors.js";
import { flagNames, synopsis, type LocalCommand } from "../usage.js";

const USAGE = synopsis();

export interface SyncOptions {
  readonly configPath: string;
  readonly format: "duckdb" | "jsonl";
  /** The DuckDB file, or the jsonl directory. */
  readonly target: string;
  /** undefined: every stream discover finds. */
  readonly streams: readonly string[] | undefined;
}

export function parseFlags(command: LocalCommand, argv: readonly string[]): Map<string, string> {
  const allowed = flagNames(command);
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!allowed.includes(name)) throw new ConfigError(`${command} does not take ${JSON.stringify(name)}.\n${USAGE}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") throw new ConfigError(`${name} needs a value.\n${USAGE}`);
    flags.set(name, value);
  }
  return flags;
}

export function parseSyncArgs(argv: readonly string[]): SyncOptions {
  const flags = parseFlags("sync", argv);
  const configPath = flags.get("--config");
  if (configPath === undefined) throw new ConfigError(`sync needs --config FILE.\n${USAGE}`);
  const format = flags.get("--format") ?? "duckdb";
  if (format !== "duckdb" && format !== "jsonl") throw new ConfigError(`--format must be duckdb or jsonl (got ${JSON.stringify(format)}).\n${USAGE}`);
  if (format === "jsonl" && flags.has("--database")) throw new ConfigError(`--database is for --format duckdb; use --output DIR with jsonl.\n${USAGE}`);
  if (format === "duckdb" && flags.has("--output")) throw new ConfigError(`--output is for --format jsonl; use --database FILE with duckdb.\n${USAGE}`);
  const target = format === "jsonl" ? flags.get("--output") ?? "./cloudwatch-logs-jsonl" : flags.get("--database") ?? "./cloudwatch-logs.duckdb";
  const streams = flags.get("--streams")?.split(",").map((s) => s.trim()).filter((s) => s !== "");
  return { configPath, format, target, streams };
}
