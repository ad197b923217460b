// Both sinks driven by the stream reader against a fake LogsApi: the records sink's records are the
// events; the file sink writes one raw file per log stream and UTC day, announces each file once it
// is whole, and never lets the state pass a file it has not announced.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import type { LogEvent } from "../../src/domain/logs.js";
import { DAY_MS } from "../../src/domain/time.js";
import { fileSegment } from "../../src/sinks/file-names.js";
import { fileSink } from "../../src/sinks/files.js";
import { recordSink } from "../../src/sinks/records.js";
import { FakeLogsApi, evenly, type FakeEvent } from "../support/fake-logs-api.js";
import {
  CapturedOutput,
  freshRange,
  recordsOf,
  runEngine,
  sourceFor,
  statesOf,
  statusesOf,
  uncoveredState,
} from "../support/engine-harness.js";

const G = "/app/orders";

describe("records sink, read by the engine", () => {
  test("one RECORD per event with the event's fields and message_json, after RUNNING; state counts match", async () => {
    const messages = ['{"order":1,"total":9007199254740993}', "plain text", '{"nested":{"a":[1,2]}}', "[1,2]"];
    const events: FakeEvent[] = [...evenly(0, 200, 7, "web-1"), ...evenly(3, 200, 7, "web/2")].map((e, i) => ({
      ...e,
      message: messages[i % messages.length]!,
      ingestionTime: e.timestamp + 50,
    }));
    const api = new FakeLogsApi({ groups: { [G]: events }, pageSize: 16 });
    const output = new CapturedOutput();
    await runEngine({
      api,
      output,
      workers: 2,
      streams: [
        {
          source: sourceFor(G, "orders"),
          range: freshRange(0, 2000),
          sink: (emitter) => recordSink(emitter, "orders", G, true),
        },
      ],
    });
    const out = output.messages();
    const expected = api.eventsOf(G).map((e) => ({
      logGroupName: G,
      ...e,
      message_json: e.message.startsWith("{") ? JSON.parse(e.message) : null,
    }));
    const byId = (a: { eventId?: unknown }, b: { eventId?: unknown }) =>
      String(a.eventId).localeCompare(String(b.eventId));
    assert.deepEqual([...recordsOf(out, "orders")].sort(byId), expected.sort(byId));
    // The big number is the message's own text, not a rounded JS number.
    assert.ok(output.text.includes('"message_json":{"order":1,"total":9007199254740993}'));
    const firstRecord = out.findIndex((m) => m.type === "RECORD");
    const running = out.findIndex((m) => m.trace?.stream_status?.status === "RUNNING");
    assert.ok(running >= 0 && running < firstRecord);
    assert.deepEqual(statusesOf(out, "orders"), ["STARTED", "RUNNING", "COMPLETE"]);
    const counted = out
      .filter((m) => m.type === "STATE")
      .reduce((n, m) => n + (m.state!.sourceStats?.recordCount ?? 0), 0);
    assert.equal(counted, events.length);
    assert.equal(uncoveredState(out, "orders", api.eventsOf(G)), undefined);
  });
});

