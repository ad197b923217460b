// Assumed-role credentials that die long before the sync ends: the connector assumes the role
// again and retries; no stream fails.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import { catalogFor, errors, records, runWith } from "../support/connector.js";

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
