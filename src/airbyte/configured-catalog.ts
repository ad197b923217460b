// Reads the --catalog input: which streams to sync and how.
import { ConfigError } from "./errors.js";

type SyncMode = "full_refresh" | "incremental";

export interface ConfiguredStream {
  readonly name: string;
  readonly syncMode: SyncMode;
  /** The cursor the user picked, when it is not ours (it is then ignored with a warning). */
  readonly cursorField: readonly string[] | undefined;
}

const SYNC_MODES: ReadonlySet<string> = new Set(["full_refresh", "incremental"]);

export function parseConfiguredCatalog(input: unknown): ConfiguredStream[] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ConfigError('The catalog must be a JSON object with a "streams" array');
  }
  const streams = (input as { streams?: unknown }).streams;
  if (!Array.isArray(streams)) throw new ConfigError('The catalog must have a "streams" array');
  const seen = new Set<string>();
  return streams.map((entry: unknown, i) => {
    const e = (entry ?? {}) as { stream?: { name?: unknown }; sync_mode?: unknown; cursor_field?: unknown };
    const name = e.stream?.name;
    if (name === undefined || name === null || name === "")
      throw new ConfigError(`catalog streams[${i}].stream.name is missing`);
    if (typeof name !== "string")
      throw new ConfigError(
        `catalog streams[${i}].stream.name must be a string, the log group's name as discover gives it (got ${JSON.stringify(name)})`,
      );
    if (seen.has(name))
      throw new ConfigError(`catalog streams[${i}]: stream ${JSON.stringify(name)} is configured twice`);
    seen.add(name);
    if (typeof e.sync_mode !== "string" || !SYNC_MODES.has(e.sync_mode)) {
      throw new ConfigError(
        `catalog streams[${i}] (${name}): sync_mode must be "full_refresh" or "incremental" (got ${JSON.stringify(e.sync_mode)})`,
      );
    }
    const cursor =
      Array.isArray(e.cursor_field) && e.cursor_field.every((c) => typeof c === "string")
        ? (e.cursor_field as string[])
        : undefined;
    return { name, syncMode: e.sync_mode as SyncMode, cursorField: cursor };
  });
}
