// The stream reader against a fake LogsApi: half-open windows, the planner's split of a dense
// first page, and a watermark that only covers the contiguous prefix of completed windows.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_PLANNER_OPTIONS, syncRange } from "../../src/engine/plan.js";
import { StreamReader } from "../../src/engine/reader.js";
import { recordSink } from "../../src/sinks/records.js";
import { FakeClock, FakeLogsApi, evenly } from "../support/fake-logs-api.js";
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

const G = "/app/a";

/** 2,000 events 1 ms apart in [0, 2000), 10 per page: a first page predicting 199 more pages. */
function denseApi(): FakeLogsApi {
  return new FakeLogsApi({ groups: { [G]: evenly(0, 2000, 1) }, pageSize: 10 });
}

/** The windows a dense read is cut into: the whole range (split), its first page's range, then 4 pages each. */
function denseWindows(): { start: number; end: number }[] {
  const windows = [
    { start: 0, end: 2000 },
    { start: 0, end: 10 },
  ];
  // Six pages of 10 events less the planner's margin of a quarter of a page: 57 ms at 1 event/ms.
  for (let s = 10; s < 2000; s += 57) windows.push({ start: s, end: Math.min(2000, s + 57) });
  return windows;
}

function expectedRecords(api: FakeLogsApi, group: string): Record<string, unknown>[] {
  return api.eventsOf(group).map((e) => ({ logGroupName: group, ...e }));
}

