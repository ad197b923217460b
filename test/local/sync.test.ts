// `sync` against the simulator through the real SDK: exact event sets per table, no duplicate
// keys, incremental continuation, jsonl format, and a quiet non-terminal stderr.
import { strict as assert } from "node:assert";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { expectedEvents, startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { runSync } from "../../src/local/sync.js";
import { tempDir } from "../support/connector.js";
import { putEvents } from "../support/seed.js";
import { Collect, keyOf, readConfig, readDatabase, simConfig } from "./support.js";

const scenario: ScenarioFile = {
  seed: 11,
  // Not a test of quotas (a quota would make throttles depend on this machine's speed).
  quotas: "none",
  logGroups: [
    {
      name: "/aws/lambda/orders",
      streams: { count: 3, namePattern: "s-{index}" },
      timeRange: { start: "now-3h", end: "now-10m" },
      events: { count: 12000 },
      message: { shape: "text", size: 80 },
      ingestion: { minDelayMs: 10, maxDelayMs: 500 },
    },
    {
      name: "/ecs/checkout",
      streams: ["task-1", "task-2"],
      timeRange: { start: "now-2h", end: "now-10m" },
      events: { count: 8000 },
      message: { shape: "json", size: 120 },
      ingestion: { minDelayMs: 10, maxDelayMs: 500 },
    },
    {
      name: "/archive/cold",
      logClass: "INFREQUENT_ACCESS",
      streams: ["a"],
      timeRange: { start: "now-1h", end: "now-10m" },
      events: { count: 10 },
    },
  ],
};

function expectedByGroup(sim: Simulator): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })) {
    if (e.logGroupName === "/archive/cold") continue;
    let set = out.get(e.logGroupName);
    if (!set) {
      set = new Set();
      out.set(e.logGroupName, set);
    }
    set.add(keyOf(e));
  }
  return out;
}

