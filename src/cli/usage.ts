// What the command line tells people: the commands, their flags, help texts and the version.
// The argument parser (cli/args.ts) takes its flags from here, so the help cannot drift from what
// is accepted. Every line fits an 80-column terminal, or a narrower one's width (a test holds it).
import { readFileSync } from "node:fs";
import { DEFAULT_FOLLOW_INTERVAL_SECONDS } from "../local/follow-policy.js";
import { MAX_TABLE_ROWS, PROGRAM, WIDTH, wrap } from "../local/terminal.js";

export interface FlagHelp {
  readonly name: string;
  /** The value's placeholder, e.g. FILE; undefined for a flag that takes no value (a switch). */
  readonly value: string | undefined;
  /** Shown by the synopsis (no brackets); the parsers refuse a command line without it. */
  readonly required: boolean;
  readonly text: string;
}

interface CommandHelp {
  /** One line in the overview. */
  readonly summary: string;
  /**
   * The synopsis after the program name; later entries are continuation lines (indented), or
   * another form of the command when they start with its name.
   */
  readonly synopsis: readonly string[];
  /** A value given without a flag (e.g. `query`'s SQL), if the command takes one. */
  readonly operand?: string;
  /** The paragraph of `<command> --help`. */
  readonly about: string;
  readonly flags: readonly FlagHelp[];
  readonly example: string;
}

/** Where `sync` keeps its DuckDB file and `query` reads it, unless --database says otherwise. */
export const DEFAULT_DATABASE = "./cloudwatch-logs.duckdb";
export const DEFAULT_JSONL_DIRECTORY = "./cloudwatch-logs-jsonl";
export const DEMO_DATABASE = "./demo.duckdb";

const config: FlagHelp = {
  name: "--config",
  value: "FILE",
  required: true,
  text: "the configuration (JSON; `spec` prints its schema)",
};

const airbyteCommands = {
  spec: {
    summary: "print the specification: the JSON schema of the configuration",
    synopsis: ["spec"],
    about: "Writes one SPEC message: the JSON schema of the configuration that check, discover, read and sync take.",
    flags: [],
    example: `${PROGRAM} spec`,
  },
  check: {
    summary: "test the credentials and permissions a read needs",
    synopsis: ["check --config FILE"],
    about:
      "Lists the log groups, tries a read on one of them and checks each custom report's group; " +
      "writes one CONNECTION_STATUS message, SUCCEEDED or FAILED with the reason.",
    flags: [config],
    example: `${PROGRAM} check --config config.json`,
  },
  discover: {
    summary: "list the log groups and custom reports as streams",
    synopsis: ["discover --config FILE"],
    about:
      "Writes one CATALOG message: a stream per log group whose name starts with log_group_prefix " +
      "(or contains log_group_name_pattern), except excluded_log_groups, and one per custom_log_reports entry.",
    flags: [config],
    example: `${PROGRAM} discover --config config.json`,
  },
  read: {
    summary: "read the catalog's streams as records and state",
    synopsis: ["read --config FILE --catalog FILE [--state FILE]"],
    about:
      "Writes RECORD, STATE, TRACE and LOG messages, one per line, and a summary line on stderr. " +
      "Exit code 1 when any stream failed.",
    flags: [
      config,
      {
        name: "--catalog",
        value: "FILE",
        required: true,
        text: "the configured catalog: streams and sync modes (JSON)",
      },
      {
        name: "--state",
        value: "FILE",
        required: false,
        text: "the state of an earlier read (JSON); without it, or with an empty file, each stream starts at start_date",
      },
    ],
    example: `${PROGRAM} read --config config.json --catalog catalog.json --state state.json`,
  },
} as const satisfies Record<string, CommandHelp>;

