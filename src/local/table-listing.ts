// The tables `sync` made in a DuckDB file, with their log groups, source, rows and time range:
// what `query --tables` and the demo's report print.
import type { DuckDBConnection } from "@duckdb/node-api";
import { parseAccountStreamName } from "../domain/streams.js";
import { EARLIER_LAYOUT, isEarlierLayout, STREAMS_TABLE } from "./duckdb-store.js";
import { IN_MAIN_SCHEMA, quote, sqlString } from "./sql.js";
import { describeSource } from "./store.js";
import { plural, WIDTH, wrap } from "./terminal.js";
import { displayWidth, escapeControls, textTable } from "./text-table.js";

export interface TableSummary {
  /** "account A, region R, endpoint E", as the stores name a source. */
  readonly source: string;
  readonly stream: string;
  readonly table: string;
  /** undefined: the table is gone (dropped by hand), or cannot be read (see `unreadable`). */
  readonly rows: number | undefined;
  /** Why the table's rows could not be summed up (a column changed by hand): DuckDB's words. */
  readonly unreadable?: string;
  /** The first and last event_time, to the minute (UTC); undefined when the table has no rows. */
  readonly first: string | undefined;
  readonly last: string | undefined;
  /** The log groups its rows come from: how many, and the first by name. */
  readonly logGroups: number;
  readonly logGroup: string | undefined;
}

/** undefined: the file holds no mapping table, so nothing in it was made by sync. `database` names it in errors. */
export async function tableSummaries(db: DuckDBConnection, database: string): Promise<TableSummary[] | undefined> {
  // DuckDB's names are case-insensitive: a mapping spelt `Ecs_Checkout` names table ecs_checkout.
  const named = (name: string) => `lower(table_name) = lower(${sqlString(name)}) AND ${IN_MAIN_SCHEMA}`;
  const present = async (name: string): Promise<boolean> =>
    (await db.runAndReadAll(`SELECT 1 FROM duckdb_tables() WHERE ${named(name)}`)).currentRowCount > 0;
  if (!(await present(STREAMS_TABLE))) return undefined;
  /** A table's columns; none when neither a table nor a view (one made by hand in its place) has its name. */
  const columns = async (name: string): Promise<Set<string>> =>
    new Set(
      (
        await db.runAndReadAll(
          // duckdb_columns() has no `temporary`: a temporary table's database is "temp".
          `SELECT lower(column_name) AS c FROM duckdb_columns() WHERE lower(table_name) = lower(${sqlString(name)}) ` +
            `AND database_name = current_database() AND schema_name = 'main' UNION ALL ` +
            `SELECT '' FROM duckdb_views() WHERE lower(view_name) = lower(${sqlString(name)}) AND ${IN_MAIN_SCHEMA}`,
        )
      )
        .getRowObjectsJS()
        .map((r) => String(r.c)),
    );
  if (await isEarlierLayout(db))
    throw new Error(
      `${database} ${EARLIER_LAYOUT}: --tables cannot list it (its tables can still be queried with SQL)`,
    );
  const mapping = (
    await db.runAndReadAll(
      `SELECT account, region, endpoint, stream, table_name FROM ${STREAMS_TABLE} ORDER BY account, region, endpoint, stream`,
    )
  ).getRowObjectsJS();
  const summaries: TableSummary[] = [];
  for (const m of mapping) {
    // The store keeps '' for what it does not know (the account) or the region's AWS endpoint.
    const source = describeSource({
      account: String(m.account) || undefined,
      region: String(m.region),
      endpoint: String(m.endpoint) || undefined,
    });
    const table = String(m.table_name);
    const entry = { source, stream: String(m.stream), table };
    // What a table whose rows were not read shows: no count, no time range, no log group.
    const unread = { ...entry, rows: undefined, first: undefined, last: undefined, logGroups: 0, logGroup: undefined };
    const has = await columns(table);
    if (has.size === 0) {
      summaries.push(unread);
      continue;
    }
    // With linked accounts, a group's name alone does not tell two accounts' groups apart.
    // A row without an account (stored before the column was added) is the source account's.
    const own = sqlString(String(m.account));
    const group = has.has("accountid") ? `(coalesce("accountId", ${own}), "logGroupName")` : `"logGroupName"`;
    // A column dropped by hand (or a view in the table's place without it) leaves its figure out.
    const time = has.has("event_time")
      ? `strftime(min(event_time), '%Y-%m-%d %H:%M') AS first, strftime(max(event_time), '%Y-%m-%d %H:%M') AS last`
      : "NULL AS first, NULL AS last";
    const groups = has.has("loggroupname")
      ? `count(DISTINCT ${group})::INTEGER AS groups, min("logGroupName") AS "group"`
      : `0 AS groups, NULL AS "group"`;
    let r: Record<string, unknown>;
    try {
      r = (
        await db.runAndReadAll(`SELECT count(*)::BIGINT AS n, ${time}, ${groups} FROM ${quote(table)}`)
      ).getRowObjectsJS()[0]!;
    } catch (err) {
      // A column of another type, a view over a dropped table: this table is said so, the others listed.
      const unreadable = (err instanceof Error ? err.message : String(err)).split("\n")[0]!;
      summaries.push({ ...unread, unreadable });
      continue;
    }
    summaries.push({
      ...entry,
      rows: Number(r.n),
      first: r.first === null ? undefined : String(r.first),
      last: r.last === null ? undefined : String(r.last),
      logGroups: Number(r.groups),
      logGroup: r.group === null ? undefined : String(r.group),
    });
  }
  return summaries;
}

