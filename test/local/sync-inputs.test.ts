// `sync` with inputs that must not pass for success or leak: a prefix (or region) where nothing
// is found, and secrets quoted by another field's error.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { run } from "../../src/cli/run.js";
import { assertNoSecrets, registerSecrets, tempDir } from "../support/connector.js";
import { TEST_KEYS } from "../support/seed.js";
import { Collect, readDatabase, simConfig } from "./support.js";

const scenario: ScenarioFile = {
  seed: 3,
  logGroups: [
    { name: "/app/api", streams: ["a"], timeRange: { start: "now-1h", end: "now-10m" }, events: { count: 20 } },
    {
      name: "/cold/archive",
      logClass: "INFREQUENT_ACCESS",
      streams: ["a"],
      timeRange: { start: "now-1h", end: "now-10m" },
      events: { count: 5 },
    },
    // More log groups than a --streams error lists.
    ...Array.from({ length: 14 }, (_, i) => ({
      name: `/many/g-${String(i).padStart(2, "0")}`,
      streams: ["a"],
      timeRange: { start: "now-1h", end: "now-10m" },
      events: { count: 1 },
    })),
  ],
};

async function sync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Collect();
  const stderr = new Collect();
  const code = await run(["sync", ...args], { stdout, stderr });
  assertNoSecrets(`sync ${args.join(" ")}`, stdout.text, stderr.text);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe("sync: inputs", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario });
  });
  after(async () => sim.stop());

  for (const [prefix, note] of [
    ["/nothing/", undefined],
    ["/cold/", /INFREQUENT_ACCESS/],
  ] as const) {
    it(`a log_group_prefix that matches no readable group (${prefix}) fails, naming the region and the prefix`, async () => {
      const dir = tempDir();
      const r = await sync([
        "--config",
        simConfig(dir, sim.url, { log_group_prefix: prefix }),
        "--database",
        join(dir, "x.duckdb"),
      ]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        new RegExp(
          `No stream found: no readable log group whose name starts with log_group_prefix "${prefix}" in region us-east-1 at http`,
        ),
      );
      assert.match(r.stderr, /check region_name and log_group_prefix/);
      if (note) assert.match(r.stderr, note, "why the group that exists is not offered");
      assert.equal(r.stdout, "", "no summary of 0 records");
    });
  }

  it("a prefix that finds nothing leaves an existing database as it was, and says so", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const first = await sync([
      "--config",
      simConfig(dir, sim.url, { log_group_prefix: "/app/" }),
      "--database",
      database,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const before = await readDatabase(database);
    assert.equal(before.tables.get("/app/api")?.length, 20);
    const missed = await sync([
      "--config",
      simConfig(dir, sim.url, { log_group_prefix: "/ap/" }),
      "--database",
      database,
    ]);
    assert.equal(missed.code, 1, missed.stdout);
    assert.match(missed.stderr, /No stream found: .*Nothing was written to \S*x\.duckdb\.\n$/s);
    assert.deepEqual(await readDatabase(database), before);
  });

  it("a secret given as log_group_prefix: the reason said once, masked; as a report's name: refused", async () => {
    const dir = tempDir();
    const secret = TEST_KEYS.secretAccessKey;
    const database = join(dir, "x.duckdb");
    const prefixed = await sync([
      "--config",
      simConfig(dir, sim.url, { log_group_prefix: secret }),
      "--database",
      database,
    ]);
    assert.equal(prefixed.code, 1, prefixed.stdout);
    assert.equal(prefixed.stderr.match(/No stream found/g)?.length, 1, prefixed.stderr);
    assert.match(prefixed.stderr, /log_group_prefix "\*\*\*\*"/);
    const report = { name: `${secret}-errors`, log_group_name: "/app/api" };
    const named = await sync([
      "--config",
      simConfig(dir, sim.url, { custom_log_reports: [report] }),
      "--database",
      database,
    ]);
    assert.equal(named.code, 1, named.stdout);
    assert.match(
      named.stderr,
      /custom_log_reports\[0\]\.name holds the value of a secret setting, and a report's name appears in every output; give the report another name/,
    );
  });

  it("--streams naming no stream: the streams nearest the name, ten at most, and how many more", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const r = await sync(["--config", simConfig(dir, sim.url), "--database", database, "--streams", "/many/g-1x"]);
    assert.equal(r.code, 1, r.stdout);
    const near = ["10", "11", "12", "13", "00", "01", "02", "03", "04", "05"].map((n) => `"/many/g-${n}"`);
    assert.match(
      r.stderr,
      new RegExp(`--streams: "/many/g-1x" not found; discover offers ${near.join(", ")}, and 5 more\n`),
    );
    const few = await sync([
      "--config",
      simConfig(dir, sim.url, { log_group_prefix: "/app/" }),
      "--database",
      database,
      "--streams",
      "/app/apx",
    ]);
    assert.match(few.stderr, /--streams: "\/app\/apx" not found; discover offers "\/app\/api"\n/);
  });

  it("a prefix that matches syncs as before", async () => {
    const dir = tempDir();
    const r = await sync([
      "--config",
      simConfig(dir, sim.url, { log_group_prefix: "/app/" }),
      "--database",
      join(dir, "x.duckdb"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Synced: 20 records committed/);
  });

  // `check` redacted this message while `sync` printed it: `(got "<the secret>")`.
  for (const secret of ["sync-secret/With+Slash==", 'back\\slash\\sync"secret', "ключ-sync-secret-%41"]) {
    it(`a secret also given as start_date is not shown: ${JSON.stringify(secret)}`, async () => {
      const dir = tempDir();
      registerSecrets(secret);
      const config = simConfig(dir, sim.url, { aws_secret_access_key: secret, start_date: secret });
      const r = await sync(["--config", config, "--database", join(dir, "x.duckdb")]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /start_date has an invalid format \(got "\*\*\*\*"\)/);
    });
  }
});
