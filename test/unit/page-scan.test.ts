// The page scan against JSON.parse: the same events from every page it accepts, and a refusal
// (so the caller falls back to JSON.parse) for every page it does not expect.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { Emitter } from "../../src/airbyte/emitter.js";
import { PageEvent, hasControlAscii, scanFilterPage } from "../../src/aws/page-scan.js";
import { recordSink } from "../../src/sinks/records.js";
import type { LogEvent } from "../../src/domain/logs.js";
import { prng } from "../support/prng.js";

interface Event {
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
  eventId: string;
}

const TRICKY = [
  '"',
  "\\",
  "}",
  "{",
  "]",
  "[",
  ",",
  ":",
  '},{"',
  '\\"',
  "\n",
  "\t",
  "\u0000",
  "\u001f",
  "é",
  "😀",
  "\ud800",
  "/",
  " ",
  "a",
  '{"k":1}',
  "\\u0041",
];

function text(rand: () => number, max: number): string {
  let s = "";
  const n = Math.floor(rand() * max);
  for (let i = 0; i < n; i++)
    s += rand() < 0.5 ? TRICKY[Math.floor(rand() * TRICKY.length)] : String.fromCharCode(32 + Math.floor(rand() * 95));
  return s;
}

function shuffled<T>(rand: () => number, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** JSON text of a value with keys in random order; `spaced` as Python's json.dumps (moto) writes it. */
function dump(rand: () => number, value: unknown, spaced: boolean): string {
  if (Array.isArray(value)) return `[${value.map((v) => dump(rand, v, spaced)).join(spaced ? ", " : ",")}]`;
  if (value !== null && typeof value === "object") {
    const members = shuffled(rand, Object.entries(value)).map(
      ([k, v]) => `${JSON.stringify(k)}${spaced ? ": " : ":"}${dump(rand, v, spaced)}`,
    );
    return `{${members.join(spaced ? ", " : ",")}}`;
  }
  return JSON.stringify(value);
}

function fields(e: LogEvent): Event {
  return {
    logStreamName: e.logStreamName,
    timestamp: e.timestamp,
    ingestionTime: e.ingestionTime,
    message: e.message,
    eventId: e.eventId,
  };
}

function randomPage(rand: () => number): {
  events: Event[];
  nextToken?: string | null;
  searchedLogStreams?: unknown[];
} {
  const events: Event[] = [];
  const n = Math.floor(rand() * 30);
  for (let i = 0; i < n; i++) {
    events.push({
      logStreamName: text(rand, 6) || "s",
      timestamp: Math.floor(rand() * 2e12),
      ingestionTime: Math.floor(rand() * 2e12),
      message: text(rand, 40),
      eventId: String(Math.floor(rand() * 1e15)).padStart(56, "0"),
    });
  }
  const page: { events: Event[]; nextToken?: string | null; searchedLogStreams?: unknown[] } = { events };
  const r = rand();
  if (r < 0.4) page.nextToken = `tok/${text(rand, 12)}`;
  else if (r < 0.5) page.nextToken = null;
  if (rand() < 0.5)
    page.searchedLogStreams = [
      { logStreamName: text(rand, 5), searchedCompletely: rand() < 0.5 },
      { nested: [[{}], { a: [1, "]}"] }] },
    ];
  return page;
}

/** Records of the events as the records sink writes them, parsed back. */
async function recordsOf(events: readonly LogEvent[], parseJsonMessages: boolean): Promise<unknown[]> {
  let out = "";
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString();
      cb();
    },
  });
  const emitter = new Emitter(
    sink,
    (t) => t,
    () => 1,
  );
  await recordSink(emitter, "stream", "/group/a", parseJsonMessages).deliver(events);
  await emitter.flush();
  const messages = out
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string; record?: { data: unknown } });
  return messages.filter((m) => m.type === "RECORD").map((m) => m.record!.data);
}

