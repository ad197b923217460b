// The records sink: its record lines in the schema's field order, and message_json: the message's
// own JSON text, spliced into a record line that stays one valid line of UTF-8 whatever it holds.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { Emitter } from "../../src/airbyte/emitter.js";
import type { LogEvent } from "../../src/domain/logs.js";
import { recordSink } from "../../src/sinks/records.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";

/** The bytes the records sink writes for these events (a RUNNING status first). */
async function sinkBytes(
  events: readonly LogEvent[],
  parseJsonMessages: boolean,
  stream = "stream",
  logGroupName = "/group/a",
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const emitter = new Emitter(
    out,
    (t) => t,
    () => 1,
  );
  await recordSink(emitter, stream, logGroupName, parseJsonMessages).deliver(events);
  await emitter.flush();
  return Buffer.concat(chunks);
}

/** The bytes the records sink writes for one event with the given message, JSON messages parsed. */
function outputBytes(message: string): Promise<Buffer> {
  return sinkBytes([{ logStreamName: "s", timestamp: 1, ingestionTime: 2, message, eventId: "1" }], true);
}

/** The data of each record line, as text. */
async function recordData(events: readonly LogEvent[], parseJsonMessages: boolean): Promise<string[]> {
  const lines = (await sinkBytes(events, parseJsonMessages)).toString("utf8").split("\n");
  const prefix = '{"type":"RECORD","record":{"stream":"stream","data":';
  const suffix = ',"emitted_at":1}}';
  return lines.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length, -suffix.length));
}

/** The record's line, with its newline. */
async function recordLine(message: string): Promise<string> {
  const lines = (await outputBytes(message)).toString("utf8").split(/(?<=\n)/);
  const records = lines.filter((l) => l.startsWith('{"type":"RECORD"'));
  assert.equal(records.length, 1, lines.join(""));
  return records[0]!;
}

describe("records sink message_json", () => {
  test("is the message's text, big numbers, duplicate keys and nesting up to 100 levels included", async () => {
    const deep = `${'{"a":['.repeat(50)}1${"]}".repeat(50)}`;
    for (const message of ['{"big":9007199254740993,"e":1e400}', '{"a":1,"a":2}', deep, '{"s":"\\ud800"}']) {
      const line = await recordLine(message);
      assert.ok(line.endsWith(`,"message_json":${message}},"emitted_at":1}}\n`), message.slice(0, 40));
    }
  });

  test("is null for JSON nested deeper than 100 levels (many JSON readers refuse it), with one WARN per stream", async () => {
    const nested = (levels: number) => `{"a":${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}}`;
    // JSON.parse keeps the last of repeated keys: the text is what counts (and what is written).
    const repeatedKey = `{"a":${nested(300)},"a":1}`;
    // Brackets inside strings are text, not nesting.
    const quoted = `{"a":"${'[{\\"'.repeat(200)}"}`;
    const given = [nested(101), nested(5000), nested(3), repeatedKey, quoted];
    const events = given.map((message, i) => ({
      logStreamName: "s",
      timestamp: i,
      ingestionTime: i,
      message,
      eventId: String(i),
    }));
    const lines = (await sinkBytes(events, true, "/group/a", "/group/a")).toString("utf8").split("\n").filter(Boolean);
    const messages = lines.map((l) => JSON.parse(l) as AirbyteMessage);
    const data = messages.filter((m) => m.type === "RECORD").map((m) => m.record!.data);
    assert.deepEqual(
      data.map((d) => [d.message, d.message_json]),
      [
        [nested(101), null],
        [nested(5000), null],
        [nested(3), { a: [[]] }],
        [repeatedKey, null],
        [quoted, JSON.parse(quoted)],
      ],
    );
    const warnings = messages.filter((m) => m.type === "LOG").map((m) => m.log!);
    assert.deepEqual(warnings, [
      {
        level: "WARN",
        message:
          'Stream "/group/a" has a message of JSON nested deeper than 100 levels: its message_json is null, as for such messages from now on (the message keeps the text), since many JSON readers refuse that depth.',
      },
    ]);
    // The single stream (or a custom report) has a sink per log group: its WARN names the group.
    const single = (await sinkBytes(events, true, "log_events", "/group/b")).toString("utf8").split("\n");
    assert.deepEqual(
      single.filter((l) => l.includes('"LOG"')).map((l) => (JSON.parse(l) as AirbyteMessage).log?.message),
      [
        'Stream "log_events" has a message from log group "/group/b" of JSON nested deeper than 100 levels: its message_json is null, as for such messages from now on (the message keeps the text), since many JSON readers refuse that depth.',
      ],
    );
  });

  test("escapes unpaired surrogates, which UTF-8 output would turn into U+FFFD", async () => {
    const message = '{"s":"\ud800","t":"x\udfff"}';
    assert.ok(!(await outputBytes(message)).includes(Buffer.from("\uFFFD")), "no replacement character in the output");
    const line = await recordLine(message);
    assert.ok(line.endsWith(`,"message_json":{"s":"\\ud800","t":"x\\udfff"}},"emitted_at":1}}\n`), line);
    const data = (JSON.parse(line) as { record: { data: { message: string; message_json: { s: string; t: string } } } })
      .record.data;
    assert.deepEqual(data.message_json, { s: "\ud800", t: "x\udfff" });
  });

  test("keeps a multi-line JSON message on one line: its line breaks between tokens become spaces", async () => {
    const message = '\n{\n  "a": [1,\r\n 2]\r}\n';
    const lines = (await outputBytes(message)).toString("utf8").split("\n");
    assert.deepEqual(
      lines.map((l) => (l === "" ? "" : (JSON.parse(l) as { type: string }).type)),
      ["TRACE", "RECORD", ""],
    );
    const text = await recordLine(message);
    assert.ok(text.endsWith(`,"message_json":{   "a": [1,   2] }},"emitted_at":1}}\n`), text);
  });
});

describe("records sink lines", () => {
  test("an event is written field by field, in the order of the record's schema", async () => {
    const event = { eventId: "e\n1", message: 'say "hi"', ingestionTime: 20, timestamp: 10, logStreamName: "s/1" };
    assert.deepEqual(await recordData([event, event], false), [
      '{"logGroupName":"/group/a","logStreamName":"s/1","timestamp":10,"ingestionTime":20,"message":"say \\"hi\\"","eventId":"e\\n1"}',
      '{"logGroupName":"/group/a","logStreamName":"s/1","timestamp":10,"ingestionTime":20,"message":"say \\"hi\\"","eventId":"e\\n1"}',
    ]);
    assert.deepEqual(await recordData([{ ...event, message: "{}" }], true), [
      '{"logGroupName":"/group/a","logStreamName":"s/1","timestamp":10,"ingestionTime":20,"message":"{}","eventId":"e\\n1","message_json":{}}',
    ]);
  });

  test("an event that gives its JSON members has them written as they are, after its log group", async () => {
    const members = '"message":"m","eventId":"1","timestamp":1,"logStreamName":"s","ingestionTime":2';
    const event = { logStreamName: "s", timestamp: 1, ingestionTime: 2, message: "m", eventId: "1" };
    assert.deepEqual(await recordData([{ ...event, jsonMembers: () => members }], false), [
      `{"logGroupName":"/group/a",${members}}`,
    ]);
    assert.deepEqual(await recordData([{ ...event, jsonMembers: () => undefined }], false), [
      '{"logGroupName":"/group/a","logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"m","eventId":"1"}',
    ]);
  });
});
