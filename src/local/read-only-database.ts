// A DuckDB file of `sync` or `demo` opened for reading (`query`, the demo's report): read-only,
// so that no statement can change it, and never created: a wrong path is an error, not an empty
// database.
import { existsSync } from "node:fs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ConfigError } from "../airbyte/errors.js";
import { heldBy } from "./duckdb-lock.js";

export interface ReadOnlyDatabase {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openReadOnly(path: string): Promise<ReadOnlyDatabase> {
  // DuckDB says "database does not exist" too; checked first to say what to do about it.
  if (!existsSync(path)) {
    throw new ConfigError(
      `the database ${path} does not exist; run sync (or demo) first to make it, or name another file with --database`,
    );
  }
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  } catch (err) {
    const holder = heldBy(err);
    if (holder !== undefined) {
      throw new ConfigError(
        `the database ${path} is ${holder}, which has it open for writing (a sync or demo?); query it when that process has finished`,
      );
    }
    throw new ConfigError(`cannot open the database ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const connection = await instance.connect();
    // TIMESTAMPTZ values print in UTC, as event_time (UTC without a zone) does.
    await connection.run("SET TimeZone = 'UTC'");
    return {
      connection,
      close: () => {
        connection.closeSync();
        instance.closeSync();
      },
    };
  } catch (err) {
    instance.closeSync();
    throw err;
  }
}
