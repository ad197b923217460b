// The DuckDB store: one table per stream, a mapping table from stream names to tables, and the
// stream states, all in one file. A commit stages the records' texts with the appender (fast),
// appends the batch to the table and removes the rows of the table that the batch holds again
// (re-read events: lookback, resumed windows; their count is the commit's `reread`), in the same
// transaction as the state, so a database never holds records its state does not cover nor a
// state whose records are missing, and an event is never in a table twice. Streams and states
// are keyed by source (account, region, endpoint; "" for unknown or the region's AWS endpoint)
// and stream name, so a file may hold groups of the same name from several sources, each in a
// table of its own.
import { type FileHandle, mkdtemp, open as openFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { ConfigError } from "../airbyte/errors.js";
import {
  ACCOUNT_ID_FIELD,
  EVENT_RECORD_FIELDS,
  ALL_GROUPS_RECORD_KEY,
  type EventRecordFieldName,
  MESSAGE_JSON_FIELD,
} from "../domain/record.js";
import { ALL_GROUPS_STREAM } from "../domain/streams.js";
import { messageJsonText } from "../sinks/records.js";
import type { CommitReport, LocalStore, SourceIdentity } from "./store.js";
import { heldBy } from "./duckdb-lock.js";
import { refuseDatabaseOtherThanFile } from "./file-kind.js";
import { HOST, isRunning } from "./processes.js";
import type { RecordBatch } from "./record-batch.js";
import { IN_MAIN_SCHEMA, quote, sqlString } from "./sql.js";
import { assignNames } from "./table-names.js";

const STATE_TABLE = "_source_cloudwatch_logs_state";
export const STREAMS_TABLE = "_source_cloudwatch_logs_streams";
const STAGING = "_staging";
const MEMORY_LIMIT = "256MB";
/**
 * The tables written since the last checkpoint after which the store checkpoints. Until then a
 * table's new rows stay in memory (about 240 KB a table for a few rows), and commits of a few rows
 * never fill the write-ahead log enough for DuckDB to checkpoint by itself: a sync of 3,000 log
 * groups of 10 events each ran out of MEMORY_LIMIT at the 1,033rd.
 */
const CHECKPOINT_TABLES = 200;
/** DuckDB's rows per row group. */
export const ROW_GROUP_ROWS = 122_880;
/** A session variable: the row id from which a commit's rows are its batch (see insertDirect). */
const BATCH_FIRST_ROW = "cwl_batch_first_row";
/** A session variable: a commit's rows in the batch's time span before its re-read rows are removed. */
const SPAN_ROWS = "cwl_span_rows";
/** Session variables: the batch's first and last timestamps (see insertDirect). */
const BATCH_FIRST_TIME = "cwl_batch_first_time";
const BATCH_LAST_TIME = "cwl_batch_last_time";
/**
 * The start of a store's temporary directory's name: then its process's id and host (a killed
 * sync's directory is found by them, see removeOrphanedSpools), a dash and mkdtemp's letters.
 */
const SPOOL_DIR = "source-cloudwatch-logs-sync-";
/** The spool file's name in the store's temporary directory. */
const SPOOL_FILE = "records.ndjson";
/**
 * One DuckDB thread: a sync is a pipeline, the reader on one core and DuckDB's commits on another.
 * With two threads DuckDB's JSON reader spent 2.4 times the CPU for the same rows while the reader
 * and the endpoint wanted the cores too (2M events in commits of 200,000 on 2 cores: 8.1 s against
 * 3.4 s of CPU for the INSERTs; a whole sync 22 s against 16 s; docs/performance.md).
 */
const THREADS = "1";

const FIELD_COLUMNS = EVENT_RECORD_FIELDS.map((f) => `${quote(f.name)} ${f.column}`).join(", ");
const MESSAGE_JSON = quote(MESSAGE_JSON_FIELD.name);
const ACCOUNT_ID = quote(ACCOUNT_ID_FIELD.name);
/**
 * A stream's table: the record's fields, message_json, and the event time as a TIMESTAMP for
 * people, computed when read (a VIRTUAL column takes no space). No PRIMARY KEY: its index took more
 * of the file than the data and made every insert a lookup; a commit removes re-read rows itself
 * (see commit). Tables made before keep theirs and their stored event_time, and are written the
 * same way (the index then only costs time).
 */
const TABLE_COLUMNS = `${FIELD_COLUMNS}, ${MESSAGE_JSON} ${MESSAGE_JSON_FIELD.column}, "event_time" TIMESTAMP GENERATED ALWAYS AS (epoch_ms(${quote("timestamp" satisfies EventRecordFieldName)})) VIRTUAL`;
// Staged rows: the record's fields as extracted by DuckDB from its data's text, and message_json
// as text, since DuckDB's JSON type rejects some valid JSON (an escaped unpaired surrogate,
// "\ud800"); such a record keeps its message and gets message_json NULL, counted, rather than
// failing the commit. `pos` is the record's place in the batch (the last copy of an event wins).
const STAGING_COLUMNS = `${FIELD_COLUMNS}, ${MESSAGE_JSON} VARCHAR, ${ACCOUNT_ID} ${ACCOUNT_ID_FIELD.column}, "pos" BIGINT`;
/** The batch's data texts, one VARCHAR each: the one value a record costs the appender. */
const STAGING_TEXT = "_staging_text";
/**
 * A member only the store writes, in the text it stages for a record it had to re-encode (see
 * stagedText): the record's message_json text as the connector wrote it.
 */
const EXACT_JSON = "_message_json_text";
/** The data's members as DuckDB reads them: each record is parsed once, on DuckDB's threads. */
const DATA_MEMBERS: readonly (readonly [string, string])[] = [
  ...EVENT_RECORD_FIELDS.map((f) => [f.name, f.column] as const),
  [ACCOUNT_ID_FIELD.name, ACCOUNT_ID_FIELD.column],
  [MESSAGE_JSON_FIELD.name, "JSON"],
  [EXACT_JSON, "VARCHAR"],
];
/** For json_transform of a staged text. */
const DATA_STRUCT = JSON.stringify(Object.fromEntries(DATA_MEMBERS));
/** For read_json of RECORD lines: each line's record.data. */
const LINE_COLUMNS = `{'record': ${sqlString(`STRUCT("data" STRUCT(${DATA_MEMBERS.map(([n, t]) => `${quote(n)} ${t}`).join(", ")}))`)}}`;
/** The longest line read_json takes (its default, 16 MB, is near the largest events escaped). */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/**
 * The opening of an escaped surrogate (or anything like one) in a line's bytes: DuckDB's JSON
 * reader refuses an escaped unpaired surrogate, so a batch with one takes the staged texts.
 */
const SURROGATE_ESCAPES = ["\\ud", "\\uD"];
/**
 * message_json's text: the message's own text, trimmed, line breaks as spaces (what the records
 * sink writes, see messageJsonText in sinks/records.ts: a JSON message has only JSON whitespace
 * around it). Records with surrogates never take this path (see stagedText).
 */
const JSON_TEXT_OF_MESSAGE = `replace(replace(trim(r.${quote("message" satisfies EventRecordFieldName)}, ' \t\n\r'), chr(10), ' '), chr(13), ' ')`;
const field = (name: string) => `r.${quote(name)}`;
const STAGE_FIELDS =
  `INSERT INTO ${STAGING} SELECT ${EVENT_RECORD_FIELDS.map((f) => field(f.name)).join(", ")}, ` +
  `CASE WHEN ${field(EXACT_JSON)} IS NOT NULL THEN ${field(EXACT_JSON)} WHEN ${field(MESSAGE_JSON_FIELD.name)} IS NOT NULL THEN ${JSON_TEXT_OF_MESSAGE} END, ` +
  `${field(ACCOUNT_ID_FIELD.name)}, rowid FROM (SELECT json_transform("text", '${DATA_STRUCT}') AS r, rowid FROM ${STAGING_TEXT})`;
/** The staged texts, each read into a struct of the data's members (r). */
const TEXTS_SOURCE = `(SELECT json_transform("text", '${DATA_STRUCT}') AS r FROM ${STAGING_TEXT})`;

/** Where a commit's records are for DuckDB, and what staging them counted. */
interface Staged {
  /** A subquery giving each record's data as a struct `r`. */
  readonly source: string;
  /** Messages whose unpaired surrogates became U+FFFD. */
  readonly replaced: number;
  /** Texts that carry their message_json's exact text (see stagedText). */
  readonly exactJson: number;
  /** The records staged: the rows the commit must insert. */
  readonly count: number;
}

const REQUIRED_NULL = EVENT_RECORD_FIELDS.filter((f) => f.required)
  .map((f) => `${quote(f.name)} IS NULL`)
  .join(" OR ");
/** Any surrogate in a data text, escaped or not (paired ones too): such a record is looked at closely. */
const SURROGATE_IN_TEXT = /\\u[dD][89a-fA-F]|[\ud800-\udfff]/;
const FIELD_NAMES = EVENT_RECORD_FIELDS.map((f) => quote(f.name)).join(", ");
const STORABLE_JSON = `CASE WHEN json_valid(${MESSAGE_JSON}) THEN ${MESSAGE_JSON} END`;
const UNSTORABLE_JSON = `${MESSAGE_JSON} IS NOT NULL AND NOT json_valid(${MESSAGE_JSON})`;
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const UNPAIRED_SURROGATES = /\p{Cs}/gu;
/** A table row and a staged row are one event: the single stream's key (the same for a one-group table). */
const SAME_EVENT = ALL_GROUPS_RECORD_KEY.map((k) => `t.${quote(k)} = s.${quote(k)}`).join(" AND ");
/** An event's key in the staging table (its accountId NULL when linked accounts are not read). */
const EVENT_KEY = [...ALL_GROUPS_RECORD_KEY, ACCOUNT_ID_FIELD.name].map(quote).join(", ");
/**
 * With accountId: rows of two accounts are two events, and a row stored before the table had
 * the column (NULL), or staged without linked accounts, is the same event as one with an account
 * (what the key of a table made before, with or without accountId, decided).
 */
const SAME_ACCOUNT = `(t.${ACCOUNT_ID} IS NULL OR s.${ACCOUNT_ID} IS NULL OR t.${ACCOUNT_ID} = s.${ACCOUNT_ID})`;

/** How a table was made: the columns a commit fills and how it finds re-read rows. */
interface TableLayout {
  /** event_time is a stored column (a table made before it was VIRTUAL): a commit fills it. */
  readonly storedEventTime: boolean;
  readonly accountIdColumn: boolean;
  /**
   * The table has a PRIMARY KEY (made before it was dropped): a re-read row must leave it before
   * its copy goes in, so a commit goes through the staging table (see insertStaged).
   */
  readonly primaryKey: boolean;
}

/** A record's data with message_json as parsed from its text. */
type ParsedRecord = Record<string, unknown> & { readonly message: string; readonly message_json?: unknown };

/**
 * The text to stage for a record whose data has a surrogate (rare): DuckDB's JSON reader rejects
 * escaped unpaired surrogates, so the record is parsed here; unpaired surrogates of its strings
 * become U+FFFD (VARCHAR is UTF-8), counted for the message, and its message_json text (the
 * message's own, as the connector wrote it) goes in EXACT_JSON for DuckDB to judge.
 */
function stagedText(text: string): { readonly text: string; readonly replaced: boolean; readonly exactJson: boolean } {
  const data = JSON.parse(text) as ParsedRecord;
  const { message_json: json, ...fields } = data;
  const exact = json === undefined || json === null ? undefined : messageJsonText(data.message);
  const staged = JSON.stringify(exact === undefined ? fields : { ...fields, [EXACT_JSON]: exact }, (_key, value) =>
    typeof value === "string" ? value.replace(UNPAIRED_SURROGATES, "\ufffd") : value,
  );
  return { text: staged, replaced: UNPAIRED_SURROGATE.test(data.message), exactJson: exact !== undefined };
}

/** The store's temporary directory and its spool file, which read_json reads a commit's records from. */
interface Spool {
  readonly dir: string;
  readonly file: FileHandle;
}

/** Makes the spool; a TMPDIR that is missing or read-only is named with what to do. */
async function openSpool(): Promise<Spool> {
  const cannot = (err: unknown) =>
    new ConfigError(
      `cannot make a temporary file in ${tmpdir()} (${err instanceof Error ? err.message : String(err)}); set TMPDIR to a directory that exists and is writable`,
    );
  await removeOrphanedSpools(tmpdir());
  const dir = await mkdtemp(join(tmpdir(), `${SPOOL_DIR}${process.pid}-${HOST}-`)).catch((err: unknown) => {
    throw cannot(err);
  });
  const file = await openFile(join(dir, SPOOL_FILE), "w+").catch(async (err: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw cannot(err);
  });
  return { dir, file };
}

/**
 * Removes the temporary directories of syncs on this host whose process is gone: a sync killed
 * (SIGKILL, out of memory) leaves its spool file, up to a commit's records (about 100 MB).
 */
async function removeOrphanedSpools(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(/^(\d+)-/.exec(name.slice(SPOOL_DIR.length))?.[1]);
      if (!name.startsWith(`${SPOOL_DIR}${pid}-${HOST}-`) || isRunning(pid)) return;
      await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}

/** What opening a store made, for its constructor (the fields are described on the class). */
interface OpenedStore {
  readonly location: string;
  readonly instance: DuckDBInstance;
  readonly db: DuckDBConnection;
  readonly appender: DuckDBAppender;
  readonly tables: ReadonlyMap<string, string>;
  readonly sourceKey: string;
  readonly accountIds: boolean;
  readonly layouts: ReadonlyMap<string, TableLayout>;
  readonly spool: Spool;
  readonly notes: readonly string[];
  readonly views: ReadonlySet<string>;
}

/**
 * Opens (or creates) the DuckDB file sync writes, or says why it cannot in --database's words:
 * what is there is not a file, another process holds it, DuckDB cannot open it.
 */
export async function openDatabaseFile(path: string): Promise<DuckDBInstance> {
  await refuseDatabaseOtherThanFile(
    path,
    "--database",
    "name a DuckDB file made by sync, or a new file in a directory that exists",
    true,
  );
  let instance: DuckDBInstance;
  try {
    // DuckDB's default (80% of RAM) lets its cache grow with the file; a sync appends and
    // needs little (measured: RSS at 2M events down by about 240 MB, the same speed).
    instance = await DuckDBInstance.create(path, { memory_limit: MEMORY_LIMIT, threads: THREADS });
  } catch (err) {
    const holder = heldBy(err);
    if (holder !== undefined)
      throw new ConfigError(
        `--database ${path} is ${holder} (a query, another sync, a DuckDB client?); sync when it has finished`,
      );
    // Not a DuckDB file, an empty one, a directory that does not exist: DuckDB's words, and ours.
    const why = (err instanceof Error ? err.message : String(err)).split("\n")[0];
    throw new ConfigError(
      `--database ${path} cannot be opened (${why}); name a DuckDB file made by sync, or a new file in a directory that exists`,
    );
  }
  try {
    await refuseUnusableLayout(instance, path);
  } catch (err) {
    instance.closeSync();
    throw err;
  }
  return instance;
}

/** Whether the file was written by a version that did not record its streams' account, region and endpoint. */
export async function isEarlierLayout(db: DuckDBConnection): Promise<boolean> {
  const legacy = await db.runAndReadAll(
    `SELECT 1 FROM duckdb_tables() t WHERE t.table_name = '${STREAMS_TABLE}' AND ${IN_MAIN_SCHEMA} AND NOT EXISTS ` +
      `(SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_name = 'account')`,
  );
  return legacy.currentRowCount > 0;
}

/** What an earlier version's file lacks, for the messages that refuse it. */
export const EARLIER_LAYOUT =
  "was written by an earlier version that did not record the account, region and endpoint of its streams";

/** Refuses a file of an earlier version, or one with a view (made by hand) where sync keeps a table of its own. */
async function refuseUnusableLayout(instance: DuckDBInstance, path: string): Promise<void> {
  const db = await instance.connect();
  try {
    if (await isEarlierLayout(db))
      throw new ConfigError(`--database ${path} ${EARLIER_LAYOUT}; use a new file with --database`);
    const views = await db.runAndReadAll(
      `SELECT view_name FROM duckdb_views() WHERE view_name IN ('${STREAMS_TABLE}', '${STATE_TABLE}') AND ${IN_MAIN_SCHEMA} ORDER BY view_name`,
    );
    const view = views.getRowObjectsJS()[0]?.view_name;
    if (view !== undefined)
      throw new ConfigError(
        `--database ${path} has a view named ${String(view)} (made by hand?) where sync keeps a table of its own; drop the view, or use a new file with --database`,
      );
  } finally {
    db.closeSync();
  }
}

/**
 * How many streams this region and endpoint stored for an unknown account, which the source's
 * account does not have: a sync names its source by the caller's account, unknown while the
 * caller has no log group of its own. They are not the source's: another caller may have stored them.
 */
async function unknownAccountStreams(db: DuckDBConnection, source: SourceIdentity): Promise<number> {
  const [found] = (
    await db.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM ${STREAMS_TABLE} WHERE (account, region, endpoint) = (${sourceKey(source, "")}) ` +
        `AND stream NOT IN (SELECT stream FROM ${STREAMS_TABLE} WHERE (account, region, endpoint) = (${sourceKey(source)}))`,
    )
  ).getRowObjectsJS();
  return Number(found?.n);
}

/** The source's (account, region, endpoint) as SQL values, an unknown account and no endpoint as ''. */
function sourceKey(source: SourceIdentity, account = source.account): string {
  return `${sqlString(account ?? "")}, ${sqlString(source.region)}, ${sqlString(source.endpoint ?? "")}`;
}

export class DuckDbStore implements LocalStore {
  readonly location: string;
  private readonly instance: DuckDBInstance;
  private readonly db: DuckDBConnection;
  private readonly appender: DuckDBAppender;
  private readonly tables: ReadonlyMap<string, string>;
  /** The source's (account, region, endpoint) as SQL values. */
  private readonly sourceKey: string;
  /** The tables have the accountId column (linked accounts are read). */
  private readonly accountIds: boolean;
  private readonly layouts: ReadonlyMap<string, TableLayout>;
  /** A directory of the store's own (removed at close), holding the spool file. */
  private readonly spoolDir: string;
  /** The spool file, open for the store's life: each commit's lines, read by DuckDB from there. */
  private readonly spoolFile: FileHandle;
  readonly notes: readonly string[];
  /** Views found at the names of streams' tables (put there by hand): their commits fail, saying so. */
  private readonly views: ReadonlySet<string>;

  private constructor(opened: OpenedStore) {
    this.location = opened.location;
    this.instance = opened.instance;
    this.db = opened.db;
    this.appender = opened.appender;
    this.tables = opened.tables;
    this.sourceKey = opened.sourceKey;
    this.accountIds = opened.accountIds;
    this.layouts = opened.layouts;
    this.spoolDir = opened.spool.dir;
    this.spoolFile = opened.spool.file;
    this.notes = opened.notes;
    this.views = opened.views;
    this.linesSource =
      `(SELECT record.data AS r FROM read_json(${sqlString(join(this.spoolDir, SPOOL_FILE))}, format = 'newline_delimited', ` +
      `columns = ${LINE_COLUMNS}, maximum_object_size = ${MAX_LINE_BYTES}))`;
  }

  /** The spool file's records, each read into a struct of the data's members (r). */
  private readonly linesSource: string;
  /** The commits of records made since the store was opened, and their records. */
  private readonly committed = { commits: 0, records: 0 };
  /** The tables that got rows since the last checkpoint (see commit). */
  private readonly unflushed = new Set<string>();

  /**
   * Opens (or creates) the file and makes sure every stream of `source` has its table; with
   * `accountIds` (linked accounts are read), with an accountId column, added to a table made
   * without it. A table keeps the column once it has it.
   */
  static async open(
    path: string,
    streams: readonly string[],
    source: SourceIdentity,
    accountIds = false,
  ): Promise<DuckDbStore> {
    // First: a TMPDIR that cannot hold it fails the sync before the database file is made.
    const spool = await openSpool();
    try {
      return await DuckDbStore.openDatabase(path, streams, source, accountIds, spool);
    } catch (err) {
      // The database's error is the one to report, whatever the clean-up meets.
      await spool.file.close().catch(() => undefined);
      await rm(spool.dir, { recursive: true, force: true }).catch(() => undefined);
      throw err;
    }
  }

  private static async openDatabase(
    path: string,
    streams: readonly string[],
    source: SourceIdentity,
    accountIds: boolean,
    spool: Spool,
  ): Promise<DuckDbStore> {
    const instance = await openDatabaseFile(path);
    const db = await instance.connect();
    const key = sourceKey(source);
    try {
      await db.run(
        `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (account VARCHAR, region VARCHAR, endpoint VARCHAR, stream VARCHAR, state JSON, ` +
          `updated_at TIMESTAMP, PRIMARY KEY (account, region, endpoint, stream))`,
      );
      await db.run(
        `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (account VARCHAR, region VARCHAR, endpoint VARCHAR, stream VARCHAR, ` +
          `table_name VARCHAR UNIQUE, PRIMARY KEY (account, region, endpoint, stream))`,
      );
      const notes: string[] = [];
      const rows = (
        await db.runAndReadAll(
          `SELECT stream, table_name FROM ${STREAMS_TABLE} WHERE (account, region, endpoint) = (${key})`,
        )
      ).getRowObjectsJS();
      const taken = new Map(rows.map((r) => [String(r.stream), String(r.table_name)]));
      // Said at this account's first sync into the file, when its streams get tables of their own.
      if (source.account !== undefined && taken.size === 0) {
        const unknown = await unknownAccountStreams(db, source);
        if (unknown > 0)
          notes.push(
            `${unknown} stream(s) stored here for an unknown account (synced while the caller had no log group of its own) ` +
              `are left as they are, not taken as account ${source.account}'s (another account may have stored them): ` +
              "this account's streams get tables of their own",
          );
      }
      // Other sources' tables and tables we did not make are never given to a stream.
      const existing = await db.runAndReadAll(
        `SELECT table_name FROM duckdb_tables() WHERE NOT temporary UNION SELECT view_name FROM duckdb_views() WHERE NOT temporary ` +
          `UNION SELECT table_name FROM ${STREAMS_TABLE}`,
      );
      const tables = assignNames(
        streams,
        taken,
        existing.getRowObjectsJS().map((r) => String(r.table_name)),
      );
      const single = taken.get(ALL_GROUPS_STREAM);
      if (accountIds && single !== undefined && streams.includes(ALL_GROUPS_STREAM)) {
        // Its rows (accountId NULL) would be taken for the same events as those of same-name log
        // groups of other accounts. (A table of the earlier layout made with linked accounts has
        // accountId in its primary key.)
        const withoutAccount = await db.runAndReadAll(
          `SELECT 1 FROM duckdb_tables() t WHERE t.table_name = ${sqlString(single)} AND NOT t.temporary AND NOT EXISTS ` +
            `(SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_name = '${ACCOUNT_ID_FIELD.name}')`,
        );
        if (withoutAccount.currentRowCount > 0) {
          throw new ConfigError(
            `--database ${path}: table ${JSON.stringify(single)} of stream ${ALL_GROUPS_STREAM} was made without include_linked_accounts, so its rows have no accountId ` +
              `and same-name log groups of two accounts would overwrite each other's rows; sync into a new file with --database`,
          );
        }
      }
      // Tables and views: a view put at a table's name is a table changed by hand (its commits fail), not one gone.
      const namesOf = async (sql: string) =>
        new Set((await db.runAndReadAll(sql)).getRowObjectsJS().map((r) => String(r.name)));
      const views = await namesOf(`SELECT view_name AS name FROM duckdb_views() WHERE ${IN_MAIN_SCHEMA}`);
      const made = new Set([
        ...(await namesOf(`SELECT table_name AS name FROM duckdb_tables() WHERE ${IN_MAIN_SCHEMA}`)),
        ...views,
      ]);
      const withState = new Set(
        (await db.runAndReadAll(`SELECT stream FROM ${STATE_TABLE} WHERE (account, region, endpoint) = (${key})`))
          .getRowObjectsJS()
          .map((r) => String(r.stream)),
      );
      await db.run("BEGIN TRANSACTION");
      for (const stream of streams) {
        const table = tables.get(stream)!;
        // A state says its events are in the table: without the table (dropped by hand, or its
        // mapping row deleted) the state goes too, and the stream is read again from its start.
        if (!made.has(table) && withState.has(stream)) {
          await db.run(
            `DELETE FROM ${STATE_TABLE} WHERE (account, region, endpoint) = (${key}) AND stream = ${sqlString(stream)}`,
          );
          notes.push(
            taken.has(stream)
              ? `${JSON.stringify(stream)} had a state here but no table ${JSON.stringify(table)} (dropped by hand?): ` +
                  "the table was made again, and the stream read again from its start"
              : `${JSON.stringify(stream)} had a state here but no row in ${STREAMS_TABLE} naming its table (deleted by hand?): ` +
                  `the stream is read again from its start into table ${JSON.stringify(table)}`,
          );
        }
        await db.run(`CREATE TABLE IF NOT EXISTS ${quote(table)} (${TABLE_COLUMNS})`);
        if (accountIds && !views.has(table))
          await db.run(`ALTER TABLE ${quote(table)} ADD COLUMN IF NOT EXISTS ${ACCOUNT_ID} ${ACCOUNT_ID_FIELD.column}`);
        if (!taken.has(stream))
          await db.run(`INSERT INTO ${STREAMS_TABLE} VALUES (${key}, ${sqlString(stream)}, ${sqlString(table)})`);
      }
      await db.run("COMMIT");
      // A generated column has its expression as its default; a stored event_time has none.
      const columns = (
        await db.runAndReadAll(
          `SELECT table_name, bool_or(column_name = 'event_time' AND column_default IS NULL) AS stored, ` +
            `bool_or(column_name = '${ACCOUNT_ID_FIELD.name}') AS account, ` +
            `table_name IN (SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ` +
            `AND database_name = current_database() AND schema_name = 'main') AS pk FROM duckdb_columns() ` +
            `WHERE database_name = current_database() AND schema_name = 'main' GROUP BY table_name`,
        )
      ).getRowObjectsJS();
      const layouts = new Map(
        columns.map((r) => [
          String(r.table_name),
          {
            storedEventTime: r.stored === true,
            accountIdColumn: r.account === true,
            primaryKey: r.pk === true,
          } satisfies TableLayout,
        ]),
      );
      // A temporary table: staged rows never reach the file unless moved in a commit.
      await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} (${STAGING_COLUMNS})`);
      await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING_TEXT} ("text" VARCHAR)`);
      const appender = await db.createAppender(STAGING_TEXT, "main", "temp");
      return new DuckDbStore({
        location: path,
        instance,
        db,
        appender,
        tables,
        sourceKey: key,
        accountIds,
        layouts,
        spool,
        notes,
        views,
      });
    } catch (err) {
      db.closeSync();
      instance.closeSync();
      throw err;
    }
  }

  tableOf(stream: string): string | undefined {
    return this.tables.get(stream);
  }

  async loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>> {
    const rows = (
      await this.db.runAndReadAll(
        `SELECT stream, CAST(state AS VARCHAR) AS state FROM ${STATE_TABLE} WHERE (account, region, endpoint) = (${this.sourceKey})`,
      )
    ).getRowObjectsJS();
    return new Map(rows.map((r) => [String(r.stream), JSON.parse(String(r.state)) as Record<string, unknown>]));
  }

  async commit(stream: string, records: RecordBatch, state: Record<string, unknown>): Promise<CommitReport> {
    const table = this.tables.get(stream);
    const layout = table === undefined ? undefined : this.layouts.get(table);
    if (table !== undefined && this.views.has(table))
      throw new Error(
        `${JSON.stringify(table)} is a view (made by hand?), not the table sync made: drop it to read the stream again from its start, or sync into another --database`,
      );
    if (table === undefined || layout === undefined) throw new Error(`no table for stream ${JSON.stringify(stream)}`);
    const staged = records.count > 0 ? await this.stage(records, layout) : undefined;
    const saveState = `INSERT OR REPLACE INTO ${STATE_TABLE} VALUES (${this.sourceKey}, ${sqlString(stream)}, ${sqlString(JSON.stringify(state))}, now()::TIMESTAMP)`;
    let stored: Omit<CommitReport, "messagesReplaced"> = { messageJsonDropped: 0, reread: 0 };
    try {
      if (staged !== undefined && !layout.primaryKey)
        stored = await this.insertDirect(quote(table), layout, staged, saveState);
      else {
        await this.db.run("BEGIN TRANSACTION");
        if (staged !== undefined) stored = await this.insertStaged(quote(table), layout);
        // One call: each waits for the main thread, busy reading, to take its result.
        await this.db.run(`${saveState}; COMMIT`);
      }
    } catch (err) {
      await this.db.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
    // Commits of a state alone leave no row group (see close).
    if (records.count > 0) {
      this.committed.commits += 1;
      this.committed.records += records.count;
      this.unflushed.add(table);
      if (this.unflushed.size >= CHECKPOINT_TABLES) {
        this.unflushed.clear();
        // The commit is made: a checkpoint that fails does not undo it (a later commit that then
        // runs out of memory reports itself), and DuckDB checkpoints again at close.
        await this.db.run("CHECKPOINT").catch(() => undefined);
      }
    }
    return { ...stored, messagesReplaced: staged?.replaced ?? 0 };
  }

  /**
   * The staged records go straight into the table, read by DuckDB's JSON reader once; the batch is
   * then checked and de-duplicated where it landed. Rows a transaction appends have row ids above
   * every committed row's (DuckDB numbers them from a high base until the commit), so `rowid >=
   * first` is the batch. Measured (2M events in commits of 130,000): 7.8 s of commits where filling
   * a staging table first and copying it took 12.5 s.
   */
  private async insertDirect(
    table: string,
    layout: TableLayout,
    staged: Staged,
    saveState: string,
  ): Promise<Omit<CommitReport, "messagesReplaced">> {
    const first = `getvariable('${BATCH_FIRST_ROW}')`;
    const batch = `rowid >= ${first}`;
    const columns = this.columnsFilled(layout);
    const values = [
      EVENT_RECORD_FIELDS.map((f) => field(f.name)).join(", "),
      // The message's own text when the record has message_json (see JSON_TEXT_OF_MESSAGE): the
      // same text DuckDB just read as part of the record, so valid. A re-encoded record's (see
      // stagedText) is judged, and stored NULL when DuckDB's JSON cannot hold it.
      `CASE WHEN ${field(EXACT_JSON)} IS NOT NULL THEN (CASE WHEN json_valid(${field(EXACT_JSON)}) THEN ${field(EXACT_JSON)} END) ` +
        `WHEN ${field(MESSAGE_JSON_FIELD.name)} IS NOT NULL THEN ${JSON_TEXT_OF_MESSAGE} END`,
      ...(layout.storedEventTime ? [`epoch_ms(${field("timestamp" satisfies EventRecordFieldName)})`] : []),
      ...(this.accountIds ? [field(ACCOUNT_ID_FIELD.name)] : []),
    ];
    const key = [...ALL_GROUPS_RECORD_KEY.map(quote), ...(layout.accountIdColumn ? [ACCOUNT_ID] : [])].join(", ");
    const variable = (name: string) => `getvariable('${name}')`;
    // Two calls, the transaction's opening with the insert and its end with the state: each call
    // waits for the main thread, busy reading, to take its result, and DuckDB idles meanwhile (up
    // to 0.13 s a call in a 2M-event sync). The first: the batch's first row id, the insert, and
    // what the batch holds: its time span, the rows stored before it in that span (none in a first
    // sync: then no row can be a re-read one), and its distinct keys' hashes, which are fewer than
    // its rows whenever an event is in it twice (counting them took a third of the keys' time).
    const [stats] = (
      await this.db.runAndReadAll(
        `BEGIN TRANSACTION; SET VARIABLE ${BATCH_FIRST_ROW} = (SELECT coalesce(max(rowid) + 1, 0) FROM ${table}); ` +
          `INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM ${staged.source}; ` +
          `SET VARIABLE ${BATCH_FIRST_TIME} = (SELECT min("timestamp") FROM ${table} WHERE ${batch}); ` +
          `SET VARIABLE ${BATCH_LAST_TIME} = (SELECT max("timestamp") FROM ${table} WHERE ${batch}); ` +
          `SELECT count(*)::INTEGER AS inserted, count(*) FILTER (WHERE ${REQUIRED_NULL})::INTEGER AS incomplete, ` +
          `count(DISTINCT hash(${key}))::INTEGER AS hashes, ${variable(BATCH_FIRST_TIME)}::VARCHAR AS first, ${variable(BATCH_LAST_TIME)}::VARCHAR AS last, ` +
          `(SELECT count(*) FROM ${table} WHERE rowid < ${first} AND "timestamp" BETWEEN ${variable(BATCH_FIRST_TIME)} AND ${variable(BATCH_LAST_TIME)})::INTEGER AS earlier ` +
          `FROM ${table} WHERE ${batch}`,
      )
    ).getRowObjectsJS();
    // A short spool file (a write cut at a line's end) would read as fewer records, not an error.
    if (Number(stats?.inserted) !== staged.count)
      throw new Error(`${stats?.inserted} of the batch's ${staged.count} records were read back`);
    if (Number(stats?.incomplete) > 0) {
      throw new Error(`${stats?.incomplete} record(s) of the batch lack one of their required fields`);
    }
    let messageJsonDropped = 0;
    if (staged.exactJson > 0) {
      const [unstorable] = (
        await this.db.runAndReadAll(
          `SELECT count(*) FILTER (WHERE NOT json_valid(j))::INTEGER AS n FROM (SELECT json_extract_string("text", '$.${EXACT_JSON}') AS j ` +
            `FROM ${STAGING_TEXT} WHERE contains("text", '"${EXACT_JSON}"')) WHERE j IS NOT NULL`,
        )
      ).getRowObjectsJS();
      messageJsonDropped = Number(unstorable?.n);
    }
    // As many distinct hashes as rows: as many distinct keys. Fewer: the keys say (a hash can be
    // shared by two keys), and an event twice in one batch is stored once (its last copy).
    let repeated = 0;
    if (Number(stats?.hashes) < staged.count) {
      const [keys] = (
        await this.db.runAndReadAll(
          `SELECT (count(*) - count(DISTINCT (${key})))::INTEGER AS repeated FROM ${table} WHERE ${batch}`,
        )
      ).getRowObjectsJS();
      repeated = Number(keys?.repeated);
    }
    if (repeated > 0)
      await this.db.run(
        `DELETE FROM ${table} WHERE ${batch} AND rowid NOT IN (SELECT max(rowid) FROM ${table} WHERE ${batch} GROUP BY ${key})`,
      );
    // No row stored before in the batch's span: nothing was re-read, so the state and the commit.
    if (Number(stats?.earlier) === 0) {
      await this.db.run(`${saveState}; COMMIT`);
      return { messageJsonDropped, reread: repeated };
    }
    // The second: the re-read rows out, the state in, the commit. Only the last statement's result
    // comes back, so the rows removed are counted as the rows of the batch's span before and after.
    const span = `(SELECT count(*) FROM ${table} WHERE "timestamp" BETWEEN ${stats?.first} AND ${stats?.last})`;
    const [removed] = (
      await this.db.runAndReadAll(
        `SET VARIABLE ${SPAN_ROWS} = ${span}; ` +
          `DELETE FROM ${table} t USING (SELECT ${key} FROM ${table} WHERE ${batch}) s WHERE t.rowid < ${first} AND ` +
          `t."timestamp" BETWEEN ${stats?.first} AND ${stats?.last} AND ${SAME_EVENT}` +
          (layout.accountIdColumn ? ` AND ${SAME_ACCOUNT}` : "") +
          `; ${saveState}; COMMIT; SELECT (getvariable('${SPAN_ROWS}') - ${span})::INTEGER AS n`,
      )
    ).getRowObjectsJS();
    // A copy of an event the batch already holds is not new either: new + re-read = rows given.
    return { messageJsonDropped, reread: Number(removed?.n) + repeated };
  }

  /** The columns a commit fills, in the order of the values it gives. */
  private columnsFilled(layout: TableLayout): string[] {
    return [
      FIELD_NAMES,
      MESSAGE_JSON,
      ...(layout.storedEventTime ? ['"event_time"'] : []),
      ...(this.accountIds ? [ACCOUNT_ID] : []),
    ];
  }

  /** A table with a PRIMARY KEY: the records are read into the staging table, re-read rows removed, then copied. */
  private async insertStaged(table: string, layout: TableLayout): Promise<Omit<CommitReport, "messagesReplaced">> {
    await this.db.run(`DELETE FROM ${STAGING}`);
    await this.db.run(STAGE_FIELDS);
    const [batch] = (
      await this.db.runAndReadAll(
        `SELECT count(*) FILTER (WHERE ${REQUIRED_NULL})::INTEGER AS incomplete, ` +
          `count(*) FILTER (WHERE ${UNSTORABLE_JSON})::INTEGER AS unstorable, ` +
          `count(${MESSAGE_JSON})::INTEGER AS json, (count(*) - count(DISTINCT (${EVENT_KEY}))::BIGINT)::INTEGER AS repeated, ` +
          `min("timestamp")::VARCHAR AS first, max("timestamp")::VARCHAR AS last FROM ${STAGING}`,
      )
    ).getRowObjectsJS();
    if (Number(batch?.incomplete) > 0) {
      throw new Error(`${batch?.incomplete} record(s) of the batch lack one of their required fields`);
    }
    // An event twice in one batch is stored once (its last copy).
    if (Number(batch?.repeated) > 0)
      await this.db.run(
        `DELETE FROM ${STAGING} WHERE "pos" NOT IN (SELECT max("pos") FROM ${STAGING} GROUP BY ${EVENT_KEY})`,
      );
    // A re-read event has the timestamp it was stored with: only row groups whose timestamps
    // overlap the batch's are looked at (DuckDB skips the others by their min and max).
    const removed = await this.db.runAndReadAll(
      `DELETE FROM ${table} t USING ${STAGING} s WHERE t."timestamp" BETWEEN ${batch?.first} AND ${batch?.last} AND ${SAME_EVENT}` +
        (layout.accountIdColumn ? ` AND ${SAME_ACCOUNT}` : ""),
    );
    const columns = this.columnsFilled(layout);
    const values = [
      FIELD_NAMES,
      Number(batch?.json) > 0 ? STORABLE_JSON : "NULL",
      ...(layout.storedEventTime ? [`epoch_ms(${quote("timestamp" satisfies EventRecordFieldName)})`] : []),
      ...(this.accountIds ? [ACCOUNT_ID] : []),
    ];
    await this.db.run(`INSERT INTO ${table} (${columns.join(", ")}) SELECT ${values.join(", ")} FROM ${STAGING}`);
    // A copy of an event the batch already holds is not new either: new + re-read = rows given.
    return {
      messageJsonDropped: Number(batch?.unstorable),
      reread: Number(removed.getRowObjectsJS()[0]?.Count ?? 0) + Number(batch?.repeated),
    };
  }

  /**
   * Makes the records readable by DuckDB. Their lines as they are, in a file read_json reads (no
   * string per record in JS: measured, sync's main thread spent more on the texts, their
   * appending and collecting them than on the read itself). Or, for a table with a primary key or
   * lines with an escaped surrogate, each record's text in the staging text table (see stagedText).
   */
  private async stage(records: RecordBatch, layout: TableLayout): Promise<Staged> {
    if (!layout.primaryKey && !SURROGATE_ESCAPES.some((e) => records.includes(e))) {
      await this.spool(records.lines);
      return { source: this.linesSource, replaced: 0, exactJson: 0, count: records.count };
    }
    await this.db.run(`DELETE FROM ${STAGING_TEXT}`);
    const a = this.appender;
    let replaced = 0;
    let exactJson = 0;
    for (const text of records.dataTexts()) {
      if (SURROGATE_IN_TEXT.test(text)) {
        const staged = stagedText(text);
        if (staged.replaced) replaced += 1;
        if (staged.exactJson) exactJson += 1;
        a.appendVarchar(staged.text);
      } else {
        a.appendVarchar(text);
      }
      a.endRow();
    }
    a.flushSync();
    return { source: TEXTS_SOURCE, replaced, exactJson, count: records.count };
  }

  /**
   * Writes the lines over the spool file's, in one call: each step of a commit waits for the main
   * thread, busy reading, to take its result (a write per buffer took about 7 s of 2M events). The
   * file is not truncated to zero first: ext4 flushes a file truncated to zero and written again
   * when it is closed, and DuckDB's fsyncs then waited for that flush (3.8 s for one of them).
   */
  private async spool(lines: readonly Buffer[]): Promise<void> {
    const size = lines.reduce((sum, line) => sum + line.length, 0);
    // A write cut short (a full disk, a file size limit) says so here, not as a JSON error of a
    // cut line, with what to do: the temporary directory is not where the user said to store.
    const cannot = (why: string) =>
      new Error(
        `cannot write a commit's ${size} bytes to the temporary directory ${this.spoolDir} (${why}); ` +
          "free space there, or set TMPDIR to a directory with more room",
      );
    const { bytesWritten } = await this.spoolFile.writev(lines, 0).catch((err: unknown) => {
      throw cannot(err instanceof Error ? err.message : String(err));
    });
    if (bytesWritten !== size)
      throw cannot(`${bytesWritten} written: no space left on its file system, or a limit on a file's size`);
    await this.spoolFile.truncate(bytesWritten);
  }

  async close(): Promise<void> {
    try {
      this.appender.closeSync();
      // Commits of a row group or more on average left few partly filled row groups, and merging
      // them rewrote them for nothing (2M events: 0.4-0.8 s at close, the same used blocks); small
      // commits (follow cycles) leave one each, which a checkpoint merges.
      const { commits, records } = this.committed;
      if (commits > 0 && records / commits >= ROW_GROUP_ROWS)
        await this.db.run("SET max_vacuum_tasks = 0").catch(() => undefined);
      // Folds the write-ahead log into the file so that the file alone is the database.
      await this.db.run("CHECKPOINT").catch(() => undefined);
      this.db.closeSync();
      this.instance.closeSync();
    } finally {
      await this.spoolFile.close().catch(() => undefined);
      await rm(this.spoolDir, { recursive: true, force: true });
    }
  }
}
