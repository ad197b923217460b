// Stream readers on the scheduler's workers against a fake LogsApi: several streams at once, windows
// completing out of order, and a failing stream that neither stops the others nor claims more than
// it read.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import type { FilterRequest } from "../../src/domain/logs.js";
import { StreamReader } from "../../src/engine/reader.js";
import { runStreams, type StreamTask } from "../../src/engine/scheduler.js";
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

const RANGE = freshRange(0, 2000);

/** Asserts the stream was read whole: every event once, the final state at the range end, COMPLETE. */
function assertComplete(messages: readonly AirbyteMessage[], api: FakeLogsApi, group: string): void {
  const ids = recordsOf(messages, group).map((r) => r.eventId);
  assert.equal(new Set(ids).size, ids.length, `${group}: no event twice`);
  assert.deepEqual(
    [...ids].sort(),
    api
      .eventsOf(group)
      .filter((e) => e.timestamp < RANGE.end)
      .map((e) => e.eventId)
      .sort(),
    `${group}: every event`,
  );
  const states = statesOf(messages, group);
  assert.deepEqual(
    states,
    [...states].sort((a, b) => a - b),
    `${group}: states never go back`,
  );
  assert.equal(states.at(-1), RANGE.end, `${group}: final state`);
  assert.equal(uncoveredState(messages, group, api.eventsOf(group)), undefined);
  assert.equal(statusesOf(messages, group).at(-1), "COMPLETE");
}