/**
 * Where a table's rows come from: its log group (a stream named by it), or its stream's name and
 * its log group (a custom report) or how many (the single stream, `log_events`).
 */
function origin(s: TableSummary): string {
  const stream = escapeControls(s.stream);
  if (s.logGroups > 1) return `stream ${stream}: ${s.logGroups} log groups`;
  if (s.logGroup === undefined) return `stream ${stream}`;
  const linkedGroup = parseAccountStreamName(s.stream)?.logGroupName;
  if (s.logGroup === s.stream || s.logGroup === linkedGroup) return `log group ${stream}`;
  return `stream ${stream}: log group ${escapeControls(s.logGroup)}`;
}

/** A table's rows and time range in words, for a listing too wide for columns. */
function described(s: TableSummary): string {
  if (s.unreadable !== undefined) return "unreadable (changed by hand?)";
  if (s.rows === undefined) return "missing (dropped by hand)";
  if (s.first === undefined || s.last === undefined) return plural(s.rows, "event");
  return `${plural(s.rows, "event")}, ${s.first} to ${s.last} (UTC)`;
}

/**
 * The summaries as lines for a terminal: a heading per source, then a table of table names (what
 * a query names), rows and time range, each with its origin (its log group) on the line below,
 * which keeps a row within 80 columns for names of up to about 35 characters. With a longer name the columns
 * would not fit: each table name is then on a line of its own, whole, its rows and time range
 * in words below it.
 */
export function tableListing(database: string, summaries: readonly TableSummary[]): string[] {
  const total = summaries.reduce((n, s) => n + (s.rows ?? 0), 0);
  const lines = [`${plural(summaries.length, "table")}, ${plural(total, "event")} in ${database}:`];
  const sources = [...new Set(summaries.map((s) => s.source))];
  for (const source of sources) {
    const of = summaries.filter((s) => s.source === source);
    const count = (s: TableSummary) => s.rows ?? (s.unreadable === undefined ? "missing" : "unreadable");
    const rows = of.map((s) => [s.table, count(s), s.first ?? "", s.last ?? ""]);
    const [header, rule, ...body] = textTable(["table", "events", "first (UTC)", "last (UTC)"], rows, {
      numeric: [false, true, false, false],
    });
    lines.push(...wrap(`${escapeControls(source)}:`, WIDTH - 2).map((l, i) => (i === 0 ? l : `  ${l}`)));
    // Under a table that cannot be read, DuckDB's reason, broken to the width.
    const why = (s: TableSummary) =>
      s.unreadable === undefined ? [] : wrap(escapeControls(s.unreadable), WIDTH - 6).map((l) => `      ${l}`);
    const logGroup = (s: TableSummary) => [`      ${origin(s)}`, ...why(s)];
    if (2 + displayWidth(rule ?? "") > WIDTH) {
      for (const s of of) lines.push(`  ${escapeControls(s.table)}`, `      ${described(s)}`, ...logGroup(s));
      continue;
    }
    lines.push(`  ${header}`, `  ${rule}`);
    for (const [i, line] of body.entries()) lines.push(`  ${line}`, ...logGroup(of[i]!));
  }
  return lines;
}
