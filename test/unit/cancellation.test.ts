// Cancellation of the engine against a fake LogsApi: an abort while a page request is in flight
// ends the run without waiting for that request, starts no further request, passes the signal on
// to the request, and leaves no state past the windows completed.
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventEmitter } from "node:events";
import { CANCEL_EXIT_CODES, Cancelled, isCancelled, watchCancellation } from "../../src/engine/cancel.js";
import { DAY_MS } from "../../src/domain/time.js";
import { fileSink } from "../../src/sinks/files.js";
import { FakeLogsApi, evenly } from "../support/fake-logs-api.js";
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

describe("engine cancellation", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("an abort during a request: the run ends at once, nothing new is asked, no state past completed windows", async () => {
    const groups = { "/a": evenly(0, 2000, 1), "/b": evenly(0, 2000, 1), "/c": evenly(0, 2000, 1) };
    const api = new FakeLogsApi({ groups, pageSize: 10 });
    const controller = new AbortController();
    // /a's window [67, 124) never answers by itself: only the abort ends it.
    const held = api.hold((r) => r.logGroupName === "/a" && r.startTime === 67);
    let requestsAtAbort = 0;
    void held.reached.then(() => {
      requestsAtAbort = api.requests.length;
      controller.abort(new Cancelled("SIGTERM"));
    });
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 2,
      signal: controller.signal,
      streams: Object.keys(groups).map((g) => ({ source: sourceFor(g), range: RANGE })),
    });
    const heldRequest = held.first;
    assert.ok(heldRequest, "the held request was made");
    assert.equal(heldRequest.signal, controller.signal, "the request carries the run's signal");
    assert.equal(heldRequest.abortedInFlight, true, "the fake saw the abort while it held the request");
    assert.equal(heldRequest.outcome, "aborted");
    assert.equal(api.requests.length, requestsAtAbort, "no request after the abort");
    assert.ok(api.requests.every((r) => r.signal === controller.signal));
    const messages = output.messages();
    // Two workers: /a and /b started; /c never did, so it has no end and no status.
    assert.deepEqual(ends.map((e) => e.name).sort(), ["/a", "/b"]);
    assert.ok(ends.every((e) => isCancelled(e.failure)));
    assert.deepEqual(statusesOf(messages, "/c"), []);
    for (const g of ["/a", "/b"]) {
      assert.equal(statusesOf(messages, g).at(-1), "INCOMPLETE");
      assert.ok(recordsOf(messages, g).length < 2000);
      assert.equal(uncoveredState(messages, g, api.eventsOf(g)), undefined);
    }
    const statesA = statesOf(messages, "/a");
    assert.ok(statesA.length > 0 && statesA.every((s) => s <= 67), `states of /a: ${statesA}`);
  });

  test("a request that does not honour the abort is abandoned: the run ends without its answer", {
    timeout: 10_000,
  }, async () => {
    const api = new FakeLogsApi({ groups: { "/a": evenly(0, 2000, 1) }, pageSize: 10 });
    const controller = new AbortController();
    const held = api.hold((r) => r.startTime === 67, { ignoresAbort: true });
    void held.reached.then(() => controller.abort(new Cancelled("SIGINT")));
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 1,
      signal: controller.signal,
      streams: [{ source: sourceFor("/a"), range: RANGE }],
    });
    assert.equal(held.first?.outcome, "pending", "the run ended while the request was still unanswered");
    assert.ok(isCancelled(ends[0]?.failure));
    const messages = output.messages();
    assert.deepEqual(statesOf(messages, "/a"), [10, 67]);
    // Its late answer is ignored: no record of [67, 124) after the run.
    held.release();
    await new Promise((r) => setImmediate(r));
    assert.ok(recordsOf(output.messages(), "/a").every((r) => (r.timestamp as number) < 67));
  });

  test("an abort before the run: no request, no state", async () => {
    const api = new FakeLogsApi({ groups: { "/a": evenly(0, 2000, 1) }, pageSize: 10 });
    const controller = new AbortController();
    controller.abort(new Cancelled("SIGINT"));
    const output = new CapturedOutput();
    const ends = await runEngine({
      api,
      output,
      workers: 2,
      signal: controller.signal,
      streams: [{ source: sourceFor("/a"), range: RANGE }],
    });
    assert.equal(api.requests.length, 0);
    assert.deepEqual(ends, []);
    assert.deepEqual(statesOf(output.messages(), "/a"), []);
  });

  test("a cancelled file transfer announces only finished files, and its state stays before the open ones", async () => {
    const directory = mkdtempSync(join(tmpdir(), "engine-cancel-"));
    dirs.push(directory);
    const DAY0 = Date.UTC(2026, 10, 20);
    const range = freshRange(DAY0, DAY0 + 2 * DAY_MS);
    const api = new FakeLogsApi({ groups: { "/g": evenly(DAY0, 288, 600_000) }, pageSize: 10 });
    const controller = new AbortController();
    // Hold the first window that starts in the afternoon of day 1, then cancel.
    const held = api.hold((r) => r.nextToken === undefined && r.startTime >= DAY0 + DAY_MS + DAY_MS / 2);
    void held.reached.then(() => controller.abort(new Cancelled("SIGTERM")));
    const output = new CapturedOutput();
    await runEngine({
      api,
      output,
      workers: 1,
      signal: controller.signal,
      streams: [
        {
          source: sourceFor("/g", "g"),
          range,
          sink: (emitter) =>
            fileSink({ emitter, stream: "g", logGroupName: "/g", directory, rangeStart: range.start, now: () => 0 }),
        },
      ],
    });
    assert.equal(held.first?.abortedInFlight, true);
    const messages = output.messages();
    const files = recordsOf(messages, "g");
    // Day 0's file is finished and announced; day 1's is still open: not announced, and the state
    // stays at its start (it will be written again, under the same name, on resume).
    assert.deepEqual(
      files.map((f) => f.date),
      ["2026-11-20"],
    );
    assert.equal(files[0]!.event_count, 144);
    assert.equal(statesOf(messages, "g").at(-1), DAY0 + DAY_MS);
    assert.equal(statusesOf(messages, "g").at(-1), "INCOMPLETE");
  });

  test("watchCancellation aborts on the first signal only, says which, and lets go on dispose", () => {
    const signals = new EventEmitter();
    const cancellation = watchCancellation(signals);
    assert.equal(cancellation.by, undefined);
    signals.emit("SIGINT");
    signals.emit("SIGTERM");
    assert.equal(cancellation.by, "SIGINT");
    assert.ok(cancellation.signal.aborted && isCancelled(cancellation.signal.reason));
    assert.equal((cancellation.signal.reason as Cancelled).by, "SIGINT");
    assert.equal(CANCEL_EXIT_CODES[cancellation.by], 130);
    assert.equal(signals.listenerCount("SIGTERM"), 1);
    cancellation.dispose();
    assert.equal(signals.listenerCount("SIGTERM") + signals.listenerCount("SIGINT"), 0);
  });
});