describe("FilterLogEvents page scan", () => {
  test("reads the same events and next token as JSON.parse, whatever the key order, spacing and string contents", () => {
    const rand = prng(20261125);
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      const page = randomPage(rand);
      const body = dump(rand, page, i % 2 === 1);
      const scanned = scanFilterPage(body);
      const parsed = JSON.parse(body) as { events: Event[]; nextToken?: string | null };
      // Raw control characters never reach the text: JSON.stringify escapes them.
      assert.ok(scanned, `page ${i} was accepted: ${body.slice(0, 200)}`);
      accepted++;
      assert.deepEqual(scanned.events.map(fields), parsed.events, `page ${i}`);
      assert.equal(scanned.nextToken, parsed.nextToken ?? undefined, `page ${i} next token`);
      for (const [j, e] of scanned.events.entries()) {
        assert.ok(e.plain, `page ${i} event ${j} has exactly the five fields`);
        assert.deepEqual(
          JSON.parse(`{${e.jsonMembers()}}`),
          parsed.events[j],
          `page ${i} event ${j}: its members are its JSON`,
        );
      }
    }
    assert.equal(accepted, 400);
  });

  test("escapes as AWS and moto write them decode as JSON.parse decodes them", () => {
    const body = String.raw`{"events":[{"logStreamName":"s\/1","timestamp":1,"ingestionTime":2,"message":"caf\u00e9 \ud83d\ude00 \"q\" \\ \b\f\n\r\t \u0000","eventId":"e\u0031"}],"searchedLogStreams":[]}`;
    const scanned = scanFilterPage(body);
    assert.ok(scanned);
    assert.deepEqual(scanned.events.map(fields), (JSON.parse(body) as { events: Event[] }).events);
    assert.equal(scanned.nextToken, undefined);
  });

  test("an event with another field is read, but not reused as it came", () => {
    const body = `{"events":[{"logStreamName":"s","timestamp":1,"extra":{"a":[1,"}"]},"ingestionTime":2,"message":"m","eventId":"e"}]}`;
    const scanned = scanFilterPage(body);
    assert.ok(scanned);
    assert.equal(scanned.events[0]!.plain, false);
    assert.equal(scanned.events[0]!.jsonMembers(), undefined, "no members to reuse");
    assert.deepEqual(fields(scanned.events[0]!), {
      logStreamName: "s",
      timestamp: 1,
      ingestionTime: 2,
      message: "m",
      eventId: "e",
    });
    const twice = scanFilterPage(
      `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"m","message":"n","eventId":"e"}]}`,
    );
    assert.equal(twice?.events[0]?.plain, false, "a repeated field");
    assert.equal(twice?.events[0]?.jsonMembers(), undefined, "a repeated field: no members to reuse");
    assert.equal(twice?.events[0]?.message, "n", "the last of a repeated field counts, as in JSON.parse");
  });

  test("declines every page it does not expect, so JSON.parse reads it instead", () => {
    const ok = `{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"m","eventId":"e"}`;
    assert.ok(scanFilterPage(`{"events":[${ok}]}`), "the baseline is accepted");
    const declined: Record<string, string> = {
      "a missing field": `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"eventId":"e"}]}`,
      "a null field": `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":null,"eventId":"e"}]}`,
      "a fractional timestamp": `{"events":[{"logStreamName":"s","timestamp":1.5,"ingestionTime":2,"message":"m","eventId":"e"}]}`,
      "an exponent": `{"events":[{"logStreamName":"s","timestamp":1e3,"ingestionTime":2,"message":"m","eventId":"e"}]}`,
      "a timestamp as a string": `{"events":[{"logStreamName":"s","timestamp":"1","ingestionTime":2,"message":"m","eventId":"e"}]}`,
      "a raw newline in a message": `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"a\nb","eventId":"e"}]}`,
      "a newline between tokens": `{"events":\n[${ok}]}`,
      "an invalid escape": String.raw`{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"a\xb","eventId":"e"}]}`,
      "a short unicode escape": String.raw`{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"a\u12","eventId":"e"}]}`,
      "a truncated page": `{"events":[${ok}`,
      "an unterminated string": `{"events":[{"logStreamName":"s`,
      "trailing text": `{"events":[${ok}]}x`,
      "events not an array": `{"events":{}}`,
      "an event not an object": `{"events":[1]}`,
      "a nested event field": `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":{"m":1},"eventId":"e"}]}`,
      "a next token not a string": `{"events":[],"nextToken":5}`,
      "an empty next token": `{"events":[],"nextToken":""}`,
      "a missing comma": `{"events":[${ok}${ok}]}`,
      "an array page": `[${ok}]`,
      "an empty text": "",
    };
    for (const [what, body] of Object.entries(declined)) assert.equal(scanFilterPage(body), undefined, what);
    // Not pages at all: an empty object or an error body answered with HTTP 200 by a proxy.
    assert.equal(scanFilterPage("{}"), undefined, "an empty object");
    assert.equal(scanFilterPage(`{"nextToken":"t"}`), undefined, "no events array");
    assert.equal(
      scanFilterPage(`{"__type":"ServiceUnavailableException","message":"try again"}`),
      undefined,
      "an error body",
    );
    assert.equal(scanFilterPage(`{"events":[],"__type":"X"}`), undefined, "an unknown member");
    assert.equal(scanFilterPage(`{"events":[],"events":[${ok}]}`), undefined, "events twice");
    assert.deepEqual(scanFilterPage(`{"events":[]}`), { events: [], nextToken: undefined }, "an empty page");
  });

  test("records from scanned events equal records from parsed events, with and without message_json", async () => {
    const rand = prng(7);
    for (let i = 0; i < 40; i++) {
      const page = randomPage(rand);
      page.events.push({
        logStreamName: "s",
        timestamp: 5,
        ingestionTime: 6,
        message: ' {"level":"info","n":[1,2]} ',
        eventId: "x",
      });
      const body = dump(rand, page, i % 2 === 0);
      const scanned = scanFilterPage(body)!.events;
      assert.ok(scanned.every((e) => e instanceof PageEvent));
      const parsed = (JSON.parse(body) as { events: Event[] }).events;
      for (const json of [false, true])
        assert.deepEqual(
          await recordsOf(scanned, json),
          await recordsOf(parsed, json),
          `page ${i}, parse_json_messages ${json}`,
        );
    }
  });
});

