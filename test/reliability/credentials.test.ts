// Assumed-role credentials that die long before the sync ends: the connector assumes the role
// again and retries; no stream fails, in either stream layout.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import { catalogFor, errors, lastStates, records, runWith, states, statuses } from "../support/connector.js";

describe("credentials that expire mid-sync (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 5,
        // The sessions advertise 15 minutes but die after 2 seconds, as if revoked or skewed.
        sts: { actualLifetimeSeconds: 2 },
        // No quota here: the connector's own limit (5/s below) paces the sync. A quota at the same
        // rate would throttle it by chance, and a throttled retry can outlive the next session too.
        quotas: "none",
        latency: { fixedMs: 50 },
        logGroups: [
          {
            name: "/creds/app",
            creationTime: "now-2d",
            streams: { count: 2, namePattern: "s-{index}" },
            timeRange: { start: "now-20h", end: "now-1h" },
            events: { count: 20_000 },
            message: { shape: "text", size: 2000 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  test("a sync outliving its session several times completes with every event", { timeout: 300_000 }, async () => {
    const started = Date.now();
    const r = await runWith(
      "read",
      {
        region_name: "us-east-1",
        aws_access_key_id: "AKIASIMBASE00000001",
        aws_secret_access_key: "base-secret-for-assume-role-01",
        role_arn: "arn:aws:iam::123456789012:role/cloudwatch-reader",
        role_external_id: "external-id-for-the-role-0001",
        session_duration: 900,
        endpoint_url: sim.url,
        // Over 40 pages at 5/s: the sync lasts over 7 s on any machine, so sessions die mid-sync.
        max_requests_per_second: 5,
        // Requests queue for the limiter: with 2 in flight, a request retried on a new session is
        // sent within about 0.4 s of it, far inside its 2 s life even on a loaded machine (with the
        // default 8 it could be 1.6 s, and a second expiry in one request fails the stream).
        max_concurrency: 2,
      },
      { catalog: catalogFor(["/creds/app"]) },
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    const got = records(r.messages)
      .map((m) => `${(m.data as { logStreamName: string }).logStreamName}|${(m.data as { eventId: string }).eventId}`)
      .sort();
    const want = [...expectedEvents(sim.scenario, { withoutMessages: true })]
      .map((e) => `${e.logStreamName}|${e.eventId}`)
      .sort();
    assert.deepEqual(got, want);
    const c = sim.counters();
    console.error(
      `credentials: ${seconds.toFixed(1)} s sync, ${c.requests.AssumeRole} AssumeRole calls, ${c.expiredCredentials} expired-token answers`,
    );
    // A lower bound the connector's limiter guarantees; a slow machine only adds to it.
    assert.ok(seconds > 6, `the sync outlived the 2 s sessions several times (${seconds} s)`);
    assert.ok(c.expiredCredentials > 0, "requests were refused with ExpiredTokenException");
    assert.ok((c.requests.AssumeRole ?? 0) >= 3, "the role was assumed again");
  });
});

describe("credentials that expire mid-sync, stream_layout single_stream (simulator)", () => {
  let sim: Simulator;
  const groupNames = ["/creds/a", "/creds/b"];
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 6,
        // As above: sessions that die after 2 seconds, no quota, the connector's limit paces the sync.
        sts: { actualLifetimeSeconds: 2 },
        quotas: "none",
        latency: { fixedMs: 50 },
        logGroups: groupNames.map((name) => ({
          name,
          creationTime: "now-2d",
          streams: { count: 2, namePattern: "s-{index}" },
          timeRange: { start: "now-20h", end: "now-1h" },
          events: { count: 10_000 },
          message: { shape: "text", size: 2000 },
        })),
      },
    });
  });
  after(async () => sim.stop());

  test("log_events outliving its session several times: every event once, every group's state at the end", {
    timeout: 300_000,
  }, async () => {
    const config = {
      region_name: "us-east-1",
      aws_access_key_id: "AKIASIMBASE00000002",
      aws_secret_access_key: "base-secret-for-assume-role-02",
      role_arn: "arn:aws:iam::123456789012:role/cloudwatch-reader",
      role_external_id: "external-id-for-the-role-0002",
      session_duration: 900,
      endpoint_url: sim.url,
      stream_layout: "single_stream",
      ingestion_delay_seconds: 0,
      // Over 40 pages at 5/s and 2 requests in flight, for the reasons given above.
      max_requests_per_second: 5,
      max_concurrency: 2,
    };
    const catalog = catalogFor(["log_events"]);
    const started = Date.now();
    const r = await runWith("read", config, { catalog });
    const ended = Date.now();
    const seconds = (ended - started) / 1000;
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(statuses(r.messages, "log_events"), ["STARTED", "RUNNING", "COMPLETE"]);
    const key = (d: { logGroupName: string; logStreamName: string; eventId: string }) =>
      `${d.logGroupName}|${d.logStreamName}|${d.eventId}`;
    const got = records(r.messages)
      .map((m) => key(m.data as { logGroupName: string; logStreamName: string; eventId: string }))
      .sort();
    const want = [...expectedEvents(sim.scenario, { withoutMessages: true })].map(key).sort();
    assert.equal(want.length, 20_000);
    assert.deepEqual(got, want);
    // Each group's watermark is past its newest event and no later than the end of the read.
    const last = states(r.messages, "log_events").at(-1)!.stream!.stream_state as {
      log_groups: Record<string, { timestamp: number }>;
    };
    assert.deepEqual(Object.keys(last.log_groups).sort(), groupNames);
    for (const name of groupNames) {
      const newest = Math.max(
        ...[...expectedEvents(sim.scenario, { withoutMessages: true })]
          .filter((e) => e.logGroupName === name)
          .map((e) => e.timestamp),
      );
      const watermark = last.log_groups[name]!.timestamp;
      assert.ok(watermark > newest && watermark <= ended, `${name}: watermark ${watermark}, newest event ${newest}`);
    }
    const c = sim.counters();
    console.error(
      `credentials (single_stream): ${seconds.toFixed(1)} s sync, ${c.requests.AssumeRole} AssumeRole calls, ${c.expiredCredentials} expired-token answers`,
    );
    assert.ok(seconds > 6, `the sync outlived the 2 s sessions several times (${seconds} s)`);
    assert.ok(c.expiredCredentials > 0, "requests were refused with ExpiredTokenException");
    assert.ok((c.requests.AssumeRole ?? 0) >= 3, "the role was assumed again");
    // The state resumes: nothing is delivered again.
    const again = await runWith("read", config, { catalog, state: lastStates(r.messages) });
    assert.equal(again.code, 0, JSON.stringify(errors(again.messages)));
    assert.equal(records(again.messages).length, 0);
  });
});
