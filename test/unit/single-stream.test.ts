// stream_layout single_stream against a fake LogsApi: one stream log_events for every log group,
// its state one watermark per group, written at most once per interval of the injected clock.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ConfiguredStream } from "../../src/airbyte/configured-catalog.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import { parseState } from "../../src/airbyte/state.js";
import type { CommandContext } from "../../src/commands/context.js";
import { read } from "../../src/commands/read.js";
import { discover } from "../../src/commands/discover.js";
import { parseConfig } from "../../src/config/config.js";
import { DAY_MS } from "../../src/domain/time.js";
import { GROUP_STATES_INTERVAL_MS, GroupStates } from "../../src/engine/group-states.js";
import { Cancelled } from "../../src/engine/cancel.js";
import { CapturedOutput, recordsOf, statusesOf } from "../support/engine-harness.js";
import { FakeClock, FakeLogsApi, type FakeEvent, type FakeLogsApiOptions, evenly } from "../support/fake-logs-api.js";

const ALL = "log_events";
const NOW = 5_000 * DAY_MS;

interface Run {
  readonly api: FakeLogsApi;
  readonly output: CapturedOutput;
  readonly clock: FakeClock;
  readonly ok: boolean;
  readonly messages: AirbyteMessage[];
}

async function runSingle(
  groups: Record<string, readonly FakeEvent[]>,
  options: {
    state?: unknown;
    config?: Record<string, unknown>;
    catalog?: readonly ConfiguredStream[];
    setup?: (api: FakeLogsApi, clock: FakeClock) => void;
    groupInfo?: FakeLogsApiOptions["groupInfo"];
    /** The clock's time (default NOW). */
    at?: number;
    signal?: AbortSignal;
  } = {},
): Promise<Run> {
  const clock = new FakeClock(options.at ?? NOW);
  const api = new FakeLogsApi({ groups, clock, pageSize: 50, groupInfo: options.groupInfo ?? {} });
  options.setup?.(api, clock);
  const output = new CapturedOutput(clock.now);
  const config = parseConfig({
    region_name: "us-east-1",
    stream_layout: "single_stream",
    ingestion_delay_seconds: 0,
    max_concurrency: 2,
    ...options.config,
  });
  const ctx: CommandContext = {
    config,
    api,
    emitter: output.emitter,
    now: clock.now,
    stagingDirectory: "/nonexistent",
  };
  const catalog = options.catalog ?? [{ name: ALL, syncMode: "incremental", cursorField: undefined }];
  const ok = await read(ctx, {
    catalog,
    state: parseState(options.state),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { api, output, clock, ok, messages: output.messages() };
}

type GroupsBlob = { log_groups: Record<string, { timestamp: number }> };

function groupStates(messages: readonly AirbyteMessage[]): GroupsBlob[] {
  return messages
    .filter((m) => m.type === "STATE" && m.state?.stream?.stream_descriptor.name === ALL)
    .map((m) => m.state!.stream!.stream_state as GroupsBlob);
}

function lastGroupState(messages: readonly AirbyteMessage[]): Record<string, number> {
  const last = groupStates(messages).at(-1);
  assert.ok(last, "a STATE of log_events");
  return Object.fromEntries(Object.entries(last.log_groups).map(([g, s]) => [g, s.timestamp]));
}

function keys(records: readonly Record<string, unknown>[]): string[] {
  return records.map((r) => `${String(r.logGroupName)}|${String(r.logStreamName)}|${String(r.eventId)}`).sort();
}

function expectedKeys(api: FakeLogsApi, group: string, from = 0, to = Number.POSITIVE_INFINITY): string[] {
  return api
    .eventsOf(group)
    .filter((e) => e.timestamp >= from && e.timestamp < to)
    .map((e) => `${group}|${e.logStreamName}|${e.eventId}`);
}

/** A state as the connector writes it, for the next read. */
function stateOf(groups: Record<string, number>): unknown {
  const log_groups = Object.fromEntries(Object.entries(groups).map(([g, t]) => [g, { timestamp: t }]));
  return [{ type: "STREAM", stream: { stream_descriptor: { name: ALL }, stream_state: { log_groups } } }];
}

const T0 = NOW - 2 * DAY_MS;

describe("single stream: records and combined state", () => {
  test("every group's events in log_events, each group from its own state; a vanished group kept until beyond any retention", async () => {
    const groups = {
      "/a": evenly(T0, 120, 60_000),
      "/b": evenly(T0, 80, 90_000, "s-b"),
      "/c": [{ timestamp: T0 + 5, logStreamName: "x" }],
    };
    const midA = T0 + 60 * 60_000;
    const recent = NOW - 30 * DAY_MS;
    const ancient = NOW - 3700 * DAY_MS;
    const run = await runSingle(groups, { state: stateOf({ "/a": midA, "/gone": recent, "/ancient": ancient }) });
    assert.equal(run.ok, true);
    assert.deepEqual(statusesOf(run.messages, ALL), ["STARTED", "RUNNING", "COMPLETE"]);
    const got = keys(recordsOf(run.messages, ALL));
    const want = [
      ...expectedKeys(run.api, "/a", midA),
      ...expectedKeys(run.api, "/b"),
      ...expectedKeys(run.api, "/c"),
    ].sort();
    assert.deepEqual(got, want);
    // A group without state is read from its earliest possible event; /a from its watermark only.
    assert.ok(run.api.windowsRequested("/a").every((w) => w.start >= midA));
    assert.deepEqual(lastGroupState(run.messages), { "/a": NOW, "/b": NOW, "/c": NOW, "/gone": recent });
    // One STATE: the clock did not move, so no interval passed before the end.
    assert.equal(groupStates(run.messages).length, 1);
    assert.equal(run.messages.filter((m) => m.type === "STATE").at(-1)!.state!.sourceStats!.recordCount, want.length);
  });

  test("full refresh ignores the stored state and reads every group from its start", async () => {
    const groups = { "/a": evenly(T0, 10, 1000) };
    const run = await runSingle(groups, {
      state: stateOf({ "/a": NOW - 1000, "/gone": NOW - DAY_MS }),
      catalog: [{ name: ALL, syncMode: "full_refresh", cursorField: undefined }],
    });
    assert.deepEqual(keys(recordsOf(run.messages, ALL)), expectedKeys(run.api, "/a").sort());
    assert.deepEqual(lastGroupState(run.messages), { "/a": NOW });
  });

  test("ties at the watermark millisecond: the next read delivers them, never twice", async () => {
    const t = NOW - 1000;
    const groups = {
      "/a": [
        { timestamp: t - 1, logStreamName: "s1" },
        { timestamp: t, logStreamName: "s1" },
        { timestamp: t, logStreamName: "s2" },
      ],
    };
    const run = await runSingle(groups, { state: stateOf({ "/a": t }) });
    assert.deepEqual(keys(recordsOf(run.messages, ALL)), expectedKeys(run.api, "/a", t).sort());
    assert.equal(recordsOf(run.messages, ALL).length, 2);
  });

  test("late data per group: missed without lookback, delivered by the lookback of the next read", async () => {
    const late = { timestamp: NOW - 30_000, logStreamName: "s", ingestionTime: NOW + 60_000, message: "late" };
    const groups = { "/a": [...evenly(T0, 5, 1000), late], "/b": evenly(T0, 5, 1000) };
    const first = await runSingle(groups);
    assert.equal(recordsOf(first.messages, ALL).length, 10, "not ingested yet");
    const state = stateOf(lastGroupState(first.messages));
    const later = NOW + 10 * 60_000;
    const without = await runSingle(groups, { state, at: later });
    assert.equal(recordsOf(without.messages, ALL).length, 0, "below the watermark: missed without lookback");
    const withLookback = await runSingle(groups, { state, at: later, config: { lookback_window_minutes: 1 } });
    assert.deepEqual(
      recordsOf(withLookback.messages, ALL).map((r) => [r.logGroupName, r.message]),
      [["/a", "late"]],
    );
  });

  test("a custom report stays a stream of its own beside log_events, with its own state", async () => {
    const groups = { "/a": evenly(T0, 6, 1000), "/b": evenly(T0, 4, 1000) };
    const run = await runSingle(groups, {
      config: { custom_log_reports: [{ name: "/b", log_group_name: "/a", log_stream_names: ["stream-1"] }] },
      catalog: [
        { name: ALL, syncMode: "incremental", cursorField: undefined },
        { name: "/b", syncMode: "incremental", cursorField: undefined },
      ],
    });
    assert.equal(run.ok, true);
    assert.equal(recordsOf(run.messages, ALL).length, 10);
    assert.deepEqual(
      recordsOf(run.messages, "/b").map((r) => r.logGroupName),
      Array(6).fill("/a"),
      "the report named like a log group reads its own log group",
    );
    assert.deepEqual(statusesOf(run.messages, "/b"), ["STARTED", "RUNNING", "COMPLETE"]);
    const reportState = run.messages.filter(
      (m) => m.type === "STATE" && m.state?.stream?.stream_descriptor.name === "/b",
    );
    const { report_definition, ...watermark } = reportState.at(-1)!.state!.stream!.stream_state as Record<
      string,
      unknown
    >;
    // The fake API's groups have no ARN (no origin) and a creation time of 0.
    assert.deepEqual(watermark, { timestamp: NOW, log_group_creation_time: 0 });
    assert.match(String(report_definition), /^sha256:[0-9a-f]{16}$/, "what the report selects");
  });

  test("a failing group makes log_events INCOMPLETE; the other groups' progress is in the state", async () => {
    const groups = { "/a": evenly(T0, 10, 1000), "/b": evenly(T0, 10, 1000), "/c": evenly(T0, 10, 1000) };
    const denied = Object.assign(new Error("not authorized"), { name: "AccessDeniedException" });
    const run = await runSingle(groups, {
      state: stateOf({ "/b": T0 + 3000 }),
      setup: (api) => api.failWhen((r) => r.logGroupName === "/b", denied, 100),
    });
    assert.equal(run.ok, false);
    assert.deepEqual(statusesOf(run.messages, ALL).at(-1), "INCOMPLETE");
    const errors = run.messages.filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR");
    assert.equal(errors.length, 1);
    assert.match(errors[0]!.trace!.error!.message, /log group "\/b" of stream "log_events"/);
    assert.deepEqual(lastGroupState(run.messages), { "/a": NOW, "/b": T0 + 3000, "/c": NOW });
    assert.deepEqual(
      keys(recordsOf(run.messages, ALL)),
      [...expectedKeys(run.api, "/a"), ...expectedKeys(run.api, "/c")].sort(),
    );
  });

  test("many failing groups: 20 named in errors, the rest counted in a LOG", async () => {
    const groups = Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`/g${i}`, evenly(T0, 2, 1000)]));
    const run = await runSingle(groups, {
      setup: (api) => api.failWhen(() => true, new Error("boom"), 1000),
    });
    assert.equal(run.messages.filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR").length, 20);
    assert.ok(
      run.messages.some((m) => m.type === "LOG" && /3 more log groups failed \(23 in all\)/.test(m.log!.message)),
    );
  });

  test("cancelled: log_events is INCOMPLETE and its state keeps what was read", async () => {
    const groups = { "/a": evenly(T0, 10, 1000), "/b": evenly(T0, 10, 1000) };
    const controller = new AbortController();
    const run = await runSingle(groups, {
      config: { max_concurrency: 1 },
      setup: (api) =>
        api.onSettled((r) => {
          if (r.request.logGroupName === "/a") controller.abort(new Cancelled("SIGTERM"));
        }),
      signal: controller.signal,
    });
    assert.equal(run.ok, false);
    assert.deepEqual(statusesOf(run.messages, ALL).at(-1), "INCOMPLETE");
    const state = lastGroupState(run.messages);
    assert.equal(state["/b"], undefined, "a group never started has no entry");
  });

  test("cancelled while the log groups are listed: INCOMPLETE at once, no error, no state", async () => {
    const controller = new AbortController();
    const run = await runSingle(
      { "/a": evenly(T0, 3, 10) },
      {
        setup: (api) => {
          api.listLogGroups = async function* () {
            controller.abort(new Cancelled("SIGTERM"));
            // A listing that never ends: only the cancellation ends the wait.
            await new Promise<never>(() => undefined);
          };
        },
        signal: controller.signal,
      },
    );
    assert.equal(run.ok, false);
    assert.deepEqual(statusesOf(run.messages, ALL), ["STARTED", "INCOMPLETE"]);
    assert.equal(run.messages.filter((m) => m.type === "TRACE" && m.trace?.type === "ERROR").length, 0);
    assert.equal(groupStates(run.messages).length, 0);
  });

  test("a state that does not fit the layout is a config_error before any AWS call", async () => {
    const refused = async (options: Parameters<typeof runSingle>[1], layout: string) => {
      let api: FakeLogsApi | undefined;
      let listings = 0;
      await assert.rejects(
        runSingle(
          { "/a": [{ timestamp: NOW - 1000 }] },
          {
            ...options,
            setup: (a) => {
              api = a;
              const list = a.listLogGroups.bind(a);
              a.listLogGroups = (...args) => {
                listings++;
                return list(...args);
              };
            },
          },
        ),
        (err: Error) => {
          assert.equal(err.name, "ConfigError");
          assert.match(err.message, new RegExp(`does not fit stream_layout ${layout}`));
          return true;
        },
      );
      assert.equal(api?.requests.length, 0, "no FilterLogEvents request");
      assert.equal(listings, 0, "no DescribeLogGroups request");
    };
    const wrong = [{ type: "STREAM", stream: { stream_descriptor: { name: ALL }, stream_state: { timestamp: 5 } } }];
    await refused({ state: wrong }, "single_stream");
    // With another stream beside it, whose state fits: still refused before anything is read.
    await refused(
      {
        config: { stream_layout: "per_log_group" },
        catalog: [
          { name: "/a", syncMode: "incremental", cursorField: undefined },
          { name: "/b", syncMode: "incremental", cursorField: undefined },
        ],
        state: [
          { type: "STREAM", stream: { stream_descriptor: { name: "/a" }, stream_state: { timestamp: 5 } } },
          { type: "STREAM", stream: { stream_descriptor: { name: "/b" }, stream_state: { log_groups: {} } } },
        ],
      },
      "per_log_group",
    );
  });

  test("a failed listing fails log_events; a per-group stream name is not in this layout", async () => {
    const run = await runSingle(
      { "/a": [] },
      {
        setup: (api) => {
          api.listLogGroups = async function* () {
            yield* [];
            throw Object.assign(new Error("throttled"), { name: "ThrottlingException" });
          };
        },
      },
    );
    assert.equal(run.ok, false);
    assert.match(
      run.messages.find((m) => m.type === "TRACE" && m.trace?.type === "ERROR")!.trace!.error!.message,
      /listing the log groups of stream "log_events"/,
    );
    const other = await runSingle(
      { "/a": [] },
      { catalog: [{ name: "/a", syncMode: "incremental", cursorField: undefined }] },
    );
    assert.match(
      other.messages.find((m) => m.type === "TRACE" && m.trace?.type === "ERROR")!.trace!.error!.message,
      /neither a custom report nor "log_events"/,
    );
  });

  test("start_date ahead: nothing read, entries unchanged, one warning; unreadable groups are skipped with a warning", async () => {
    const run = await runSingle(
      { "/a": evenly(T0, 3, 10), "/b": evenly(T0, 3, 10), "/ia": evenly(T0, 3, 10) },
      {
        config: { start_date: new Date(NOW + DAY_MS).toISOString().replace(".000Z", "Z") },
        state: stateOf({ "/a": T0 }),
        groupInfo: { "/ia": { logGroupClass: "INFREQUENT_ACCESS" } },
      },
    );
    assert.equal(recordsOf(run.messages, ALL).length, 0);
    assert.deepEqual(lastGroupState(run.messages), { "/a": T0 });
    assert.equal(run.messages.filter((m) => m.type === "LOG" && /start_date/.test(m.log!.message)).length, 1);
    assert.ok(
      run.messages.some((m) => m.type === "LOG" && /"\/ia" is of class INFREQUENT_ACCESS/.test(m.log!.message)),
    );
  });
});

