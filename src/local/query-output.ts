// A query's result as text: a table for people, CSV or JSON lines for programs. Rows are read
// chunk by chunk from DuckDB's stream, so csv and json print results of any size; the table keeps
// its first MAX_TABLE_ROWS rows (it must see them all to align) and counts the rest.
import {
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  type DuckDBResult,
  type DuckDBType,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
} from "@duckdb/node-api";
import type { Writable } from "node:stream";
import { MAX_TABLE_ROWS } from "./terminal.js";
import { textTable } from "./text-table.js";

/** The formats query's --format lists (cli/usage.ts). */
export type QueryFormat = "table" | "csv" | "json";

const NUMERIC_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
  DuckDBTypeId.FLOAT,
  DuckDBTypeId.DOUBLE,
  DuckDBTypeId.DECIMAL,
]);

const INTEGER_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.UBIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UHUGEINT,
  DuckDBTypeId.BIGNUM,
]);
const TIMESTAMP_TYPES = new Set<DuckDBTypeId>([
  DuckDBTypeId.TIMESTAMP,
  DuckDBTypeId.TIMESTAMP_S,
  DuckDBTypeId.TIMESTAMP_MS,
  DuckDBTypeId.TIMESTAMP_NS,
  DuckDBTypeId.TIMESTAMP_TZ,
]);

/** A double holds every integer of up to 15 digits, so a DECIMAL that narrow is exact as a JSON number. */
const EXACT_DECIMAL_DIGITS = 15;

/** DuckDB's text for a timestamp ("2024-01-01 10:00:00.5", "...+00" in UTC) in ISO 8601 with Z. */
function isoTimestamp(text: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:\+00(?::?00)?)?$/.exec(text);
  // infinity, years past 9999 or BC: DuckDB's own words.
  return m ? `${m[1]}T${m[2]}Z` : text;
}

/**
 * Values for JSON: integers as numbers when a double holds them exactly, else as strings;
 * timestamps in ISO 8601 (UTC); DuckDB's JSON text (message_json) stays text, so that its big
 * numbers are not rounded; the rest as @duckdb/node-api's JSON conversion has it.
 */
const jsonValue: DuckDBValueConverter<Json> = (value, type, converter) => {
  if (value === null) return null;
  if (INTEGER_TYPES.has(type.typeId) && typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : String(value);
  }
  if (type.typeId === DuckDBTypeId.DECIMAL)
    return type.width <= EXACT_DECIMAL_DIGITS ? Number(String(value)) : String(value);
  if (TIMESTAMP_TYPES.has(type.typeId)) return isoTimestamp(String(value));
  if (type.typeId === DuckDBTypeId.INTERVAL) return String(value);
  return JsonDuckDBValueConverter(value, type, converter);
};

/** Values for the table and CSV: DuckDB's own text of each value (as its shell prints them). */
function text(value: DuckDBValue): string | null {
  return value === null ? null : String(value);
}

/** JSON object keys: a repeated column name gets _2, _3, ... (an object cannot hold it twice). */
function uniqueNames(columns: readonly string[]): string[] {
  const used = new Set<string>();
  return columns.map((c) => {
    let name = c;
    for (let i = 2; used.has(name); i++) name = `${c}_${i}`;
    used.add(name);
    return name;
  });
}

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; NULL is an empty field, '' is "". */
function csvField(value: string | null): string {
  if (value === null) return "";
  return value === "" || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await new Promise<void>((resolve) => out.once("drain", resolve));
}

async function* rowChunks(result: DuckDBResult): AsyncGenerator<DuckDBValue[][]> {
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) return;
    yield chunk.getRows();
  }
}

export interface TableOutput {
  /** The most columns a line may take (a terminal's width); undefined: values are never cut. */
  readonly maxWidth: number | undefined;
}

/** The result as text table lines, with a last line saying how many rows were left out. */
export async function tableLines(result: DuckDBResult, options: TableOutput): Promise<string[]> {
  const types: readonly DuckDBType[] = result.columnTypes();
  const rows: (string | null)[][] = [];
  let count = 0;
  for await (const chunk of rowChunks(result)) {
    for (const row of chunk) {
      count += 1;
      if (rows.length < MAX_TABLE_ROWS) rows.push(row.map(text));
    }
  }
  const shown = rows.map((r) => r.map((v) => v ?? "NULL"));
  const lines = textTable(result.columnNames(), shown, {
    numeric: types.map((t) => NUMERIC_TYPES.has(t.typeId)),
    maxWidth: options.maxWidth,
  });
  if (count > rows.length)
    lines.push(`(${rows.length} of ${count} rows shown; add a LIMIT, or use --format csv or json for all)`);
  return lines;
}

export async function writeResult(
  result: DuckDBResult,
  format: QueryFormat,
  out: Writable,
  table: TableOutput,
): Promise<void> {
  if (format === "table") {
    await write(out, (await tableLines(result, table)).map((l) => `${l}\n`).join(""));
    return;
  }
  const columns = result.columnNames();
  if (format === "csv") {
    await write(out, `${columns.map(csvField).join(",")}\n`);
    for await (const chunk of rowChunks(result))
      await write(out, chunk.map((r) => `${r.map((v) => csvField(text(v))).join(",")}\n`).join(""));
    return;
  }
  const keys = uniqueNames(columns);
  const types = result.columnTypes();
  for await (const chunk of rowChunks(result)) {
    const lines = chunk.map((r) =>
      JSON.stringify(Object.fromEntries(r.map((v, i) => [keys[i]!, jsonValue(v, types[i]!, jsonValue)]))),
    );
    await write(out, lines.map((l) => `${l}\n`).join(""));
  }
}
