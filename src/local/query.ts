// `query`: one SQL statement on the DuckDB file of `sync` (or `demo`), opened read-only, its
// result as a table, CSV or JSON lines; or, with --tables, the tables sync made.
import type { DuckDBConnection, DuckDBResult } from "@duckdb/node-api";
import type { Io } from "../commands/context.js";
import { writeResult, type QueryFormat } from "./query-output.js";
import { failureText } from "./terminal.js";
import { OTHER_FILE_REFUSED, openReadOnly } from "./read-only-database.js";
import { tableListing, tableSummaries } from "./table-listing.js";

/** What the command line asks (see cli/args.ts). */
export type QueryRequest =
  | { readonly kind: "sql"; readonly database: string; readonly sql: string; readonly format: QueryFormat }
  | { readonly kind: "tables"; readonly database: string };

/** DuckDB's message; its first line names the error ("Parser Error: ..."), the rest points at the statement. */
function sqlProblem(err: unknown): string {
  // The node binding's prefix says where DuckDB failed, not what.
  return (err instanceof Error ? err.message : String(err)).replace(/^Failed to extract statements: /, "");
}

/**
 * Whether the SQL is only comments or semicolons, for which DuckDB's binding says no more than
 * "Error in native callback". DuckDB's parser tells, through json_serialize_sql: no error and no
 * statement (a statement other than SELECT is an error there, which is not this case).
 */
async function holdsNoStatement(connection: DuckDBConnection, sql: string): Promise<boolean> {
  try {
    const reader = await connection.runAndReadAll(
      "SELECT json_array_length(j->'statements') = 0 AND NOT (j->>'error')::BOOLEAN AS none FROM (SELECT json_serialize_sql($1::VARCHAR)::JSON AS j)",
      [sql],
    );
    return reader.getRows()[0]?.[0] === true;
  } catch {
    return false;
  }
}

/** The `query` command: exit code; errors as one message on stderr. */
export async function queryCommand(request: QueryRequest, io: Io): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(failureText("query", message, io.stderr));
    return 1;
  };
  let database: Awaited<ReturnType<typeof openReadOnly>>;
  try {
    database = await openReadOnly(request.database);
  } catch (err) {
    return fail(sqlProblem(err));
  }
  try {
    if (request.kind === "tables") {
      const summaries = await tableSummaries(database.connection, request.database);
      const lines =
        summaries === undefined
          ? [`${request.database} holds no tables made by sync.`]
          : tableListing(request.database, summaries);
      io.stdout.write(lines.map((l) => `${l}\n`).join(""));
      return 0;
    }
    let result: DuckDBResult;
    try {
      result = await database.connection.stream(request.sql);
    } catch (err) {
      const message = sqlProblem(err);
      if (await holdsNoStatement(database.connection, request.sql))
        return fail(
          'the SQL holds no statement, only comments or semicolons: give one, e.g. query "SELECT count(*) FROM TABLE" (query --tables lists the tables).',
        );
      // The file is opened read-only: say so in the words of this command, not only DuckDB's.
      if (/read-only mode/.test(message))
        return fail(
          `${message}\nquery opens ${request.database} read-only: it runs statements that read, never ones that change the data.`,
        );
      if (OTHER_FILE_REFUSED.test(message))
        return fail(
          `${message}\nquery reads ${request.database} and no other file (no COPY, ATTACH, read_csv or EXPORT): ` +
            "to save a result, use --format csv or --format json and redirect stdout; for more, open the file in a DuckDB client.",
        );
      return fail(message);
    }
    const maxWidth = io.stdout.isTTY === true && io.stdout.columns !== undefined ? io.stdout.columns : undefined;
    await writeResult(result, request.format, io.stdout, { maxWidth });
    return 0;
  } catch (err) {
    return fail(sqlProblem(err));
  } finally {
    database.close();
  }
}
