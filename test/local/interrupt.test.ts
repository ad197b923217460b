// Ctrl-C in the middle of a `sync` child process: exit 130, a database in which every stored
// state's watermark has all events below it, and a re-run that completes the exact event set.
// Also the `demo` command end to end.
import { strict as assert } from "node:assert";
import { execFileSync, spawn } from "node:child_process";
import { closeSync, constants, existsSync, openSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import {
  DEMO_SCENARIO_PATH,
  expectedEvents,
  startSimulator,
  type ExpectedEvent,
  type ScenarioFile,
  type Simulator,
} from "../../sim/index.js";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { holdingProxy } from "../support/holding-proxy.js";
import { keyOf, readDatabase, simConfig } from "./support.js";

// Big messages (about 400 per 1 MB page), the connector held to 4 requests per second (by its own
// limit: a simulator quota would make it throttle, which a loaded machine can turn into failed
// retries) and latency: a sync of some seconds.
const scenario: ScenarioFile = {
  seed: 5,
  quotas: "none",
  latency: { fixedMs: 100 },
  logGroups: ["/a", "/b"].map((name) => ({
    name,
    streams: { count: 2, namePattern: "s-{index}" },
    timeRange: { start: "now-6h", end: "now-10m" },
    events: { count: 8000 },
    message: { shape: "text" as const, size: 2500 },
    ingestion: { minDelayMs: 10, maxDelayMs: 200 },
  })),
};

/**
 * Runs the CLI; with `interruptWhen`, sends the signal once it holds (polled), so the interruption
 * falls at a point of progress, not of time: a fixed delay was too early on a loaded machine.
 */
function runCli(
  args: readonly string[],
  cwd: string,
  interruptWhen?: () => boolean,
  signal: NodeJS.Signals = "SIGINT",
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll =
      interruptWhen === undefined
        ? undefined
        : setInterval(() => {
            if (!interruptWhen()) return;
            clearInterval(poll);
            child.kill(signal);
          }, 20);
    child.on("exit", (code) => {
      clearInterval(poll);
      assertNoSecrets(`sync ${args.join(" ")}`, stdout, stderr);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A proxy that holds every DescribeLogGroups: a sync behind it is in discover until released. */
const discoverHolder = (target: string) => holdingProxy(target, (t) => t.endsWith("DescribeLogGroups"));

/** Every stored state's watermark has all events below it, no key twice; the sync stopped mid-way. */
async function assertConsistent(database: string, expected: readonly ExpectedEvent[]): Promise<void> {
  const partial = await readDatabase(database);
  let stored = 0;
  for (const [stream, rows] of partial.tables) {
    stored += rows.length;
    const keys = new Set(rows.map(keyOf));
    assert.equal(keys.size, rows.length, "no duplicate keys");
    const watermark = partial.states.get(stream);
    if (watermark === undefined) {
      assert.equal(rows.length, 0, `${stream}: records without a state`);
      continue;
    }
    const below = expected.filter((e) => e.logGroupName === stream && e.timestamp < watermark);
    for (const e of below) assert.ok(keys.has(keyOf(e)), `${stream}: ${keyOf(e)} below the stored state is missing`);
  }
  assert.ok(stored > 0 && stored < expected.length, `mid-way: ${stored} of ${expected.length} stored`);
}

describe("local sync interrupted", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario });
  });
  after(async () => sim.stop());

  it("exits 130 leaving a consistent database, and the next sync completes the exact event set", async () => {
    const dir = tempDir();
    const config = simConfig(dir, sim.url, { max_requests_per_second: 4 });
    const database = join(dir, "x.duckdb");
    const expected = [...expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })];
    // Half the events served: some windows are complete (and committed), others are not.
    sim.resetCounters();
    const interrupted = await runCli(
      ["sync", "--config", config, "--database", database],
      dir,
      () => sim.counters().eventsServed >= expected.length / 2,
    );
    assert.equal(interrupted.code, 130, interrupted.stdout + interrupted.stderr);
    assert.match(interrupted.stdout, /^Interrupted: \d+ records committed/);
    assert.match(interrupted.stdout, /run the same command again to continue/);
    await assertConsistent(database, expected);

    const resumed = await runCli(["sync", "--config", config, "--database", database], dir);
    assert.equal(resumed.code, 0, resumed.stderr);
    const full = await readDatabase(database);
    for (const name of ["/a", "/b"]) {
      assert.deepEqual(
        new Set(full.tables.get(name)!.map(keyOf)),
        new Set(expected.filter((e) => e.logGroupName === name).map(keyOf)),
      );
      assert.equal(full.tables.get(name)!.length, expected.filter((e) => e.logGroupName === name).length);
    }
  });

  it("stops the same way on SIGTERM, with exit 143", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const expected = [...expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })];
    sim.resetCounters();
    const halfServed = () => sim.counters().eventsServed >= expected.length / 2;
    const stopped = await runCli(
      ["sync", "--config", simConfig(dir, sim.url, { max_requests_per_second: 4 }), "--database", database],
      dir,
      halfServed,
      "SIGTERM",
    );
    assert.equal(stopped.code, 143, stopped.stdout + stopped.stderr);
    assert.match(stopped.stdout, /^Interrupted: \d+ records committed/);
    await assertConsistent(database, expected);
  });

  /**
   * Stops a sync by `first` once, then by `second` every 50 ms until it says it stopped at once.
   * The sync is held where the first signal cannot end it: reading its config from a named pipe
   * (as `--config <(...)` gives it) that the test keeps open without writing; closed once the
   * second signal is seen, so that the process's exit (which waits for that read) comes. (A store
   * cannot hold it so any more: a named pipe where a store keeps a file is refused.)
   */
  async function stopTwice(first: NodeJS.Signals, second: NodeJS.Signals) {
    const dir = tempDir();
    const output = join(dir, "out");
    const fifo = join(dir, "config-pipe.json");
    execFileSync("mkfifo", [fifo]);
    const child = spawn(process.execPath, [MAIN, "sync", "--config", fifo, "--format", "jsonl", "--output", output], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // Opens once the sync opens the pipe to read it. A sync that ends before (a bug) would leave
    // the open waiting: a reader of our own then ends it.
    const opening = open(fifo, "w");
    const early = await Promise.race([opening.then(() => false), exited.then(() => true)]);
    if (early) {
      closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
      await (await opening).close();
      assert.fail(`the sync ended before it read its config: ${stdout}${stderr}`);
    }
    const pipe = await opening;
    try {
      child.kill(first);
      // Until it says so. A sync that the first signal ended prints its summary on stdout (then its
      // exit waits for the pipe): that fails the test rather than hang it.
      let poll: NodeJS.Timeout | undefined;
      const said = new Promise<boolean>((resolve) => {
        poll = setInterval(() => {
          if (/stopped at once/.test(stderr)) resolve(true);
          else if (stdout !== "") resolve(false);
          else child.kill(second);
        }, 50);
      });
      const ok = await Promise.race([said, exited.then(() => /stopped at once/.test(stderr))]);
      clearInterval(poll);
      assert.ok(ok, `the sync ended without saying it stopped at once: ${stdout}${stderr}`);
    } finally {
      await pipe.close();
    }
    const code = await exited;
    assertNoSecrets(`sync stopped by ${first} and ${second}`, stdout, stderr);
    return { code, stdout, stderr };
  }

  const STOPPED_AT_ONCE =
    "stopped at once\\.\\nCommits made so far are kept, the one in progress is not \\(jsonl: its records\\nmay be appended again\\)\\. The next sync continues from the stored state\\.\\n$";

  it("a second Ctrl-C stops at once and says what is kept, while the first waits (for a config on a named pipe)", async () => {
    const { code, stdout, stderr } = await stopTwice("SIGINT", "SIGINT");
    assert.equal(code, 130, stdout + stderr);
    assert.equal(stdout, "");
    assert.match(stderr, new RegExp(`^\\nsource-cloudwatch-logs sync: SIGINT again, ${STOPPED_AT_ONCE}`));
  });

  it("SIGTERM then Ctrl-C: the message names both signals, not 'again'", async () => {
    // Two different signals pending at once are delivered lowest number first (SIGINT before
    // SIGTERM), so either order may be the one the process saw; each names the other.
    const { code, stdout, stderr } = await stopTwice("SIGTERM", "SIGINT");
    assert.equal(stdout, "");
    const seen = /^\nsource-cloudwatch-logs sync: (SIGINT|SIGTERM) after (SIGINT|SIGTERM), /.exec(stderr);
    assert.ok(seen && seen[1] !== seen[2], stderr);
    assert.equal(code, seen[1] === "SIGINT" ? 130 : 143, stderr);
    assert.match(stderr, new RegExp(STOPPED_AT_ONCE));
  });

  it("a Ctrl-C while discover waits for an endpoint that does not answer stops the sync at once, with or without --follow", async () => {
    for (const follow of [[], ["--follow"]]) {
      const dir = tempDir();
      const database = join(dir, "x.duckdb");
      // DescribeLogGroups never answered: the sync would wait for its timeouts and retries.
      const holder = await discoverHolder(sim.url);
      try {
        const stopped = await runCli(
          ["sync", "--config", simConfig(dir, holder.url), "--database", database, ...follow],
          dir,
          () => holder.holding(),
        );
        assert.equal(stopped.code, 130, stopped.stdout + stopped.stderr);
        if (follow.length === 0)
          assert.equal(
            stopped.stdout,
            "Interrupted while discover listed the log groups: nothing was read or stored;\n" +
              "run the same command again to start.\n",
          );
        else {
          assert.match(
            stopped.stderr,
            /^cycle 1 \(.*\): 0 new records, 0 re-read, 0\/0 streams complete, .*; stopped by SIGINT\n$/,
          );
          assert.match(stopped.stdout, /\nNothing was stored; run the same command again to start\.\n$/);
        }
        assert.equal(existsSync(database), false, "no store was opened");
      } finally {
        // Not released: the held request's client is gone with the process.
        await holder.close();
      }
    }
  });
});

