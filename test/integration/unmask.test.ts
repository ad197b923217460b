// `unmask`: log groups with a data protection policy deliver their masked values in clear only with
// the setting and the logs:Unmask permission. Against the simulator (which models both) and moto
// (which has no policies and ignores unmask).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { catalogFor, errors, records, runWith, statuses, type RunResult } from "../support/connector.js";
import { startMoto, type Moto } from "../support/moto.js";
import { putEvents, seedGroup } from "../support/seed.js";

const MESSAGES = ["login ann.lee@example.com ok", "charged acct-123456", "nothing to hide"];
const MASKED = ["login ******************* ok", "charged ***********", "nothing to hide"];
/** Sorts first, so check probes it. */
const PROTECTED = "/dp/app";
const PLAIN = "/dp/plain";

/** A simulator whose two groups hold MESSAGES, PROTECTED under a data protection policy. */
async function simWith(deniedActions: ScenarioFile["deniedActions"]): Promise<Simulator> {
  const sim = await startSimulator({
    scenario: {
      quotas: "none",
      ...(deniedActions ? { deniedActions } : {}),
      logGroups: [
        {
          name: PROTECTED,
          streams: ["s"],
          dataProtection: { identifiers: ["EmailAddress"], customPatterns: ["acct-[0-9]{6}"] },
        },
        { name: PLAIN, streams: ["s"] },
      ],
    },
  });
  const t = sim.now() - 3_600_000;
  for (const group of [PROTECTED, PLAIN])
    await putEvents(
      sim.url,
      group,
      "s",
      MESSAGES.map((message, i) => ({ timestamp: t + i, message })),
    );
  return sim;
}

const config = (url: string, extra: Record<string, unknown> = {}) => ({
  region_name: "us-east-1",
  aws_access_key_id: "AKIASIMUNMASK0000001",
  aws_secret_access_key: "unmask-secret-00000000000000000001",
  endpoint_url: url,
  ...extra,
});

const messagesOf = (r: RunResult, stream: string) => records(r.messages, stream).map((m) => m.data.message);

function checkStatus(r: RunResult) {
  return r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
}

describe("unmask (simulator)", () => {
  let granted: Simulator;
  let denied: Simulator;
  before(async () => {
    granted = await simWith(undefined);
    // Denied on the protected group only: the plain group is read unmasked.
    denied = await simWith([{ action: "logs:Unmask", logGroups: [PROTECTED] }]);
  });
  after(async () => {
    await granted.stop();
    await denied.stop();
  });
  const both = catalogFor([PROTECTED, PLAIN]);

  test("off by default: the protected group's values arrive masked, the other group's as they are", async () => {
    const r = await runWith("read", config(granted.url), { catalog: both });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(messagesOf(r, PROTECTED), MASKED);
    assert.deepEqual(messagesOf(r, PLAIN), MESSAGES);
  });

  test("on, with logs:Unmask: every value arrives in clear", async () => {
    const r = await runWith("read", config(granted.url, { unmask: true }), { catalog: both });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(messagesOf(r, PROTECTED), MESSAGES);
    assert.deepEqual(messagesOf(r, PLAIN), MESSAGES);
    assert.deepEqual(statuses(r.messages, PROTECTED), ["STARTED", "RUNNING", "COMPLETE"]);
  });

  test("stream_layout single_stream: each group of log_events is read with unmask too", async () => {
    const single = { stream_layout: "single_stream" };
    const masked = await runWith("read", config(granted.url, single), { catalog: catalogFor(["log_events"]) });
    const clear = await runWith("read", config(granted.url, { ...single, unmask: true }), {
      catalog: catalogFor(["log_events"]),
    });
    for (const r of [masked, clear]) assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    const ofGroup = (r: RunResult, group: string) =>
      records(r.messages, "log_events")
        .filter((m) => m.data.logGroupName === group)
        .map((m) => m.data.message);
    assert.deepEqual(ofGroup(masked, PROTECTED), MASKED);
    assert.deepEqual(ofGroup(clear, PROTECTED), MESSAGES);
    assert.deepEqual(ofGroup(clear, PLAIN), MESSAGES);
  });

  test("on, without logs:Unmask on a group: that stream ends INCOMPLETE with a config_error naming logs:Unmask, the other completes", async () => {
    const r = await runWith("read", config(denied.url, { unmask: true }), { catalog: both });
    assert.notEqual(r.code, 0);
    assert.deepEqual(statuses(r.messages, PROTECTED), ["STARTED", "INCOMPLETE"]);
    assert.deepEqual(messagesOf(r, PROTECTED), []);
    const errs = errors(r.messages);
    assert.equal(errs.length, 1, JSON.stringify(errs));
    assert.equal(errs[0]!.failure_type, "config_error");
    assert.equal(errs[0]!.stream_descriptor?.name, PROTECTED);
    assert.match(errs[0]!.message, /may not call logs:Unmask \(AccessDeniedException\)/);
    assert.match(errs[0]!.message, /grant logs:Unmask in the IAM policy, or turn unmask off/);
    assert.deepEqual(statuses(r.messages, PLAIN), ["STARTED", "RUNNING", "COMPLETE"]);
    assert.deepEqual(messagesOf(r, PLAIN), MESSAGES);
  });

  test("check verifies logs:Unmask only when unmask is on", async () => {
    const missing = checkStatus(await runWith("check", config(denied.url, { unmask: true })));
    assert.equal(missing.status, "FAILED");
    assert.match(missing.message!, new RegExp(`reading log group "${PROTECTED}".*may not call logs:Unmask`));
    assert.match(missing.message!, /grant logs:Unmask in the IAM policy, or turn unmask off/);
    assert.equal(checkStatus(await runWith("check", config(denied.url))).status, "SUCCEEDED");
    assert.equal(checkStatus(await runWith("check", config(granted.url, { unmask: true }))).status, "SUCCEEDED");
  });

  test("a custom report is probed with unmask too", async () => {
    const r = await runWith("check", {
      ...config(denied.url, { unmask: true, log_group_prefix: PLAIN }),
      custom_log_reports: [{ name: "app-report", log_group_name: PROTECTED }],
    });
    const status = checkStatus(r);
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /custom_log_reports\[0\].*may not call logs:Unmask/);
  });
});

describe("unmask (moto)", () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
    await seedGroup(
      moto.url,
      PROTECTED,
      MESSAGES.map((message, i) => ({ stream: "s", timestamp: Date.now() - 3_600_000 + i, message })),
    );
  });
  after(async () => moto.stop());

  test("moto has no data protection policies and ignores unmask: the stored messages, setting on or off", async () => {
    for (const unmask of [false, true]) {
      const r = await runWith("read", config(moto.url, { unmask }), { catalog: catalogFor([PROTECTED]) });
      assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
      assert.deepEqual(messagesOf(r, PROTECTED), MESSAGES);
    }
  });
});
