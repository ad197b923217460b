// The fake LogsApi the engine tests rely on behaves as the port says: pages of the given size in
// time order, tokens bound to their query, the clock hiding events not yet ingested, failures and
// aborts as scripted.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Cancelled } from "../../src/engine/cancel.js";
import { FakeClock, FakeLogsApi } from "../support/fake-logs-api.js";

test("the fake pages in time order, binds tokens to their query, and hides events not yet ingested", async () => {
  const clock = new FakeClock(100);
  const events = [30, 10, 20, 20, 40, 50].map((timestamp) => ({ timestamp, ingestionTime: timestamp * 2 }));
  const api = new FakeLogsApi({ groups: { "/g": events }, pageSize: 2, clock });
  const query = { logGroupName: "/g", startTime: 10, endTime: 50 };
  const first = await api.filterEvents(query);
  assert.deepEqual(
    first.events.map((e) => [e.timestamp, e.eventId]),
    [
      [10, "/g/1"],
      [20, "/g/2"],
    ],
  );
  assert.ok(first.nextToken);
  await assert.rejects(api.filterEvents({ ...query, startTime: 11, nextToken: first.nextToken }), /invalid nextToken/);
  const second = await api.filterEvents({ ...query, nextToken: first.nextToken });
  // 40 and 50 are ingested at 80 and 100: visible; a limit of 1 makes a page of one.
  assert.deepEqual(
    second.events.map((e) => e.timestamp),
    [20, 30],
  );
  const third = await api.filterEvents({ ...query, nextToken: second.nextToken, limit: 1 });
  assert.deepEqual(
    third.events.map((e) => e.timestamp),
    [40],
  );
  clock.advance(-10);
  const fourth = await api.filterEvents({ ...query, nextToken: third.nextToken });
  assert.deepEqual(fourth, { events: [], nextToken: undefined }, "50 is not ingested at 90");
  api.failCall(6, new Error("scripted"));
  await assert.rejects(api.filterEvents(query), /scripted/);
  const controller = new AbortController();
  controller.abort(new Cancelled("SIGTERM"));
  await assert.rejects(api.filterEvents({ ...query, signal: controller.signal }), Cancelled);
  assert.deepEqual(
    api.requests.map((r) => r.outcome),
    ["answered", "failed", "answered", "answered", "answered", "failed", "aborted"],
  );
  assert.equal((await api.findLogGroup("/g"))?.name, "/g");
  assert.equal(await api.findLogGroup("/h"), undefined);
});
