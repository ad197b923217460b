// The JSON-lines store: DIR/<safe stream name>.jsonl gets each committed record's data as one
// line, and DIR/_state.json (an array of STATE messages, usable as `read --state`) is replaced
// atomically after the records it covers are appended. A record at or past its state's
// watermark (a window read through ahead of an earlier one still open) waits for the commit
// whose state covers it: a file is only appended to, and the next sync reads again from the
// watermark, so appending it now would repeat it after a Ctrl-C. A crash between the append and
// the state can still repeat records on the next sync (at-least-once); a Ctrl-C cannot, since
// it waits for the commit in progress, nor can a failed append or state (a full disk): the file
// is cut back to its length before the append. DIR/_streams.json records the source (account, region, endpoint) and
// which file each stream has: a file name is never given to another stream, and another source
// is refused, since _state.json is one source's `read --state`. DIR/_lock (the process id and
// host of the sync writing) keeps a second sync out: their appends and states would interleave.
import { createReadStream } from "node:fs";
import {
  appendFile,
  lstat,
  mkdir,
  open as openFile,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { otherThanFile } from "./file-kind.js";
import { ConfigError } from "../airbyte/errors.js";
import type { EventRecord } from "../domain/record.js";
import type { RecordBatch } from "./record-batch.js";
import { CLEAN_COMMIT, type CommitReport, describeSource, type LocalStore, type SourceIdentity } from "./store.js";
import { HOST, isRunning } from "./processes.js";
import { assignNames } from "./table-names.js";

const STATE_FILE = "_state.json";
const STREAMS_FILE = "_streams.json";
const EXTENSION = ".jsonl";
const LOCK_FILE = "_lock";

interface StreamsFile {
  readonly account: string | null;
  readonly region: string;
  readonly endpoint: string | null;
  /** stream -> file name without the extension. */
  readonly files: Record<string, string>;
}

/** What `operation` gives, or `missing` when its file does not exist (a file not written yet). */
async function unlessMissing<T, M>(operation: Promise<T>, missing: M): Promise<T | M> {
  return operation.catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return missing;
    throw err;
  });
}

async function readOptional(path: string): Promise<string | undefined> {
  return unlessMissing(readFile(path, "utf8"), undefined);
}

/**
 * The largest report file read to count its re-read rows after its definition changed (about
 * 750,000 events, 75 MB of memory; below V8's longest string, so no line of it is too long to
 * read); beyond it, rows before the old watermark are counted.
 */
const MAX_FILE_READ_FOR_REREAD_BYTES = 256 * 1024 * 1024;

/** Longer than any record's line (one event of at most 1 MB, escaped, with its message_json). */
const MAX_RECORD_LINE_BYTES = 16 * 1024 * 1024;

/** What a stream's file's end was found to be at open, and put right. */
type TailRepair = "none" | "cut" | "completed";

/**
 * Mends a stream's file's end: part of a line left by a sync killed during an append (or a disk
 * that filled) is cut off, as the next append would join a record to it (a line that is not
 * JSON). The part belongs to an append whose state was not written (the state is replaced only
 * after its records are appended), so the next sync reads those records again. A last line that
 * is a whole record its stored state covers (`covered`) lacks only its line break (a file
 * rewritten by another tool): that is added, as cutting it would lose the record for good.
 */
async function repairTail(
  path: string,
  covered: ((r: EventRecord) => number | undefined) | undefined,
): Promise<TailRepair> {
  const file = await unlessMissing(openFile(path, "r+"), undefined);
  if (file === undefined) return "none";
  try {
    const { size } = await file.stat();
    const chunk = Buffer.alloc(64 * 1024);
    let lineStart = 0;
    for (let end = size; end > 0; ) {
      const start = Math.max(0, end - chunk.length);
      const { bytesRead } = await file.read(chunk, 0, end - start, start);
      const newline = chunk.subarray(0, bytesRead).lastIndexOf(10);
      if (newline >= 0) {
        lineStart = start + newline + 1;
        break;
      }
      end = start;
    }
    if (lineStart === size) return "none";
    // Longer than any record's line: torn (reading it whole could pass what a string holds).
    if (size - lineStart > MAX_RECORD_LINE_BYTES) {
      await file.truncate(lineStart);
      return "cut";
    }
    const tail = Buffer.alloc(size - lineStart);
    await file.read(tail, 0, tail.length, lineStart);
    if (isCoveredRecord(tail.toString("utf8"), covered)) {
      await file.write("\n", size);
      return "completed";
    }
    await file.truncate(lineStart);
    return "cut";
  } finally {
    await file.close();
  }
}