describe("single stream: discover and stored states", () => {
  function contextFor(groups: Record<string, readonly FakeEvent[]>, config: Record<string, unknown> = {}) {
    const clock = new FakeClock(NOW);
    const output = new CapturedOutput(clock.now);
    const ctx: CommandContext = {
      config: parseConfig({ region_name: "us-east-1", stream_layout: "single_stream", ...config }),
      api: new FakeLogsApi({ groups, clock }),
      emitter: output.emitter,
      now: clock.now,
      stagingDirectory: "/nonexistent",
    };
    return { ctx, output };
  }

  test("discover offers log_events then the reports, also before any log group exists (with a warning)", async () => {
    const reports = { custom_log_reports: [{ name: "/a", log_group_name: "/a" }] };
    const { ctx, output } = contextFor({ "/a": [], "/b": [] }, reports);
    const catalog = await discover(ctx);
    assert.deepEqual(
      catalog.streams.map((s) => [s.name, s.source_defined_primary_key]),
      [
        [ALL, [["logGroupName"], ["logStreamName"], ["eventId"]]],
        ["/a", [["logStreamName"], ["eventId"]]],
      ],
      "a report may have a log group's name: groups are no streams here",
    );
    assert.equal(output.messages().filter((m) => m.type === "LOG").length, 0);
    const empty = contextFor({}, { log_group_prefix: "/none/" });
    assert.deepEqual(
      (await discover(empty.ctx)).streams.map((s) => s.name),
      [ALL],
    );
    assert.match(
      empty.output.messages().find((m) => m.type === "LOG")!.log!.message,
      /No readable log group whose name starts with log_group_prefix "\/none\/" in region us-east-1: stream log_events reads nothing until one appears/,
    );
  });

  test("a group's state beyond now minus the ingestion delay counts as that time, with a warning naming the group", async () => {
    const run = await runSingle({ "/a": evenly(T0, 3, 10) }, { state: stateOf({ "/a": NOW + DAY_MS }) });
    assert.equal(recordsOf(run.messages, ALL).length, 0);
    assert.deepEqual(lastGroupState(run.messages), { "/a": NOW });
    assert.ok(
      run.messages.some(
        (m) =>
          m.type === "LOG" && /The state of log group "\/a" in stream "log_events".*is later than/.test(m.log!.message),
      ),
    );
  });
});