test("hasControlAscii finds a control character at any position and alignment, and nothing else", () => {
  const base = Buffer.alloc(64, 0x61);
  for (let offset = 0; offset < 4; offset++)
    for (let length = 0; length < 20; length++) {
      const bytes = base.subarray(offset, offset + length);
      assert.equal(hasControlAscii(bytes), false, `no control in ${length} bytes at offset ${offset}`);
      for (let at = 0; at < length; at++)
        for (const c of [0, 9, 10, 31]) {
          bytes[at] = c;
          assert.equal(hasControlAscii(bytes), true, `byte ${c} at ${at} of ${length}, offset ${offset}`);
          bytes[at] = 0x61;
        }
    }
  // Every other ASCII byte, at every alignment of a word.
  const printable = Buffer.from(Array.from({ length: 96 }, (_, i) => 32 + i));
  for (let offset = 0; offset < 4; offset++) assert.equal(hasControlAscii(printable.subarray(offset)), false);
});

test("a page whose bytes were found free of control characters is scanned as without the hint", () => {
  const body = `{"events":[{"logStreamName":"s","timestamp":1,"message":"m","ingestionTime":2,"eventId":"e"}],"nextToken":"t"}`;
  const hinted = scanFilterPage(body, true);
  const plain = scanFilterPage(body);
  assert.ok(hinted && plain);
  assert.deepEqual(
    hinted.events.map((e) => e.jsonMembers()),
    plain.events.map((e) => e.jsonMembers()),
  );
  assert.equal(hinted.nextToken, "t");
});

