// Literals for the SQL the DuckDB store and the listings build from names they did not choose
// (a log group's, a table's, an account's): quoted, never spliced in as they are.

/** An identifier (a table or column name) as DuckDB reads it, whatever it holds. */
export function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** A string literal holding the text as it is. */
export function sqlString(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * For duckdb_tables(), duckdb_views(), duckdb_columns(): what sync made is in the file's main
 * schema; a name in another schema (or a temporary table) is not its table.
 */
export const IN_MAIN_SCHEMA = "NOT temporary AND database_name = current_database() AND schema_name = 'main'";