describe("single stream: checkpoints", () => {
  test("mid-sync STATEs at most one per interval of the injected clock, plus one at the end; each covers only delivered events", async () => {
    const groups = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`/g${String(i).padStart(2, "0")}`, evenly(T0, 120, 1000)]),
    );
    const run = await runSingle(groups, {
      // Each request takes a second of the injected clock.
      setup: (api, clock) => api.onRequest(() => clock.advance(1000)),
    });
    const requests = run.api.requests.length;
    const states = groupStates(run.messages);
    assert.ok(states.length >= 2, `mid-sync checkpoints happen (${states.length})`);
    // At most one per interval over the sync's (fake) duration, plus the last.
    assert.ok(states.length <= Math.floor((requests * 1000) / GROUP_STATES_INTERVAL_MS) + 1);
    // Never silently wrong: each STATE's watermark of a group covers only its delivered events.
    const delivered = new Set<string>();
    for (const m of run.messages) {
      if (m.type === "RECORD") delivered.add(keys([m.record!.data])[0]!);
      if (m.type !== "STATE") continue;
      for (const [group, { timestamp }] of Object.entries((m.state!.stream!.stream_state as GroupsBlob).log_groups)) {
        for (const k of expectedKeys(run.api, group, 0, timestamp))
          assert.ok(delivered.has(k), `${k} before its STATE`);
      }
    }
    assert.equal(delivered.size, 40 * 120);
  });

  test("the state of one group never moves another's; an entry that did not change does not force a STATE", () => {
    const clock = new FakeClock(0);
    const emitted: Record<string, { timestamp: number }>[] = [];
    const states = new GroupStates(new Map([["/x", 5]]), {
      now: clock.now,
      intervalMs: 1000,
      emit: (b) => emitted.push({ ...b.log_groups }),
    });
    states.set("/a", 10);
    clock.advance(999);
    states.set("/a", 11);
    assert.equal(emitted.length, 0);
    clock.advance(1);
    states.set("/a", 11);
    assert.equal(emitted.length, 0, "no change, no STATE");
    states.set("/b", 3);
    assert.deepEqual(emitted, [{ "/x": { timestamp: 5 }, "/a": { timestamp: 11 }, "/b": { timestamp: 3 } }]);
    states.finish();
    assert.equal(emitted.length, 2);
  });

  test("an entry says when its log group was made only while its watermark is before it; a stored entry keeps what it said", () => {
    const emitted: Record<string, unknown>[] = [];
    const states = new GroupStates(
      new Map([
        ["/old", 5],
        ["/kept", 50],
      ]),
      {
        now: () => 0,
        intervalMs: 0,
        creationTimes: new Map([
          ["/old", 10],
          ["/gone", 1],
        ]),
        emit: (b) => emitted.push({ ...b.log_groups }),
      },
    );
    // A first read cut short in a group holding events older than the group: the entry says so.
    states.set("/new", 90, 100);
    assert.deepEqual(emitted.at(-1)?.["/new"], { timestamp: 90, log_group_creation_time: 100 });
    // Read past the creation: nothing to tell apart any more, the entry is as short as the others.
    states.set("/new", 100, 100);
    assert.deepEqual(emitted.at(-1)?.["/new"], { timestamp: 100 });
    // A group made again (read from its start by read.ts): its new creation time replaces the old.
    states.set("/old", 3, 20);
    assert.deepEqual(emitted.at(-1)?.["/old"], { timestamp: 3, log_group_creation_time: 20 });
    states.finish();
    // Entries not read keep theirs; a creation time without an entry is not one.
    assert.deepEqual(emitted.at(-1), {
      "/old": { timestamp: 3, log_group_creation_time: 20 },
      "/kept": { timestamp: 50 },
      "/new": { timestamp: 100 },
    });
    const kept = new GroupStates(new Map([["/old", 5]]), {
      now: () => 0,
      intervalMs: 0,
      creationTimes: new Map([["/old", 10]]),
      emit: (b) => emitted.push({ ...b.log_groups }),
    });
    kept.finish();
    assert.deepEqual(emitted.at(-1), { "/old": { timestamp: 5, log_group_creation_time: 10 } });
    // A listing that does not say when the group was made (AWS always does) keeps what the entry said.
    kept.set("/old", 7);
    assert.deepEqual(emitted.at(-1), { "/old": { timestamp: 7, log_group_creation_time: 10 } });
    // A group found made again says when, past its creation too, for this sync (a store tells its
    // events from those it holds).
    kept.madeAgain("/old");
    kept.set("/old", 30, 20);
    assert.deepEqual(emitted.at(-1), { "/old": { timestamp: 30, log_group_creation_time: 20 } });
  });

  test("an earlier version's entry that can be cut short or made again is marked so until it is read; the STATE has a version", () => {
    const blobs: { version: number; log_groups: unknown }[] = [];
    const states = new GroupStates(
      new Map([
        ["/cut-or-remade", 5],
        ["/failing", 6],
        ["/other", 8],
      ]),
      // "/gone" has no entry: nothing to mark.
      {
        now: () => 0,
        intervalMs: 0,
        earlierEntries: new Set(["/cut-or-remade", "/failing", "/gone"]),
        emit: (b) => blobs.push(b),
      },
    );
    states.set("/other", 9);
    assert.deepEqual(blobs.at(-1), {
      version: 2,
      log_groups: {
        "/cut-or-remade": { timestamp: 5, earlier_version: true },
        "/failing": { timestamp: 6, earlier_version: true },
        "/other": { timestamp: 9 },
      },
    });
    // Read by this version: as its own from now on, whatever the other entries.
    states.set("/cut-or-remade", 6, 10);
    states.set("/cut-or-remade", 12, 10);
    states.finish();
    assert.deepEqual(blobs.at(-1), {
      version: 2,
      log_groups: {
        "/cut-or-remade": { timestamp: 12 },
        "/failing": { timestamp: 6, earlier_version: true },
        "/other": { timestamp: 9 },
      },
    });
  });

  test('a log group named "__proto__" (a valid name) keeps its watermark in the STATE, as every other name', () => {
    const output = new CapturedOutput();
    const states = new GroupStates(new Map([["/a", 1]]), {
      now: () => 0,
      intervalMs: 1,
      emit: (b) => output.emitter.state(ALL, b),
    });
    for (const name of ["__proto__", "constructor", "toString"]) states.set(name, 7);
    states.finish();
    const last = JSON.parse(output.text.trim().split("\n").at(-1)!) as {
      state: { stream: { stream_state: { log_groups: Record<string, unknown> } } };
    };
    const groups = last.state.stream.stream_state.log_groups;
    assert.deepEqual(Object.keys(groups).sort(), ["/a", "__proto__", "constructor", "toString"].sort());
    assert.deepEqual(Object.getOwnPropertyDescriptor(groups, "__proto__")?.value, { timestamp: 7 });
  });

  test("a STATE of 10,000 log groups stays under 1 MB", () => {
    const output = new CapturedOutput();
    const now = 1_760_000_000_000;
    const initial = new Map(
      Array.from({ length: 10_000 }, (_, i) => [
        `/aws/lambda/orders-service-prod-handler-${String(i).padStart(5, "0")}`,
        now,
      ]),
    );
    new GroupStates(initial, { now: () => now, intervalMs: 1, emit: (b) => output.emitter.state(ALL, b) }).finish();
    const line = output.text.trim();
    assert.equal(line.split("\n").length, 1);
    const bytes = Buffer.byteLength(line);
    // 10,000 names of 45 characters: 76 bytes per group (the name and 31), 760,159 bytes in all.
    assert.ok(bytes < 1_000_000, `${bytes} bytes`);
    process.stderr.write(`# STATE of 10,000 log groups: ${bytes} bytes\n`);
  });
});