/** The bytes the records sink writes for these events, emitted_at fixed. */
async function recordBytes(
  deliveries: readonly (readonly LogEvent[])[],
  parseJsonMessages: boolean,
  accountId?: string,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.from(chunk));
      cb();
    },
  });
  const emitter = new Emitter(
    sink,
    (t) => t,
    () => 1,
  );
  const records = recordSink(emitter, "stream", "/group/a", parseJsonMessages, accountId);
  for (const events of deliveries) {
    await records.deliver(events);
    emitter.state("stream", { n: events.length });
  }
  await emitter.flush();
  return Buffer.concat(chunks);
}

/** JSON text with every character past ASCII escaped, as the page of an ASCII body. */
const asciiJson = (json: string): string =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

test("records of a page of ASCII bytes, copied as bytes, are the same bytes as records built as text", async () => {
  const rand = prng(14);
  const extra: Event[] = [
    {
      logStreamName: "s",
      timestamp: 5,
      ingestionTime: 6,
      message: ' {"big":9007199254740993,"a":1,"a":2} ',
      eventId: "x",
    },
    {
      logStreamName: "s",
      timestamp: 5,
      ingestionTime: 6,
      message: '{"e":"caf\u00e9 \ud83d\ude00","s":"\ud800"}',
      eventId: "y",
    },
    { logStreamName: "s", timestamp: 5, ingestionTime: 6, message: '\n{"a":\r\n[1]}', eventId: "z" },
    // Larger than a slice of output on its own.
    { logStreamName: "s", timestamp: 5, ingestionTime: 6, message: `{"long":"${"é\\".repeat(40_000)}"}`, eventId: "w" },
  ];
  let copied = 0;
  for (let i = 0; i < 30; i++) {
    const pages = [randomPage(rand), randomPage(rand), randomPage(rand)];
    // Some pages larger than a slice of output (64 KB), to cross slice boundaries.
    if (i % 5 === 0)
      for (let k = 0; k < 600; k++) pages[1]!.events.push(...pages[0]!.events.slice(0, 1), extra[k % 3]!);
    if (i % 10 === 0) pages[2]!.events.push(extra[3]!);
    const bodies = pages.map((p) => asciiJson(dump(rand, p, i % 2 === 0)));
    const asBytes = bodies.map((b) => {
      assert.ok(
        Buffer.from(b).every((c) => c >= 32 && c < 128),
        "an ASCII body without control characters",
      );
      return scanFilterPage(b, true)!.events;
    });
    const asText = bodies.map((b) => scanFilterPage(b)!.events);
    const parsed = bodies.map((b) => (JSON.parse(b) as { events: Event[] }).events);
    copied += asBytes.flat().filter((e) => e.asciiJsonMembers() !== undefined).length;
    assert.ok(
      asText.flat().every((e) => e.asciiJsonMembers() === undefined),
      "text of unknown bytes is not copied",
    );
    for (const json of [false, true])
      for (const accountId of [undefined, "123456789012"]) {
        const expected = await recordBytes(asText, json, accountId);
        const records = (b: Buffer) =>
          b
            .toString()
            .split("\n")
            .filter((l) => l.includes('"RECORD"'))
            .map((l) => JSON.parse(l));
        assert.deepEqual(records(expected), records(await recordBytes(parsed, json, accountId)), `pages ${i}`);
        assert.ok(
          expected.equals(await recordBytes(asBytes, json, accountId)),
          `pages ${i}, parse_json_messages ${json}, account ${accountId}: the same bytes`,
        );
      }
  }
  assert.ok(copied > 1000, `${copied} events copied as bytes`);
});

test("a page of ASCII bytes with an event of other fields is written as text, the same records", async () => {
  const body = `{"events":[{"logStreamName":"s","timestamp":1,"ingestionTime":2,"message":"m","eventId":"e"},{"logStreamName":"s","timestamp":1,"extra":1,"ingestionTime":2,"message":"m","eventId":"f"}]}`;
  const events = scanFilterPage(body, true)!.events;
  assert.equal(events[0]!.asciiJsonMembers(), events[0]!.jsonMembers());
  assert.equal(events[1]!.asciiJsonMembers(), undefined);
  assert.ok((await recordBytes([events], false)).equals(await recordBytes([scanFilterPage(body)!.events], false)));
});