/** The record a line holds, or undefined when it is not a JSON object (part of a line, a hand edit). */
function parsedRecord(text: string): EventRecord | undefined {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof record === "object" && record !== null && !Array.isArray(record) ? (record as EventRecord) : undefined;
}

/** Whether the text is a whole record (a JSON object with a timestamp) before its watermark. */
function isCoveredRecord(text: string, covered: ((r: EventRecord) => number | undefined) | undefined): boolean {
  const r = parsedRecord(text);
  const until = r === undefined ? undefined : covered?.(r);
  return typeof r?.timestamp === "number" && until !== undefined && r.timestamp < until;
}

async function exists(path: string): Promise<boolean> {
  return unlessMissing(
    stat(path).then(() => true),
    false,
  );
}

async function sizeOf(path: string): Promise<number> {
  return unlessMissing(
    stat(path).then((s) => s.size),
    0,
  );
}

async function replaceFile(path: string, text: string): Promise<void> {
  // What a killed sync left at the temporary name, a named pipe included; a directory is said.
  await rm(`${path}.tmp`, { force: true }).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "ERR_FS_EISDIR") throw err;
    throw new ConfigError(
      `${path}.tmp is a directory, where sync writes ${basename(path)} before it replaces it; remove that directory`,
    );
  });
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

function parseStreamsFile(path: string, text: string): StreamsFile {
  try {
    const parsed = JSON.parse(text) as StreamsFile;
    if (typeof parsed.region === "string" && typeof parsed.files === "object" && parsed.files !== null) return parsed;
  } catch {
    // Reported below, like any other shape we did not write.
  }
  throw new ConfigError(`${path} is not a stream mapping written by sync; sync into a new directory with --output`);
}

/**
 * The stream -> file mapping of `directory` for `source`, extended by `streams` and saved, and the
 * streams it named before (the others were given a file now).
 */
async function streamFiles(
  directory: string,
  streams: readonly string[],
  source: SourceIdentity,
): Promise<{ readonly names: Map<string, string>; readonly mapped: ReadonlySet<string> }> {
  const path = join(directory, STREAMS_FILE);
  const text = await readOptional(path);
  const stored = text === undefined ? undefined : parseStreamsFile(path, text);
  if (stored === undefined && (await readOptional(join(directory, STATE_FILE))) !== undefined) {
    throw new ConfigError(
      `--output ${directory} has ${STATE_FILE} but no ${STREAMS_FILE} (written by an earlier version, or removed), so which file ` +
        `holds which stream is unknown; sync into a new directory with --output`,
    );
  }
  const storedSource = stored && {
    account: stored.account ?? undefined,
    region: stored.region,
    endpoint: stored.endpoint ?? undefined,
  };
  if (
    storedSource &&
    (storedSource.account !== source.account ||
      storedSource.region !== source.region ||
      storedSource.endpoint !== source.endpoint)
  ) {
    throw new ConfigError(
      `--output ${directory} holds the streams of ${describeSource(storedSource)}, and this config reads ${describeSource(source)}; ` +
        `a directory keeps one source's state: sync into another directory with --output`,
    );
  }
  const taken = new Map(Object.entries(stored?.files ?? {}));
  // Files we did not name (left by another tool or an earlier version) are never appended to.
  const present = (await readdir(directory))
    .filter((f) => f.endsWith(EXTENSION))
    .map((f) => f.slice(0, -EXTENSION.length));
  const names = assignNames(streams, taken, present);
  if (stored === undefined || names.size > taken.size) {
    const file: StreamsFile = {
      account: source.account ?? null,
      region: source.region,
      endpoint: source.endpoint ?? null,
      files: Object.fromEntries(names),
    };
    await replaceFile(path, `${JSON.stringify(file, null, 1)}\n`);
  }
  return { names, mapped: new Set(taken.keys()) };
}

