// Helpers of the local sync tests: configs for a simulator, DuckDB contents, writable sinks.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { DuckDBInstance } from "@duckdb/node-api";
import { assertNoSecrets, registerSecrets, writeJson } from "../support/connector.js";
import { TEST_KEYS } from "../support/seed.js";

/** A config file for a sync against the simulator; its secrets are scanned for in every Collect. */
export function simConfig(dir: string, url: string, extra: Record<string, unknown> = {}): string {
  registerSecrets(TEST_KEYS.accessKeyId, TEST_KEYS.secretAccessKey);
  for (const key of ["aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_external_id"]) {
    if (typeof extra[key] === "string") registerSecrets(extra[key]);
  }
  return writeJson(dir, "config.json", {
    region_name: "us-east-1",
    aws_access_key_id: TEST_KEYS.accessKeyId,
    aws_secret_access_key: TEST_KEYS.secretAccessKey,
    endpoint_url: url,
    ingestion_delay_seconds: 300,
    ...extra,
  });
}

/** A config file's JSON, as the command line reads it for runSync. */
export function readConfig(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

export interface Row {
  readonly logStreamName: string;
  readonly eventId: string;
  readonly timestamp: number;
}

/** Every table's rows and every stored state, read from the file. */
export async function readDatabase(path: string): Promise<{ tables: Map<string, Row[]>; states: Map<string, number> }> {
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    const tables = new Map<string, Row[]>();
    const mapping = (
      await db.runAndReadAll("SELECT stream, table_name FROM _source_cloudwatch_logs_streams")
    ).getRowObjectsJS();
    for (const m of mapping) {
      const rows = (
        await db.runAndReadAll(`SELECT "logStreamName", "eventId", "timestamp" FROM "${String(m.table_name)}"`)
      ).getRowObjectsJS();
      tables.set(
        String(m.stream),
        rows.map((r) => ({
          logStreamName: String(r.logStreamName),
          eventId: String(r.eventId),
          timestamp: Number(r.timestamp),
        })),
      );
    }
    const states = (
      await db.runAndReadAll("SELECT stream, CAST(state AS VARCHAR) AS s FROM _source_cloudwatch_logs_state")
    ).getRowObjectsJS();
    return {
      tables,
      states: new Map(
        states.map((r) => [String(r.stream), (JSON.parse(String(r.s)) as { timestamp: number }).timestamp]),
      ),
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

export function keyOf(r: { logStreamName: string; eventId: string }): string {
  return `${r.logStreamName}|${r.eventId}`;
}

/** An in-process sync's stdout or stderr; fails the write (and so the sync) when a secret shows. */
export class Collect extends Writable {
  text = "";
  override _write(chunk: Buffer | string, _e: BufferEncoding, cb: (err?: Error) => void): void {
    const added = chunk.toString();
    // With the end of what came before: a secret may be split across writes.
    const window = this.text.slice(-1024) + added;
    this.text += added;
    try {
      assertNoSecrets("a local sync", window);
    } catch (err) {
      cb(err as Error);
      return;
    }
    cb();
  }
}
