// What a path the local stores would read or write is, when it exists but is not a regular file:
// reading or writing a named pipe waits for the other end for ever, so it is refused up front.
import { lstat, readlink, realpath, stat } from "node:fs/promises";
import { dirname, join, parse, resolve, sep } from "node:path";
import { ConfigError } from "../airbyte/errors.js";

/** How deep a chain of links is followed to name its end (the kernel gives up at 40). */
const MAX_LINKS = 40;

/**
 * Where `path` leads when it is a symbolic link: the last link's target, resolved as the kernel
 * does (against the link's real directory: `out/x -> ../s/x` with `out` a link to `deep/real`
 * is `deep/s/x`), whether it exists or not; `path` itself when it is no link.
 */
async function linkEnd(path: string): Promise<string> {
  let at = path;
  for (let hops = 0; hops < MAX_LINKS && (await lstat(at).catch(() => undefined))?.isSymbolicLink(); hops++) {
    const target = await readlink(at).catch(() => undefined);
    if (target === undefined) break;
    const directory = await realpath(dirname(at)).catch(() => dirname(resolve(at)));
    at = resolve(directory, target);
  }
  return at;
}

/** Where `path` leads when it is a symbolic link to nothing; undefined otherwise. */
async function missingTarget(path: string): Promise<string | undefined> {
  const end = await linkEnd(path);
  return end === path || (await lstat(end).catch(() => undefined)) !== undefined ? undefined : end;
}

/** The first part of `path` (links followed) that exists and is not a directory, if any. */
async function fileOnTheWay(path: string): Promise<string | undefined> {
  const full = resolve(path);
  const { root } = parse(full);
  let at = root;
  for (const part of full.slice(root.length).split(sep).slice(0, -1)) {
    at = join(at, part);
    const found = await stat(at).catch(() => undefined);
    if (found === undefined) return undefined;
    if (!found.isDirectory()) return at;
  }
  return undefined;
}

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
  if (failure === "ENOTDIR") {
    const file = await fileOnTheWay(await linkEnd(path));
    return file === undefined
      ? "a path through a file that is not a directory"
      : `a path through ${file}, a file that is not a directory`;
  }
  if (failure === "ENOENT") {
    const target = await missingTarget(path);
    if (target !== undefined) return `a symbolic link to ${target}, which does not exist`;
  }
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
 * `fix` says what to name instead. With `create`, a link to a file not made yet is taken (DuckDB
 * makes the link's target: a file put on another disk) when the target's directory exists.
 */
export async function refuseDatabaseOtherThanFile(
  path: string,
  label: string,
  fix: string,
  create: boolean,
): Promise<void> {
  const target = await missingTarget(path);
  if (target !== undefined) {
    if (!create)
      throw new ConfigError(`${label} ${path} is a symbolic link to ${target}, which does not exist; ${fix}`);
    if (!(await stat(dirname(target)).catch(() => undefined))?.isDirectory())
      throw new ConfigError(
        `${label} ${path} is a symbolic link to ${target}, in a directory that does not exist; make that directory, or ${fix}`,
      );
  } else {
    const kind = await otherThanFile(path);
    if (kind !== undefined) throw new ConfigError(`${label} ${path} is ${kind}, not a DuckDB file; ${fix}`);
  }
  const log = `${path}.wal`;
  const logKind = await otherThanFile(log);
  if (logKind !== undefined)
    throw new ConfigError(
      `${label} ${path} has ${log} beside it, ${logKind}, where DuckDB keeps the file's write-ahead log; remove it`,
    );
}
