// `query`: one SQL statement on the DuckDB file of `sync` (or `demo`), opened read-only, its
// result as a table, CSV or JSON lines; or, with --tables, the tables sync made.
import type { Writable } from "node:stream";
import type { DuckDBResult } from "@duckdb/node-api";
import { ConfigError } from "../airbyte/errors.js";
import { DEFAULT_DATABASE, synopsis } from "../cli/usage.js";
import { parseCommandLine } from "./args.js";
import { QUERY_FORMATS, writeResult, type QueryFormat } from "./query-output.js";
import { openReadOnly } from "./read-only-database.js";
import { tableListing, tableSummaries } from "./table-listing.js";

export interface QueryIo {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
}

type QueryRequest =
  | { readonly kind: "sql"; readonly database: string; readonly sql: string; readonly format: QueryFormat }
  | { readonly kind: "tables"; readonly database: string };

function isFormat(text: string): text is QueryFormat {
  return (QUERY_FORMATS as readonly string[]).includes(text);
}

export function parseQueryArgs(argv: readonly string[]): QueryRequest {
  const { flags, operands } = parseCommandLine("query", argv);
  const usage = synopsis();
  const database = flags.get("--database") ?? DEFAULT_DATABASE;
  if (flags.has("--tables")) {
    if (operands.length > 0 || flags.has("--format"))
      throw new ConfigError(`--tables takes no SQL and no --format.\n${usage}`);
    return { kind: "tables", database };
  }
  if (operands.length === 0 || operands.every((o) => o.trim() === ""))
    throw new ConfigError(`query needs an SQL statement (in quotes), or --tables.\n${usage}`);
  if (operands.length > 1) {
    throw new ConfigError(
      `query takes one SQL statement: put it in quotes (got ${operands.length} arguments: ${operands.map((o) => JSON.stringify(o)).join(" ")}).\n${usage}`,
    );
  }
  const format = flags.get("--format") ?? "table";
  if (!isFormat(format))
    throw new ConfigError(`--format must be table, csv or json (got ${JSON.stringify(format)}).\n${usage}`);
  return { kind: "sql", database, sql: operands[0]!, format };
}

/** DuckDB's message; its first line names the error ("Parser Error: ..."), the rest points at the statement. */
function sqlProblem(err: unknown): string {
  // The node binding's prefix says where DuckDB failed, not what.
  return (err instanceof Error ? err.message : String(err)).replace(/^Failed to extract statements: /, "");
}

/** The `query` command: argv -> exit code; errors as one message on stderr. */
export async function queryCommand(argv: readonly string[], io: QueryIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`source-cloudwatch-logs query: ${message}\n`);
    return 1;
  };
  let request: QueryRequest;
  let database: Awaited<ReturnType<typeof openReadOnly>>;
  try {
    request = parseQueryArgs(argv);
    database = await openReadOnly(request.database);
  } catch (err) {
    return fail(err instanceof ConfigError ? err.message : sqlProblem(err));
  }
  try {
    if (request.kind === "tables") {
      const summaries = await tableSummaries(database.connection);
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
      // The file is opened read-only: say so in the words of this command, not only DuckDB's.
      if (/read-only mode/.test(message))
        return fail(
          `${message}\nquery opens ${request.database} read-only: it runs statements that read, never ones that change the data.`,
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