describe("scheduler with stream readers", () => {
  test("several streams under 3 workers: each read whole, never more than 3 requests at once", async () => {
    const groups: Record<string, FakeEvent[]> = {
      "/dense/1ms": evenly(0, 2000, 1),
      "/dense/2ms": evenly(1, 1000, 2, "b"),
      "/sparse": evenly(5, 7, 300),
      "/empty": [],
      "/two-streams": [...evenly(0, 400, 5, "x"), ...evenly(2, 400, 5, "y")],
    };
    const api = new FakeLogsApi({ groups, pageSize: 10 });
    const output = new CapturedOutput();
    const names = Object.keys(groups);
    const ends = await runEngine({
      api,
      output,
      workers: 3,
      streams: names.map((g) => ({ source: sourceFor(g), range: RANGE })),
    });
    const messages = output.messages();
    assert.equal(api.maxInFlight, 3);
    assert.deepEqual(ends.map((e) => e.name).sort(), [...names].sort());
    assert.ok(ends.every((e) => e.failure === undefined));
    for (const g of names) assertComplete(messages, api, g);
  });

  test("windows of one stream complete out of order on 4 workers: no state passes a window still being read", async () => {
    const G = "/app/a";
    const api = new FakeLogsApi({ groups: { [G]: evenly(0, 2000, 1) }, pageSize: 10 });
    const output = new CapturedOutput();
    // [10, 67) is the second window after the split; it waits until windows from 1000 on are being read.
    const held = api.hold((r) => r.startTime === 10);
    let whileHeld: AirbyteMessage[] | undefined;
    api.onRequest((r) => {
      if (whileHeld === undefined && r.request.startTime >= 1000) {
        whileHeld = output.messages();
        held.release();
      }
    });
    await runEngine({ api, output, workers: 4, streams: [{ source: sourceFor(G), range: RANGE }] });
    assert.ok(whileHeld, "windows from 1000 on were read while [10, 67) was held");
    const timestamps = recordsOf(whileHeld, G).map((r) => r.timestamp as number);
    assert.ok(
      timestamps.some((t) => t >= 500),
      "later windows completed meanwhile",
    );
    const states = statesOf(whileHeld, G);
    assert.ok(states.length > 0 && states.every((s) => s <= 10), `states while [10, 67) was held: ${states}`);
    assertComplete(output.messages(), api, G);
  });

  test("a failing stream does not stop the others, and its state stays before the window that failed", async () => {
    const groups = { "/a": evenly(0, 2000, 1), "/b": evenly(0, 2000, 1), "/c": evenly(0, 1000, 2) };
    const api = new FakeLogsApi({ groups, pageSize: 10 });
    const boom = new Error("ThrottlingException: Rate exceeded (scripted)");
    // The second page of /b's window [67, 124).
    api.failWhen((r) => r.logGroupName === "/b" && r.startTime === 67 && r.nextToken !== undefined, boom);
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 2,
      streams: Object.keys(groups).map((g) => ({ source: sourceFor(g), range: RANGE })),
    });
    const messages = output.messages();
    assertComplete(messages, api, "/a");
    assertComplete(messages, api, "/c");
    const b = ends.filter((e) => e.name === "/b");
    assert.equal(b.length, 1);
    assert.equal(b[0]!.failure, boom);
    assert.deepEqual(statusesOf(messages, "/b"), ["STARTED", "RUNNING", "INCOMPLETE"]);
    const states = statesOf(messages, "/b");
    assert.ok(states.length > 0 && states.every((s) => s <= 67), `states of /b: ${states}`);
    assert.equal(uncoveredState(messages, "/b", api.eventsOf("/b")), undefined);
    const failed = api.requests.find((r) => r.outcome === "failed")!;
    assert.equal(failed.request.logGroupName, "/b");
    // Nothing of /b was asked after it ended, and no window of it started after the failure.
    assert.ok(api.requests.slice(b[0]!.requestsSoFar).every((r) => r.request.logGroupName !== "/b"));
    assert.deepEqual(
      api.requests.filter((r) => r.call > failed.call && r.request.logGroupName === "/b" && !r.request.nextToken),
      [],
    );
  });

  test("a stream ends only once no window of it is being read, and is not COMPLETE when one failed", async () => {
    const G = "/app/a";
    const api = new FakeLogsApi({ groups: { [G]: evenly(0, 2000, 1) }, pageSize: 10 });
    const boom = new Error("scripted failure");
    // [10, 67) fails on its second page once [67, 124) is in flight; [67, 124) is let go after the failure.
    const secondPage = (r: FilterRequest) => r.startTime === 10 && r.nextToken !== undefined;
    api.failWhen(secondPage, boom);
    const failing = api.hold(secondPage);
    const held = api.hold((r) => r.startTime === 67);
    void held.reached.then(() => failing.release());
    api.onSettled((r) => {
      if (r.outcome === "failed") held.release();
    });
    const output = new CapturedOutput();
    const ends = await runEngine({ api, output, workers: 2, streams: [{ source: sourceFor(G), range: RANGE }] });
    assert.equal(held.first?.outcome, "answered", "[67, 124) was in flight when [10, 67) failed");
    assert.equal(ends.length, 1);
    assert.equal(ends[0]!.failure, boom);
    assert.equal(ends[0]!.pendingRequests, 0, "no request of the stream in flight when it ended");
    const messages = output.messages();
    // Nothing of the stream comes after its final status.
    const statusAt = messages.flatMap((m, i) => (m.trace?.stream_status ? [i] : []));
    assert.ok(messages.slice(statusAt.at(-1)).every((m) => m.type !== "RECORD"));
    // [0, 10) is the only window read through.
    assert.deepEqual(statesOf(messages, G), [10]);
    assert.equal(uncoveredState(messages, G, api.eventsOf(G)), undefined);
    assert.deepEqual(statusesOf(messages, G), ["STARTED", "RUNNING", "INCOMPLETE"]);
  });

  test("a stream with nothing to read and one whose start fails end without a reader; the others read on", async () => {
    const api = new FakeLogsApi({ groups: { "/a": evenly(0, 2000, 1) }, pageSize: 10 });
    const output = new CapturedOutput();
    const { emitter } = output;
    const ends: [string, StreamReader | undefined, unknown][] = [];
    const noGroup = new Error("log group not found (scripted)");
    const task = (name: string, start: () => Promise<StreamReader | undefined>): StreamTask => ({
      name,
      start,
      end: (reader, failure) => {
        ends.push([name, reader, failure]);
        reader?.finish();
      },
    });
    const source = sourceFor("/a");
    await runStreams(
      [
        task("nothing", async () => undefined),
        task("missing", async () => {
          throw noGroup;
        }),
        task(
          "/a",
          async () =>
            new StreamReader({ api, emitter, sink: recordSink(emitter, "/a", "/a", false), source, range: RANGE }),
        ),
      ],
      2,
    );
    await emitter.flush();
    assert.deepEqual(
      ends.map(([name, reader, failure]) => [name, reader === undefined, failure]),
      [
        ["nothing", true, undefined],
        ["missing", true, noGroup],
        ["/a", false, undefined],
      ],
    );
    assert.equal(recordsOf(output.messages(), "/a").length, 2000);
  });
});
