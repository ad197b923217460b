// What a path the local stores would read or write is, when it exists but is not a regular file:
// reading or writing a named pipe waits for the other end for ever, so it is refused up front.
import { lstat, stat } from "node:fs/promises";
import { ConfigError } from "../airbyte/errors.js";

/** What otherThanFile says of a symbolic link whose target does not exist. */
const LINK_TO_NOTHING = "a symbolic link to nothing";

/**
 * "a named pipe", "a directory", ... when `path` exists and is not a regular file (a link is
 * followed; one that loops, or leads to nothing, is no file either: a jsonl stream's file missing
 * behind a link had its state dropped, and its events stored twice once the file was back);
 * undefined for a regular file, a missing one, or one that cannot be looked at otherwise (its own
 * use then says why).
 */
export async function otherThanFile(path: string): Promise<string | undefined> {
  let failure: string | undefined;
  const found = await stat(path).catch((err: NodeJS.ErrnoException) => {
    failure = err.code;
    return undefined;
  });
  if (failure === "ELOOP") return "a symbolic link that loops (or under one)";
  if (failure === "ENOTDIR") return "a path through a file that is not a directory";
  if (failure === "ENOENT" && (await lstat(path).catch(() => undefined))?.isSymbolicLink()) return LINK_TO_NOTHING;
  if (found === undefined || found.isFile()) return undefined;
  if (found.isFIFO()) return "a named pipe";
  if (found.isDirectory()) return "a directory";
  if (found.isSocket()) return "a socket";
  if (found.isCharacterDevice() || found.isBlockDevice()) return "a device";
  return "not a regular file";
}

/**
 * Refuses a DuckDB file, or the write-ahead log DuckDB keeps beside it, that is a named pipe or
 * the like (DuckDB would wait on it for ever). `label` names the file in the message ("--database"),
 * `fix` says what to name instead.
 */
export async function refuseDatabaseOtherThanFile(path: string, label: string, fix: string): Promise<void> {
  const kind = await otherThanFile(path);
  // A link to a database not made yet: DuckDB makes the link's target (a file put on another disk).
  if (kind !== undefined && kind !== LINK_TO_NOTHING)
    throw new ConfigError(`${label} ${path} is ${kind}, not a DuckDB file; ${fix}`);
  const log = `${path}.wal`;
  const logKind = await otherThanFile(log);
  if (logKind !== undefined)
    throw new ConfigError(
      `${label} ${path} has ${log} beside it, ${logKind} where DuckDB keeps the file's write-ahead log; remove it`,
    );
}