const localCommands = {
  sync: {
    summary: "read into a DuckDB file or jsonl files; run again to resume",
    synopsis: [
      "sync --config FILE [--streams NAME,NAME]",
      "[--database FILE.duckdb | --format jsonl [--output DIR]]",
      "[--follow [--interval SECONDS]]",
      "sync --region REGION [--profile NAME]",
      "[--prefix PREFIX] [--since DURATION|TIMESTAMP] [--config FILE] ...",
    ],
    about:
      "Runs the same read as `read` into a local store and keeps the state with the data, so the " +
      "next sync continues where this one stopped (Ctrl-C included). Prints a summary on stdout; " +
      "on a terminal, progress on stderr. Exit code 1 on invalid input or when any stream failed, " +
      "130 when interrupted (Ctrl-C), 143 when terminated (SIGTERM). " +
      "With --follow it syncs again after each wait until Ctrl-C or SIGTERM, one line per cycle on " +
      "stderr; a failed cycle is retried after a longer wait. " +
      "--region, --profile, --prefix and --since set their settings without a configuration file, " +
      "or over the file's.",
    flags: [
      {
        ...config,
        required: false,
        text: "the configuration (JSON; `spec` prints its schema); optional with --region",
      },
      { name: "--region", value: "REGION", required: false, text: "the AWS region (region_name), e.g. us-east-1" },
      {
        name: "--profile",
        value: "NAME",
        required: false,
        text: "the profile of ~/.aws/config and ~/.aws/credentials whose credentials to use (profile)",
      },
      {
        name: "--prefix",
        value: "PREFIX",
        required: false,
        text: "only log groups whose names start with PREFIX (log_group_prefix)",
      },
      {
        name: "--since",
        value: "DURATION|TIMESTAMP",
        required: false,
        text:
          "where streams without state start: 30m, 2h, 7d (before now) or 2026-11-30T00:00:00Z (a date alone: " +
          "its midnight UTC); streams with state continue from their state",
      },
      {
        name: "--streams",
        value: "NAME,NAME",
        required: false,
        text: "only these streams (default: all that discover finds)",
      },
      { name: "--format", value: "duckdb|jsonl", required: false, text: "the store (default: duckdb)" },
      { name: "--database", value: "FILE", required: false, text: `the DuckDB file (default: ${DEFAULT_DATABASE})` },
      {
        name: "--output",
        value: "DIR",
        required: false,
        text: `the jsonl directory (default: ${DEFAULT_JSONL_DIRECTORY})`,
      },
      { name: "--follow", value: undefined, required: false, text: "keep syncing until Ctrl-C or SIGTERM" },
      {
        name: "--interval",
        value: "SECONDS",
        required: false,
        text: `with --follow, the wait after each cycle (default: ${DEFAULT_FOLLOW_INTERVAL_SECONDS})`,
      },
    ],
    example: `${PROGRAM} sync --region eu-west-1 --profile prod --since 7d`,
  },
  demo: {
    summary: "sync a simulated account and show what it holds",
    synopsis: ["demo [--database FILE.duckdb]"],
    about:
      "Starts the CloudWatch Logs simulator with the package's scenario, dist/sim/scenarios/demo.json (about 200k events over the " +
      "last 7 days), syncs it and prints the tables and a sample query. Run it again to add the " +
      "events that arrived since. No AWS account needed: the simulator ships in the package.",
    flags: [
      { name: "--database", value: "FILE", required: false, text: `the DuckDB file (default: ${DEMO_DATABASE})` },
    ],
    example: `${PROGRAM} demo`,
  },
  query: {
    summary: "run SQL on the DuckDB file of sync or demo, or list its tables",
    synopsis: [
      'query "SQL" [--format table|csv|json]',
      "[--database FILE.duckdb]",
      "query --tables [--database FILE.duckdb]",
    ],
    operand: "SQL",
    about:
      "Runs SQL on the DuckDB file, opened read-only (a statement that would change it, or reach " +
      "another file, fails), " +
      "and prints the result of its last statement: a table (on a terminal, wide values are cut " +
      `to fit; at most ${MAX_TABLE_ROWS} rows), csv or json (all rows; integers past 2^53 as strings, times ` +
      "in ISO 8601, UTC). --tables lists the tables sync made: each with its rows, " +
      "time range and log groups.",
    flags: [
      { name: "--tables", value: undefined, required: false, text: "list the tables instead of running SQL" },
      {
        name: "--format",
        value: "table|csv|json",
        required: false,
        text: "table (default; for people), csv (RFC 4180, header row) or json (one object per line)",
      },
      { name: "--database", value: "FILE", required: false, text: `the DuckDB file (default: ${DEFAULT_DATABASE})` },
    ],
    example: `${PROGRAM} query "SELECT count(*) FROM ecs_checkout" --database demo.duckdb`,
  },
} as const satisfies Record<string, CommandHelp>;

export type AirbyteCommand = keyof typeof airbyteCommands;
export type LocalCommand = keyof typeof localCommands;
export type Command = AirbyteCommand | LocalCommand;

const commands: Readonly<Record<Command, CommandHelp>> = { ...airbyteCommands, ...localCommands };

export function isAirbyteCommand(name: string): name is AirbyteCommand {
  return Object.hasOwn(airbyteCommands, name);
}

export function isCommand(name: string): name is Command {
  return Object.hasOwn(commands, name);
}

/** The flags a command accepts. */
export function flagsOf(command: Command): readonly FlagHelp[] {
  return commands[command].flags;
}

/** The name of the value a command takes without a flag (e.g. SQL), if any. */
export function operandOf(command: Command): string | undefined {
  const c: CommandHelp = commands[command];
  return c.operand;
}

