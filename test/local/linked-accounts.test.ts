// `sync` of a monitoring account with linked accounts: each store keeps every record's accountId,
// and a DuckDB table made by a sync without linked accounts gets the column when they are read.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { runSync, SyncError } from "../../src/local/sync.js";
import { tempDir } from "../support/connector.js";
import { seedGroup } from "../support/seed.js";
import { Collect, readConfig, simConfig } from "./support.js";

const OWN = "123456789012";
const SOURCE = "222233334444";
const OTHER = "555566667777";

async function accountIds(database: string): Promise<Map<string, string[]>> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    const out = new Map<string, string[]>();
    const mapping = (
      await db.runAndReadAll("SELECT stream, table_name FROM _source_cloudwatch_logs_streams")
    ).getRowObjectsJS();
    for (const m of mapping) {
      const rows = (
        await db.runAndReadAll(`SELECT DISTINCT "accountId" AS a FROM "${String(m.table_name)}" ORDER BY a`)
      ).getRowObjectsJS();
      out.set(
        String(m.stream),
        rows.map((r) => String(r.a)),
      );
    }
    return out;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

async function rowCounts(database: string): Promise<Map<string, number>> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    const out = new Map<string, number>();
    const mapping = (
      await db.runAndReadAll("SELECT stream, table_name FROM _source_cloudwatch_logs_streams")
    ).getRowObjectsJS();
    for (const m of mapping) {
      const rows = (
        await db.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM "${String(m.table_name)}"`)
      ).getRowObjectsJS();
      out.set(String(m.stream), Number(rows[0]!.n));
    }
    return out;
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe("local sync with linked accounts", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        accountId: OWN,
        quotas: "none",
        logGroups: [
          { name: "/app/api", streams: ["a"], timeRange: { start: "now-2h", end: "now-1h" }, events: { count: 20 } },
          {
            name: "/app/api",
            accountId: SOURCE,
            streams: ["a"],
            timeRange: { start: "now-2h", end: "now-1h" },
            events: { count: 30 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  it("duckdb: a table made without linked accounts gains accountId; each stream's rows carry theirs", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    const plain = await runSync(
      { config: readConfig(simConfig(dir, sim.url)), format: "duckdb", target: database, streams: undefined },
      { stdout: new Collect(), stderr: new Collect() },
    );
    assert.equal(plain.code, 0);
    const linked = new Collect();
    const second = await runSync(
      {
        config: readConfig(simConfig(dir, sim.url, { include_linked_accounts: true })),
        format: "duckdb",
        target: database,
        streams: undefined,
      },
      { stdout: linked, stderr: new Collect() },
    );
    assert.equal(second.code, 0, linked.text);
    assert.match(linked.text, /Synced: 30 records committed/);
    // The caller's table: 20 rows from the first sync (no accountId then), none new.
    assert.deepEqual(
      await accountIds(database),
      new Map([
        ["/app/api", ["null"]],
        [`${SOURCE}:/app/api`, [SOURCE]],
      ]),
    );
    // A lookback re-reads all of them: a row stored without accountId is the same event as the
    // re-read one with it (replaced, not repeated), and every row is counted as re-read.
    const again = await runSync(
      {
        config: readConfig(simConfig(dir, sim.url, { include_linked_accounts: true, lookback_window_minutes: 180 })),
        format: "duckdb",
        target: database,
        streams: undefined,
      },
      { stdout: new Collect(), stderr: new Collect() },
    );
    assert.equal(again.code, 0);
    assert.deepEqual(
      again.snapshot?.streams.map((p) => [p.stream, p.committed, p.reread]),
      [
        ["/app/api", 20, 20],
        [`${SOURCE}:/app/api`, 30, 30],
      ],
    );
    assert.deepEqual(
      await accountIds(database),
      new Map([
        ["/app/api", [OWN]],
        [`${SOURCE}:/app/api`, [SOURCE]],
      ]),
    );
    assert.deepEqual(
      await rowCounts(database),
      new Map([
        ["/app/api", 20],
        [`${SOURCE}:/app/api`, 30],
      ]),
    );
  });

  it("duckdb single_stream: log_events holds a same-name group of each account, apart also when re-read", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    const out = new Collect();
    const r = await runSync(
      {
        config: readConfig(simConfig(dir, sim.url, { include_linked_accounts: true, stream_layout: "single_stream" })),
        format: "duckdb",
        target: database,
        streams: undefined,
      },
      { stdout: out, stderr: new Collect() },
    );
    assert.equal(r.code, 0, out.text);
    const instance = await DuckDBInstance.create(database);
    const db = await instance.connect();
    try {
      const rows = (
        await db.runAndReadAll(
          `SELECT "accountId" AS a, count(*)::INTEGER AS n, count(DISTINCT ("logGroupName", "logStreamName", "eventId"))::INTEGER AS k ` +
            `FROM log_events GROUP BY a ORDER BY a`,
        )
      ).getRowObjectsJS();
      assert.deepEqual(rows, [
        { a: OWN, n: 20, k: 20 },
        { a: SOURCE, n: 30, k: 30 },
      ]);
      const state = (
        await db.runAndReadAll(
          "SELECT CAST(state AS VARCHAR) AS s FROM _source_cloudwatch_logs_state WHERE stream = 'log_events'",
        )
      ).getRowObjectsJS();
      const groups = Object.keys((JSON.parse(String(state[0]!.s)) as { log_groups: object }).log_groups).sort();
      assert.deepEqual(groups, ["/app/api", `arn:aws:logs:us-east-1:${SOURCE}:log-group:/app/api`]);
    } finally {
      db.closeSync();
      instance.closeSync();
    }
    // Re-read, the same-name groups' events stay apart: each account's rows are replaced by its own.
    const again = await runSync(
      {
        config: readConfig(
          simConfig(dir, sim.url, {
            include_linked_accounts: true,
            stream_layout: "single_stream",
            lookback_window_minutes: 180,
          }),
        ),
        format: "duckdb",
        target: database,
        streams: undefined,
      },
      { stdout: new Collect(), stderr: new Collect() },
    );
    assert.equal(again.code, 0);
    assert.deepEqual(
      again.snapshot?.streams.map((p) => [p.stream, p.committed, p.reread]),
      [["log_events", 50, 50]],
    );
    assert.deepEqual(await rowCounts(database), new Map([["log_events", 50]]));
    assert.deepEqual(await accountIds(database), new Map([["log_events", [OWN, SOURCE]]]));
  });

  it("duckdb single_stream: a log_events table made without linked accounts is refused once they are on, untouched", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    const sync = async (extra: Record<string, unknown>) => {
      const out = new Collect();
      const err = new Collect();
      const r = await runSync(
        {
          config: readConfig(simConfig(dir, sim.url, { stream_layout: "single_stream", ...extra })),
          format: "duckdb",
          target: database,
          streams: undefined,
        },
        { stdout: out, stderr: err },
      );
      return { code: r.code, text: out.text + err.text };
    };
    const first = await sync({});
    assert.equal(first.code, 0, first.text);
    const rowsOf = async () => {
      const instance = await DuckDBInstance.create(database);
      const db = await instance.connect();
      try {
        return (await db.runAndReadAll("SELECT count(*)::INTEGER AS n FROM log_events")).getRowObjectsJS();
      } finally {
        db.closeSync();
        instance.closeSync();
      }
    };
    const before = await rowsOf();
    await assert.rejects(
      sync({ include_linked_accounts: true }),
      (err: unknown) =>
        err instanceof SyncError &&
        /table "log_events" of stream log_events was made without include_linked_accounts/.test(err.message) &&
        /sync into a new file with --database/.test(err.message),
    );
    assert.deepEqual(await rowsOf(), before);
  });

  it("jsonl: records keep accountId as the connector wrote it", async () => {
    const dir = tempDir();
    const output = join(dir, "out");
    const r = await runSync(
      {
        config: readConfig(simConfig(dir, sim.url, { include_linked_accounts: true })),
        format: "jsonl",
        target: output,
        streams: [`${SOURCE}:/app/api`],
      },
      { stdout: new Collect(), stderr: new Collect() },
    );
    assert.equal(r.code, 0);
    const { account, files } = JSON.parse(readFileSync(join(output, "_streams.json"), "utf8")) as {
      account: string;
      files: Record<string, string>;
    };
    // The store's source is the monitoring account, whichever account a stream reads.
    assert.equal(account, OWN);
    const name = files[`${SOURCE}:/app/api`];
    const lines = readFileSync(join(output, `${name}.jsonl`), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, 30);
    assert.ok(lines.every((l) => (JSON.parse(l) as { accountId?: string }).accountId === SOURCE));
  });
});

describe("local sync: the account that names the source", () => {
  /** A monitoring account with no log group of its own, and one group in each of two linked accounts. */
  const monitoringOnly = () =>
    startSimulator({
      scenario: {
        accountId: OWN,
        quotas: "none",
        logGroups: [SOURCE, OTHER].map((accountId, i) => ({
          name: `/x/${i}`,
          accountId,
          streams: ["a"],
          timeRange: { start: "now-2h", end: "now-1h" },
          events: { count: 10 + i },
        })),
      },
    });
  const streamsOf = [`${SOURCE}:/x/0`, `${OTHER}:/x/1`];
  const sync = async (dir: string, url: string, format: "duckdb" | "jsonl", target: string, extra = {}) => {
    const out = new Collect();
    const r = await runSync(
      { config: readConfig(simConfig(dir, url, extra)), format, target, streams: undefined },
      { stdout: out, stderr: new Collect() },
    );
    assert.equal(r.code, 0, out.text);
    return { ...r, text: out.text.replace(/\n {4}/g, " ") };
  };
  const ownGroup = (url: string, name: string) =>
    seedGroup(url, name, [{ stream: "s", timestamp: Date.now() - 90 * 60_000, message: "own" }]);

  for (const format of ["duckdb", "jsonl"] as const) {
    it(`${format}: a monitoring account without log groups is an unknown account, never a linked one's, nor later its own`, async () => {
      const sim = await monitoringOnly();
      try {
        const dir = tempDir();
        const target = join(dir, format === "duckdb" ? "logs.duckdb" : "out");
        const linked = { include_linked_accounts: true };
        const first = await sync(dir, sim.url, format, target, linked);
        assert.deepEqual(
          first.snapshot?.streams.map((p) => [p.stream, p.committed]),
          streamsOf.map((s, i) => [s, 10 + i]),
        );
        assert.deepEqual(await storedAccounts(format, target), [""], "not the first linked group's account");
        // Once it has a group of its own, its account is known: the unknown account's streams may
        // be another caller's (same region and endpoint), so they are not taken as its own.
        await ownGroup(sim.url, "/zz/own");
        if (format === "jsonl") {
          await assert.rejects(
            runSync(
              { config: readConfig(simConfig(dir, sim.url, linked)), format, target, streams: undefined },
              { stdout: new Collect(), stderr: new Collect() },
            ),
            (err: Error) => {
              assert.ok(err instanceof SyncError);
              assert.match(
                err.message,
                new RegExp(`holds the streams of unknown account, .* this config reads account ${OWN}`),
              );
              return true;
            },
          );
          return;
        }
        const second = await sync(dir, sim.url, format, target, linked);
        assert.deepEqual(
          second.snapshot?.streams.map((p) => [p.stream, p.committed]),
          [...streamsOf.map((s, i) => [s, 10 + i]), ["/zz/own", 1]],
        );
        assert.match(
          second.text,
          new RegExp(
            `2 stream\\(s\\) stored here for an unknown account .* are left as they are, not taken as account ${OWN}'s`,
          ),
        );
        assert.deepEqual(await storedAccounts(format, target), ["", OWN]);
        assert.equal(await mappedTables(target), 5, "the unknown account's tables, untouched, and its own");
        const third = await sync(dir, sim.url, format, target, linked);
        assert.doesNotMatch(third.text, /unknown account/, "said once");
      } finally {
        await sim.stop();
      }
    });
  }

  it("duckdb: custom reports alone (a prefix that matches no group) are the caller's account's, from any group of its own", async () => {
    const sim = await startSimulator({
      scenario: {
        accountId: OWN,
        quotas: "none",
        logGroups: [
          { name: "/app/x", streams: ["a"], timeRange: { start: "now-2h", end: "now-1h" }, events: { count: 7 } },
        ],
      },
    });
    try {
      const dir = tempDir();
      const database = join(dir, "logs.duckdb");
      const settings = {
        log_group_prefix: "/nomatch/",
        custom_log_reports: [{ name: "own", log_group_name: "/app/x" }],
      };
      const first = await sync(dir, sim.url, "duckdb", database, settings);
      assert.deepEqual(
        first.snapshot?.streams.map((p) => [p.stream, p.committed]),
        [["own", 7]],
      );
      assert.deepEqual(await storedAccounts("duckdb", database), [OWN]);
      await ownGroup(sim.url, "/nomatch/g");
      const second = await sync(dir, sim.url, "duckdb", database, settings);
      assert.deepEqual(
        second.snapshot?.streams.map((p) => [p.stream, p.committed]),
        [
          ["/nomatch/g", 1],
          ["own", 0],
        ],
      );
      assert.equal(await mappedTables(database), 2, "the report keeps its table");
    } finally {
      await sim.stop();
    }
  });
});

/** How many tables the DuckDB file maps to streams, of every source. */
async function mappedTables(database: string): Promise<number> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    const [row] = (
      await db.runAndReadAll("SELECT count(DISTINCT table_name)::INTEGER AS n FROM _source_cloudwatch_logs_streams")
    ).getRowObjectsJS();
    return Number(row?.n);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** The accounts a store names its streams' source by ('' for an unknown account). */
async function storedAccounts(format: "duckdb" | "jsonl", target: string): Promise<string[]> {
  if (format === "jsonl") {
    const { account } = JSON.parse(readFileSync(join(target, "_streams.json"), "utf8")) as { account: string | null };
    return [account ?? ""];
  }
  const instance = await DuckDBInstance.create(target);
  const db = await instance.connect();
  try {
    const rows = (
      await db.runAndReadAll(
        "SELECT DISTINCT account FROM (SELECT account FROM _source_cloudwatch_logs_streams UNION ALL SELECT account FROM _source_cloudwatch_logs_state) ORDER BY account",
      )
    ).getRowObjectsJS();
    return rows.map((r) => String(r.account));
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
