// argv -> command, for every command: help and version; the Airbyte commands (files -> objects;
// errors -> protocol messages); the local ones (options -> local/, loaded on demand).
// The only place that decides the process's exit code.
import { CANCEL_EXIT_CODES, type Cancellation, watchCancellation } from "../engine/cancel.js";
import { check } from "../commands/check.js";
import { connect, type CommandContext, type Io } from "../commands/context.js";
import { discover } from "../commands/discover.js";
import { read } from "../commands/read.js";
import { connectorSpecification } from "../config/spec.js";
import { Emitter } from "../airbyte/emitter.js";
import { ConfigError, asConnectorError, type ConnectorError } from "../airbyte/errors.js";
import { toConnectorError } from "../commands/api-failures.js";
import { parseConfiguredCatalog } from "../airbyte/configured-catalog.js";
import { notInCatalog, parseState } from "../airbyte/state.js";
import type { ApiStats } from "../aws/logs-api.js";
import { parseAirbyteArgs, parseDemoArgs, parseQueryArgs, parseSyncArgs, USAGE } from "./args.js";
import { readJson, readJsonInput } from "./input.js";
import { commandHelp, isAirbyteCommand, isCommand, overview, packageVersion, type LocalCommand } from "./usage.js";
import { failureText, widthFor } from "../local/terminal.js";
import { syncConfig } from "../local/sync-flags.js";

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
      io.stdout.write(overview(widthFor(io.stdout)));
      return 0;
    case "no arguments":
      io.stderr.write(overview(widthFor(io.stderr)));
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
      io.stdout.write(commandHelp(asked.command, widthFor(io.stdout)));
      return 0;
  }
}

/** Runs one invocation; resolves to the process exit code. */
export async function run(argv: readonly string[], io: Io): Promise<number> {
  const asked = helpRequest(argv);
  if (asked) return answer(asked, io);
  const [command = "", ...rest] = argv;
  if (isCommand(command) && !isAirbyteCommand(command)) return runLocalCommand(command, rest, io);
  // Watched from the start: a signal that comes while the inputs are read still cancels the read.
  const cancellation = watchCancellation(io.signals);
  try {
    return await runAirbyteCommand(argv, io, cancellation);
  } finally {
    cancellation.dispose();
  }
}

/**
 * A local command (not Airbyte's): flags for people, text on stdout, a failure as one line on
 * stderr (the command's own, once it runs).
 */
async function runLocalCommand(command: LocalCommand, argv: readonly string[], io: Io): Promise<number> {
  // Watched from the start, as for the Airbyte commands: a Ctrl-C during discover is not lost.
  const cancellation = watchCancellation(io.signals);
  try {
    let launch: () => Promise<number>;
    try {
      launch = await prepareLocalCommand(command, argv, { ...io, cancellation });
    } catch (err) {
      // Arguments and input files: no secret is known yet, and none is quoted (see input.ts).
      io.stderr.write(failureText(command, asConnectorError(err).message, io.stderr));
      return 1;
    }
    return await launch();
  } finally {
    cancellation.dispose();
  }
}

/**
 * Reads a local command's arguments and input files; returns what runs it. Loaded on demand:
 * DuckDB's native library is not for the Airbyte commands' startup or memory.
 */
async function prepareLocalCommand(
  command: LocalCommand,
  argv: readonly string[],
  io: Io,
): Promise<() => Promise<number>> {
  switch (command) {
    case "sync": {
      const { configPath, followSeconds, ...options } = parseSyncArgs(argv);
      const file = configPath === undefined ? undefined : await readJson("--config", configPath);
      // --since counts back from the sync's clock.
      const config = syncConfig(file, options.settings, (io.now ?? Date.now)());
      if (followSeconds !== undefined)
        return async () =>
          (await import("../local/follow.js")).followCommand({ ...options, config }, followSeconds, io);
      return async () => (await import("../local/sync.js")).syncCommand({ ...options, config }, io);
    }
    case "demo": {
      const options = parseDemoArgs(argv);
      return async () => (await import("../local/demo.js")).demoCommand(options, io);
    }
    case "query": {
      const request = parseQueryArgs(argv);
      return async () => (await import("../local/query.js")).queryCommand(request, io);
    }
  }
}

async function runAirbyteCommand(argv: readonly string[], io: Io, cancellation: Cancellation): Promise<number> {
  let emitter = new Emitter(io.stdout);
  const [command = "", ...rest] = argv;
  let ctx: CommandContext | undefined;
  try {
    if (!isAirbyteCommand(command)) throw new ConfigError(`Unknown command ${JSON.stringify(command)}.\n${USAGE}`);
    const files = parseAirbyteArgs(command, rest);
    if (command === "spec") {
      emitter.message({ type: "SPEC", spec: connectorSpecification });
      await emitter.flush();
      return 0;
    }
    const { api, context, notices } = connect(await readJson("--config", files.get("--config")!), { now: io.now });
    ctx = context(io.stdout);
    emitter = ctx.emitter;
    for (const notice of notices) emitter.log("WARN", notice);
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
      const catalog = parseConfiguredCatalog(await readJson("--catalog", files.get("--catalog")!));
      const statePath = files.get("--state");
      const stateInput = statePath ? await readJsonInput("--state", statePath) : { value: undefined };
      const state = parseState(stateInput.value, { itemName: stateInput.itemName });
      const ignored = notInCatalog(state, catalog);
      if (ignored !== undefined) emitter.log("WARN", ignored);
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
