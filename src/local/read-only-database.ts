// A DuckDB file of `sync` or `demo` opened for reading (`query`, the demo's report): read-only,
// so that no statement can change it, never created (a wrong path is an error, not an empty
// database), and the only file its statements reach: read-only alone still let COPY ... TO
// overwrite any file, the database's own included, and ATTACH ... (READ_WRITE) change another.
import { existsSync } from "node:fs";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { ConfigError } from "../airbyte/errors.js";
import { heldBy } from "./duckdb-lock.js";
import { refuseDatabaseOtherThanFile } from "./file-kind.js";

/** The setting that keeps a statement from reaching any file but the database. */
const NO_OTHER_FILES = "enable_external_access = false";
/** How DuckDB says a statement reached for another file (see NO_OTHER_FILES). */
export const OTHER_FILE_REFUSED = /file system operations are disabled by configuration/;

export interface ReadOnlyDatabase {
  readonly connection: DuckDBConnection;
  close(): void;
}

export async function openReadOnly(path: string): Promise<ReadOnlyDatabase> {
  // First: a link that loops does not "exist" either, and is better told as what it is.
  await refuseDatabaseOtherThanFile(
    path,
    "the database",
    "name the DuckDB file sync or demo made with --database",
    false,
  );
  // DuckDB says "database does not exist" too; checked before it opens to say what to do about it.
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
    // TIMESTAMPTZ values print in UTC, as event_time (UTC without a zone) does (before the lock).
    await connection.run("SET TimeZone = 'UTC'");
    // No file but this one (COPY, ATTACH, read_csv, EXPORT, INSTALL), and no statement can undo
    // that: DuckDB refuses to change any setting once the configuration is locked.
    await connection.run(`SET ${NO_OTHER_FILES}; SET lock_configuration = true`);
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
