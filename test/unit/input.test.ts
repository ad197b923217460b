// The one reader of input files (cli/input.ts): JSON, or a state file's JSON lines; a file that
// is not JSON is named with the line and column, never with its text (it may hold secrets).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readJson, readJsonInput } from "../../src/cli/input.js";
import { parseState } from "../../src/airbyte/state.js";

function withFile(text: string, body: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "cwl-input-"));
  const path = join(dir, "input.json");
  writeFileSync(path, text);
  return body(path).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function rejects(read: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(read, (err: Error) => {
    assert.equal(err.name, "ConfigError");
    if (typeof message === "string") assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test("a JSON file is its value; a byte order mark is not part of it", async () => {
  await withFile('\uFEFF{"region_name": "eu-west-1"}\n', async (path) => {
    assert.deepEqual(await readJson("--config", path), { region_name: "eu-west-1" });
  });
});

test("not JSON: the line and column of the problem, and none of the file's text", async () => {
  const text = '{\n  "aws_secret_access_key": "hunter2-secret"\n  "region_name": "x"\n}\n';
  await withFile(text, async (path) => {
    await rejects(
      readJson("--config", path),
      new RegExp(`^--config ${path} is not valid JSON: .*\\(line 3, column 3\\)$`),
    );
    await assert.rejects(readJson("--config", path), (err: Error) => !err.message.includes("hunter2"));
  });
  // V8 quotes the text in this message (and gives no position on every Node version).
  await withFile('{"aws_secret_access_key": hunter2-secret}', async (path) => {
    await rejects(readJson("--config", path), new RegExp(`^--config ${path} is not valid JSON: \\S`));
    await assert.rejects(readJson("--config", path), (err: Error) => !err.message.includes("hunter2"));
  });
});

test("a file that cannot be read says why", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cwl-input-"));
  try {
    await rejects(
      readJson("--catalog", join(dir, "nope.json")),
      `--catalog ${join(dir, "nope.json")}: cannot read the file (no such file)`,
    );
    await rejects(readJson("--config", dir), `--config ${dir}: cannot read the file (EISDIR)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a state file may be empty, or JSON lines (read's stdout saved), each line named", async () => {
  await withFile("  \n", async (path) => {
    assert.deepEqual(await readJsonInput("--state", path), { value: undefined });
  });
  // Only a state file may be empty.
  await withFile("", async (path) => {
    await rejects(readJson("--config", path), new RegExp(`^--config ${path} is not valid JSON: `));
  });
  await withFile('{"type":"LOG"}\n\n{"type":"STATE"}\n', async (path) => {
    const input = await readJsonInput("--state", path);
    assert.deepEqual(input.value, [{ type: "LOG" }, { type: "STATE" }]);
    assert.equal(input.itemName?.(1), "--state line 3");
  });
  await withFile('{"type":"LOG"}\n{"type":"STATE"}\n{"type": nope}\n', async (path) => {
    await rejects(readJsonInput("--state", path), new RegExp(`^--state ${path} line 3 is not valid JSON: \\S`));
    await assert.rejects(readJsonInput("--state", path), (err: Error) => !err.message.includes("nope"));
  });
});

test("a state file too big for one string is read as JSON lines, its RECORD lines skipped unparsed", async () => {
  const record = (i: number) =>
    `{"type":"RECORD","record":{"stream":"/a","data":{"eventId":"${i}","message":"{\\"x\\":${i}"},"emitted_at":1}}`;
  const state = (t: number) =>
    `{"type":"STATE","state":{"type":"STREAM","stream":{"stream_descriptor":{"name":"/a"},"stream_state":{"timestamp":${t}}}}}`;
  const saved = [
    record(1),
    record(2),
    state(5),
    '{"type":"LOG","log":{"level":"INFO","message":"m"}}',
    record(3),
    state(9),
  ];
  // A threshold of 10 bytes stands for the real one (256 MB): the same path, a small file.
  await withFile(`${saved.join("\n")}\n`, async (path) => {
    const input = await readJsonInput("--state", path, 10);
    assert.deepEqual(input.value, [
      { type: "RECORD" },
      JSON.parse(state(5)),
      JSON.parse(saved[3]!),
      JSON.parse(state(9)),
    ]);
    assert.equal(input.itemName?.(1), "--state line 3");
    assert.equal(parseState(input.value, { itemName: input.itemName }).get("/a"), 9);
  });
  // Records alone: refused as a small file of them is, not taken as "no state".
  await withFile(`${[record(1), record(2)].join("\n")}\n`, async (path) => {
    const input = await readJsonInput("--state", path, 10);
    assert.throws(() => parseState(input.value, { itemName: input.itemName }), /no STATE message/);
  });
  await withFile(`${state(5)}\n{"type": nope}\n`, async (path) => {
    await rejects(readJsonInput("--state", path, 10), new RegExp(`^--state ${path} line 2 is not valid JSON: \\S`));
  });
  // One JSON value of that size (across lines, or on one line): what to do instead.
  const pretty = JSON.stringify(JSON.parse(state(5)), null, 1);
  for (const text of [`[\n${state(5)}\n]\n`, `[${state(5)}]\n`, `${pretty}\n`])
    await withFile(text, async (path) => {
      await rejects(
        readJsonInput("--state", path, 10),
        new RegExp(`^--state ${path} is 0 MB, too large for one JSON value: give a state of that size as JSON lines`),
      );
    });
  // A line past what any line of read's output holds (64 MB): refused, not read into a string
  // of any length (past V8's limit that failed with a stack trace).
  const long = "x".repeat(65 * 1024 * 1024);
  await withFile(long, async (path) => {
    await rejects(readJsonInput("--state", path, 10), /is 65 MB, too large for one JSON value/);
  });
  await withFile(`${state(5)}\n${long}\n`, async (path) => {
    await rejects(
      readJsonInput("--state", path, 10),
      new RegExp(`^--state ${path} line 2 is over 64 MB: no message of read's output is$`),
    );
  });
});