describe("demo", () => {
  it("starts the simulator, syncs into ./demo.duckdb and prints the summary with a sample query", async () => {
    const cwd = tempDir();
    const res = await runCli(["demo"], cwd);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, "", "quiet off a terminal");
    assert.ok(existsSync(join(cwd, "demo.duckdb")));
    assert.match(res.stdout, /5 tables, \d+ events in \.\/demo\.duckdb/);
    assert.match(res.stdout, /ecs_checkout/);
    assert.match(res.stdout, /Sample query/);
    assert.match(res.stdout, /component\s+errors\s+avg_latency_ms/);
    assert.match(res.stdout, /INFREQUENT_ACCESS/);
    // The banner names the scenario file the simulator runs, where it is (the build's copy).
    assert.equal(/\(scenario:\s+(\S+)\)\./.exec(res.stdout)?.[1], DEMO_SCENARIO_PATH, res.stdout);
    // The way to explore it names this package's query command (no DuckDB CLI is installed), and works.
    const explore = /^Explore it: npx source-cloudwatch-logs (query --tables --database \.\/demo\.duckdb)$/m.exec(
      res.stdout,
    );
    assert.ok(explore, res.stdout);
    const tables = await runCli(explore[1]!.split(" "), cwd);
    assert.equal(tables.code, 0, tables.stderr);
    assert.match(tables.stdout, /^5 tables, \d+ events in \.\/demo\.duckdb:\n/);
    assert.match(tables.stdout, /^ {2}ecs_checkout +\d+ .*\n {6}log group \/ecs\/checkout$/m);
    // Again: the simulator listens on another port, but it is the same simulated account, so the
    // demo continues from the stored state in the same tables.
    const again = await runCli(["demo"], cwd);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /5 tables, \d+ events in \.\/demo\.duckdb/);
    const committed = (out: string) => Number(/Synced: (\d+) records committed/.exec(out)?.[1]);
    assert.ok(
      committed(again.stdout) < committed(res.stdout) / 10,
      `${committed(again.stdout)} of ${committed(res.stdout)} again`,
    );
  });

  it("a --database it cannot write: the error alone, before any simulator starts", async () => {
    const cwd = tempDir();
    execFileSync("mkfifo", [join(cwd, "pipe.duckdb")]);
    // A file of a version before the streams' account, region and endpoint were recorded.
    const instance = await DuckDBInstance.create(join(cwd, "old.duckdb"));
    const db = await instance.connect();
    await db.run(
      "CREATE TABLE _source_cloudwatch_logs_streams (stream VARCHAR PRIMARY KEY, table_name VARCHAR UNIQUE)",
    );
    db.closeSync();
    instance.closeSync();
    // A view (made by hand) where sync keeps its mapping table.
    const withView = await DuckDBInstance.create(join(cwd, "view.duckdb"));
    const viewDb = await withView.connect();
    await viewDb.run("CREATE VIEW _source_cloudwatch_logs_streams AS SELECT 'a' AS stream, 'b' AS table_name");
    viewDb.closeSync();
    withView.closeSync();
    const cases = [
      ["pipe.duckdb", "--database pipe.duckdb is a named pipe, not a DuckDB file; "],
      ["missing/x.duckdb", "--database missing/x.duckdb cannot be opened (IO Error: "],
      ["old.duckdb", "--database old.duckdb was written by an earlier version that did not record "],
      [
        "view.duckdb",
        "--database view.duckdb has a view named _source_cloudwatch_logs_streams (made by hand?) where sync keeps a table of its own; ",
      ],
    ] as const;
    for (const [database, said] of cases) {
      const res = await runCli(["demo", "--database", database], cwd);
      assert.equal(res.code, 1, database);
      assert.equal(res.stdout, "", `no simulator banner for ${database}`);
      assert.ok(res.stderr.startsWith(`source-cloudwatch-logs demo: ${said}`), res.stderr);
    }
  });
});
