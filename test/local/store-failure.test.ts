// A stream whose commit fails (here: its table was replaced by hand between syncs) stops alone: the other
// streams are stored, and the sync ends with its summary (the failed stream INCOMPLETE, a note saying
// why) and exit 1, not a stack trace.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { MAIN, tempDir } from "../support/connector.js";
import { putEvents } from "../support/seed.js";
import { clockPast } from "../support/waits.js";
import { readDatabase, simConfig } from "./support.js";

const scenario: ScenarioFile = {
  seed: 3,
  // Not a test of quotas (a quota would make throttles depend on this machine's speed).
  quotas: "none",
  logGroups: ["/a", "/b"].map((name) => ({
    name,
    streams: ["s"],
    timeRange: { start: "now-2h", end: "now-10m" },
    events: { count: 50 },
  })),
};

/**
 * `sync ARGS`; with `fileBlocks`, under a limit on a file's size (1 KiB blocks), its signal ignored,
 * so that a write past it is cut short as on a full disk.
 */
function runSyncCli(
  args: readonly string[],
  options: { readonly fileBlocks?: number; readonly env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const command = [process.execPath, MAIN, "sync", ...args];
    const child =
      options.fileBlocks === undefined
        ? spawn(command[0]!, command.slice(1), { stdio: ["ignore", "pipe", "pipe"], env: options.env })
        : spawn("bash", ["-c", `trap '' XFSZ; ulimit -f ${options.fileBlocks}; exec "$@"`, "bash", ...command], {
            stdio: ["ignore", "pipe", "pipe"],
            env: options.env,
          });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** Opens the file as a user at a DuckDB shell would, for `use`, and closes it. */
async function withDatabase<T>(database: string, use: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    return await use(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** The table sync made for the stream. */
async function tableOf(db: DuckDBConnection, stream: string): Promise<string> {
  const rows = (
    await db.runAndReadAll("SELECT table_name FROM _source_cloudwatch_logs_streams WHERE stream = $1", [stream])
  ).getRowObjectsJS();
  return String(rows[0]!.table_name);
}

/** Replaces the stream's table by one that no record fits. */
function breakTableOf(database: string, stream: string): Promise<void> {
  return withDatabase(database, async (db) => {
    const table = await tableOf(db, stream);
    await db.run(`DROP TABLE "${table}"`);
    await db.run(`CREATE TABLE "${table}" (note VARCHAR)`);
  });
}

/** Drops the stream's table, as a user cleaning up by hand would. */
function dropTableOf(database: string, stream: string): Promise<string> {
  return withDatabase(database, async (db) => {
    const table = await tableOf(db, stream);
    await db.run(`DROP TABLE "${table}"`);
    return table;
  });
}

/** Runs statements on the file, by hand. */
function byHand(database: string, ...statements: string[]): Promise<void> {
  return withDatabase(database, async (db) => {
    for (const sql of statements) await db.run(sql);
  });
}

/** The stored states, and the number of rows of one stream's table. */
function storedOf(database: string, stream: string): Promise<{ rows: number; states: Map<string, number> }> {
  return withDatabase(database, async (db) => {
    const count = (
      await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${await tableOf(db, stream)}"`)
    ).getRowObjectsJS();
    const states = (
      await db.runAndReadAll("SELECT stream, CAST(state AS VARCHAR) AS s FROM _source_cloudwatch_logs_state")
    ).getRowObjectsJS();
    return {
      rows: Number(count[0]!.n),
      states: new Map(
        states.map((r) => [String(r.stream), (JSON.parse(String(r.s)) as { timestamp: number }).timestamp]),
      ),
    };
  });
}

describe("local sync with a failing store", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario });
  });
  after(async () => sim.stop());

  /** A sync into a new file, exit 0: its config, its file and what it stored. */
  async function firstSync() {
    const dir = tempDir();
    const config = simConfig(dir, sim.url, { ingestion_delay_seconds: 0 });
    const database = join(dir, "logs.duckdb");
    const first = await runSyncCli(["--config", config, "--database", database]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    return { config, database, before: await readDatabase(database) };
  }

  it("stores the other streams and lists the failed one in the summary, with why", async () => {
    const { config, database, before } = await firstSync();
    await breakTableOf(database, "/a");
    // New events at and after the first sync's watermark: the next sync reads them.
    const t = Math.max(before.states.get("/a")!, before.states.get("/b")!);
    await clockPast(t + 2);
    for (const group of ["/a", "/b"])
      await putEvents(
        sim.url,
        group,
        "fresh",
        [0, 1, 2].map((i) => ({ timestamp: t + i, message: `fresh ${i}` })),
        true,
      );

    const second = await runSyncCli(["--config", config, "--database", database]);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    // Off a terminal stderr stays quiet; the summary says what was stored and what was not.
    assert.equal(second.stderr, "");
    assert.match(second.stdout, /^Synced: 3 records committed \(3 new\)/);
    // Complete up to where the first sync stored it, not "nothing stored yet".
    const storedUpTo = new Date(before.states.get("/a")!).toISOString().slice(0, 19).replace("T", " ");
    assert.match(second.stdout, new RegExp(`^ {2}/a {2,}INCOMPLETE +0  ${storedUpTo}$`, "m"));
    assert.match(second.stdout, /^ {2}\/b {2,}COMPLETE +3 /m);
    assert.match(
      second.stdout.replace(/\n {4}/g, " "),
      /^ {2}note: could not store "\/a" \(.+\) in .+; the other streams were stored/m,
    );
    assert.match(second.stdout, /^Some streams failed \(see notes\); the next sync retries them from their state\.$/m);
    const after = await storedOf(database, "/b");
    assert.equal(after.rows, before.tables.get("/b")!.length + 3, "/b's new events are stored");
    assert.ok(after.states.get("/b")! > t + 2, "/b's state covers them");
    assert.equal(after.states.get("/a"), before.states.get("/a"), "/a's state stays where it was");
  });

  it("a stream's mapping row deleted by hand: read again into a table of its own; a table made a view: the stream fails, its state kept", async () => {
    const { config, database, before } = await firstSync();
    const stateOfB = (await storedOf(database, "/b")).states.get("/b");
    await byHand(
      database,
      "DELETE FROM _source_cloudwatch_logs_streams WHERE stream = '/a'",
      "CREATE TABLE b_old AS SELECT * FROM b",
      "DROP TABLE b",
      "CREATE VIEW b AS SELECT * FROM b_old",
    );
    // New events for /b: a commit with records is what the view cannot take.
    const t = before.states.get("/b")!;
    await clockPast(t + 2);
    await putEvents(
      sim.url,
      "/b",
      "newer",
      [0, 1].map((i) => ({ timestamp: t + i, message: `newer ${i}` })),
      true,
    );

    const second = await runSyncCli(["--config", config, "--database", database]);
    assert.equal(second.code, 1, second.stdout + second.stderr);
    const notes = second.stdout.replace(/\n {4}/g, " ");
    assert.match(
      notes,
      /note: "\/a" had a state here but no row in _source_cloudwatch_logs_streams naming its table \(deleted by hand\?\): the stream is read again from its start into table "a_2"/,
    );
    assert.match(second.stdout, new RegExp(`^ {2}/a {2,}COMPLETE +${before.tables.get("/a")!.length} `, "m"));
    assert.match(second.stdout, /^ {2}\/b {2,}INCOMPLETE +0 /m);
    assert.match(
      notes,
      /note: could not store "\/b" \("b" is a view \(made by hand\?\), not the table sync made: drop it to read the stream again from its start, or sync into another --database\)/,
    );
    assert.doesNotMatch(notes, /"\/b" had a state here/, "a view is no table gone: /b's state stays");
    assert.equal((await storedOf(database, "/b")).states.get("/b"), stateOfB);
  });

  it("a temporary directory without room: the stream fails with what to do, and the spool is removed", async () => {
    // 60,000 events of 400 bytes: a commit's spool of about 40 MB, past the 8 MB limit, while the
    // database file stays far below it.
    const big = await startSimulator({
      scenario: {
        seed: 5,
        quotas: "none",
        logGroups: [
          {
            name: "/big",
            streams: ["s"],
            timeRange: { start: "now-2h", end: "now-10m" },
            events: { count: 60_000 },
            message: { shape: "text", size: 400 },
          },
        ],
      },
    });
    try {
      const dir = tempDir();
      const tmp = join(dir, "tmp");
      mkdirSync(tmp);
      const config = simConfig(dir, big.url);
      const database = join(dir, "logs.duckdb");
      const r = await runSyncCli(["--config", config, "--database", database], {
        fileBlocks: 8192,
        env: { ...process.env, TMPDIR: tmp },
      });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      // A slow machine may commit a small first batch (a STATE waits 1 s at most) before the big
      // one fails: the summary counts what the file holds.
      const row = /^ {2}\/big {2,}INCOMPLETE +(\d+) /m.exec(r.stdout);
      assert.ok(row, r.stdout);
      assert.equal(Number(row[1]), (await storedOf(database, "/big")).rows);
      assert.ok(Number(row[1]) < 60_000, "not all of it");
      assert.match(
        r.stdout.replace(/\n {4}/g, " "),
        /note: could not store "\/big" \(cannot write a commit's \d+ bytes to the temporary directory \S+ \(\d+ written: no space left on its file system, or a limit on a file's size\); free space there, or set TMPDIR to a directory with more room\)/,
      );
      assert.deepEqual(readdirSync(tmp), [], "the spool is removed");
    } finally {
      await big.stop();
    }
  });

  it("reads a stream again from its start when its table was dropped by hand, and says so", async () => {
    const { config, database, before } = await firstSync();
    const table = await dropTableOf(database, "/a");

    const second = await runSyncCli(["--config", config, "--database", database]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    const after = await readDatabase(database);
    const sorted = (rows: readonly { eventId: string }[] | undefined) =>
      [...(rows ?? [])].sort((x, y) => (x.eventId < y.eventId ? -1 : 1));
    assert.ok(before.tables.get("/a")!.length >= 50);
    assert.deepEqual(sorted(after.tables.get("/a")), sorted(before.tables.get("/a")), "/a's events are stored again");
    assert.deepEqual(sorted(after.tables.get("/b")), sorted(before.tables.get("/b")));
    assert.match(second.stdout, new RegExp(`^ {2}/a {2,}COMPLETE +${before.tables.get("/a")!.length} `, "m"));
    assert.match(
      second.stdout.replace(/\n {4}/g, " "),
      new RegExp(
        `note: "/a" had a state here but no table "${table}" \\(dropped by hand\\?\\): the table was made again, and the stream read again from its start`,
      ),
    );
  });
});
