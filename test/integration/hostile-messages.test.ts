// Hostile log messages (unpaired surrogates, NUL, U+2028, deep nesting, big numbers, duplicate
// keys, the largest event the endpoint takes) through `read` and `sync` (DuckDB and jsonl) with
// parse_json_messages: the message arrives byte-exact, message_json is the message's own JSON or
// NULL with a counted note, nothing crashes and the other stream's data is committed.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, putEvents, seedGroup } from "../support/seed.js";
import { MAIN, catalogFor, records, runWith, statuses, tempDir, writeJson } from "../support/connector.js";

const HOSTILE = "/app/hostile";
const PLAIN = "/app/plain";

interface Case {
  readonly name: string;
  readonly message: string;
  /** message_json's JSON text in a record line (and in jsonl); null when it is JSON null. */
  readonly json: string | null;
  /** message_json as DuckDB stores it, when it differs from `json`. */
  readonly duckdbJson?: string | null;
}

const DEEP = `${'{"a":'.repeat(5000)}[1]${"}".repeat(5000)}`;
/** As deep as message_json goes (MAX_MESSAGE_JSON_DEPTH): 99 objects and an array. */
const DEEPEST_KEPT = `${'{"a":'.repeat(99)}[1]${"}".repeat(99)}`;
const NUMBERS =
  '{"big":9007199254740993,"e":1e400,"n":12345678901234567890123,"f":0.1000000000000000055511151231257827}';

const CASES: readonly Case[] = [
  // DuckDB's JSON type rejects escaped unpaired surrogates (valid JSON): NULL there, exact elsewhere.
  { name: "escaped unpaired surrogate", message: '{"s":"\\ud800"}', json: '{"s":"\\ud800"}', duckdbJson: null },
  // Raw unpaired surrogates: a record line escapes them, as UTF-8 output cannot carry them.
  {
    name: "raw unpaired surrogates",
    message: '{"s":"\ud800","t":"\udc00x"}',
    json: '{"s":"\\ud800","t":"\\udc00x"}',
    duckdbJson: null,
  },
  { name: "raw unpaired surrogate in text", message: "tail \udc00", json: null },
  // Deeper than many JSON readers take (jq 1.6: 256 levels, Jackson: 1,000): a WARN, message_json null.
  { name: "5000 levels deep", message: DEEP, json: null },
  { name: "100 levels deep", message: DEEPEST_KEPT, json: DEEPEST_KEPT },
  { name: "big numbers", message: NUMBERS, json: NUMBERS },
  { name: "duplicate keys", message: '{"a":1,"a":2}', json: '{"a":1,"a":2}' },
  { name: "NUL in text", message: "nul\u0000text", json: null },
  { name: "escaped NUL", message: '{"n":"\\u0000"}', json: '{"n":"\\u0000"}' },
  { name: "raw NUL in a JSON string (not JSON)", message: '{"n":"\u0000"}', json: null },
  { name: "line and paragraph separators", message: '{"ls":"\u2028\u2029"}', json: '{"ls":"\u2028\u2029"}' },
  // A record is one line: line breaks between tokens become spaces (the same JSON value).
  { name: "pretty-printed", message: '{\n  "a": 1,\r\n  "b": "x"\n}\n', json: '{   "a": 1,    "b": "x" }' },
  { name: "padded", message: '  {"w":true}\t', json: '{"w":true}' },
  { name: "emoji", message: '{"e":"\u{1F600}"}', json: '{"e":"\u{1F600}"}' },
  { name: "array", message: "[1,2,3]", json: null },
  { name: "byte order mark", message: '\uFEFF{"b":1}', json: null },
];

/**
 * The largest single event the endpoint takes: a whole 1 MB batch (moto and the simulator take
 * it; CloudWatch's own limit per event is 256 KB, the fallback).
 */
const BIG_SIZES = [1_048_576 - 26, 262_144 - 26];

function bigMessage(bytes: number): string {
  const open = '{"pad":"';
  return `${open + "x".repeat(bytes - open.length - 2)}"}`;
}

/** What the JSON text of a record line's data ends with (message_json is its last member). */
function messageJsonOfLine(line: string): string {
  const data = line.replace(/,"emitted_at":\d+\}\}$/, "");
  const at = data.lastIndexOf(',"message_json":');
  assert.ok(at > 0, line.slice(0, 200));
  return data.slice(at + ',"message_json":'.length, -1);
}

function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

interface StoredRow {
  readonly timestamp: number;
  readonly message: string;
  readonly json: string | null;
}

