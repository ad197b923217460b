// A fault storm: throttles, 5xx, connection resets and stalled responses. The sync completes with
// exactly the scenario's event set and never exits on a retryable error.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import { catalogFor, errors, records, runWith, statuses } from "../support/connector.js";

const GROUPS = ["/storm/a", "/storm/b", "/storm/c"];

describe("fault storm (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 99,
        quotas: "none",
        // A stall outlasts request_timeout_seconds (below) by far, so it is always cut off.
        faults: {
          throttleRate: 0.3,
          http500Rate: 0.03,
          http503Rate: 0.02,
          resetRate: 0.02,
          stallRate: 0.01,
          stallMs: 30_000,
        },
        pages: { shortPageRate: 0.2, emptyPageRate: 0.05 },
        logGroups: GROUPS.map((name, i) => ({
          name,
          creationTime: "now-2d",
          streams: { count: 3, namePattern: "s-{index}" },
          timeRange: { start: "now-30h", end: "now-1h" },
          events: { count: [30_000, 8_000, 40][i]! },
          message: { shape: "text", size: 2000 },
        })),
      },
    });
  });
  after(async () => sim.stop());

  test("30% throttles, 5% 5xx, 2% resets and stalls: exact event set, every stream COMPLETE, exit 0", {
    timeout: 300_000,
  }, async () => {
    const r = await runWith(
      "read",
      {
        region_name: "us-east-1",
        aws_access_key_id: "AKIASIMSTORM0000001",
        aws_secret_access_key: "storm-secret-0000000000000001",
        endpoint_url: sim.url,
        // Generous: a good 1 MB page must never time out, even on a loaded machine (with 1 s it
        // could, and each timeout spends retry budget the injected faults are meant to spend).
        request_timeout_seconds: 5,
        max_requests_per_second: 200,
      },
      { catalog: catalogFor(GROUPS) },
    );
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(errors(r.messages), []);
    for (const g of GROUPS) assert.deepEqual(statuses(r.messages, g), ["STARTED", "RUNNING", "COMPLETE"]);
    const got = records(r.messages).map(
      (m) => `${(m.data as { logStreamName: string }).logStreamName}|${(m.data as { eventId: string }).eventId}`,
    );
    const want = [...expectedEvents(sim.scenario, { withoutMessages: true })].map(
      (e) => `${e.logStreamName}|${e.eventId}`,
    );
    assert.equal(got.length, new Set(got).size, "no duplicates within one run");
    assert.deepEqual(got.sort(), want.sort());
    const c = sim.counters();
    console.error(
      `fault storm: requests ${JSON.stringify(c.requests)}, throttles ${JSON.stringify(c.throttles)}, faults ${JSON.stringify(c.faults)}`,
    );
    assert.ok(
      c.faults.throttle > 20 && c.faults.http500 + c.faults.http503 > 0 && c.faults.reset > 0,
      "the storm really happened",
    );
  });

  test("stream_layout single_stream in the same storm: exact event set of every group in log_events, COMPLETE, exit 0", {
    timeout: 300_000,
  }, async () => {
    sim.resetCounters();
    const r = await runWith(
      "read",
      {
        region_name: "us-east-1",
        aws_access_key_id: "AKIASIMSTORM0000001",
        aws_secret_access_key: "storm-secret-0000000000000001",
        endpoint_url: sim.url,
        request_timeout_seconds: 5,
        max_requests_per_second: 200,
        stream_layout: "single_stream",
        log_group_prefix: "/storm/",
      },
      { catalog: catalogFor(["log_events"]) },
    );
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(errors(r.messages), []);
    assert.deepEqual(statuses(r.messages, "log_events"), ["STARTED", "RUNNING", "COMPLETE"]);
    const got = records(r.messages, "log_events").map((m) => {
      const d = m.data as { logGroupName: string; logStreamName: string; eventId: string };
      return `${d.logGroupName}|${d.logStreamName}|${d.eventId}`;
    });
    const want = [...expectedEvents(sim.scenario, { withoutMessages: true })].map(
      (e) => `${e.logGroupName}|${e.logStreamName}|${e.eventId}`,
    );
    assert.equal(got.length, new Set(got).size, "no duplicates within one run");
    assert.deepEqual(got.sort(), want.sort());
    const c = sim.counters();
    assert.ok(c.faults.throttle > 20, "the storm really happened");
  });

  test("when the service keeps failing, the stream ends INCOMPLETE with a transient_error after bounded retries", {
    timeout: 300_000,
  }, async () => {
    const dead = await startSimulator({
      scenario: {
        quotas: "none",
        faults: { http503Rate: 1 },
        logGroups: [{ name: "/dead/x", timeRange: { start: "now-2h", end: "now-1h" }, events: { count: 10 } }],
      },
    });
    try {
      const r = await runWith(
        "read",
        {
          region_name: "us-east-1",
          aws_access_key_id: "AKIASIMSTORM0000001",
          aws_secret_access_key: "storm-secret-0000000000000001",
          endpoint_url: dead.url,
        },
        { catalog: catalogFor(["/dead/x"]) },
      );
      assert.notEqual(r.code, 0);
      // DescribeLogGroups already fails: the stream cannot even start.
      assert.deepEqual(statuses(r.messages, "/dead/x"), ["STARTED", "INCOMPLETE"]);
      const err = errors(r.messages)[0]!;
      assert.equal(err.failure_type, "transient_error");
      assert.match(err.message, /failed temporarily/);
    } finally {
      await dead.stop();
    }
  });
});
