// `sync` with names that read the same once made safe ("/k/a/b", "/k/a_b", "/k/a-b" all read
// "k_a_b"), added across runs, and with one group name in two regions: every table or file holds
// exactly its own stream's events, and a state is never applied to another source (account,
// region, endpoint).
import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { runSync, SyncError } from "../../src/local/sync.js";
import type { SyncOptions } from "../../src/local/sync.js";
import { tempDir } from "../support/connector.js";
import { putEvents, seedGroup } from "../support/seed.js";
import { Collect, readConfig, simConfig } from "./support.js";

/** The simulator's default account. */
const ACCOUNT = "123456789012";

/** Not a test of quotas: without them, throttles cannot depend on this machine's speed. */
const NO_QUOTAS = { quotas: "none" } as const;

interface Stored {
  readonly logGroupName: string;
  readonly message: string;
}

/** Seeds `count` events in `group` (two log streams), messages naming their group; returns them. */
async function seed(url: string, group: string, count: number, start: number, tag = "first"): Promise<string[]> {
  const events = Array.from({ length: count }, (_, i) => ({
    stream: `s-${i % 2}`,
    timestamp: start + i,
    message: `${group}|${tag}|${i}`,
  }));
  await seedGroup(url, group, events);
  return events.map((e) => e.message);
}