async function duckdbRows(path: string, stream: string): Promise<StoredRow[]> {
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    const table = (
      await db.runAndReadAll("SELECT table_name FROM _source_cloudwatch_logs_streams WHERE stream = $1", [stream])
    ).getRowObjectsJS();
    assert.equal(table.length, 1, `a table for ${stream}`);
    const rows = (
      await db.runAndReadAll(
        `SELECT "timestamp", hex("message") AS m, hex("message_json") AS j FROM "${String(table[0]!.table_name)}" ORDER BY "timestamp"`,
      )
    ).getRowObjectsJS();
    // The stored bytes: reading text through the client would drop a leading byte order mark.
    const text = (hex: unknown): string =>
      new TextDecoder("utf-8", { ignoreBOM: true }).decode(Buffer.from(String(hex), "hex"));
    return rows.map((r) => ({
      timestamp: Number(r.timestamp),
      message: text(r.m),
      json: r.j === null ? null : text(r.j),
    }));
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

for (const kind of ENDPOINT_KINDS) {
  describe(`hostile messages (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    /** Expected per timestamp of the hostile group. */
    const expected = new Map<number, Case>();
    const t0 = Date.now() - 3_600_000;

    before(async () => {
      ep = await kind.start();
      config = endpointConfig(ep.url, {
        parse_json_messages: true,
      });
      for (const [i, c] of CASES.entries()) expected.set(t0 + i, c);
      await seedGroup(
        ep.url,
        HOSTILE,
        CASES.map((c, i) => ({ stream: "s", timestamp: t0 + i, message: c.message })),
      );
      const bigAt = t0 + CASES.length;
      let taken: string | undefined;
      for (const size of BIG_SIZES) {
        const message = bigMessage(size);
        try {
          await putEvents(ep.url, HOSTILE, "s", [{ timestamp: bigAt, message }]);
          taken = message;
          break;
        } catch {
          // Too large for this endpoint: the next size.
        }
      }
      assert.ok(taken !== undefined, "the endpoint takes a 256 KB event");
      expected.set(bigAt, { name: `${taken.length} bytes`, message: taken, json: taken });
      await seedGroup(
        ep.url,
        PLAIN,
        [0, 1, 2].map((i) => ({ stream: "p", timestamp: t0 + i, message: `{"plain":${i}}` })),
      );
    });
    after(async () => ep.stop());

    test("read: each message exact, message_json its own JSON text or null, both streams complete", async () => {
      const r = await runWith("read", config, { catalog: catalogFor([HOSTILE, PLAIN]) });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(statuses(r.messages, HOSTILE), ["STARTED", "RUNNING", "COMPLETE"]);
      assert.deepEqual(statuses(r.messages, PLAIN), ["STARTED", "RUNNING", "COMPLETE"]);
      assert.equal(records(r.messages, PLAIN).length, 3);
      const lines = r.stdout
        .split("\n")
        .filter((l) => l.startsWith(`{"type":"RECORD","record":{"stream":${JSON.stringify(HOSTILE)}`));
      const got = records(r.messages, HOSTILE);
      assert.equal(got.length, expected.size);
      assert.equal(lines.length, expected.size);
      got.forEach((rec, i) => {
        const data = rec.data as { timestamp: number; message: string };
        const c = expected.get(data.timestamp)!;
        assert.ok(data.message === c.message, `${c.name}: message differs`);
        assert.ok(messageJsonOfLine(lines[i]!) === (c.json ?? "null"), `${c.name}: message_json differs`);
      });
    });

    test("sync to DuckDB: exact messages, exact JSON or NULL with a counted note, twice without a crash", async () => {
      const dir = tempDir();
      const configPath = writeJson(dir, "config.json", config);
      const database = join(dir, "logs.duckdb");
      for (const run of ["first", "second"]) {
        const s = await runCli(["sync", "--config", configPath, "--database", database]);
        assert.equal(s.code, 0, `${run} sync: ${s.stdout}${s.stderr}`);
        if (run === "first") {
          // Notes are worded to 80 columns, their lines after the first indented by 4.
          const notes = s.stdout.replace(/\n {4}/g, " ");
          assert.match(notes, /\/app\/hostile: 2 record\(s\) stored with message_json NULL/);
          assert.match(notes, /\/app\/hostile: 2 message\(s\) have unpaired surrogates, stored with U\+FFFD/);
        }
      }
      const rows = await duckdbRows(database, HOSTILE);
      assert.equal(rows.length, expected.size);
      for (const row of rows) {
        const c = expected.get(row.timestamp)!;
        // DuckDB text is UTF-8: unpaired surrogates become U+FFFD (noted above).
        assert.ok(row.message === c.message.replace(/\p{Cs}/gu, "\uFFFD"), `${c.name}: message differs`);
        const json = c.duckdbJson === undefined ? c.json : c.duckdbJson;
        assert.ok(row.json === json, `${c.name}: message_json ${row.json?.slice(0, 80)} != ${json?.slice(0, 80)}`);
      }
      assert.deepEqual(
        (await duckdbRows(database, PLAIN)).map((r) => r.json),
        ['{"plain":0}', '{"plain":1}', '{"plain":2}'],
      );
    });

    test("sync to jsonl: exact messages and message_json text", async () => {
      const dir = tempDir();
      const configPath = writeJson(dir, "config.json", config);
      const output = join(dir, "out");
      const s = await runCli(["sync", "--config", configPath, "--format", "jsonl", "--output", output]);
      assert.equal(s.code, 0, s.stdout + s.stderr);
      const lines = readdirSync(output)
        .filter((f) => f.endsWith(".jsonl"))
        .flatMap((f) =>
          readFileSync(join(output, f), "utf8")
            .split("\n")
            .filter((l) => l !== ""),
        );
      const hostile = lines.filter((l) => (JSON.parse(l) as { logGroupName: string }).logGroupName === HOSTILE);
      assert.equal(hostile.length, expected.size);
      assert.equal(lines.length - hostile.length, 3, "the plain stream's records");
      for (const line of hostile) {
        const data = JSON.parse(line) as { timestamp: number; message: string };
        const c = expected.get(data.timestamp)!;
        assert.ok(data.message === c.message, `${c.name}: message differs`);
        const at = line.lastIndexOf(',"message_json":');
        assert.ok(
          line.slice(at + ',"message_json":'.length, -1) === (c.json ?? "null"),
          `${c.name}: message_json differs`,
        );
      }
    });
  });
}
