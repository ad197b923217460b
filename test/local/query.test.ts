// `query` through the built command against a DuckDB file made by a real `sync` of the simulator:
// exact table, csv and json output, --tables, read-only (a DELETE is refused and changes
// nothing), a missing file, a SQL error and a file held by a writer.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { expectedEvents, startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { parseQueryArgs } from "../../src/cli/args.js";
import { run } from "../../src/cli/run.js";
import { runSync } from "../../src/local/sync.js";
import { MAIN, tempDir } from "../support/connector.js";
import { Collect, readConfig, readDatabase, simConfig } from "./support.js";

/** The checkout: where the reader process finds @duckdb/node-api. */
const REPO = fileURLToPath(new URL("../../..", import.meta.url));

const scenario: ScenarioFile = {
  seed: 13,
  logGroups: [
    {
      name: "/ecs/checkout",
      streams: ["task-1", "task-2"],
      timeRange: { start: "now-2h", end: "now-10m" },
      events: { count: 600 },
      message: { shape: "json", size: 100 },
    },
    {
      name: "/aws/lambda/orders",
      streams: ["s-1"],
      timeRange: { start: "now-1h", end: "now-10m" },
      events: { count: 300 },
      message: { shape: "text", size: 60 },
    },
  ],
};

interface Output {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runQuery(args: readonly string[], cwd?: string): Promise<Output> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, "query", ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

function assertNoStack(what: string, text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, `${what}: no stack trace`);
}

/** Runs query, reads its stdout's first line and closes the pipe, as `| head -1` does. */
function firstLineOf(args: readonly string[]): Promise<{ line: string; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, "query", ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      if (stdout.includes("\n")) child.stdout.destroy();
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ line: stdout.split("\n")[0]!, code, stderr }));
  });
}