/** An event's identity within its log group. */
function eventKey(r: EventRecord): string {
  return `${r.logStreamName}\u0000${r.eventId}`;
}

type Entries = Record<string, Record<string, unknown>>;

/**
 * A log group made again (after the stored watermark, see read.ts) holds other events: none of
 * them was stored before. A state says when its group was made; so does the single stream's
 * entry of a group found made again (see GroupStates), and an entry without it was read past
 * its group's creation.
 */
function madeAgain(stored: Record<string, unknown>, state: Record<string, unknown>): boolean {
  const created = state.log_group_creation_time;
  return (
    typeof created === "number" &&
    typeof stored.timestamp === "number" &&
    stored.log_group_creation_time !== created &&
    created > stored.timestamp
  );
}

/** The keys of the single stream's entries whose log group was made again since `stored`. */
function remadeGroups(stored: Record<string, unknown> | undefined, state: Record<string, unknown>): Set<string> {
  const before = (stored?.log_groups ?? {}) as Entries;
  const now = (state.log_groups ?? {}) as Entries;
  return new Set(Object.keys(now).filter((key) => Object.hasOwn(before, key) && madeAgain(before[key]!, now[key]!)));
}

/**
 * A record's watermark in `state`: the stream's, or its log group's (the single stream's state is
 * per log group, keyed by name, or by ARN for another account's group; see engine/streams.ts),
 * but for the entries in `without`.
 */
function watermarks(
  state: Record<string, unknown> | undefined,
  without: ReadonlySet<string> = new Set(),
): ((r: EventRecord) => number | undefined) | undefined {
  if (state === undefined) return undefined;
  if (typeof state.timestamp === "number") {
    const at = state.timestamp;
    return () => at;
  }
  const byKey = new Map<string, number>();
  for (const [key, entry] of Object.entries((state.log_groups ?? {}) as Record<string, { timestamp?: unknown }>)) {
    if (typeof entry.timestamp !== "number" || without.has(key)) continue;
    // arn:aws:logs:REGION:ACCOUNT:log-group:NAME -> ACCOUNT and NAME
    const arn = /^arn:[^:]*:logs:[^:]*:(\d+):log-group:(.*)$/.exec(key);
    byKey.set(arn ? `${arn[1]}\u0000${arn[2]}` : key, entry.timestamp);
  }
  return (r) => byKey.get(`${r.accountId}\u0000${r.logGroupName}`) ?? byKey.get(r.logGroupName);
}

/**
 * Makes the --output directory and its missing parents, one level at a time: node's recursive
 * mkdir never settles under /proc (it retries the parent forever). Errors name the flag.
 */
