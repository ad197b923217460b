// INFREQUENT_ACCESS log groups cannot be read with FilterLogEvents: discover and read say so and
// the sync does not fail because of them.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { catalogFor, errors, records, runWith, states, statuses } from "../support/connector.js";

describe("INFREQUENT_ACCESS log groups (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        quotas: "none",
        logGroups: [
          {
            name: "/ia/archive",
            logClass: "INFREQUENT_ACCESS",
            timeRange: { start: "now-3h", end: "now-1h" },
            events: { count: 50 },
          },
          { name: "/ia/live", timeRange: { start: "now-3h", end: "now-1h" }, events: { count: 50 } },
        ],
      },
    });
  });
  after(async () => sim.stop());
  const config = () => ({
    region_name: "us-east-1",
    aws_access_key_id: "AKIASIMIA0000000001",
    aws_secret_access_key: "ia-secret-0000000000000000001",
    endpoint_url: sim.url,
  });

  test("discover leaves them out with a log message naming the group and its class", async () => {
    const r = await runWith("discover", config());
    assert.equal(r.code, 0);
    assert.deepEqual(
      r.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name),
      ["/ia/live"],
    );
    const logs = r.messages.filter((m) => m.type === "LOG").map((m) => m.log!.message);
    assert.ok(
      logs.some((l) => /"\/ia\/archive" is of class INFREQUENT_ACCESS/.test(l)),
      logs.join("\n"),
    );
  });

  test("a catalog that still names one reads the others and skips it with a warning, exit 0", async () => {
    const r = await runWith("read", config(), { catalog: catalogFor(["/ia/archive", "/ia/live"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(statuses(r.messages, "/ia/archive"), ["STARTED", "COMPLETE"]);
    assert.equal(states(r.messages, "/ia/archive").length, 1);
    assert.equal(records(r.messages, "/ia/live").length, 50);
    assert.ok(
      r.messages.some(
        (m) => m.type === "LOG" && m.log!.level === "WARN" && /INFREQUENT_ACCESS.*skipped/.test(m.log!.message),
      ),
    );
  });

  test("check says so for a custom report on such a group", async () => {
    const r = await runWith("check", {
      ...config(),
      custom_log_reports: [{ name: "archive", log_group_name: "/ia/archive" }],
    });
    const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, /INFREQUENT_ACCESS, which FilterLogEvents cannot read/);
  });
});