describe("file sink, read by the engine", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = () => {
    const d = mkdtempSync(join(tmpdir(), "engine-files-"));
    dirs.push(d);
    return d;
  };

  const DAY0 = Date.UTC(2026, 10, 20);
  // From 06:00 on day 0 to 12:00 on day 2; events every 10 minutes in two log streams.
  const RANGE = freshRange(DAY0 + 6 * 3_600_000, DAY0 + 2 * DAY_MS + 12 * 3_600_000);
  const events = (): FakeEvent[] => [
    ...evenly(RANGE.start, 360, 600_000, "app/web-1"),
    ...evenly(RANGE.start + 1000, 360, 600_000, "worker 2"),
  ];

  interface FileRecord {
    readonly index: number;
    readonly data: Record<string, unknown>;
    readonly reference: { staging_file_url: string; source_file_relative_path: string; file_size_bytes: number };
  }

  const fileRecords = (messages: readonly AirbyteMessage[]): FileRecord[] =>
    messages.flatMap((m, index) =>
      m.type === "RECORD"
        ? [{ index, data: m.record!.data, reference: m.record!.file_reference as FileRecord["reference"] }]
        : [],
    );

  /** The first STATE claiming an event that no file announced before it holds; undefined when none. */
  const uncoveredByFiles = (messages: readonly AirbyteMessage[], events: readonly LogEvent[]): string | undefined => {
    const announced: Record<string, unknown>[] = [];
    for (const m of messages) {
      if (m.type === "RECORD") announced.push(m.record!.data);
      const watermark = m.type === "STATE" ? statesOf([m], "orders")[0]! : undefined;
      if (watermark === undefined) continue;
      const missing = events.find(
        (e) =>
          e.timestamp < watermark &&
          !announced.some(
            (f) =>
              f.logStreamName === e.logStreamName &&
              (f.first_event_timestamp as number) <= e.timestamp &&
              e.timestamp <= (f.last_event_timestamp as number),
          ),
      );
      if (missing) return `STATE ${watermark} before a file with the event at ${missing.timestamp}`;
    }
    return undefined;
  };

  const run = async (directory: string, api: FakeLogsApi, signal?: AbortSignal) => {
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 2,
      signal,
      streams: [
        {
          source: sourceFor(G, "orders"),
          range: RANGE,
          sink: (emitter) =>
            fileSink({ emitter, stream: "orders", logGroupName: G, directory, rangeStart: RANGE.start, now: () => 0 }),
        },
      ],
    });
    return { output, ends, messages: output.messages() };
  };

  test("one file per log stream and UTC day, its lines the messages; each announced once, whole", async () => {
    const directory = tempDir();
    const api = new FakeLogsApi({ groups: { [G]: events() }, pageSize: 10 });
    // A file left by a crashed attempt at the same range is replaced, not appended to.
    const firstPath = join(directory, fileSegment("app/web-1"), "2026-11-20", `${RANGE.start}.log`);
    mkdirSync(dirname(firstPath), { recursive: true });
    writeFileSync(firstPath, "left by a crashed attempt\n");
    const { messages } = await run(directory, api);
    assert.ok(api.windowsRequested().length > 3, "several windows, so the state moves during the read");
    const files = fileRecords(messages);
    const expectedFiles = ["app/web-1", "worker 2"].flatMap((logStreamName) =>
      [0, 1, 2].map((d) => {
        const day = DAY0 + d * DAY_MS;
        const coverageStart = Math.max(day, RANGE.start);
        const inFile = api
          .eventsOf(G)
          .filter((e) => e.logStreamName === logStreamName && e.timestamp >= day && e.timestamp < day + DAY_MS)
          .filter((e) => e.timestamp < RANGE.end);
        return {
          file_relative_path: `${fileSegment(logStreamName)}/${new Date(day).toISOString().slice(0, 10)}/${coverageStart}.log`,
          logStreamName,
          content: inFile.map((e) => `${e.message}\n`).join(""),
          event_count: inFile.length,
          first_event_timestamp: inFile[0]!.timestamp,
          last_event_timestamp: inFile.at(-1)!.timestamp,
        };
      }),
    );
    assert.deepEqual(
      files.map((f) => f.data.file_relative_path).sort(),
      expectedFiles.map((f) => f.file_relative_path).sort(),
      "each file announced once",
    );
    for (const want of expectedFiles) {
      const got = files.find((f) => f.data.file_relative_path === want.file_relative_path)!;
      const absolute = join(directory, want.file_relative_path);
      assert.equal(readFileSync(absolute, "utf8"), want.content, want.file_relative_path);
      const size = statSync(absolute).size;
      assert.deepEqual(got.data, {
        file_relative_path: want.file_relative_path,
        file_size_bytes: size,
        logGroupName: G,
        logStreamName: want.logStreamName,
        date: want.file_relative_path.split("/")[1],
        event_count: want.event_count,
        first_event_timestamp: want.first_event_timestamp,
        last_event_timestamp: want.last_event_timestamp,
      });
      assert.deepEqual(got.reference, {
        staging_file_url: absolute,
        source_file_relative_path: want.file_relative_path,
        file_size_bytes: size,
      });
    }
    // No state passes a file before it is announced: at each STATE, every file still to come
    // starts at or after it.
    const states = messages.flatMap((m, index) =>
      m.type === "STATE" ? [{ index, watermark: statesOf([m], "orders")[0]! }] : [],
    );
    assert.ok(states.length > 2, `states: ${states.map((s) => s.watermark)}`);
    for (const s of states) {
      for (const f of files.filter((x) => x.index > s.index)) {
        const coverageStart = Number(String(f.data.file_relative_path).split("/")[2]!.replace(".log", ""));
        assert.ok(coverageStart >= s.watermark, `STATE ${s.watermark} before ${f.data.file_relative_path}`);
      }
    }
    assert.equal(uncoveredByFiles(messages, api.eventsOf(G)), undefined);
    // Day 0's files are announced, and the state moves past them, before the read ends.
    assert.ok(states.some((s) => s.watermark >= DAY0 + DAY_MS && s.index < files.at(-1)!.index));
    assert.equal(states.at(-1)!.watermark, RANGE.end);
    assert.deepEqual(statusesOf(messages, "orders"), ["STARTED", "RUNNING", "COMPLETE"]);
  });

  test("the file sink reads one window at a time, in time order", async () => {
    const api = new FakeLogsApi({ groups: { [G]: events() }, pageSize: 10 });
    await run(tempDir(), api);
    assert.equal(api.maxInFlight, 1);
    const starts = api.windowsRequested().map((w) => w.start);
    assert.deepEqual(
      starts.slice(1),
      [...starts.slice(1)].sort((a, b) => a - b),
    );
  });

  test("a failed read: the state stays before the failure, and each announced file holds what its record says", async () => {
    const api = new FakeLogsApi({ groups: { [G]: events() }, pageSize: 10 });
    const failAt = RANGE.start + DAY_MS;
    api.failWhen((r) => r.startTime >= failAt, new Error("scripted failure"));
    const directory = tempDir();
    const { messages, ends } = await run(directory, api);
    assert.ok(ends[0]!.failure instanceof Error);
    const files = fileRecords(messages);
    const failed = api.requests.find((r) => r.outcome === "failed")!;
    const last = statesOf(messages, "orders").at(-1)!;
    assert.ok(last <= failed.request.startTime, `state ${last}, failed window from ${failed.request.startTime}`);
    assert.equal(uncoveredByFiles(messages, api.eventsOf(G)), undefined);
    for (const f of files) {
      const content = readFileSync(f.reference.staging_file_url, "utf8");
      assert.equal(content.split("\n").length - 1, f.data.event_count);
    }
    assert.equal(statusesOf(messages, "orders").at(-1), "INCOMPLETE");
  });
});
