// The stores' commits: new against re-read rows, an event stored once whatever a batch or the
// next batch repeats, and tables made by the earlier layout (PRIMARY KEY, stored event_time).
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { basename, join } from "node:path";
import { describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { RecordBatch } from "../../src/local/record-batch.js";
import { DuckDbStore } from "../../src/local/duckdb-store.js";
import { messageJsonText } from "../../src/sinks/records.js";
import { JsonlStore } from "../../src/local/jsonl-store.js";
import type { EventRecord } from "../../src/domain/record.js";
import { tempDir } from "../support/connector.js";

const SOURCE = { account: "123456789012", region: "us-east-1", endpoint: undefined };
const STREAM = "/app/api";
const T = 1_764_000_000_000;

/** A record's data text as the connector writes it; message_json (given as its text) last. */
function record(i: number, extra: Partial<EventRecord> & { messageJsonText?: string } = {}): string {
  const { messageJsonText, ...fields } = extra;
  const text = JSON.stringify({
    logGroupName: STREAM,
    logStreamName: `s-${i % 2}`,
    timestamp: T + i * 1000,
    ingestionTime: T + i * 1000 + 5,
    message: messageJsonText ?? `event ${i}`,
    eventId: `${String(i).padStart(56, "0")}`,
    ...fields,
  });
  return messageJsonText === undefined ? text : `${text.slice(0, -1)},"message_json":${messageJsonText}}`;
}

async function query(database: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

const rows = (database: string) =>
  query(
    database,
    `SELECT "eventId" AS id, message, CAST(message_json AS VARCHAR) AS j, epoch_ms(event_time)::BIGINT AS et, "timestamp" AS ts FROM app_api ORDER BY id`,
  );

describe("store commits", () => {
  it("duckdb: re-read rows are counted and replaced, within a batch and across batches; never stored twice", async () => {
    const database = join(tempDir(), "logs.duckdb");
    const store = await DuckDbStore.open(database, [STREAM], SOURCE);
    try {
      const first = await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1), record(2), record(3)]), {
        timestamp: T + 4000,
      });
      assert.equal(first.reread, 0);
      // The same event twice in one batch is one row (the last copy): one new, its copy re-read.
      const twice = await store.commit(
        STREAM,
        RecordBatch.ofData(STREAM, [record(4), record(4, { messageJsonText: '{"b":2}' })]),
        {
          timestamp: T + 5000,
        },
      );
      assert.equal(twice.reread, 1);
      // A lookback: two stored events again (one now with message_json) and one new.
      const again = await store.commit(
        STREAM,
        RecordBatch.ofData(STREAM, [record(2), record(3, { messageJsonText: '{"a":1}' }), record(5)]),
        {
          timestamp: T + 6000,
        },
      );
      assert.equal(again.reread, 2);
      // An event of the other log stream with the same id is another event.
      const other = await store.commit(
        STREAM,
        RecordBatch.ofData(STREAM, [record(5, { logStreamName: "elsewhere" })]),
        { timestamp: T + 6000 },
      );
      assert.equal(other.reread, 0);
      const empty = await store.commit(STREAM, RecordBatch.ofData(STREAM, []), { timestamp: T + 7000 });
      assert.equal(empty.reread, 0);
    } finally {
      await store.close();
    }
    const stored = await rows(database);
    assert.deepEqual(
      stored.map((r) => [Number(String(r.id)), r.j]),
      [
        [1, null],
        [2, null],
        [3, '{"a":1}'],
        [4, '{"b":2}'],
        [5, null],
        [5, null],
      ],
    );
    for (const r of stored) assert.equal(r.et, r.ts, "event_time is the timestamp");
    const [table] = await query(
      database,
      "SELECT has_primary_key, index_count::INTEGER AS index_count FROM duckdb_tables() WHERE table_name = 'app_api'",
    );
    assert.deepEqual(table, { has_primary_key: false, index_count: 0 });
    const [column] = await query(
      database,
      "SELECT column_default FROM duckdb_columns() WHERE table_name = 'app_api' AND column_name = 'event_time'",
    );
    assert.match(String(column?.column_default), /epoch_ms/, "event_time is computed, not stored");
  });

  it("duckdb: each field is read from the record's text exactly; surrogates and JSON DuckDB cannot store are counted", async () => {
    const database = join(tempDir(), "logs.duckdb");
    const store = await DuckDbStore.open(database, [STREAM], SOURCE, true);
    const deep = `${"[".repeat(300)}1${"]".repeat(300)}`;
    const json = ` {"n": 12345678901234567890123, "f": 1.0e5, "d": ${deep}, "k": 1, "k": 2}\n`;
    const texts = [
      // The page's own escapes, the largest exact integers, a JSON message with spacing.
      `{"logGroupName":"/app/api","accountId":"222233334444","logStreamName":"s\\"\\u00e9\\/","timestamp":9007199254740991,` +
        `"ingestionTime":-5,"message":${JSON.stringify(json)},"eventId":"${"9".repeat(56)}","message_json":${messageJsonText(json)}}`,
      // An escaped unpaired surrogate in the message: U+FFFD, counted; a pair is kept.
      `{"logGroupName":"/app/api","logStreamName":"s","timestamp":2,"ingestionTime":3,"message":"a\\ud800b \\ud83d\\ude00","eventId":"2","message_json":null}`,
      // A JSON message with an escaped unpaired surrogate: DuckDB's JSON cannot hold it.
      `{"logGroupName":"/app/api","logStreamName":"s","timestamp":3,"ingestionTime":4,"message":"{\\"a\\":\\"\\\\ud800\\"}","eventId":"3","message_json":{"a":"\\ud800"}}`,
      // Not parsed as JSON: no message_json member.
      `{"logGroupName":"/app/api","logStreamName":"s","timestamp":4,"ingestionTime":5,"message":"plain","eventId":"4"}`,
    ];
    try {
      // The first record's line is read by DuckDB as it is; the others, with escaped surrogates,
      // as texts staged one by one.
      const asLines = await store.commit(STREAM, RecordBatch.ofData(STREAM, texts.slice(0, 1)), { timestamp: 4 });
      assert.deepEqual(asLines, { messageJsonDropped: 0, messagesReplaced: 0, reread: 0 });
      const report = await store.commit(STREAM, RecordBatch.ofData(STREAM, texts.slice(1)), { timestamp: 5 });
      assert.deepEqual(report, { messageJsonDropped: 1, messagesReplaced: 1, reread: 0 });
    } finally {
      await store.close();
    }
    const stored = await query(
      database,
      `SELECT "logGroupName" AS g, "accountId" AS a, "logStreamName" AS s, "timestamp"::VARCHAR AS ts, "ingestionTime"::VARCHAR AS it, ` +
        `message AS m, "eventId" AS id, CAST(message_json AS VARCHAR) AS j FROM app_api ORDER BY "timestamp"`,
    );
    assert.deepEqual(stored, [
      { g: "/app/api", a: null, s: "s", ts: "2", it: "3", m: "a\ufffdb \u{1F600}", id: "2", j: null },
      { g: "/app/api", a: null, s: "s", ts: "3", it: "4", m: '{"a":"\\ud800"}', id: "3", j: null },
      { g: "/app/api", a: null, s: "s", ts: "4", it: "5", m: "plain", id: "4", j: null },
      {
        g: "/app/api",
        a: "222233334444",
        s: 's"\u00e9/',
        ts: "9007199254740991",
        it: "-5",
        m: json,
        id: "9".repeat(56),
        j: messageJsonText(json),
      },
    ]);
  });

  it("duckdb: records that lack a required field fail the commit; nothing of it is stored", async () => {
    const database = join(tempDir(), "logs.duckdb");
    const store = await DuckDbStore.open(database, [STREAM], SOURCE);
    try {
      await assert.rejects(
        store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1), '{"logGroupName":"/app/api","timestamp":1}']), {
          timestamp: T + 2000,
        }),
        /1 record\(s\) of the batch lack one of their required fields/,
      );
      assert.equal(
        (await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1)]), { timestamp: T + 2000 })).reread,
        0,
      );
    } finally {
      await store.close();
    }
    assert.equal((await rows(database)).length, 1);
  });

  it("duckdb: a batch that reads back fewer records than it holds fails its commit; nothing of it is stored", async () => {
    const database = join(tempDir(), "logs.duckdb");
    const store = await DuckDbStore.open(database, [STREAM], SOURCE);
    try {
      // Two lines counted as three: what a spool file cut at a line's end would read as.
      const short = new RecordBatch();
      short.append(RecordBatch.ofData(STREAM, [record(1), record(2)]));
      short.add(Buffer.alloc(0), 1);
      await assert.rejects(
        store.commit(STREAM, short, { timestamp: T + 3000 }),
        /2 of the batch's 3 records were read back/,
      );
      // The spool file is written over, shorter: the next commit reads only its own records.
      await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(3)]), { timestamp: T + 4000 });
    } finally {
      await store.close();
    }
    assert.deepEqual(
      (await rows(database)).map((r) => Number(r.ts)),
      [T + 3000],
    );
  });

  it("duckdb: opening a store removes the temporary directories of killed syncs on this host, and only those", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid!;
    const host = hostname().replace(/[^A-Za-z0-9]/g, "_");
    const dir = (pid: number, h: string) => {
      const d = join(tmpdir(), `source-cloudwatch-logs-sync-${pid}-${h}-test${Math.random().toString(36).slice(2, 8)}`);
      mkdirSync(d);
      writeFileSync(join(d, "records.ndjson"), "{}\n");
      return d;
    };
    const killed = dir(gone, host);
    const running = dir(process.pid, host);
    const elsewhere = dir(gone, `${host}x`);
    try {
      await (await DuckDbStore.open(join(tempDir(), "logs.duckdb"), [STREAM], SOURCE)).close();
      assert.equal(existsSync(killed), false, "the directory of a sync whose process is gone");
      assert.equal(existsSync(running), true, "the directory of a running sync");
      assert.equal(existsSync(elsewhere), true, "the directory of a sync on another host");
    } finally {
      for (const d of [killed, running, elsewhere]) rmSync(d, { recursive: true, force: true });
    }
  });

  it("duckdb: a file that is not DuckDB's, an empty one, or one in a missing directory: an error naming --database and what to do", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "notes.duckdb"), "not a database\n");
    writeFileSync(join(dir, "empty.duckdb"), "");
    for (const path of [join(dir, "notes.duckdb"), join(dir, "empty.duckdb"), join(dir, "missing", "x.duckdb")]) {
      await assert.rejects(DuckDbStore.open(path, [STREAM], SOURCE), (err: Error) => {
        assert.equal(err.name, "ConfigError", path);
        assert.match(
          err.message,
          new RegExp(
            `^--database ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} cannot be opened \\(IO Error: .+\\); name a DuckDB file made by sync, or a new file in a directory that exists$`,
          ),
        );
        return true;
      });
    }
    assert.equal(readFileSync(join(dir, "notes.duckdb"), "utf8"), "not a database\n", "left as it was");
  });

  it("duckdb: a TMPDIR that does not exist: an error naming TMPDIR and what to do, before the database file is made", async () => {
    const database = join(tempDir(), "logs.duckdb");
    const missing = join(tempDir(), "no-such-dir");
    const before = process.env.TMPDIR;
    process.env.TMPDIR = missing;
    try {
      await assert.rejects(DuckDbStore.open(database, [STREAM], SOURCE), (err: Error) => {
        assert.equal(err.name, "ConfigError");
        assert.match(
          err.message,
          new RegExp(
            `^cannot make a temporary file in ${missing.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(ENOENT: .+\\); set TMPDIR to a directory that exists and is writable$`,
          ),
        );
        return true;
      });
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
    }
    assert.equal(existsSync(database), false, "no database file made");
    await (await DuckDbStore.open(database, [STREAM], SOURCE)).close();
  });

  it("jsonl: --output that is a file, a link to nothing or under /proc, and a _state.json sync did not write: errors naming them, the lock let go", async () => {
    const dir = tempDir();
    const file = join(dir, "afile");
    writeFileSync(file, "");
    for (const output of [file, join(file, "sub")]) {
      await assert.rejects(JsonlStore.open(output, [STREAM], SOURCE), (err: Error) => {
        assert.equal(err.name, "ConfigError");
        assert.equal(
          err.message,
          `--output ${output} is a file, or inside one; name a directory (sync makes it if missing)`,
        );
        return true;
      });
    }
    // A symbolic link to nothing, itself or as a parent.
    const dangling = join(dir, "dangling");
    symlinkSync(join(dir, "nothing"), dangling);
    for (const output of [dangling, join(dangling, "sub")]) {
      await assert.rejects(JsonlStore.open(output, [STREAM], SOURCE), {
        name: "ConfigError",
        message: `--output ${output}: ${dangling} is a symbolic link to nothing; name a directory`,
      });
    }
    // A link that loops, itself or as a parent: said, not "cannot be made: ELOOP".
    const loop = join(dir, "loop");
    symlinkSync(loop, loop);
    await assert.rejects(JsonlStore.open(loop, [STREAM], SOURCE), {
      name: "ConfigError",
      message: `--output ${loop} is a symbolic link that loops (or under one); name a directory`,
    });
    await assert.rejects(JsonlStore.open(join(loop, "sub"), [STREAM], SOURCE), {
      name: "ConfigError",
      message: `--output ${join(loop, "sub")} is a symbolic link that loops (or under one); name a directory`,
    });
    // Under /proc node's recursive mkdir never settled (a sync hung at full CPU): made one level
    // at a time, the kernel's refusal is the error.
    if (existsSync("/proc/self")) {
      await assert.rejects(JsonlStore.open("/proc/no-such-dir/sub", [STREAM], SOURCE), {
        name: "ConfigError",
        message:
          "--output /proc/no-such-dir/sub cannot be made (at /proc/no-such-dir): ENOENT; name a directory you can write",
      });
    }
    // Missing parents are made.
    const nested = join(dir, "a", "b", "c");
    await (await JsonlStore.open(nested, [STREAM], SOURCE)).close();
    assert.ok(statSync(nested).isDirectory());
    const out = join(dir, "out");
    const store = await JsonlStore.open(out, [STREAM], SOURCE);
    await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1)]), { timestamp: T + 2000 });
    await store.close();
    const state = join(out, "_state.json");
    for (const [text, why] of [
      ['[{"a": "b', /Bad control character|Unterminated string/],
      ['{"x": 1}', /not an array of STREAM states/],
      ['[{"stream": {"stream_descriptor": {"name": "/app/api"}, "stream_state": 5}}]', /not an array of STREAM states/],
    ] as const) {
      writeFileSync(state, text);
      await assert.rejects(JsonlStore.open(out, [STREAM], SOURCE), (err: Error) => {
        assert.equal(err.name, "ConfigError");
        assert.ok(err.message.startsWith(`${state} is not the state file sync writes (`), err.message);
        assert.match(err.message, why);
        assert.ok(err.message.endsWith("); restore it, or sync into a new directory with --output"), err.message);
        return true;
      });
      assert.equal(existsSync(join(out, "_lock")), false, "the lock is let go");
    }
  });

  it("a named pipe or a device where a store keeps a file: an error naming it and what to do, not a wait for ever", async () => {
    const dir = tempDir();
    const fifo = (path: string) => assert.equal(spawnSync("mkfifo", [path]).status, 0, `mkfifo ${path}`);
    // Opened in a child process: reading a named pipe would block a thread of this one for good.
    const open = (store: "JsonlStore" | "DuckDbStore" | "openReadOnly", path: string): string => {
      const module = { JsonlStore: "jsonl-store", DuckDbStore: "duckdb-store", openReadOnly: "read-only-database" }[
        store
      ];
      const call =
        store === "openReadOnly"
          ? "openReadOnly(path)"
          : `${store}.open(path, [${JSON.stringify(STREAM)}], ${JSON.stringify(SOURCE)})`;
      const code =
        `const { ${store} } = await import(${JSON.stringify(new URL(`../../src/local/${module}.js`, import.meta.url).href)}); ` +
        `const path = ${JSON.stringify(path)}; ` +
        `try { const s = await ${call}; await s.close(); console.log("opened"); } catch (e) { console.log(e.name + ": " + e.message); }`;
      const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], {
        encoding: "utf8",
        timeout: 60_000,
        killSignal: "SIGKILL",
      });
      assert.equal(r.error, undefined, `${store} ${path} did not return within 60 s (it waited on the named pipe)`);
      return r.stdout.trim();
    };
    const out = join(dir, "out");
    for (const name of ["_lock", "_streams.json", "_state.json"]) {
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      fifo(join(out, name));
      assert.equal(
        open("JsonlStore", out),
        `ConfigError: --output ${out} holds ${join(out, name)}, a named pipe, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
      );
    }
    // A directory at a temporary name: said; then a stream's own file (named in _streams.json).
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, "_streams.json.tmp"), { recursive: true });
    assert.equal(
      open("JsonlStore", out),
      `ConfigError: ${join(out, "_streams.json")}.tmp is a directory, where sync writes _streams.json before it replaces it; remove that directory`,
    );
    rmSync(out, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
    const store = await JsonlStore.open(out, [STREAM], SOURCE);
    const file = store.fileOf(STREAM)!;
    await store.close();
    rmSync(file);
    fifo(file);
    assert.equal(
      open("JsonlStore", out),
      `ConfigError: --output ${out} holds ${file}, a named pipe, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    );
    rmSync(file);
    // A symbolic link that loops: no file either, said as such (not "Unexpected error ... ELOOP").
    symlinkSync(file, file);
    assert.equal(
      open("JsonlStore", out),
      `ConfigError: --output ${out} holds ${file}, a symbolic link that loops (or under one), where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    );
    rmSync(file);
    // A link to nothing: said, not taken for a missing file (whose stream's state is dropped).
    symlinkSync(join(dir, "gone", "x.jsonl"), file);
    assert.equal(
      open("JsonlStore", out),
      `ConfigError: --output ${out} holds ${file}, a symbolic link to ${join(dir, "gone", "x.jsonl")}, which does not exist, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    );
    rmSync(file);
    // A link through a file: said, not "Unexpected error ... ENOTDIR".
    writeFileSync(join(dir, "afile"), "");
    symlinkSync(join(dir, "afile", "x.jsonl"), file);
    assert.equal(
      open("JsonlStore", out),
      `ConfigError: --output ${out} holds ${file}, a path through ${join(dir, "afile")}, a file that is not a directory, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    );
    rmSync(file);
    writeFileSync(join(out, "_streams.json.tmp"), "left by a killed sync");
    assert.equal(open("JsonlStore", out), "opened");
    const database = join(dir, "logs.duckdb");
    fifo(database);
    assert.equal(
      open("DuckDbStore", database),
      `ConfigError: --database ${database} is a named pipe, not a DuckDB file; name a DuckDB file made by sync, or a new file in a directory that exists`,
    );
    assert.equal(
      open("openReadOnly", database),
      `ConfigError: the database ${database} is a named pipe, not a DuckDB file; name the DuckDB file sync or demo made with --database`,
    );
    assert.equal(
      open("DuckDbStore", "/dev/null"),
      "ConfigError: --database /dev/null is a device, not a DuckDB file; name a DuckDB file made by sync, or a new file in a directory that exists",
    );
    rmSync(database);
    symlinkSync(database, database);
    assert.equal(
      open("DuckDbStore", database),
      `ConfigError: --database ${database} is a symbolic link that loops (or under one), not a DuckDB file; name a DuckDB file made by sync, or a new file in a directory that exists`,
    );
    assert.equal(
      open("openReadOnly", database),
      `ConfigError: the database ${database} is a symbolic link that loops (or under one), not a DuckDB file; name the DuckDB file sync or demo made with --database`,
    );
    rmSync(database);
    // A link to a database not made yet: DuckDB makes the link's target.
    mkdirSync(join(dir, "elsewhere"));
    symlinkSync(join(dir, "elsewhere", "logs.duckdb"), database);
    assert.equal(open("DuckDbStore", database), "opened");
    assert.ok(statSync(join(dir, "elsewhere", "logs.duckdb")).isFile());
    rmSync(database);
    // Through a link to a link to nothing, in a directory that does not exist: said before DuckDB's
    // "No such file or directory"; and query names where the link leads.
    symlinkSync(join(dir, "gone", "logs.duckdb"), join(dir, "hop"));
    symlinkSync(join(dir, "hop"), database);
    assert.equal(
      open("DuckDbStore", database),
      `ConfigError: --database ${database} is a symbolic link to ${join(dir, "gone", "logs.duckdb")}, in a directory that does not exist; make that directory, or name a DuckDB file made by sync, or a new file in a directory that exists`,
    );
    assert.equal(
      open("openReadOnly", database),
      `ConfigError: the database ${database} is a symbolic link to ${join(dir, "gone", "logs.duckdb")}, which does not exist; name the DuckDB file sync or demo made with --database`,
    );
    rmSync(database);
    symlinkSync(join(dir, "gone", "x.wal"), `${database}.wal`);
    assert.equal(
      open("DuckDbStore", database),
      `ConfigError: --database ${database} has ${database}.wal beside it, a symbolic link to ${join(dir, "gone", "x.wal")}, which does not exist, where DuckDB keeps the file's write-ahead log; remove it`,
    );
    rmSync(`${database}.wal`);
    fifo(`${database}.wal`);
    assert.equal(
      open("DuckDbStore", database),
      `ConfigError: --database ${database} has ${database}.wal beside it, a named pipe, where DuckDB keeps the file's write-ahead log; remove it`,
    );
  });

  it("jsonl: links reached through a linked --output: targets found as the kernel finds them; _state.json a link is refused", async () => {
    const dir = tempDir();
    const real = join(dir, "deep", "real");
    const store = await JsonlStore.open(real, [STREAM], SOURCE);
    await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1)]), { timestamp: T + 3000 });
    await store.close();
    const file = store.fileOf(STREAM)!;
    // The stream's file elsewhere, behind a relative link; --output named through a link to its directory.
    mkdirSync(join(dir, "deep", "s"));
    renameSync(file, join(dir, "deep", "s", "api.jsonl"));
    symlinkSync(join("..", "s", "api.jsonl"), file);
    const out = join(dir, "out");
    symlinkSync(real, out);
    const reopened = await JsonlStore.open(out, [STREAM], SOURCE);
    await reopened.close();
    // The target gone (a disk not mounted), and a file where the link would lead from `out`'s
    // own directory: still a link to nothing, not a missing file whose state is dropped.
    renameSync(join(dir, "deep", "s", "api.jsonl"), join(dir, "deep", "s", "away"));
    mkdirSync(join(dir, "s"));
    writeFileSync(join(dir, "s", "api.jsonl"), "decoy\n");
    const linked = join(out, basename(file));
    await assert.rejects(JsonlStore.open(out, [STREAM], SOURCE), {
      name: "ConfigError",
      message: `--output ${out} holds ${linked}, a symbolic link to ${join(dir, "deep", "s", "api.jsonl")}, which does not exist, where sync keeps a file of its own; remove it, or sync into another directory with --output`,
    });
    renameSync(join(dir, "deep", "s", "away"), join(dir, "deep", "s", "api.jsonl"));
    // _state.json behind a link: refused before anything is read (renamed over, the link would
    // become a file and its target stay as it was).
    renameSync(join(real, "_state.json"), join(dir, "state.json"));
    symlinkSync(join(dir, "state.json"), join(real, "_state.json"));
    await assert.rejects(JsonlStore.open(real, [STREAM], SOURCE), {
      name: "ConfigError",
      message: `--output ${real} holds ${join(real, "_state.json")}, a symbolic link, where sync keeps a file it replaces whole; make it a regular file (a link to the whole --output directory is followed)`,
    });
    assert.ok(lstatSync(join(real, "_state.json")).isSymbolicLink());
    assert.equal(existsSync(join(real, "_lock")), false, "the lock is not taken");
  });

  it("jsonl: a second sync into the same directory is refused, naming the first; a killed sync's lock is taken over", async () => {
    const dir = tempDir();
    const first = await JsonlStore.open(dir, [STREAM], SOURCE);
    const inUse = (who: string) => (err: Error) => {
      assert.equal(err.name, "ConfigError");
      assert.equal(
        err.message,
        `--output ${dir} is in use by ${who} (another sync?); sync when it has finished, or remove ${join(dir, "_lock")} if no sync runs`,
      );
      return true;
    };
    await assert.rejects(JsonlStore.open(dir, [STREAM], SOURCE), inUse(`process ${process.pid}`));
    await first.close();
    assert.equal(existsSync(join(dir, "_lock")), false);
    const host = hostname().replace(/[^A-Za-z0-9]/g, "_");
    // A sync killed on this host: its process is gone.
    writeFileSync(join(dir, "_lock"), `${spawnSync(process.execPath, ["-e", ""]).pid} ${host}\n`);
    const second = await JsonlStore.open(dir, [STREAM], SOURCE);
    await second.commit(STREAM, RecordBatch.ofData(STREAM, [record(1)]), { timestamp: T + 2000 });
    await second.close();
    // Another host's process cannot be looked at: its lock stays.
    writeFileSync(join(dir, "_lock"), `${process.pid} ${host}x\n`);
    await assert.rejects(JsonlStore.open(dir, [STREAM], SOURCE), inUse(`process ${process.pid} of host ${host}x`));
    // A lock that names no process (empty: killed before it was written) is said so.
    writeFileSync(join(dir, "_lock"), "");
    await assert.rejects(JsonlStore.open(dir, [STREAM], SOURCE), {
      name: "ConfigError",
      message: `--output ${dir} has a lock, ${join(dir, "_lock")}, that names no process; remove it if no sync runs`,
    });
  });

  it("duckdb: at close, row groups of large commits are left as they are; those of small commits are merged", async () => {
    const rowGroups = (database: string) =>
      query(database, "SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM pragma_storage_info('app_api')");
    let next = 0;
    const commitAll = async (database: string, sizes: readonly number[]) => {
      const store = await DuckDbStore.open(database, [STREAM], SOURCE);
      try {
        for (const size of sizes) {
          const texts = Array.from({ length: size }, () => record(next++));
          await store.commit(STREAM, RecordBatch.ofData(STREAM, texts), { timestamp: T + next * 1000 });
        }
      } finally {
        await store.close();
      }
    };
    // Two commits of 130,000 rows: a full row group (122,880 rows) and a tail of 7,120 each.
    const large = join(tempDir(), "large.duckdb");
    await commitAll(large, [130_000, 130_000]);
    assert.deepEqual(await rowGroups(large), [{ n: 4 }]);
    // Three syncs of 500 rows (as follow cycles): each close leaves a small row group, merged.
    const small = join(tempDir(), "small.duckdb");
    for (let cycle = 0; cycle < 3; cycle++) await commitAll(small, [500]);
    assert.deepEqual(await rowGroups(small), [{ n: 1 }]);
  });

  it("duckdb: 1,500 log groups of a few events each are all stored: small commits are checkpointed, not held in memory", async () => {
    // More tables than DuckDB's memory holds the new rows of until a checkpoint (see
    // CHECKPOINT_TABLES in duckdb-store.ts): without checkpoints of the store's own, commits fail.
    const database = join(tempDir(), "many.duckdb");
    const streams = Array.from({ length: 1500 }, (_, i) => `/aws/lambda/function-${String(i).padStart(4, "0")}`);
    const store = await DuckDbStore.open(database, streams, SOURCE);
    try {
      for (const stream of streams) {
        const texts = [1, 2, 3].map((i) => record(i, { logGroupName: stream }));
        await store.commit(stream, RecordBatch.ofData(stream, texts), { timestamp: T + 4000 });
      }
    } finally {
      await store.close();
    }
    const tables = await query(database, "SELECT table_name FROM _source_cloudwatch_logs_streams ORDER BY table_name");
    const counts = await query(
      database,
      tables.map((t) => `SELECT count(*)::INTEGER AS n FROM "${String(t.table_name)}"`).join(" UNION ALL "),
    );
    assert.equal(tables.length, 1500);
    assert.equal(counts.length, 1500);
    assert.deepEqual(
      counts.filter((r) => r.n !== 3),
      [],
    );
  });

  it("duckdb: a table of the earlier layout (PRIMARY KEY, stored event_time) is written the same way", async () => {
    const database = join(tempDir(), "logs.duckdb");
    await (await DuckDbStore.open(database, [STREAM], SOURCE)).close();
    const instance = await DuckDBInstance.create(database);
    const db = await instance.connect();
    await db.run("DROP TABLE app_api");
    await db.run(
      `CREATE TABLE app_api ("logGroupName" VARCHAR, "logStreamName" VARCHAR, "timestamp" BIGINT, "ingestionTime" BIGINT, ` +
        `"message" VARCHAR, "eventId" VARCHAR, "message_json" JSON, "event_time" TIMESTAMP, ` +
        `PRIMARY KEY ("logGroupName", "logStreamName", "eventId"))`,
    );
    const old = JSON.parse(record(1)) as EventRecord;
    await db.run(
      `INSERT INTO app_api VALUES ('${old.logGroupName}', '${old.logStreamName}', ${old.timestamp}, ${old.ingestionTime}, ` +
        `'${old.message}', '${old.eventId}', NULL, epoch_ms(${old.timestamp}))`,
    );
    db.closeSync();
    instance.closeSync();
    const store = await DuckDbStore.open(database, [STREAM], SOURCE);
    try {
      // record 1 is stored already; record 2 comes twice.
      const report = await store.commit(
        STREAM,
        RecordBatch.ofData(STREAM, [record(1, { messageJsonText: "{}" }), record(2), record(2)]),
        {
          timestamp: T + 3000,
        },
      );
      assert.equal(report.reread, 2);
    } finally {
      await store.close();
    }
    const stored = await rows(database);
    assert.deepEqual(
      stored.map((r) => [Number(String(r.id)), r.j]),
      [
        [1, "{}"],
        [2, null],
      ],
    );
    for (const r of stored) assert.equal(r.et, r.ts, "the stored event_time is filled");
  });

  it("jsonl: rows before the stream's stored watermark are counted as re-read (appended again)", async () => {
    const dir = tempDir();
    const store = await JsonlStore.open(dir, [STREAM, "log_events"], SOURCE);
    assert.equal(
      (await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1), record(2)]), { timestamp: T + 3000 })).reread,
      0,
    );
    assert.equal(
      (await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(2), record(3)]), { timestamp: T + 4000 })).reread,
      1,
    );
    // The single stream's state is per log group: by name, or by ARN for another account's group.
    const arn = "arn:aws:logs:us-east-1:222233334444:log-group:/app/api";
    const groups = { log_groups: { "/app/api": { timestamp: T + 3000 }, [arn]: { timestamp: T + 2000 } } };
    assert.equal((await store.commit("log_events", RecordBatch.ofData("log_events", [record(1)]), groups)).reread, 0);
    const mixed = [
      record(2, { accountId: "123456789012" }),
      record(2, { accountId: "222233334444" }),
      record(3, { accountId: "222233334444" }),
      record(4, { logGroupName: "/app/new" }),
    ];
    assert.equal((await store.commit("log_events", RecordBatch.ofData("log_events", mixed), groups)).reread, 1);
    await store.close();
  });

  it("jsonl: a log group made again (another creation time) holds no event stored before", async () => {
    const dir = tempDir();
    const store = await JsonlStore.open(dir, [STREAM], SOURCE);
    const made = (t: number) => ({ log_group_creation_time: t });
    await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1), record(2)]), { timestamp: T + 9000, ...made(1) });
    // Made again (after the stored watermark), read from its start: its events are before the old
    // watermark, and all new.
    const again = RecordBatch.ofData(STREAM, [record(3), record(4)]);
    assert.equal((await store.commit(STREAM, again, { timestamp: T + 5000, ...made(T + 10_000) })).reread, 0);
    // Then its own watermark counts (a lookback of the new group).
    const lookback = RecordBatch.ofData(STREAM, [record(4), record(6)]);
    assert.equal((await store.commit(STREAM, lookback, { timestamp: T + 7000, ...made(T + 10_000) })).reread, 1);
    // Another creation time before the watermark is the same group (a simulator restarted): re-read.
    const restarted = RecordBatch.ofData(STREAM, [record(6)]);
    assert.equal((await store.commit(STREAM, restarted, { timestamp: T + 8000, ...made(3) })).reread, 1);
    await store.close();
  });

  it("jsonl: a log group of log_events made again (its entry says so) holds no event stored before; the others' watermarks count", async () => {
    const dir = tempDir();
    const store = await JsonlStore.open(dir, ["log_events"], SOURCE);
    const other = (i: number) => record(i, { logGroupName: "/other" });
    const batch = (texts: string[]) => RecordBatch.ofData("log_events", texts);
    // Read past its creation (this version's entry: no creation time).
    await store.commit("log_events", batch([record(1), record(2), other(1), other(2)]), {
      version: 2,
      log_groups: { [STREAM]: { timestamp: T + 9000 }, "/other": { timestamp: T + 9000 } },
    });
    // Made again, read from its start: its entry says when it was made, after the stored watermark.
    const remade = {
      version: 2,
      log_groups: {
        [STREAM]: { timestamp: T + 5000, log_group_creation_time: T + 10_000 },
        "/other": { timestamp: T + 9000 },
      },
    };
    assert.equal((await store.commit("log_events", batch([record(3), record(4), other(2)]), remade)).reread, 1);
    // A lookback of the new group: its own watermark counts.
    assert.equal((await store.commit("log_events", batch([record(4), record(6)]), remade)).reread, 1);
    await store.close();
  });

  it("jsonl: after a custom report's definition changed, only the events its file holds are re-read", async () => {
    const dir = tempDir();
    const before = { report_definition: "sha256:0000000000000001" };
    const first = await JsonlStore.open(dir, [STREAM], SOURCE);
    // The old definition (say, filter ERROR) stored events 2 and 4 and reached T + 9000.
    await first.commit(STREAM, RecordBatch.ofData(STREAM, [record(2), record(4)]), { timestamp: T + 9000, ...before });
    await first.close();
    // The new definition is read from its start: 1 to 5, then 6 to 8. Events 2 and 4 are in the
    // file already; 1, 3, 5 are new though before the old watermark, and so are 6 to 8.
    const after = { report_definition: "sha256:0000000000000002" };
    const second = await JsonlStore.open(dir, [STREAM], SOURCE);
    const early = [1, 2, 3, 4, 5].map((i) => record(i));
    assert.equal(
      (await second.commit(STREAM, RecordBatch.ofData(STREAM, early), { timestamp: T + 6000, ...after })).reread,
      2,
    );
    const late = [6, 7, 8].map((i) => record(i));
    assert.equal(
      (await second.commit(STREAM, RecordBatch.ofData(STREAM, late), { timestamp: T + 9000, ...after })).reread,
      0,
    );
    await second.close();
    // A lookback of the same definition: the watermark counts again (events 7 and 8 re-read).
    const third = await JsonlStore.open(dir, [STREAM], SOURCE);
    const again = [7, 8, 9].map((i) => record(i));
    assert.equal(
      (await third.commit(STREAM, RecordBatch.ofData(STREAM, again), { timestamp: T + 10_000, ...after })).reread,
      2,
    );
    await third.close();
    // A state saved without a definition (an earlier version) is the same definition.
    const fourth = await JsonlStore.open(dir, [STREAM], SOURCE);
    await fourth.commit(STREAM, RecordBatch.ofData(STREAM, []), { timestamp: T + 10_000 });
    assert.equal(
      (await fourth.commit(STREAM, RecordBatch.ofData(STREAM, [record(9)]), { timestamp: T + 11_000, ...after }))
        .reread,
      1,
    );
    await fourth.close();
    // A file too large to read for its events (over 256 MiB; here sparse) is counted by the old
    // definition's watermark: every row before T + 11000 is re-read.
    const file = join(dir, "app_api.jsonl");
    truncateSync(file, 300 * 1024 * 1024);
    appendFileSync(file, `\n${record(9)}\n`);
    const fifth = await JsonlStore.open(dir, [STREAM], SOURCE);
    const changedAgain = { report_definition: "sha256:0000000000000003" };
    const all = [1, 2, 3].map((i) => record(i));
    assert.equal(
      (await fifth.commit(STREAM, RecordBatch.ofData(STREAM, all), { timestamp: T + 4000, ...changedAgain })).reread,
      3,
    );
    await fifth.close();
    rmSync(dir, { recursive: true });
  });

  it("jsonl: a record at or past the state's watermark waits for a state that covers it, so a stop repeats nothing", async () => {
    // Two windows read at once: the later one read through first, so its records come before a
    // STATE whose watermark is still the earlier window's start. Appended then, they would be
    // appended again by the next sync, which reads on from that watermark.
    const dir = tempDir();
    const lines = () => readFileSync(join(dir, "app_api.jsonl"), "utf8").trim().split("\n");
    const ids = () => lines().map((l) => Number((JSON.parse(l) as EventRecord).eventId));
    let store = await JsonlStore.open(dir, [STREAM], SOURCE);
    let report = await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(1), record(5), record(6)]), {
      timestamp: T + 3000,
    });
    assert.deepEqual([report.stored, report.reread], [1, 0]);
    assert.deepEqual(ids(), [1]);
    // The next state covers 5 but not 6.
    report = await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(4)]), { timestamp: T + 6000 });
    assert.deepEqual([report.stored, report.reread], [2, 0]);
    assert.deepEqual(ids(), [1, 5, 4]);
    // Stopped here (Ctrl-C): 6 was never appended, and the next sync reads it again from T + 6000.
    await store.close();
    store = await JsonlStore.open(dir, [STREAM], SOURCE);
    assert.deepEqual(await store.loadStates(), new Map([[STREAM, { timestamp: T + 6000 }]]));
    report = await store.commit(STREAM, RecordBatch.ofData(STREAM, [record(6), record(7)]), { timestamp: T + 8000 });
    assert.deepEqual([report.stored, report.reread], [2, 0]);
    await store.close();
    assert.deepEqual(ids(), [1, 5, 4, 6, 7]);
  });
});
