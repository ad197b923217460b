import type { Config } from "../config/config.js";
import type { Emitter } from "../airbyte/emitter.js";
import type { LogsApi } from "../domain/logs.js";

/** What every command that talks to AWS gets. */
export interface CommandContext {
  readonly config: Config;
  readonly api: LogsApi;
  readonly emitter: Emitter;
  readonly now: () => number;
  /** Where file transfer stages raw log files. */
  readonly stagingDirectory: string;
}