/** Every table of the file with its rows, per "account region endpoint stream"; every table's size by name. */
async function tables(path: string): Promise<{ byStream: Map<string, Stored[]>; all: Map<string, number> }> {
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    const byStream = new Map<string, Stored[]>();
    const mapping = (
      await db.runAndReadAll(
        "SELECT account, region, endpoint, stream, table_name FROM _source_cloudwatch_logs_streams",
      )
    ).getRowObjectsJS();
    for (const m of mapping) {
      const rows = (
        await db.runAndReadAll(`SELECT "logGroupName", "message" FROM "${String(m.table_name)}"`)
      ).getRowObjectsJS();
      byStream.set(
        `${String(m.account)} ${String(m.region)} ${String(m.endpoint)} ${String(m.stream)}`,
        rows.map((r) => ({ logGroupName: String(r.logGroupName), message: String(r.message) })),
      );
    }
    const counts = (
      await db.runAndReadAll("SELECT table_name, estimated_size FROM duckdb_tables() WHERE NOT temporary")
    ).getRowObjectsJS();
    return { byStream, all: new Map(counts.map((r) => [String(r.table_name), Number(r.estimated_size)])) };
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

function jsonlFiles(dir: string): Map<string, Stored[]> {
  const mapping = JSON.parse(readFileSync(join(dir, "_streams.json"), "utf8")) as { files: Record<string, string> };
  const out = new Map<string, Stored[]>();
  for (const [stream, file] of Object.entries(mapping.files)) {
    const text = readFileSync(join(dir, `${file}.jsonl`), "utf8");
    out.set(
      stream,
      text.trim() === ""
        ? []
        : text
            .trim()
            .split("\n")
            .map((l) => JSON.parse(l) as Stored),
    );
  }
  return out;
}

function assertExact(
  what: string,
  rows: readonly Stored[] | undefined,
  group: string,
  messages: readonly string[],
): void {
  assert.ok(rows, `${what}: no table or file`);
  assert.deepEqual(
    rows.filter((r) => r.logGroupName !== group).map((r) => r.logGroupName),
    [],
    `${what}: rows of another group`,
  );
  assert.deepEqual(rows.map((r) => r.message).sort(), [...messages].sort(), `${what}: stored != seeded`);
}

describe("local sync: colliding names and sources", () => {
  const start = Date.now() - 3_600_000;
  const sims: Simulator[] = [];
  after(async () => Promise.all(sims.map((s) => s.stop())));

  async function simulator(): Promise<Simulator> {
    const sim = await startSimulator({ scenario: NO_QUOTAS });
    sims.push(sim);
    return sim;
  }

  /**
   * A simulator with three groups that all read "k_a_b", synced twice: before the second sync,
   * a fourth such group appears and the first group gets new events. Returns what each holds.
   */
  async function twoSyncs(sim: Simulator, options: SyncOptions): Promise<Map<string, string[]>> {
    const seeded = new Map<string, string[]>();
    for (const [group, n] of [
      ["/k/a/b", 40],
      ["/k/a_b", 30],
      ["/K/A/B", 20],
    ] as const)
      seeded.set(group, await seed(sim.url, group, n, start));
    // The first sync reads up to a minute ago, so the events put below are after its state.
    const first = await runSync(options, {
      stdout: new Collect(),
      stderr: new Collect(),
      now: () => Date.now() - 60_000,
    });
    assert.equal(first.code, 0);
    const later = Date.now();
    seeded.set("/k/a-b", await seed(sim.url, "/k/a-b", 25, later - 1000, "second"));
    const more = [0, 1, 2].map((i) => ({ timestamp: later - 500 + i, message: `/k/a/b|second|${i}` }));
    await putEvents(sim.url, "/k/a/b", "s-0", more);
    seeded.set("/k/a/b", [...seeded.get("/k/a/b")!, ...more.map((m) => m.message)]);
    const second = await runSync(options, {
      stdout: new Collect(),
      stderr: new Collect(),
      now: () => Date.now() + 60_000,
    });
    assert.equal(second.code, 0);
    return seeded;
  }

  it("jsonl: names are kept across runs, a new colliding group gets a file of its own, and files not ours are left alone", async () => {
    const dir = tempDir();
    const output = join(dir, "out");
    mkdirSync(output);
    writeFileSync(join(output, "k_a_b_3.jsonl"), "not ours\n");
    const sim = await simulator();
    const options: SyncOptions = {
      config: readConfig(simConfig(dir, sim.url, { ingestion_delay_seconds: 0 })),
      format: "jsonl",
      target: output,
      streams: undefined,
    };
    const seeded = await twoSyncs(sim, options);
    assert.equal(readFileSync(join(output, "k_a_b_3.jsonl"), "utf8"), "not ours\n");
    const files = jsonlFiles(output);
    assert.deepEqual([...files.keys()].sort(), ["/K/A/B", "/k/a-b", "/k/a/b", "/k/a_b"]);
    assert.equal(
      new Set(
        Object.values(JSON.parse(readFileSync(join(output, "_streams.json"), "utf8")).files as Record<string, string>),
      ).size,
      4,
    );
    assertExact("/k/a/b", files.get("/k/a/b"), "/k/a/b", seeded.get("/k/a/b")!);
    assertExact("/k/a_b", files.get("/k/a_b"), "/k/a_b", seeded.get("/k/a_b")!);
    assertExact("/K/A/B", files.get("/K/A/B"), "/K/A/B", seeded.get("/K/A/B")!);
    assertExact("/k/a-b", files.get("/k/a-b"), "/k/a-b", seeded.get("/k/a-b")!);
    assert.equal(readdirSync(output).filter((f) => f.endsWith(".jsonl")).length, 5);
  });

  it("duckdb: a table or view that is not ours is never written, and a new colliding group gets a table of its own", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    // Someone's own table with the name the first group would read as, and the same columns.
    const instance = await DuckDBInstance.create(database);
    const db = await instance.connect();
    await db.run(
      `CREATE TABLE k_a_b ("logGroupName" VARCHAR, "logStreamName" VARCHAR, "timestamp" BIGINT, "ingestionTime" BIGINT, "message" VARCHAR, "eventId" VARCHAR, "message_json" JSON, "event_time" TIMESTAMP, PRIMARY KEY ("logStreamName", "eventId"))`,
    );
    await db.run(`INSERT INTO k_a_b VALUES ('mine', 'mine', 0, 0, 'mine', 'mine', NULL, NULL)`);
    await db.run(`CREATE VIEW k_a_b_2 AS SELECT 1 AS one`);
    db.closeSync();
    instance.closeSync();
    const sim = await simulator();
    const options: SyncOptions = {
      config: readConfig(simConfig(dir, sim.url, { ingestion_delay_seconds: 0 })),
      format: "duckdb",
      target: database,
      streams: undefined,
    };
    const seeded = await twoSyncs(sim, options);
    const { byStream, all } = await tables(database);
    const key = (stream: string) => `${ACCOUNT} us-east-1 ${sim.url} ${stream}`;
    assert.deepEqual([...byStream.keys()].sort(), ["/K/A/B", "/k/a-b", "/k/a/b", "/k/a_b"].map(key));
    assertExact("/k/a/b", byStream.get(key("/k/a/b")), "/k/a/b", seeded.get("/k/a/b")!);
    assertExact("/k/a_b", byStream.get(key("/k/a_b")), "/k/a_b", seeded.get("/k/a_b")!);
    assertExact("/K/A/B", byStream.get(key("/K/A/B")), "/K/A/B", seeded.get("/K/A/B")!);
    assertExact("/k/a-b", byStream.get(key("/k/a-b")), "/k/a-b", seeded.get("/k/a-b")!);
    assert.equal(all.get("k_a_b"), 1, "the foreign table keeps its one row");
  });

  it("duckdb: the same group name in two regions is two streams with two states; jsonl refuses the second region", async () => {
    const dir = tempDir();
    const [sim, other] = await Promise.all([simulator(), simulator()]);
    const eu = await seed(other.url, "/shared/app", 35, start, "eu");
    const us = await seed(sim.url, "/shared/app", 15, start, "us");
    const database = join(dir, "logs.duckdb");
    const usConfig = simConfig(dir, sim.url, { ingestion_delay_seconds: 0 });
    const euDir = tempDir();
    const euConfig = simConfig(euDir, other.url, { ingestion_delay_seconds: 0, region_name: "eu-west-1" });
    const sameEndpointDir = tempDir();
    const euSameEndpoint = simConfig(sameEndpointDir, sim.url, {
      ingestion_delay_seconds: 0,
      region_name: "eu-west-1",
    });
    const sync = (configPath: string) =>
      runSync(
        { config: readConfig(configPath), format: "duckdb", target: database, streams: ["/shared/app"] },
        { stdout: new Collect(), stderr: new Collect() },
      );

    assert.equal((await sync(usConfig)).code, 0);
    const second = await sync(euConfig);
    assert.equal(second.code, 0);
    assert.equal(
      second.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      35,
      "eu-west-1's events are new",
    );
    // Same endpoint, other region: still another source (in AWS, the region picks the account's data).
    const third = await sync(euSameEndpoint);
    assert.equal(
      third.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      15,
    );
    const { byStream } = await tables(database);
    assertExact("us-east-1", byStream.get(`${ACCOUNT} us-east-1 ${sim.url} /shared/app`), "/shared/app", us);
    assertExact("eu-west-1", byStream.get(`${ACCOUNT} eu-west-1 ${other.url} /shared/app`), "/shared/app", eu);
    assertExact(
      "eu-west-1 at the us endpoint",
      byStream.get(`${ACCOUNT} eu-west-1 ${sim.url} /shared/app`),
      "/shared/app",
      us,
    );
    // A re-run of each source adds nothing: each has its own state.
    assert.equal(
      (await sync(euConfig)).snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      0,
    );
    assert.equal(
      (await sync(usConfig)).snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      0,
    );
    // The us endpoint spelt otherwise (the scheme in capitals, the address in hex, a slash) is the
    // same source: nothing is read again into new tables.
    const respelt = simConfig(tempDir(), `${sim.url.replace("http://127.0.0.1", "HTTP://0x7f.0.0.1")}/`, {
      ingestion_delay_seconds: 0,
    });
    const again = await sync(respelt);
    assert.equal(again.code, 0);
    assert.equal(
      again.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      0,
    );
    assert.equal((await tables(database)).byStream.size, 3);

    const output = join(dir, "out");
    const jsonl = (configPath: string) =>
      runSync(
        { config: readConfig(configPath), format: "jsonl", target: output, streams: ["/shared/app"] },
        { stdout: new Collect(), stderr: new Collect() },
      );
    assert.equal((await jsonl(usConfig)).code, 0);
    await assert.rejects(jsonl(euConfig), (err: Error) => {
      assert.ok(err instanceof SyncError);
      assert.match(
        err.message,
        new RegExp(
          `--output ${output} holds the streams of account ${ACCOUNT}, region us-east-1, endpoint ${sim.url}.*this config reads account ${ACCOUNT}, region eu-west-1, endpoint ${other.url}.*another directory with --output`,
        ),
      );
      return true;
    });
    assertExact("jsonl us-east-1", jsonlFiles(output).get("/shared/app"), "/shared/app", us);
  });

  it("the same group name, region and endpoint in another account is another stream (duckdb), or refused (jsonl)", async () => {
    const dir = tempDir();
    const first = await simulator();
    const mine = await seed(first.url, "/shared/app", 12, start, "mine");
    const configPath = simConfig(dir, first.url, { ingestion_delay_seconds: 0 });
    const database = join(dir, "logs.duckdb");
    const output = join(dir, "out");
    const sync = () =>
      runSync(
        { config: readConfig(configPath), format: "duckdb", target: database, streams: ["/shared/app"] },
        { stdout: new Collect(), stderr: new Collect() },
      );
    const jsonl = () =>
      runSync(
        { config: readConfig(configPath), format: "jsonl", target: output, streams: ["/shared/app"] },
        { stdout: new Collect(), stderr: new Collect() },
      );
    assert.equal((await sync()).code, 0);
    assert.equal((await jsonl()).code, 0);
    // Other credentials would reach another account behind the same endpoint: here, a simulator
    // of another account on the same port.
    const { port, url } = first;
    await first.stop();
    sims.splice(sims.indexOf(first), 1);
    const second = await startSimulator({ port, scenario: { ...NO_QUOTAS, accountId: "210987654321" } });
    sims.push(second);
    const theirs = await seed(url, "/shared/app", 17, start, "theirs");
    const again = await sync();
    assert.equal(again.code, 0);
    assert.equal(
      again.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      17,
      "the other account's events are new",
    );
    const { byStream } = await tables(database);
    assertExact("mine", byStream.get(`${ACCOUNT} us-east-1 ${url} /shared/app`), "/shared/app", mine);
    assertExact("theirs", byStream.get(`210987654321 us-east-1 ${url} /shared/app`), "/shared/app", theirs);
    await assert.rejects(
      jsonl(),
      /holds the streams of account 123456789012, region us-east-1.*this config reads account 210987654321, region us-east-1/,
    );
  });

  it("a store that does not say which source its states belong to is refused, with the fix", async () => {
    const dir = tempDir();
    const sim = await simulator();
    await seed(sim.url, "/shared/app", 3, start);
    const configPath = simConfig(dir, sim.url, { ingestion_delay_seconds: 0 });
    const database = join(dir, "old.duckdb");
    const instance = await DuckDBInstance.create(database);
    const db = await instance.connect();
    await db.run(
      "CREATE TABLE _source_cloudwatch_logs_streams (stream VARCHAR PRIMARY KEY, table_name VARCHAR UNIQUE)",
    );
    await db.run(
      "CREATE TABLE _source_cloudwatch_logs_state (stream VARCHAR PRIMARY KEY, state JSON, updated_at TIMESTAMP)",
    );
    db.closeSync();
    instance.closeSync();
    const io = { stdout: new Collect(), stderr: new Collect() };
    await assert.rejects(
      runSync({ config: readConfig(configPath), format: "duckdb", target: database, streams: undefined }, io),
      (err: Error) => {
        assert.ok(err instanceof SyncError);
        assert.equal(
          err.message,
          `--database ${database} was written by an earlier version that did not record the account, region and endpoint of its streams; use a new file with --database`,
        );
        return true;
      },
    );
    const output = join(dir, "out");
    mkdirSync(output);
    writeFileSync(join(output, "_state.json"), "[]\n");
    const jsonl = () =>
      runSync({ config: readConfig(configPath), format: "jsonl", target: output, streams: undefined }, io);
    await assert.rejects(
      jsonl(),
      /has _state.json but no _streams.json \(written by an earlier version, or removed\), so which file holds which stream is unknown; sync into a new directory with --output/,
    );
    writeFileSync(join(output, "_streams.json"), "{");
    await assert.rejects(
      jsonl(),
      new RegExp(
        `${join(output, "_streams.json")} is not a stream mapping written by sync; sync into a new directory with --output`,
      ),
    );
  });
});