describe("stream reader", () => {
  test("a sparse range is read in one request; records match the events and the state is the range end", async () => {
    const api = new FakeLogsApi({ groups: { [G]: evenly(1000, 10, 100) }, pageSize: 100 });
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 1,
      streams: [{ source: sourceFor(G), range: freshRange(1000, 3000) }],
    });
    const messages = output.messages();
    assert.deepEqual(api.windowsRequested(), [{ start: 1000, end: 3000 }]);
    assert.equal(api.requests.length, 1);
    assert.deepEqual(recordsOf(messages, G), expectedRecords(api, G));
    assert.deepEqual(statesOf(messages, G), [3000]);
    assert.deepEqual(statusesOf(messages, G), ["STARTED", "RUNNING", "COMPLETE"]);
    assert.deepEqual(ends, [{ name: G, failure: undefined, requestsSoFar: 1, pendingRequests: 0 }]);
  });

  test("windows are half-open: an event at the window's end is dropped even when the API returns it", async () => {
    for (const endInclusive of [true, false]) {
      const api = new FakeLogsApi({
        groups: { [G]: [999, 1000, 1500, 1999, 2000, 2001].map((timestamp) => ({ timestamp })) },
        endInclusive,
      });
      const output = new CapturedOutput();
      await runEngine({ api, output, workers: 1, streams: [{ source: sourceFor(G), range: freshRange(1000, 2000) }] });
      const messages = output.messages();
      assert.equal(api.requests[0]!.answered, endInclusive ? 4 : 3, "the fake returned the event at endTime");
      assert.deepEqual(
        recordsOf(messages, G).map((r) => r.timestamp),
        [1000, 1500, 1999],
      );
      // The event at 2000 belongs to the next sync, which starts at this state.
      assert.deepEqual(statesOf(messages, G), [2000]);
    }
  });

  test("a dense first page splits the window; windows are then sized to the target pages, each event read once", async () => {
    // End bound exclusive here, so that no page holds only an event at a window's end.
    const api = new FakeLogsApi({ groups: { [G]: evenly(0, 2000, 1) }, pageSize: 10, endInclusive: false });
    const output = new CapturedOutput();
    await runEngine({ api, output, workers: 1, streams: [{ source: sourceFor(G), range: freshRange(0, 2000) }] });
    const messages = output.messages();
    assert.deepEqual(api.windowsRequested(), denseWindows());
    // The split window's first page is discarded, not delivered: every event exactly once, in order.
    assert.deepEqual(recordsOf(messages, G), expectedRecords(api, G));
    // After the split request, no window needs more pages than the planner aims for.
    const pagesPerWindow = new Map<string, number>();
    for (const r of api.requests.slice(1)) {
      const key = `${r.request.startTime}-${r.request.endTime}`;
      pagesPerWindow.set(key, (pagesPerWindow.get(key) ?? 0) + 1);
    }
    assert.ok(Math.max(...pagesPerWindow.values()) <= DEFAULT_PLANNER_OPTIONS.targetPagesPerWindow);
    assert.equal(api.requests[0]!.hadMore, true);
    assert.equal(statesOf(messages, G).at(-1), 2000);
    assert.equal(uncoveredState(messages, G, api.eventsOf(G)), undefined);
  });

  test("a first page predicting few more pages is read through, not split", async () => {
    // 60 events, 10 a page: 5 more pages predicted, at most 8 allowed.
    const api = new FakeLogsApi({ groups: { [G]: evenly(0, 60, 1) }, pageSize: 10 });
    const output = new CapturedOutput();
    await runEngine({ api, output, workers: 1, streams: [{ source: sourceFor(G), range: freshRange(0, 60) }] });
    assert.deepEqual(
      api.requests.map((r) => [r.request.startTime, r.request.endTime]),
      Array.from({ length: 6 }, () => [0, 60]),
    );
    assert.deepEqual(
      api.requests.map((r) => r.request.nextToken !== undefined),
      [false, true, true, true, true, true],
    );
    assert.deepEqual(recordsOf(output.messages(), G), expectedRecords(api, G));
  });

  test("windows completed out of order: the state covers only the contiguous prefix of completed windows", async () => {
    const api = denseApi();
    const output = new CapturedOutput();
    const { emitter } = output;
    const reader = new StreamReader({
      api,
      emitter,
      sink: recordSink(emitter, G, G, false),
      source: sourceFor(G),
      range: freshRange(0, 2000),
    });
    const whole = reader.take()!;
    await reader.read(whole); // dense: split
    assert.deepEqual(statesOf(output.messages(), G), [], "a split window completes nothing");
    const [w1, w2, w3, w4] = [reader.take()!, reader.take()!, reader.take()!, reader.take()!];
    assert.deepEqual(
      [w1, w2, w3, w4].map((w) => [w.start, w.end]),
      [
        [0, 10],
        [10, 67],
        [67, 124],
        [124, 181],
      ],
    );
    const statesAfter = async (w: typeof w1) => {
      await reader.read(w);
      return statesOf(output.messages(), G);
    };
    // w3 done, w1, w2, w4 open: nothing is complete beyond the range start, so no state yet (one at
    // the start would be made up from start_date).
    assert.deepEqual(await statesAfter(w3), []);
    // w1 done: [0, 10) is complete; w2 still open.
    assert.deepEqual(await statesAfter(w1), [10]);
    // w4 done: w2 still open, so the state does not move.
    assert.deepEqual(await statesAfter(w4), [10]);
    // w2 done: everything handed out so far is complete.
    assert.deepEqual(await statesAfter(w2), [10, 181]);
    for (let w = reader.take(); w; w = reader.take()) await reader.read(w);
    assert.ok(reader.isSettled());
    reader.finish();
    const messages = output.messages();
    assert.equal(statesOf(messages, G).at(-1), 2000);
    assert.equal(uncoveredState(messages, G, api.eventsOf(G)), undefined);
    assert.equal(recordsOf(messages, G).length, 2000);
  });

  test("stopped or failed before its watermark moved: no state, none made up from where it started", async () => {
    const reader = (api: FakeLogsApi, output: CapturedOutput, start = 0, end = 2000) =>
      new StreamReader({
        api,
        emitter: output.emitter,
        sink: recordSink(output.emitter, G, G, false),
        source: sourceFor(G),
        range: freshRange(start, end),
      });
    // Stopped with an earlier window open: what completed is beyond the start, not from it.
    const stoppedOut = new CapturedOutput();
    const stopped = reader(denseApi(), stoppedOut);
    await stopped.read(stopped.take()!); // dense: split
    const [w1, w2] = [stopped.take()!, stopped.take()!];
    await stopped.read(w2);
    stopped.stop();
    assert.deepEqual(statesOf(stoppedOut.messages(), G), []);
    await stopped.read(w1);
    stopped.stop();
    assert.deepEqual(statesOf(stoppedOut.messages(), G), [w2.end], "once it moved, the state follows");

    // Failed at its first request.
    class Failing extends FakeLogsApi {
      override async filterEvents(): Promise<never> {
        throw new Error("boom");
      }
    }
    const failedOut = new CapturedOutput();
    const failed = reader(new Failing({ groups: { [G]: evenly(0, 2000, 1) }, pageSize: 10 }), failedOut);
    await failed.read(failed.take()!);
    assert.ok(failed.isSettled() && failed.failed() !== undefined);
    failed.finish();
    assert.deepEqual(statesOf(failedOut.messages(), G), []);

    // Read through with nothing to read (an empty range): its state all the same.
    const emptyOut = new CapturedOutput();
    const empty = reader(denseApi(), emptyOut, 2000, 2000);
    assert.equal(empty.take(), undefined);
    assert.ok(empty.isSettled());
    empty.finish();
    assert.deepEqual(statesOf(emptyOut.messages(), G), [2000]);
  });

  test("an event ingested late is invisible until the clock reaches it; the lookback of the next sync finds it", async () => {
    // Events every 100 ms, each ingested 200 ms after its timestamp, and one at 4550 ingested at 5500.
    const events = [
      ...Array.from({ length: 100 }, (_, i) => ({ timestamp: i * 100, ingestionTime: i * 100 + 200 })),
      { timestamp: 4550, ingestionTime: 5500 },
    ];
    const clock = new FakeClock(0);
    const api = new FakeLogsApi({ groups: { [G]: events }, clock });
    const syncAt = async (now: number, state: number | undefined) => {
      clock.advance(now - clock.now());
      const range = syncRange({
        syncMode: "incremental",
        stateTimestamp: state,
        startDate: 0,
        groupCreationTime: 0,
        groupRetentionDays: undefined,
        now: clock.now(),
        ingestionDelayMs: 300,
        lookbackMs: 1000,
      });
      const output = new CapturedOutput(clock.now);
      await runEngine({ api, output, workers: 1, streams: [{ source: sourceFor(G), range }] });
      const messages = output.messages();
      return {
        timestamps: recordsOf(messages, G).map((r) => r.timestamp as number),
        state: statesOf(messages, G).at(-1),
      };
    };
    const first = await syncAt(5000, undefined);
    assert.equal(first.state, 4700, "now minus the ingestion delay");
    assert.ok(!first.timestamps.includes(4550), "not ingested yet at 5000");
    assert.equal(first.timestamps.length, 47);
    const second = await syncAt(6000, first.state);
    assert.equal(second.state, 5700);
    assert.ok(second.timestamps.includes(4550));
    assert.equal(Math.min(...second.timestamps), 3700, "the second sync starts a lookback before the state");
    const all = new Set([...first.timestamps, ...second.timestamps]);
    assert.deepEqual(
      events.filter((e) => e.timestamp < 5700 && !all.has(e.timestamp)),
      [],
    );
  });

  test("onWindows is told +1 when a window's first request is sent and -1 when its read ends, also a split one", async () => {
    const api = denseApi();
    const output = new CapturedOutput();
    const changes: number[] = [];
    let reading = 0;
    let most = 0;
    const reader = new StreamReader({
      api,
      emitter: output.emitter,
      sink: recordSink(output.emitter, G, G, false),
      source: sourceFor(G),
      range: freshRange(0, 2000),
      onWindows: (change) => {
        changes.push(change);
        reading += change;
        most = Math.max(most, reading);
      },
    });
    // Two windows at a time, as two workers would read them.
    for (;;) {
      const windows = [reader.take(), reader.take()].filter((w) => w !== undefined);
      if (windows.length === 0) break;
      // Handed out, but no request sent yet (a worker may wait for the rate limit): not being read.
      assert.equal(reading, 0, "a window handed out counts only once its first request is sent");
      await Promise.all(windows.map((w) => reader.read(w)));
      assert.equal(reading, 0);
    }
    assert.ok(reader.isSettled());
    assert.equal(changes.length, 2 * denseWindows().length, "one +1 and one -1 per window, the split one included");
    assert.equal(most, 2);
  });
});
