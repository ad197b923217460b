// Assumed-role credentials that die long before the sync ends: the connector assumes the role
// again and retries; no stream fails.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../src/sim/index.js";
import { catalogFor, errors, records, runWith } from "../support/connector.js";

describe("credentials that expire mid-sync (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 5,
        // The sessions advertise 15 minutes but die after 2 seconds, as if revoked or skewed.
        sts: { actualLifetimeSeconds: 2 },
        quotas: { FilterLogEvents: 5 },
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
    const r = await runWith("read", {
      region_name: "us-east-1",
      aws_access_key_id: "AKIASIMBASE00000001",
      aws_secret_access_key: "base-secret-for-assume-role-01",
      role_arn: "arn:aws:iam::123456789012:role/cloudwatch-reader",
      role_external_id: "external-id-for-the-role-0001",
      session_duration: 900,
      endpoint_url: sim.url,
      max_requests_per_second: 5,
    }, { catalog: catalogFor(["/creds/app"]) });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    const got = records(r.messages).map((m) => `${(m.data as { logStreamName: string }).logStreamName}|${(m.data as { eventId: string }).eventId}`).sort();
    const want = [...expectedEvents(sim.scenario, { withoutMessages: true })].map((e) => `${e.logStreamName}|${e.eventId}`).sort();
    assert.deepEqual(got, want);
    const c = sim.counters();
    console.error(`credentials: ${seconds.toFixed(1)} s sync, ${c.requests.AssumeRole} AssumeRole calls, ${c.expiredCredentials} expired-token answers`);
    assert.ok(seconds > 6, `the sync outlived the 2 s sessions several times (${seconds} s)`);
    assert.ok(c.expiredCredentials > 0, "requests were refused with ExpiredTokenException");
    assert.ok((c.requests.AssumeRole ?? 0) >= 3, "the role was assumed again");
  });
});