describe("local sync", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario });
  });
  after(async () => sim.stop());

  it("stores exactly the scenario's events per table, then only new ones on the next sync; stderr stays quiet off a terminal", async () => {
    const dir = tempDir();
    const configPath = simConfig(dir, sim.url, { parse_json_messages: true });
    const database = join(dir, "logs.duckdb");
    const stdout = new Collect();
    const stderr = new Collect();
    const first = await runSync(
      { config: readConfig(configPath), format: "duckdb", target: database, streams: undefined },
      { stdout, stderr },
    );
    assert.equal(first.code, 0, stdout.text + stderr.text);
    assert.equal(stderr.text, "", "nothing on a non-terminal stderr");
    assert.match(stdout.text, /Synced: 20000 records committed/);
    assert.match(stdout.text, /INFREQUENT_ACCESS/);
    const expected = expectedByGroup(sim);
    let db = await readDatabase(database);
    assert.deepEqual([...db.tables.keys()].sort(), ["/aws/lambda/orders", "/ecs/checkout"]);
    for (const [group, keys] of expected) {
      const rows = db.tables.get(group)!;
      const stored = new Set(rows.map(keyOf));
      assert.equal(stored.size, rows.length, `${group}: duplicate primary keys`);
      assert.deepEqual(stored, keys, `${group}: stored != expected`);
    }

    // New events arrive after the first sync's watermark; the next sync (10 min later) adds exactly them.
    const t = Date.now() - 1000;
    const fresh = [0, 1, 2, 3, 4].map((i) => ({ timestamp: t + i, message: `fresh ${i}` }));
    await putEvents(sim.url, "/ecs/checkout", "task-3", fresh, true);
    const second = await runSync(
      { config: readConfig(configPath), format: "duckdb", target: database, streams: undefined },
      { stdout: new Collect(), stderr: new Collect(), now: () => Date.now() + 10 * 60_000 },
    );
    assert.equal(second.code, 0);
    db = await readDatabase(database);
    assert.equal(db.tables.get("/aws/lambda/orders")!.length, expected.get("/aws/lambda/orders")!.size);
    const checkout = db.tables.get("/ecs/checkout")!;
    assert.equal(checkout.length, expected.get("/ecs/checkout")!.size + 5);
    assert.equal(checkout.filter((r) => r.logStreamName === "task-3").length, 5);
    assert.equal(
      second.snapshot!.streams.reduce((n, s) => n + s.committed, 0),
      5,
      "the second sync committed only the new events",
    );
  });

  it("a lookback sync into existing tables counts every row it re-reads as re-read, not new, and leaves the tables as they were", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    const run = (extra: Record<string, unknown>, stdout = new Collect()) =>
      runSync(
        { config: readConfig(simConfig(dir, sim.url, extra)), format: "duckdb", target: database, streams: undefined },
        { stdout, stderr: new Collect() },
      );
    assert.equal((await run({})).code, 0);
    const before = await readDatabase(database);
    const stdout = new Collect();
    // The scenario's events are within the last 3 hours: a 4-hour lookback reads all of them again.
    const again = await run({ lookback_window_minutes: 240 }, stdout);
    assert.equal(again.code, 0, stdout.text);
    const sizes = new Map([...before.tables].map(([stream, rows]) => [stream, rows.length]));
    assert.deepEqual(
      new Map(again.snapshot!.streams.map((p) => [p.stream, [p.committed, p.reread]])),
      new Map([...sizes].map(([stream, n]) => [stream, [n, n]])),
    );
    const after = await readDatabase(database);
    for (const [stream, rows] of after.tables) {
      assert.equal(rows.length, sizes.get(stream), `${stream}: rows after the lookback`);
      assert.deepEqual(new Set(rows.map(keyOf)), new Set(before.tables.get(stream)!.map(keyOf)));
    }
    assert.match(stdout.text, /\(0 new, 20000 re-read\)/);
    assert.match(stdout.text, /^ {2}stream +status +new +re-read +complete up to \(UTC\)$/m);
    assert.match(stdout.text, /^ {2}\/aws\/lambda\/orders +COMPLETE +0 +12000 +\d{4}-/m);
  });

  it("jsonl: a lookback appends the re-read rows again and counts them as re-read", async () => {
    const dir = tempDir();
    const output = join(dir, "out");
    const run = (extra: Record<string, unknown>) =>
      runSync(
        {
          config: readConfig(simConfig(dir, sim.url, extra)),
          format: "jsonl",
          target: output,
          streams: ["/ecs/checkout"],
        },
        { stdout: new Collect(), stderr: new Collect() },
      );
    assert.equal((await run({})).code, 0);
    const lines = () => readFileSync(join(output, "ecs_checkout.jsonl"), "utf8").trim().split("\n").length;
    const first = lines();
    const again = await run({ lookback_window_minutes: 240 });
    assert.equal(again.code, 0);
    const [checkout] = again.snapshot!.streams;
    assert.deepEqual([checkout!.committed, checkout!.reread], [first, first]);
    assert.equal(lines(), 2 * first, "jsonl files are only appended to");
  });

  it("a custom report given another log stream counts as re-read only the rows it had stored, in DuckDB and jsonl", async () => {
    const dir = tempDir();
    const report = { name: "checkout_report", log_group_name: "/ecs/checkout" };
    const run = (format: "duckdb" | "jsonl", logStreamNames: string[]) =>
      runSync(
        {
          config: readConfig(
            simConfig(dir, sim.url, { custom_log_reports: [{ ...report, log_stream_names: logStreamNames }] }),
          ),
          format,
          target: join(dir, format === "duckdb" ? "r.duckdb" : "out"),
          streams: ["checkout_report"],
        },
        { stdout: new Collect(), stderr: new Collect() },
      );
    const counts = (r: Awaited<ReturnType<typeof run>>) => {
      const [stream] = r.snapshot!.streams;
      return [stream!.committed, stream!.reread];
    };
    const events = expectedByGroup(sim).get("/ecs/checkout")!;
    const ofTask1 = [...events].filter((k) => k.startsWith("task-1|")).length;
    assert.ok(ofTask1 > 0 && ofTask1 < events.size);
    for (const format of ["duckdb", "jsonl"] as const) {
      const first = await run(format, ["task-1"]);
      assert.deepEqual(counts(first), [ofTask1, 0], format);
      // Read again from its start: task-1's rows are re-read, task-2's are new (before the old state).
      const widened = await run(format, ["task-1", "task-2"]);
      assert.equal(widened.code, 0, format);
      assert.deepEqual(counts(widened), [events.size, ofTask1], format);
    }
    const { tables } = await readDatabase(join(dir, "r.duckdb"));
    assert.deepEqual(new Set(tables.get("checkout_report")!.map(keyOf)), events);
    const lines = readFileSync(join(dir, "out", "checkout_report.jsonl"), "utf8")
      .trim()
      .split("\n");
    assert.equal(lines.length, ofTask1 + events.size, "jsonl files are only appended to");
  });

  it("jsonl: one file per stream with the exact event set, and a state file that the next sync continues from", async () => {
    const dir = tempDir();
    const configPath = simConfig(dir, sim.url);
    const output = join(dir, "out");
    const options = {
      config: readConfig(configPath),
      format: "jsonl" as const,
      target: output,
      streams: ["/ecs/checkout"],
    };
    assert.equal((await runSync(options, { stdout: new Collect(), stderr: new Collect() })).code, 0);
    assert.deepEqual(readdirSync(output).sort(), ["_state.json", "_streams.json", "ecs_checkout.jsonl"]);
    const lines = readFileSync(join(output, "ecs_checkout.jsonl"), "utf8").trim().split("\n");
    const keys = new Set(lines.map((l) => keyOf(JSON.parse(l) as { logStreamName: string; eventId: string })));
    assert.equal(keys.size, lines.length);
    assert.deepEqual(keys, expectedByGroup(sim).get("/ecs/checkout"));
    const state = JSON.parse(readFileSync(join(output, "_state.json"), "utf8")) as {
      stream: { stream_descriptor: { name: string } };
    }[];
    assert.deepEqual(
      state.map((s) => s.stream.stream_descriptor.name),
      ["/ecs/checkout"],
    );
    assert.equal((await runSync(options, { stdout: new Collect(), stderr: new Collect() })).code, 0);
    const after = readFileSync(join(output, "ecs_checkout.jsonl"), "utf8").trim().split("\n");
    assert.equal(after.length, lines.length, "nothing new, nothing appended twice");
  });

  it("jsonl: a line cut by a killed append (or a full disk) is cut off, not joined to the next sync's first record", async () => {
    const dir = tempDir();
    const configPath = simConfig(dir, sim.url);
    const output = join(dir, "out");
    const file = join(output, "ecs_checkout.jsonl");
    const sync = (now?: () => number) =>
      runSync(
        { config: readConfig(configPath), format: "jsonl", target: output, streams: ["/ecs/checkout"] },
        { stdout: new Collect(), stderr: new Collect(), ...(now ? { now } : {}) },
      );
    assert.equal((await sync()).code, 0);
    const first = readFileSync(file, "utf8").trim().split("\n");
    // What a sync killed half way through an append leaves: part of a record, no line break.
    appendFileSync(file, '{"logGroupName":"/ecs/checkout","logStreamName":"task-1","timest');
    const t = Date.now() - 1000;
    await putEvents(
      sim.url,
      "/ecs/checkout",
      "task-4",
      [0, 1, 2].map((i) => ({ timestamp: t + i, message: `after the cut ${i}` })),
      true,
    );
    const second = await sync(() => Date.now() + 10 * 60_000);
    assert.equal(second.code, 0);
    assert.ok(
      second.warnings.includes(
        `${file} ended in part of a line (a sync killed during an append): it was cut off, and its records are read again`,
      ),
      second.warnings.join("\n"),
    );
    const text = readFileSync(file, "utf8");
    assert.ok(text.endsWith("\n"));
    const lines = text.trimEnd().split("\n");
    const records = lines.map((l, i) => {
      try {
        return JSON.parse(l) as { logStreamName: string; eventId: string; message: string };
      } catch {
        return assert.fail(`line ${i + 1} is not JSON: ${l.slice(0, 120)}`);
      }
    });
    assert.deepEqual(lines.slice(0, first.length), first, "the complete lines stay");
    assert.equal(new Set(records.map(keyOf)).size, records.length, "each event once");
    assert.equal(records.filter((r) => r.logStreamName === "task-4").length, 3);
  });

  it("jsonl: a file deleted by hand is written again from its stream's start; a stored last record without its line break keeps it", async () => {
    const dir = tempDir();
    const configPath = simConfig(dir, sim.url);
    const output = join(dir, "out");
    const file = join(output, "ecs_checkout.jsonl");
    const sync = () =>
      runSync(
        { config: readConfig(configPath), format: "jsonl", target: output, streams: ["/ecs/checkout"] },
        { stdout: new Collect(), stderr: new Collect() },
      );
    assert.equal((await sync()).code, 0);
    const first = readFileSync(file, "utf8");
    const keys = (text: string) => {
      const lines = text.trimEnd().split("\n");
      const set = new Set(lines.map((l) => keyOf(JSON.parse(l) as { logStreamName: string; eventId: string })));
      assert.equal(set.size, lines.length, "each event once");
      return set;
    };
    // Rewritten by a tool that leaves no line break at the end: the last record is stored and covered.
    writeFileSync(file, first.trimEnd());
    const mended = await sync();
    assert.equal(mended.code, 0);
    assert.ok(
      mended.warnings.includes(`${file} ended without a line break after its last record (stored): one was added`),
      mended.warnings.join("\n"),
    );
    assert.deepEqual(keys(readFileSync(file, "utf8")), keys(first), "no record lost");
    assert.ok(readFileSync(file, "utf8").endsWith("\n"));
    // Deleted by hand: its stream is read again from its start, not continued from its state.
    rmSync(file);
    const again = await sync();
    assert.equal(again.code, 0);
    assert.ok(
      again.warnings.includes(
        `"/ecs/checkout" had a state here but no file ${file} (deleted by hand? or, in a directory of an earlier version, a stream that never had records): it is read again from its start`,
      ),
      again.warnings.join("\n"),
    );
    const stored = keys(readFileSync(file, "utf8"));
    for (const key of keys(first)) assert.ok(stored.has(key), key);
    // Its entry in _streams.json deleted by hand: read again from its start into a file of its own.
    const mappingPath = join(output, "_streams.json");
    const mapping = JSON.parse(readFileSync(mappingPath, "utf8")) as { files: Record<string, string> };
    delete mapping.files["/ecs/checkout"];
    writeFileSync(mappingPath, JSON.stringify(mapping));
    const unmapped = await sync();
    assert.equal(unmapped.code, 0);
    const renamed = join(output, "ecs_checkout_2.jsonl");
    assert.ok(
      unmapped.warnings.includes(
        `"/ecs/checkout" had a state here but no entry in _streams.json naming its file (deleted by hand?): it is read again from its start into ${renamed}`,
      ),
      unmapped.warnings.join("\n"),
    );
    const again2 = keys(readFileSync(renamed, "utf8"));
    for (const key of keys(first)) assert.ok(again2.has(key), key);
  });

  it("jsonl: a commit whose state cannot be written takes its records back out, so the next sync stores each once", async () => {
    const dir = tempDir();
    const configPath = simConfig(dir, sim.url);
    const output = join(dir, "out");
    const file = join(output, "ecs_checkout.jsonl");
    // The state file's temporary copy cannot be written (what a full disk does after the append).
    mkdirSync(join(output, "_state.json.tmp"), { recursive: true });
    const sync = () => {
      const stdout = new Collect();
      return runSync(
        { config: readConfig(configPath), format: "jsonl", target: output, streams: ["/ecs/checkout"] },
        { stdout, stderr: new Collect() },
      ).then((outcome) => ({ code: outcome.code, stdout: stdout.text }));
    };
    const failed = await sync();
    assert.equal(failed.code, 1, failed.stdout);
    assert.match(failed.stdout, /^ {2}\/ecs\/checkout +INCOMPLETE +0 +nothing stored yet$/m);
    assert.equal(existsSync(file) ? readFileSync(file, "utf8") : "", "", "no record without its state");
    rmSync(join(output, "_state.json.tmp"), { recursive: true });
    const again = await sync();
    assert.equal(again.code, 0, again.stdout);
    const lines = readFileSync(file, "utf8").trim().split("\n");
    const keys = new Set(lines.map((l) => keyOf(JSON.parse(l) as { logStreamName: string; eventId: string })));
    assert.equal(keys.size, lines.length, "each event once");
    // The scenario's events, and those the test before put in, if they are old enough by now.
    for (const key of expectedByGroup(sim).get("/ecs/checkout")!) assert.ok(keys.has(key), key);
  });
});
