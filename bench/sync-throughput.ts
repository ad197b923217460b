// Scenario 8: `sync` into DuckDB against `read` of the same data, taking turns in one run (read,
// sync, read, sync, ... read), all through the bin with the rate limit lifted (scenario 2's dense
// group). `read`'s stdout goes to /dev/null as in scenario 2; each `sync` writes a fresh DuckDB
// file. Wall times are measured here (process start to exit, so both include start-up and
// discover); peak RSS comes from the process itself (an --import hook prints
// process.resourceUsage().maxRSS on exit).
import { spawnSync } from "node:child_process";
import { existsSync, openSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DuckDBInstance } from "@duckdb/node-api";

const RSS_HOOK =
  'data:text/javascript,process.on("exit",()=>process.stderr.write("bench-max-rss-kb "+process.resourceUsage().maxRSS+"\\n"))';

interface ProcessRun {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(main: string, launchFlags: readonly string[], args: readonly string[], stdout: "pipe" | number) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [...launchFlags, "--import", RSS_HOOK, main, ...args], {
    stdio: ["ignore", stdout, "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = (performance.now() - started) / 1000;
  const stderr = r.stderr.toString();
  const kb = Number(/bench-max-rss-kb (\d+)/.exec(stderr)?.[1] ?? NaN);
  return { seconds, peakRssMb: kb / 1024, exitCode: r.status, stdout: r.stdout?.toString() ?? "", stderr };
}

/** What one stored column takes in the file: DuckDB's block usage of its segments. */
interface ColumnSize {
  readonly column: string;
  readonly bytes: number;
  readonly compressions: string;
}

/**
 * Per column of `table`, the bytes of its segments (storage_info's block usage; a segment that
 * shares a block counts its share), and the index's bytes (the file's used blocks not in a column).
 */
export async function columnSizes(
  database: string,
  stream: string,
): Promise<{ columns: ColumnSize[]; fileUsed: number }> {
  const instance = await DuckDBInstance.create(database, { access_mode: "READ_ONLY" });
  const db = await instance.connect();
  try {
    const mapping = await db.runAndReadAll(
      `SELECT table_name FROM _source_cloudwatch_logs_streams WHERE stream = '${stream.replace(/'/g, "''")}'`,
    );
    const table = String(mapping.getRowObjectsJS()[0]?.table_name);
    const size = (await db.runAndReadAll("PRAGMA database_size")).getRowObjectsJS()[0]!;
    const blockSize = Number(size.block_size);
    const used = Number(size.used_blocks) * blockSize;
    // Small segments share a block (each at its offset): a segment takes up to the next one's
    // offset, the last one to the block's end; a segment can also have blocks of its own.
    const info = (
      await db.runAndReadAll(
        `SELECT column_name, string_agg(DISTINCT compression, ',') AS compressions, sum(bytes)::BIGINT AS bytes FROM (` +
          `SELECT column_name, compression, coalesce(lead(block_offset) OVER (PARTITION BY block_id ORDER BY block_offset), ${blockSize}) ` +
          `- block_offset + len(additional_block_ids) * ${blockSize} AS bytes FROM pragma_storage_info('${table.replace(/'/g, "''")}') ` +
          `WHERE block_id >= 0) GROUP BY column_name ORDER BY bytes DESC`,
      )
    ).getRowObjectsJS();
    return {
      columns: info.map((r) => ({
        column: String(r.column_name),
        bytes: Number(r.bytes),
        compressions: String(r.compressions),
      })),
      fileUsed: used,
    };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

interface SyncRound {
  readonly sync: ProcessRun & { readonly records: number; readonly fileBytes: number };
  /** The reads before and after this sync; the faster is the one the sync is compared with. */
  readonly reads: readonly [ProcessRun & { readonly records: number }, ProcessRun & { readonly records: number }];
  /** The faster read's records/s, which the sync is compared with. */
  readonly readRate: number;
  /** sync records/s over readRate. */
  readonly ratio: number;
}

export interface SyncBench {
  /** read, sync, read, sync, ... read: each sync between two reads (a read serves two rounds). */
  readonly rounds: readonly SyncRound[];
  /** Of the last sync's file. */
  readonly columns: readonly ColumnSize[];
  readonly fileUsedBytes: number;
}

export async function syncThroughput(options: {
  readonly main: string;
  readonly launchFlags: readonly string[];
  readonly dir: string;
  readonly url: string;
  readonly region: string;
  readonly stream: string;
  readonly rounds: number;
}): Promise<SyncBench> {
  const { main, launchFlags, dir, url, region, stream } = options;
  const config = join(dir, "config-8.json");
  writeFileSync(
    config,
    JSON.stringify({
      region_name: region,
      aws_access_key_id: "AKIABENCH0000000001",
      aws_secret_access_key: "bench-secret-0000000000000001",
      endpoint_url: url,
      max_requests_per_second: 1000,
    }),
  );
  const catalog = join(dir, "catalog-8.json");
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: [{ stream: { name: stream }, sync_mode: "incremental", destination_sync_mode: "append" }],
    }),
  );
  // Reads and syncs take turns: the first read also warms the simulator, which would favour the
  // sync after it, and a run's speed on a shared machine varies (reads of the same events took
  // 6.8-10.2 s in one hour), so each sync is compared with the faster read next to it, and the
  // rounds' median is what counts.
  const readOnce = () => {
    const r = run(main, launchFlags, ["read", "--config", config, "--catalog", catalog], openSync("/dev/null", "w"));
    const read = { ...r, records: Number(/read (\d+) records/.exec(r.stderr)?.[1] ?? NaN) };
    if (read.exitCode !== 0 || !(read.records > 0))
      throw new Error(`read failed (exit ${read.exitCode}): ${read.stderr}`);
    return read;
  };
  const rate = (r: { readonly records: number; readonly seconds: number }) => r.records / r.seconds;
  const rounds: SyncRound[] = [];
  let before = readOnce();
  let database = "";
  for (let i = 0; i < options.rounds; i++) {
    database = join(dir, `sync-8-${Date.now()}-${i}.duckdb`);
    const s = run(main, launchFlags, ["sync", "--config", config, "--database", database], "pipe");
    const sync = {
      ...s,
      records: Number(/(\d+) records committed/.exec(s.stdout)?.[1] ?? NaN),
      fileBytes: existsSync(database) ? statSync(database).size : 0,
    };
    const after = readOnce();
    const readRate = Math.max(rate(before), rate(after));
    rounds.push({ sync, reads: [before, after], readRate, ratio: rate(sync) / readRate });
    before = after;
  }
  const sizes = await columnSizes(database, stream);
  return { rounds, columns: sizes.columns, fileUsedBytes: sizes.fileUsed };
}
