// The DuckDB store: one table per stream keyed by the record's key, a mapping table from
// stream names to tables, and the stream states, all in one file. A commit stages the records
// with the appender (fast) and moves them into the stream's table with INSERT OR REPLACE in the
// same transaction as the state, so a database never holds records its state does not cover
// nor a state whose records are missing. Streams and states are keyed by source (account,
// region, endpoint; "" for unknown or the region's AWS endpoint) and stream name, so a file may
// hold groups of the same name from several sources, each in a table of its own.
import { DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from "@duckdb/node-api";
import { ConfigError } from "../airbyte/errors.js";
import {
  ACCOUNT_ID_FIELD,
  EVENT_RECORD_FIELDS,
  ALL_GROUPS_LINKED_RECORD_KEY,
  ALL_GROUPS_RECORD_KEY,
  type EventRecordFieldName,
  MESSAGE_JSON_FIELD,
} from "../domain/record.js";
import { ALL_GROUPS_STREAM } from "../domain/streams.js";
import type { CommitReport, LocalStore, LogRecord, SourceIdentity } from "./store.js";
import { heldBy } from "./duckdb-lock.js";
import { assignNames } from "./table-names.js";

const STATE_TABLE = "_source_cloudwatch_logs_state";
export const STREAMS_TABLE = "_source_cloudwatch_logs_streams";
const STAGING = "_staging";

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

const FIELD_COLUMNS = EVENT_RECORD_FIELDS.map((f) => `${quote(f.name)} ${f.column}`).join(", ");
const MESSAGE_JSON = quote(MESSAGE_JSON_FIELD.name);
const ACCOUNT_ID = quote(ACCOUNT_ID_FIELD.name);
/**
 * A stream's table: the record's fields, message_json, and the event time as a TIMESTAMP for
 * people. Keyed with the log group too: the single stream's table (log_events) holds every log
 * group, whose log stream names and event ids may repeat; for a one-group table it is the same key.
 * Made while linked accounts are read, it has accountId and is keyed by it too (two accounts may
 * hold groups of one name); a table keeps the key it was made with (DuckDB cannot change it).
 */
function tableColumns(accountIds: boolean): string {
  const [account, key] = accountIds
    ? [`, ${ACCOUNT_ID} ${ACCOUNT_ID_FIELD.column}`, ALL_GROUPS_LINKED_RECORD_KEY]
    : ["", ALL_GROUPS_RECORD_KEY];
  return (
    `${FIELD_COLUMNS}, ${MESSAGE_JSON} ${MESSAGE_JSON_FIELD.column}, "event_time" TIMESTAMP${account}, ` +
    `PRIMARY KEY (${key.map(quote).join(", ")})`
  );
}
// Staged as text: DuckDB's JSON type rejects some valid JSON (an escaped unpaired surrogate,
// "\ud800"); such a record keeps its message and gets message_json NULL, counted, rather than
// failing the commit.
const STAGING_COLUMNS = `${FIELD_COLUMNS}, ${MESSAGE_JSON} VARCHAR, ${ACCOUNT_ID} ${ACCOUNT_ID_FIELD.column}`;
const STAGED_COLUMNS =
  `${EVENT_RECORD_FIELDS.map((f) => quote(f.name)).join(", ")}, ` +
  `CASE WHEN json_valid(${MESSAGE_JSON}) THEN ${MESSAGE_JSON} END, epoch_ms(${quote("timestamp" satisfies EventRecordFieldName)})`;
/** The columns a commit fills, in the order of STAGED_COLUMNS (a table may have accountId or not). */
const INSERTED_COLUMNS = `${EVENT_RECORD_FIELDS.map((f) => quote(f.name)).join(", ")}, ${MESSAGE_JSON}, "event_time"`;
const UNSTORABLE_JSON = `${MESSAGE_JSON} IS NOT NULL AND NOT json_valid(${MESSAGE_JSON})`;
const UNPAIRED_SURROGATE = /\p{Cs}/u;

function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * Keeps the last record of each primary key (the table's, with accountId or not): one INSERT must
 * not touch a key twice.
 */
function unique(records: readonly LogRecord[], keyedByAccount: boolean): LogRecord[] {
  const key = keyedByAccount ? ALL_GROUPS_LINKED_RECORD_KEY : ALL_GROUPS_RECORD_KEY;
  const byKey = new Map<string, LogRecord>();
  for (const r of records) byKey.set(key.map((k) => r[k]).join("\u0000"), r);
  return byKey.size === records.length ? [...records] : [...byKey.values()];
}

export class DuckDbStore implements LocalStore {
  private constructor(
    readonly location: string,
    private readonly instance: DuckDBInstance,
    private readonly db: DuckDBConnection,
    private readonly appender: DuckDBAppender,
    private readonly tables: ReadonlyMap<string, string>,
    /** The source's (account, region, endpoint) as SQL values. */
    private readonly sourceKey: string,
    /** The tables have the accountId column (linked accounts are read). */
    private readonly accountIds: boolean,
    /** The tables whose primary key has accountId. */
    private readonly keyedByAccount: ReadonlySet<string>,
  ) {}

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
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (err) {
      const holder = heldBy(err);
      if (holder === undefined) throw err;
      throw new ConfigError(
        `--database ${path} is ${holder} (a query, another sync, a DuckDB client?); sync when it has finished`,
      );
    }
    const db = await instance.connect();
    const key = `${sqlString(source.account ?? "")}, ${sqlString(source.region)}, ${sqlString(source.endpoint ?? "")}`;
    try {
      const legacy = await db.runAndReadAll(
        `SELECT 1 FROM duckdb_tables() t WHERE t.table_name = '${STREAMS_TABLE}' AND NOT t.temporary AND NOT EXISTS ` +
          `(SELECT 1 FROM duckdb_columns() c WHERE c.table_oid = t.table_oid AND c.column_name = 'account')`,
      );
      if (legacy.currentRowCount > 0) {
        throw new ConfigError(
          `--database ${path} was written by an earlier version that did not record the account, region and endpoint of its streams; ` +
            `sync into a new file with --database`,
        );
      }
      await db.run(
        `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (account VARCHAR, region VARCHAR, endpoint VARCHAR, stream VARCHAR, state JSON, ` +
          `updated_at TIMESTAMP, PRIMARY KEY (account, region, endpoint, stream))`,
      );
      await db.run(
        `CREATE TABLE IF NOT EXISTS ${STREAMS_TABLE} (account VARCHAR, region VARCHAR, endpoint VARCHAR, stream VARCHAR, ` +
          `table_name VARCHAR UNIQUE, PRIMARY KEY (account, region, endpoint, stream))`,
      );
      const rows = (
        await db.runAndReadAll(
          `SELECT stream, table_name FROM ${STREAMS_TABLE} WHERE (account, region, endpoint) = (${key})`,
        )
      ).getRowObjectsJS();
      const taken = new Map(rows.map((r) => [String(r.stream), String(r.table_name)]));
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
        // DuckDB cannot change a table's key: rows of same-name log groups of two accounts would
        // replace each other in a log_events table keyed without accountId.
        const keyed = await db.runAndReadAll(
          `SELECT 1 FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' AND table_name = ${sqlString(single)} ` +
            `AND list_contains(constraint_column_names, '${ACCOUNT_ID_FIELD.name}')`,
        );
        if (keyed.currentRowCount === 0) {
          throw new ConfigError(
            `--database ${path}: table ${JSON.stringify(single)} of stream ${ALL_GROUPS_STREAM} was made without include_linked_accounts, so its key has no accountId ` +
              `and same-name log groups of two accounts would overwrite each other's rows; sync into a new file with --database`,
          );
        }
      }
      await db.run("BEGIN TRANSACTION");
      for (const stream of streams) {
        const table = tables.get(stream)!;
        await db.run(`CREATE TABLE IF NOT EXISTS ${quote(table)} (${tableColumns(accountIds)})`);
        if (accountIds)
          await db.run(`ALTER TABLE ${quote(table)} ADD COLUMN IF NOT EXISTS ${ACCOUNT_ID} ${ACCOUNT_ID_FIELD.column}`);
        if (!taken.has(stream))
          await db.run(`INSERT INTO ${STREAMS_TABLE} VALUES (${key}, ${sqlString(stream)}, ${sqlString(table)})`);
      }
      await db.run("COMMIT");
      const keys = await db.runAndReadAll(
        `SELECT table_name FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ` +
          `AND list_contains(constraint_column_names, '${ACCOUNT_ID_FIELD.name}')`,
      );
      const keyedByAccount = new Set(keys.getRowObjectsJS().map((r) => String(r.table_name)));
      // A temporary table: staged rows never reach the file unless moved in a commit.
      await db.run(`CREATE OR REPLACE TEMP TABLE ${STAGING} (${STAGING_COLUMNS})`);
      const appender = await db.createAppender(STAGING, "main", "temp");
      return new DuckDbStore(path, instance, db, appender, tables, key, accountIds, keyedByAccount);
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

  async commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<CommitReport> {
    const table = this.tables.get(stream);
    if (table === undefined) throw new Error(`no table for stream ${JSON.stringify(stream)}`);
    await this.db.run(`DELETE FROM ${STAGING}`);
    const a = this.appender;
    let messagesReplaced = 0;
    let withJson = false;
    for (const r of unique(records, this.keyedByAccount.has(table))) {
      for (const f of EVENT_RECORD_FIELDS) {
        const value = r[f.name];
        if (typeof value === "number") a.appendBigInt(BigInt(value));
        else a.appendVarchar(value);
      }
      // VARCHAR is UTF-8: an unpaired surrogate arrives as U+FFFD, which is counted.
      if (UNPAIRED_SURROGATE.test(r.message)) messagesReplaced += 1;
      if (r.messageJsonText === undefined || r.messageJsonText === null) {
        a.appendNull();
      } else {
        a.appendVarchar(r.messageJsonText);
        withJson = true;
      }
      if (r.accountId === undefined) a.appendNull();
      else a.appendVarchar(r.accountId);
      a.endRow();
    }
    a.flushSync();
    let messageJsonDropped = 0;
    await this.db.run("BEGIN TRANSACTION");
    try {
      if (withJson) {
        const unstorable = await this.db.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM ${STAGING} WHERE ${UNSTORABLE_JSON}`,
        );
        messageJsonDropped = Number(unstorable.getRowObjectsJS()[0]?.n ?? 0);
      }
      if (records.length > 0) {
        const [columns, staged] = this.accountIds
          ? [`${INSERTED_COLUMNS}, ${ACCOUNT_ID}`, `${STAGED_COLUMNS}, ${ACCOUNT_ID}`]
          : [INSERTED_COLUMNS, STAGED_COLUMNS];
        await this.db.run(`INSERT OR REPLACE INTO ${quote(table)} (${columns}) SELECT ${staged} FROM ${STAGING}`);
      }
      await this.db.run(
        `INSERT OR REPLACE INTO ${STATE_TABLE} VALUES (${this.sourceKey}, ${sqlString(stream)}, ${sqlString(JSON.stringify(state))}, now()::TIMESTAMP)`,
      );
      await this.db.run("COMMIT");
    } catch (err) {
      await this.db.run("ROLLBACK").catch(() => undefined);
      throw err;
    }
    return { messageJsonDropped, messagesReplaced };
  }

  async close(): Promise<void> {
    this.appender.closeSync();
    // Folds the write-ahead log into the file so that the file alone is the database.
    await this.db.run("CHECKPOINT").catch(() => undefined);
    this.db.closeSync();
    this.instance.closeSync();
  }
}