/** Synopses under "usage: "; a continuation line is indented (the program name is too long to align under). */
function usageLines(commandsShown: readonly [string, CommandHelp][], width = WIDTH): string[] {
  const isForm = (name: string, line: string, i: number): boolean => i === 0 || line.startsWith(`${name} `);
  const lines = commandsShown.flatMap(([name, c]) =>
    c.synopsis.map((line, i) => (isForm(name, line, i) ? `${PROGRAM} ${line}` : `    ${line}`)),
  );
  return lines.flatMap((line, i) => hang((i === 0 ? "usage: " : "       ") + line, width));
}

/**
 * A line as it fits `width` (a terminal narrower than WIDTH): whole when it fits, else broken at
 * spaces, the later parts under its indent plus `more`.
 */
function hang(line: string, width: number, more = 4): string[] {
  if (line.length <= width) return [line];
  const indent = " ".repeat(line.length - line.trimStart().length);
  const later = " ".repeat(indent.length + more);
  return wrap(line, width - later.length).map((l, i) => (i === 0 ? indent : later) + l);
}

/** Every command's synopsis; after an unknown command. */
export function synopsis(): string {
  return [...usageLines(Object.entries(commands)), `(${PROGRAM} --help explains each command)`].join("\n");
}

/** A command's synopsis; appended to its argument errors. */
export function commandSynopsis(command: Command): string {
  return [...usageLines([[command, commands[command]]]), `(more: ${PROGRAM} ${command} --help)`].join("\n");
}

/** `--help`: every command in a line, with examples; `width`: a terminal's, when narrower than WIDTH. */
export function overview(width = WIDTH): string {
  // Summaries under their column; on a very narrow terminal under their command, a little in.
  const row = ([name, c]: [string, CommandHelp]): string[] =>
    hang(`  ${name.padEnd(10)}${c.summary}`, width, width >= 40 ? 10 : 4);
  return [
    `usage: ${PROGRAM} <command> [flags]`,
    "",
    "Airbyte commands (JSON messages on stdout, one per line):",
    ...Object.entries(airbyteCommands).flatMap(row),
    "Local commands (text on stdout, no Airbyte messages):",
    ...Object.entries(localCommands).flatMap(row),
  ]
    .flatMap((line) => hang(line, width))
    .concat([
      "",
      "Examples:",
      ...Object.values(commands).map((c) => `  ${fitExample(c.example, width)}`),
      "",
      ...trailer(`${PROGRAM} <command> --help`, "a command's flags and an example", width),
      ...trailer(`${PROGRAM} --version`, "the version", width),
      "",
    ])
    .join("\n");
}

/** A command line and what it does, side by side when they fit, else the words under the command. */
function trailer(command: string, does: string, width: number): string[] {
  const line = `${command.padEnd(PROGRAM.length + 20)}${does}`;
  return line.length <= width ? [line] : [...hang(command, width, 2), ...wrap(does, width - 4).map((l) => `    ${l}`)];
}

/**
 * `<command> --help`: the synopsis, what it does, its flags and an example; `width`: a
 * terminal's, when narrower than WIDTH.
 */
export function commandHelp(command: Command, width = WIDTH): string {
  const c = commands[command];
  const label = (f: FlagHelp): string => (f.value === undefined ? f.name : `${f.name} ${f.value}`);
  const column = Math.max(0, ...c.flags.map((f) => label(f).length)) + 4;
  // Too narrow for the flags' texts beside their names: each text goes under its flag.
  const beside = width - column >= 30;
  const flagLines = c.flags.flatMap((f) => {
    if (!beside) return [...hang(`  ${label(f)}`, width), ...wrap(f.text, width - 6).map((line) => `      ${line}`)];
    const head = `  ${label(f).padEnd(column - 2)}`;
    return wrap(f.text, width - column).map((line, i) => (i === 0 ? head : " ".repeat(column)) + line);
  });
  return [
    ...usageLines([[command, c]], width),
    "",
    ...wrap(c.about, width),
    "",
    ...(c.flags.length === 0
      ? ["Flags: none."]
      : [...hang("Flags (--flag VALUE or --flag=VALUE):", width), ...flagLines]),
    "",
    "Example:",
    `  ${fitExample(c.example, width)}`,
    "",
  ].join("\n");
}

/** The package's version, from the package.json next to the compiled code (checkout or install). */
export function packageVersion(): string {
  // dist/src/cli/usage.js -> the package root.
  const file = new URL("../../../package.json", import.meta.url);
  const version = (JSON.parse(readFileSync(file, "utf8")) as { version?: unknown }).version;
  if (typeof version !== "string") throw new Error(`${file.pathname} has no version`);
  return version;
}

/** An example command line, continued with a backslash where it would pass the terminal's edge. */
function fitExample(example: string, width: number, indent = 2): string {
  return wrap(example, width - indent - 6).join(` \\\n${" ".repeat(indent + 4)}`);
}