describe("query", () => {
  let sim: Simulator;
  let database: string;
  let configPath: string;
  /** Events per group and per log stream, from the scenario itself. */
  const counts = new Map<string, number>();
  const firstTimestamp = new Map<string, number>();

  before(async () => {
    sim = await startSimulator({ scenario });
    const dir = tempDir();
    database = join(dir, "logs.duckdb");
    configPath = simConfig(dir, sim.url, { parse_json_messages: true });
    const synced = await runSync(
      { config: readConfig(configPath), format: "duckdb", target: database, streams: undefined },
      { stdout: new Collect(), stderr: new Collect() },
    );
    assert.equal(synced.code, 0);
    for (const e of expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })) {
      for (const key of [e.logGroupName, `${e.logGroupName}|${e.logStreamName}`])
        counts.set(key, (counts.get(key) ?? 0) + 1);
      firstTimestamp.set(e.logGroupName, Math.min(firstTimestamp.get(e.logGroupName) ?? Infinity, e.timestamp));
    }
  });
  after(async () => sim.stop());

  it("prints a table: numbers right-aligned, NULL shown, nothing cut off a terminal", async () => {
    const sql = `SELECT "logStreamName" AS stream, count(*) AS events, NULL::VARCHAR AS nothing FROM ecs_checkout GROUP BY ALL ORDER BY stream`;
    const r = await runQuery([sql, "--database", database]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const n = (s: string) => String(counts.get(`/ecs/checkout|${s}`)).padStart(6);
    assert.equal(
      r.stdout,
      [
        "stream  events  nothing",
        "------  ------  -------",
        `task-1  ${n("task-1")}  NULL`,
        `task-2  ${n("task-2")}  NULL`,
        "",
      ].join("\n"),
    );
    const long = await runQuery([
      `SELECT repeat('x', 300) AS wide, 'a' || chr(10) || 'b' AS two_lines`,
      "--database",
      database,
    ]);
    assert.equal(long.stdout.split("\n")[2], `${"x".repeat(300)}  a\\nb`, "a value stays whole and on its line");
  });

  it("prints csv with RFC 4180 quoting: NULL an empty field, '' a quoted empty one", async () => {
    const sql = `SELECT 'x,"y"' AS a, '' AS b, NULL AS c, 'one' || chr(10) || 'two' AS d, 7 AS n UNION ALL SELECT 'plain', 'b', 'c', 'd', count(*) FROM aws_lambda_orders`;
    const r = await runQuery([sql, "--database", database, "--format", "csv"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `a,b,c,d,n\n"x,""y""","",,"one\ntwo",7\nplain,b,c,d,${counts.get("/aws/lambda/orders")}\n`);
  });

  it("stops quietly, exit 0, when its reader closes the pipe (query ... | head -1)", async () => {
    // Far more rows than a pipe's buffer holds: the writes meet the closed pipe.
    const r = await firstLineOf(["SELECT * FROM range(2000000) t(n)", "--database", database, "--format", "csv"]);
    assert.equal(r.line, "n");
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
  });

  it("prints json lines: safe integers as numbers, others (and infinity) as strings, ISO times, message_json as its text", async () => {
    const literal = await runQuery([
      `SELECT 9007199254740993::BIGINT AS big, 42::BIGINT AS small, 1.50::DECIMAL(10,2) AS d, TIMESTAMP '2024-01-01 10:00:00.5' AS ts, ` +
        `DATE '2024-01-02' AS day, [1, 2] AS list, NULL AS nothing, 1 AS a, 2 AS a, 'inf'::DOUBLE AS inf, 'nan'::DOUBLE AS nan`,
      "--database",
      database,
      "--format=json",
    ]);
    assert.equal(literal.code, 0, literal.stderr);
    assert.equal(
      literal.stdout,
      `{"big":"9007199254740993","small":42,"d":1.5,"ts":"2024-01-01T10:00:00.5Z","day":"2024-01-02","list":[1,2],"nothing":null,"a":1,"a_2":2,"inf":"Infinity","nan":"NaN"}\n`,
    );

    const sql = `SELECT count(*) AS events, min(event_time) AS first, any_value(message_json) AS json, any_value(message) AS message FROM ecs_checkout`;
    const r = await runQuery([sql, "--database", database, "--format", "json"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 1);
    const row = JSON.parse(lines[0]!) as { events: unknown; first: string; json: unknown; message: string };
    assert.equal(row.events, counts.get("/ecs/checkout"));
    assert.match(row.first, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.equal(Date.parse(row.first), firstTimestamp.get("/ecs/checkout"));
    assert.equal(typeof row.json, "string", "JSON text, not parsed (its numbers would be rounded)");
    assert.deepEqual(JSON.parse(row.json as string), JSON.parse(row.message));
  });

  it("--tables lists each table with its log group, source and exact row count", async () => {
    const r = await runQuery(["--tables", "--database", database]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(
      lines[0],
      `2 tables, ${counts.get("/ecs/checkout")! + counts.get("/aws/lambda/orders")!} events in ${database}:`,
    );
    assert.match(lines[1]!, /^account \d{12}, region us-east-1, endpoint http:\/\/127\.0\.0\.1:\d+:$/);
    for (const [table, group] of [
      ["aws_lambda_orders", "/aws/lambda/orders"],
      ["ecs_checkout", "/ecs/checkout"],
    ] as const) {
      const i = lines.findIndex((l) => l.startsWith(`  ${table} `));
      assert.ok(i > 0, `${table} listed:\n${r.stdout}`);
      assert.match(
        lines[i]!,
        new RegExp(
          `^  ${table} +${counts.get(group)}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d$`,
        ),
      );
      assert.equal(lines[i + 1], `      log group ${group}`);
    }
  });

  /** A copy of the synced file with `sql` run on it: a file changed by hand. */
  const editedCopy = async (sql: string): Promise<string> => {
    const copy = join(tempDir(), "copy.duckdb");
    copyFileSync(database, copy);
    const instance = await DuckDBInstance.create(copy);
    const db = await instance.connect();
    await db.run(sql);
    db.closeSync();
    instance.closeSync();
    return copy;
  };

  it("--tables: a table dropped by hand is listed as missing, even when another schema has a table of its name", async () => {
    const copy = await editedCopy(
      "DROP TABLE ecs_checkout; CREATE SCHEMA other; CREATE TABLE other.ecs_checkout (x INTEGER)",
    );
    const r = await runQuery(["--tables", "--database", copy]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], `2 tables, ${counts.get("/aws/lambda/orders")!} events in ${copy}:`);
    assert.ok(
      lines.some((l) => /^ {2}ecs_checkout +missing\s*$/.test(l)),
      `ecs_checkout listed as missing:\n${r.stdout}`,
    );
  });

  it("--tables on tables changed by hand: a view in a table's place, a mapping spelt in capitals, a column dropped", async () => {
    const copy = await editedCopy(
      "ALTER TABLE ecs_checkout RENAME TO ecs_kept; CREATE VIEW ecs_checkout AS SELECT * FROM ecs_kept; " +
        "ALTER TABLE aws_lambda_orders DROP COLUMN event_time; " +
        "UPDATE _source_cloudwatch_logs_streams SET table_name = 'AWS_Lambda_Orders' WHERE table_name = 'aws_lambda_orders'",
    );
    const r = await runQuery(["--tables", "--database", copy]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const orders = counts.get("/aws/lambda/orders")!;
    const checkout = counts.get("/ecs/checkout")!;
    assert.equal(lines[0], `2 tables, ${orders + checkout} events in ${copy}:`);
    const at = (table: string) => lines.findIndex((l) => l.startsWith(`  ${table} `));
    assert.match(lines[at("AWS_Lambda_Orders")]!, new RegExp(`^  AWS_Lambda_Orders +${orders}\\s*$`), r.stdout);
    assert.equal(lines[at("AWS_Lambda_Orders") + 1], "      log group /aws/lambda/orders");
    assert.match(
      lines[at("ecs_checkout")]!,
      new RegExp(`^  ecs_checkout +${checkout}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  \\d{4}-`),
      r.stdout,
    );
  });

  it("--tables: a table it cannot read (a view over a dropped table, a retyped column) is said so, the others listed", async () => {
    const copy = await editedCopy(
      "ALTER TABLE ecs_checkout RENAME TO ecs_kept; CREATE VIEW ecs_checkout AS SELECT * FROM ecs_kept; DROP TABLE ecs_kept",
    );
    const r = await runQuery(["--tables", "--database", copy]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], `2 tables, ${counts.get("/aws/lambda/orders")!} events in ${copy}:`);
    const at = lines.findIndex((l) => l.startsWith("  ecs_checkout "));
    assert.match(lines[at]!, /^ {2}ecs_checkout +unreadable\s*$/, r.stdout);
    assert.equal(lines[at + 1], "      stream /ecs/checkout");
    assert.match(lines[at + 2]!, /^ {6}Catalog Error: .*ecs_kept/, r.stdout);
    assert.match(r.stdout, /^ {2}aws_lambda_orders +\d+ /m);
  });

  it("--tables on a file of an earlier version (no account column): says so; SQL still reads it", async () => {
    const old = join(tempDir(), "old.duckdb");
    const instance = await DuckDBInstance.create(old);
    const db = await instance.connect();
    await db.run(
      "CREATE TABLE _source_cloudwatch_logs_streams (stream VARCHAR PRIMARY KEY, table_name VARCHAR UNIQUE)",
    );
    db.closeSync();
    instance.closeSync();
    const r = await runQuery(["--tables", "--database", old]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `source-cloudwatch-logs query: ${old} was written by an earlier version that did not record the account, region and endpoint of its streams: --tables cannot list it (its tables can still be queried with SQL)\n`,
    );
    const sql = await runQuery([
      "SELECT count(*) AS n FROM _source_cloudwatch_logs_streams",
      "--database",
      old,
      "--format",
      "csv",
    ]);
    assert.equal(sql.code, 0, sql.stderr);
    assert.equal(sql.stdout, "n\n0\n");
  });

  it("refuses a statement that writes, naming the problem, and the data is still there", async () => {
    const before = (await readDatabase(database)).tables.get("/ecs/checkout")!.length;
    for (const sql of ["DELETE FROM ecs_checkout", "DROP TABLE ecs_checkout", "CREATE TABLE t AS SELECT 1"]) {
      const r = await runQuery([sql, "--database", database]);
      assert.equal(r.code, 1, sql);
      assert.equal(r.stdout, "", sql);
      assert.match(r.stderr, /read-only/, sql);
      assertNoStack(sql, r.stderr);
    }
    assert.equal(before, counts.get("/ecs/checkout"));
    assert.equal((await readDatabase(database)).tables.get("/ecs/checkout")!.length, before);
  });

  it("reaches no other file: COPY TO, ATTACH, read_csv and EXPORT are refused, and the database is intact", async () => {
    const dir = tempDir();
    const other = join(dir, "other.duckdb");
    const made = await DuckDBInstance.create(other);
    const conn = await made.connect();
    await conn.run("CREATE TABLE kept AS SELECT 1 AS x");
    conn.closeSync();
    made.closeSync();
    const csv = join(dir, "out.csv");
    const before = statSync(database).size;
    for (const sql of [
      // The database's own file: read-only alone let this overwrite it with 8 bytes of CSV.
      `COPY (SELECT 'gone' AS x) TO '${database}' (FORMAT csv)`,
      `COPY ecs_checkout TO '${csv}' (FORMAT csv)`,
      `ATTACH '${other}' AS o (READ_WRITE); DELETE FROM o.kept`,
      `SELECT * FROM read_csv('${other}')`,
      `EXPORT DATABASE '${join(dir, "export")}'`,
      "SET enable_external_access = true",
    ]) {
      const r = await runQuery([sql, "--database", database]);
      assert.equal(r.code, 1, sql);
      assert.equal(r.stdout, "", sql);
      assertNoStack(sql, r.stderr);
      if (!sql.startsWith("SET"))
        assert.match(r.stderr, /query reads .* and no other file .*--format csv or --format json/, sql);
    }
    assert.equal(statSync(database).size, before);
    assert.equal((await readDatabase(database)).tables.get("/ecs/checkout")!.length, counts.get("/ecs/checkout"));
    assert.equal(existsSync(csv), false);
    assert.equal(existsSync(join(dir, "export")), false);
    const check = await DuckDBInstance.create(other, { access_mode: "READ_ONLY" });
    const c2 = await check.connect();
    assert.deepEqual((await c2.runAndReadAll("SELECT x FROM kept")).getRows(), [[1]]);
    c2.closeSync();
    check.closeSync();
    // Reading the database itself still works, time zones included.
    const ok = await runQuery([
      "SELECT now()::TIMESTAMPTZ::VARCHAR LIKE '%+00' AS utc",
      "--database",
      database,
      "--format",
      "csv",
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "utc\ntrue\n");
  });

  it("SQL with no statement (only comments or semicolons) says so, not the binding's 'Error in native callback'", async () => {
    for (const sql of [";", "-- a comment", " ; ; /* nothing */ "]) {
      const r = await runQuery([sql, "--database", database]);
      assert.equal(r.code, 1, sql);
      assert.equal(r.stdout, "", sql);
      assert.equal(
        r.stderr,
        'source-cloudwatch-logs query: the SQL holds no statement, only comments or semicolons: give one, e.g. query "SELECT count(*) FROM TABLE" (query --tables lists the tables).\n',
        sql,
      );
    }
  });

  it("a missing database file: names it, suggests sync or demo, creates nothing", async () => {
    const cwd = tempDir();
    for (const args of [
      ["SELECT 1", "--database", "nope.duckdb"],
      ["--tables", "--database", "nope.duckdb"],
      ["SELECT 1"],
    ]) {
      const r = await runQuery(args, cwd);
      assert.equal(r.code, 1, args.join(" "));
      const file = args.includes("--database") ? "nope.duckdb" : "./cloudwatch-logs.duckdb";
      assert.equal(
        r.stderr,
        `source-cloudwatch-logs query: the database ${file} does not exist; run sync (or demo) first to make it, or name another file with --database\n`,
      );
    }
    assert.equal(existsSync(join(cwd, "nope.duckdb")), false);
    assert.equal(existsSync(join(cwd, "cloudwatch-logs.duckdb")), false);
  });

  it("a SQL error: DuckDB's message, exit 1", async () => {
    const r = await runQuery(["SELEC count(*) FROM ecs_checkout", "--database", database]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^source-cloudwatch-logs query: Parser Error: syntax error at or near "SELEC"/);
    assertNoStack("syntax error", r.stderr);
    const unknown = await runQuery(["SELECT * FROM no_such_table", "--database", database]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Catalog Error: Table with name no_such_table does not exist/);
  });

  it("a file another process has open for writing: names the process, not a raw IO error", async () => {
    const writer = await DuckDBInstance.create(database);
    const connection = await writer.connect();
    try {
      const r = await runQuery(["--tables", "--database", database]);
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "");
      assert.match(
        r.stderr,
        new RegExp(
          `^source-cloudwatch-logs query: the database .* is in use by process ${process.pid} \\(.*\\), which has it open for writing`,
        ),
      );
    } finally {
      connection.closeSync();
      writer.closeSync();
    }
  });

  it("a sync while another process holds the file (a query): names that process, not a raw IO error", async () => {
    // A reader in another process (DuckDB's locks are per process), holding until its stdin ends.
    const script =
      `const { DuckDBInstance } = await import("@duckdb/node-api");` +
      `const db = await DuckDBInstance.create(process.argv[1], { access_mode: "READ_ONLY" });` +
      `process.stdout.write("ready\\n"); process.stdin.resume(); process.stdin.on("end", () => db.closeSync());`;
    const reader = spawn(process.execPath, ["--input-type=module", "-e", script, database], {
      cwd: REPO,
      stdio: ["pipe", "pipe", "inherit"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        reader.stdout.setEncoding("utf8").on("data", (d: string) => d.includes("ready") && resolve());
        reader.on("exit", (code) => reject(new Error(`the reader exited with ${code}`)));
      });
      const stderr = new Collect();
      const code = await run(["sync", "--config", configPath, "--database", database], {
        stdout: new Collect(),
        stderr,
      });
      assert.equal(code, 1);
      assert.match(
        stderr.text,
        new RegExp(
          `^source-cloudwatch-logs sync: --database .* is in use by process ${reader.pid} \\(.*\\) \\(a query, `,
        ),
      );
    } finally {
      reader.stdin.end();
      await new Promise((resolve) => (reader.exitCode === null ? reader.on("exit", resolve) : resolve(undefined)));
    }
  });

  it("argument errors: SQL in several words, neither SQL nor --tables, both, a bad --format", () => {
    for (const [args, message] of [
      [["SELECT", "1"], /put it in quotes/],
      [[], /query needs an SQL statement/],
      [["--tables", "SELECT 1"], /--tables takes no SQL/],
      [["SELECT 1", "--format", "xml"], /--format must be table, csv or json \(got "xml"\)/],
      [["--tables=yes"], /--tables takes no value/],
      [["SELECT 1", "--verbose"], /query does not take "--verbose"/],
    ] as const) {
      assert.throws(() => parseQueryArgs(args), message, args.join(" "));
    }
    // SQL that starts like a flag (a comment, a negative number) is SQL.
    assert.deepEqual(parseQueryArgs(["-- why\nSELECT 1", "--format=csv"]), {
      kind: "sql",
      database: "./cloudwatch-logs.duckdb",
      sql: "-- why\nSELECT 1",
      format: "csv",
    });
    assert.deepEqual(parseQueryArgs(["--tables", "--database", "x.duckdb"]), { kind: "tables", database: "x.duckdb" });
  });
});