async function makeDirectory(directory: string): Promise<void> {
  const notDirectory = () =>
    new ConfigError(`--output ${directory} is a file, or inside one; name a directory (sync makes it if missing)`);
  const missing: string[] = [];
  for (let path = resolve(directory); ; ) {
    const code = await stat(path).then(
      (s) => (s.isDirectory() ? undefined : "ENOTDIR"),
      (err: NodeJS.ErrnoException) => err.code ?? "EIO",
    );
    if (code === undefined) break;
    if (code === "ENOTDIR") throw notDirectory();
    if (code === "ELOOP")
      throw new ConfigError(`--output ${directory} is a symbolic link that loops (or under one); name a directory`);
    if (code !== "ENOENT") throw cannotMake(directory, code, path);
    // A symbolic link to nothing also stats as missing; mkdir would say EEXIST.
    if ((await lstat(path).catch(() => undefined))?.isSymbolicLink())
      throw new ConfigError(`--output ${directory}: ${path} is a symbolic link to nothing; name a directory`);
    missing.push(path);
    const parent = dirname(path);
    if (parent === path) break;
    path = parent;
  }
  for (const path of missing.reverse()) {
    try {
      await mkdir(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "EIO";
      // Made meanwhile by another process: fine if a directory.
      if (code === "EEXIST" && (await stat(path).catch(() => undefined))?.isDirectory()) continue;
      if (code === "EEXIST" || code === "ENOTDIR") throw notDirectory();
      throw cannotMake(directory, code, path);
    }
  }
}

function cannotMake(directory: string, code: string, path: string): ConfigError {
  const where = path === resolve(directory) ? "" : ` (at ${path})`;
  return new ConfigError(`--output ${directory} cannot be made${where}: ${code}; name a directory you can write`);
}

/** Refuses a file of the directory that is a named pipe or the like: reading it would wait for ever. */
async function refuseOtherThanFile(directory: string, path: string): Promise<void> {
  const kind = await otherThanFile(path);
  if (kind !== undefined)
    throw new ConfigError(
      `--output ${directory} holds ${path}, ${kind}, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    );
}

/**
 * Takes DIR/_lock for this process, or fails naming the sync that holds it. A lock left by a
 * process of this host that is gone (killed) is taken over; one of another host is never.
 */
async function lock(directory: string): Promise<void> {
  const path = join(directory, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const file = await openFile(path, "wx");
      await file.writeFile(`${process.pid} ${HOST}\n`);
      await file.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const [pid, host] = ((await readOptional(path)) ?? "").trim().split(" ");
    const holder = Number(pid);
    const gone = host === HOST && Number.isInteger(holder) && holder > 0 && !isRunning(holder);
    if (!gone || attempt > 0) {
      // A lock that names no process: a sync killed between making it and writing it, or a file put there.
      if (!(Number.isInteger(holder) && holder > 0))
        throw new ConfigError(
          `--output ${directory} has a lock, ${path}, that names no process; remove it if no sync runs`,
        );
      const who = `process ${holder}${host === HOST ? "" : ` of host ${host}`}`;
      throw new ConfigError(
        `--output ${directory} is in use by ${who} (another sync?); sync when it has finished, or remove ${path} if no sync runs`,
      );
    }
    await rm(path, { force: true });
  }
}

export class JsonlStore implements LocalStore {
  private readonly states = new Map<string, Record<string, unknown>>();
  /** Per stream, records at or past its latest state's watermark: appended once a state covers them. */
  private readonly held = new Map<string, string[]>();
  /** Per custom report whose definition changed in this sync, the events its file held before. */
  private readonly storedBeforeChange = new Map<string, ReadonlySet<string>>();

  private constructor(
    readonly location: string,
    private readonly files: ReadonlyMap<string, string>,
    readonly notes: readonly string[],
  ) {}

  static async open(directory: string, streams: readonly string[], source: SourceIdentity): Promise<JsonlStore> {
    await makeDirectory(directory);
    for (const name of [LOCK_FILE, STREAMS_FILE, STATE_FILE])
      await refuseOtherThanFile(directory, join(directory, name));
    // Written whole to a temporary name and renamed over: a link there would become a file of
    // its own, its target left as it was (and writing beside the target may not be allowed).
    for (const name of [STREAMS_FILE, STATE_FILE]) {
      const path = join(directory, name);
      if ((await lstat(path).catch(() => undefined))?.isSymbolicLink())
        throw new ConfigError(
          `--output ${directory} holds ${path}, a symbolic link, where sync keeps a file it replaces whole; make it a regular file (a link to the whole --output directory is followed)`,
        );
    }
    await lock(directory);
    try {
      const { names, mapped } = await streamFiles(directory, streams, source);
      const files = new Map([...names].map(([s, n]) => [s, join(directory, `${n}${EXTENSION}`)]));
      const notes: string[] = [];
      const store = new JsonlStore(directory, files, notes);
      for (const [stream, state] of await store.readStateFile()) store.states.set(stream, state);
      await store.repairFiles(notes, streams, mapped);
      return store;
    } catch (err) {
      await rm(join(directory, LOCK_FILE), { force: true });
      throw err;
    }
  }

  /**
   * Puts right what the files of this sync's `streams` were left as (see repairTail), and a file
   * that is gone while its stream's state says its records are stored (deleted by hand, or its
   * entry in the mapping, `mapped` before): that state is dropped, the state file saved without
   * it, and the stream read again from its start. Then each of them has a file, empty until its
   * first records, so that a file gone later is told from one never written.
   */
  private async repairFiles(notes: string[], streams: readonly string[], mapped: ReadonlySet<string>): Promise<void> {
    const gone: string[] = [];
    for (const stream of streams) {
      const file = this.files.get(stream)!;
      await refuseOtherThanFile(this.location, file);
      const repair = await repairTail(file, watermarks(this.states.get(stream)));
      if (repair === "cut")
        notes.push(
          `${file} ended in part of a line (a sync killed during an append): it was cut off, and its records are read again`,
        );
      if (repair === "completed")
        notes.push(`${file} ended without a line break after its last record (stored): one was added`);
      if (this.states.has(stream) && !(await exists(file))) gone.push(stream);
    }
    if (gone.length > 0) {
      for (const stream of gone) {
        this.states.delete(stream);
        const file = this.files.get(stream);
        notes.push(
          mapped.has(stream)
            ? `${JSON.stringify(stream)} had a state here but no file ${file} (deleted by hand? or, in a directory of an ` +
                "earlier version, a stream that never had records): it is read again from its start"
            : `${JSON.stringify(stream)} had a state here but no entry in ${STREAMS_FILE} naming its file (deleted by hand?): ` +
                `it is read again from its start into ${file}`,
        );
      }
      // Saved before the empty files are made: otherwise a stop now would leave the state with them.
      await this.saveStates(this.states);
    }
    for (const stream of streams) await (await openFile(this.files.get(stream)!, "a")).close();
  }

  /** The state file, replaced atomically: the states as STATE messages (usable as `read --state`). */
  private async saveStates(states: ReadonlyMap<string, Record<string, unknown>>): Promise<void> {
    const messages = [...states].map(([name, s]) => ({
      type: "STREAM",
      stream: { stream_descriptor: { name }, stream_state: s },
    }));
    await replaceFile(join(this.location, STATE_FILE), `${JSON.stringify(messages, null, 1)}\n`);
  }

  fileOf(stream: string): string | undefined {
    return this.files.get(stream);
  }

  private async readStateFile(): Promise<Map<string, Record<string, unknown>>> {
    const path = join(this.location, STATE_FILE);
    const text = await readOptional(path);
    if (text === undefined) return new Map();
    // Read as sync wrote it or not at all: a guess could read again, or skip, a range.
    const refuse = (why: string) =>
      new ConfigError(
        `${path} is not the state file sync writes (${why}); restore it, or sync into a new directory with --output`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw refuse(err instanceof Error ? err.message : String(err));
    }
    const states = new Map<string, Record<string, unknown>>();
    for (const m of Array.isArray(parsed) ? parsed : [undefined]) {
      const stream = (m as { stream?: { stream_descriptor?: { name?: unknown }; stream_state?: unknown } } | undefined)
        ?.stream;
      const name = stream?.stream_descriptor?.name;
      const state = stream?.stream_state;
      if (typeof name !== "string" || typeof state !== "object" || state === null || Array.isArray(state))
        throw refuse("not an array of STREAM states, each with a stream_descriptor name and a stream_state object");
      states.set(name, state as Record<string, unknown>);
    }
    return states;
  }

  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    return new Map(this.states);
  }

  async commit(stream: string, batch: RecordBatch, state: Record<string, unknown>): Promise<CommitReport> {
    const file = this.files.get(stream);
    if (file === undefined) throw new Error(`no file for stream ${JSON.stringify(stream)}`);
    const given = [...(this.held.get(stream) ?? []), ...batch.dataTexts()];
    // Files are only appended to: a record before the stream's stored watermark was committed
    // before (lookback) and is now in the file twice. Counted as re-read, not deduplicated.
    // After a report's definition changed, its watermark says nothing of what the file holds.
    const stored = this.states.get(stream);
    const earlier = await this.eventsBeforeChange(stream, file, stored, state);
    const changed =
      earlier !== undefined &&
      typeof stored?.report_definition === "string" &&
      stored.report_definition !== state.report_definition;
    const remade = typeof stored?.log_group_creation_time === "number" && madeAgain(stored, state);
    const storedWatermark = changed || remade ? undefined : watermarks(stored, remadeGroups(stored, state));
    const covered = watermarks(state);
    const records: string[] = [];
    const held: string[] = [];
    let reread = 0;
    for (const text of given) {
      const r = JSON.parse(text) as EventRecord;
      // A group the state does not name (single stream) has no watermark to wait for.
      const until = covered?.(r);
      if (until !== undefined && r.timestamp >= until) {
        held.push(text);
        continue;
      }
      records.push(text);
      const watermark = storedWatermark?.(r);
      if ((watermark !== undefined && r.timestamp < watermark) || earlier?.has(eventKey(r))) reread += 1;
    }
    const states = new Map(this.states).set(stream, state);
    // The file's length before this append: a failed append (a full disk writes part of it) or
    // state is cut back to it, so that no record is in the file without the state covering it.
    const before = records.length > 0 ? await sizeOf(file) : undefined;
    try {
      // Each record's data as the connector wrote it, one per line (message_json exact).
      if (records.length > 0) await appendFile(file, `${records.join("\n")}\n`);
      await this.saveStates(states);
    } catch (err) {
      if (before !== undefined)
        await truncate(file, before).catch((cut: unknown) => {
          // Said, not hidden: the records stay in the file without their state.
          throw new Error(
            `${err instanceof Error ? err.message : String(err)}; the records appended to ${file} could not be taken back out ` +
              `(${cut instanceof Error ? cut.message : String(cut)}), so the next sync stores them again`,
          );
        });
      throw err;
    }
    this.held.set(stream, held);
    this.states.set(stream, state);
    return { ...CLEAN_COMMIT, reread, stored: records.length };
  }

  /**
   * The events a custom report's file held when its definition (state's `report_definition`)
   * changed in this sync: the report is read again from its start, and only the events the file
   * has already are re-read. Read once per sync, at the first commit of the new definition;
   * undefined for a file over MAX_FILE_READ_FOR_REREAD_BYTES.
   */
  private async eventsBeforeChange(
    stream: string,
    file: string,
    stored: Record<string, unknown> | undefined,
    state: Record<string, unknown>,
  ): Promise<ReadonlySet<string> | undefined> {
    const known = this.storedBeforeChange.get(stream);
    if (known !== undefined) return known;
    const before = stored?.report_definition;
    if (typeof before !== "string" || before === state.report_definition) return undefined;
    // About 100 bytes of memory per event: a larger file is counted by its old watermark instead.
    const size = (await unlessMissing(stat(file), undefined))?.size;
    if (size !== undefined && size > MAX_FILE_READ_FOR_REREAD_BYTES) return undefined;
    const events = new Set<string>();
    if (size !== undefined) {
      try {
        for await (const line of createInterface({
          input: createReadStream(file),
          crlfDelay: Number.POSITIVE_INFINITY,
        })) {
          // A line that is not a record (the file edited by hand) holds no event to count.
          const r = parsedRecord(line);
          if (r !== undefined) events.add(eventKey(r));
        }
      } catch {
        // The counts are not worth failing the sync for (the file changed, cannot be read):
        // the old watermark counts them. A file the commit cannot append to fails it there.
        return undefined;
      }
    }
    this.storedBeforeChange.set(stream, events);
    return events;
  }

  async close(): Promise<void> {
    // Every commit is complete on disk when it resolves; the next sync may come.
    await rm(join(this.location, LOCK_FILE), { force: true });
  }
}
