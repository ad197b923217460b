// What a command runs with: the process's streams (Io) and, for a command that talks to AWS, a
// context built from the configuration. The one builder of that context, for the Airbyte
// commands (cli/run.ts) and for sync and demo (local/sync.ts) alike.
import type { EventEmitter } from "node:events";
import type { Writable } from "node:stream";
import type { Cancellation } from "../engine/cancel.js";
import { parseConfig, secretValues, type Config, unknownSettings } from "../config/config.js";
import { Emitter } from "../airbyte/emitter.js";
import { ConfigError, ConnectorError, asConnectorError } from "../airbyte/errors.js";
import { redactor } from "../airbyte/redact.js";
import { logsApiFor } from "../aws/logs-api-from-config.js";
import type { LogsApi } from "../domain/logs.js";
import { stagingDirectory } from "../sinks/files.js";

/** The process as a command sees it (tests pass their own). */
export interface Io {
  /** A terminal's width (process.stdout's) lets `query` fit its table to it. */
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  /** On a terminal, `sync` shows its progress there, and failures are fitted to its width. */
  readonly stderr: Writable & { isTTY?: boolean; columns?: number };
  readonly now?: () => number;
  /** SIGTERM/SIGINT source (the process) that cancels `read`, `sync` and `demo`; omitted: not cancellable. */
  readonly signals?: EventEmitter;
  /**
   * `signals` watched since the command started (cli/run.ts), so that a signal during start-up
   * (reading inputs, discover, opening the store) still cancels; without it, a command watches
   * `signals` itself from when it reads.
   */
  readonly cancellation?: Cancellation;
}

/** What every command that talks to AWS gets. */
export interface CommandContext {
  readonly config: Config;
  readonly api: LogsApi;
  readonly emitter: Emitter;
  readonly now: () => number;
  /** Where file transfer stages raw log files. */
  readonly stagingDirectory: string;
}

/** A validated configuration with its API client; each command context made from it writes where it is told. */
export interface Connection {
  readonly config: Config;
  readonly api: ReturnType<typeof logsApiFor>;
  /** Removes the configuration's secrets from text for people. */
  readonly redact: (text: string) => string;
  /** Warnings about the configuration for people (e.g. settings it does not know, ignored). */
  readonly notices: readonly string[];
  /** A context whose protocol messages go to `out` (stdout, or a local destination). */
  context(out: Writable): CommandContext;
}

export interface ConnectOptions {
  readonly now?: () => number;
  /** Settings that replace the configured ones (sync reads records, whatever the config says). */
  readonly override?: Partial<Config>;
}

/**
 * Validates a configuration as read from its file and builds what the commands run on. Throws a
 * ConfigError when it is invalid, its message without the configuration's secrets: it may quote a
 * value given in the wrong field (a secret as start_date). The caller closes `api`.
 */
export function connect(raw: unknown, options: ConnectOptions = {}): Connection {
  const redact = redactor(secretValues(raw));
  let config: Config;
  try {
    config = { ...parseConfig(raw), ...options.override };
  } catch (err) {
    // Without its cause: the cause's stack would carry the message unredacted.
    const failure = asConnectorError(err);
    const message = redact(failure.message);
    throw failure instanceof ConfigError ? new ConfigError(message) : new ConnectorError(message, failure.failureType);
  }
  const unknown = unknownSettings(raw);
  const notices =
    unknown.length === 0
      ? []
      : [
          `The configuration has ${unknown.length === 1 ? "a setting" : "settings"} this connector does not know, ignored: ${unknown.map((k) => JSON.stringify(k)).join(", ")}; check the spelling against the spec.`,
        ];
  const now = options.now ?? Date.now;
  const api = logsApiFor(config);
  const staging = stagingDirectory();
  return {
    config,
    api,
    redact,
    notices: notices.map(redact),
    context: (out) => ({ config, api, emitter: new Emitter(out, redact, now), now, stagingDirectory: staging }),
  };
}
