// Selecting log groups, through the built connector: log_group_name_pattern (server side on the
// simulator as on AWS; moto ignores the pattern, so there the connector's own check of each
// listed name is what holds), excluded_log_groups (client side, never requested), and every
// invalid combination a config_error naming its field.
import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { endpointConfig, logsClient, seedGroup, spreadEvents, type SeedEvent } from "../support/seed.js";
import { catalogFor, errors, records, runWith, statuses, type RunResult } from "../support/connector.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import { selectionCases } from "../support/invalid-cases.js";
import { parseConfig } from "../../src/config/config.js";
import { logsApiFor } from "../../src/aws/logs-api-from-config.js";
import type { LogGroup, LogGroupSelection } from "../../src/domain/logs.js";

const HOUR = 3_600_000;

/** The groups every test starts from, each with a few events of its own. */
const GROUPS = [
  "/app/payments-api",
  "/app/payments-worker",
  "/app/Payments-old",
  "/ops/payments",
  "/app/orders",
  "/app/noisy-1",
  "/app/noisy-2",
] as const;

function eventsOf(group: string, now: number): SeedEvent[] {
  return spreadEvents(5, now - 2 * HOUR, HOUR, ["s1", "s2"], group);
}

function discovered(r: RunResult): string[] {
  assert.equal(r.code, 0, r.stderr);
  return r.messages
    .find((m) => m.type === "CATALOG")!
    .catalog!.streams.map((s) => s.name)
    .sort();
}

function warnings(messages: readonly AirbyteMessage[]): string[] {
  return messages.filter((m) => m.type === "LOG" && m.log?.level === "WARN").map((m) => m.log!.message);
}

/** Each stream's records as "log stream|timestamp|message", sorted: the exact event set. */
function eventSets(r: RunResult, streams: readonly string[]): Record<string, string[]> {
  return Object.fromEntries(
    streams.map((s) => [
      s,
      records(r.messages, s)
        .map((x) => {
          const d = x.data as { logStreamName: string; timestamp: number; message: string };
          return `${d.logStreamName}|${d.timestamp}|${d.message}`;
        })
        .sort(),
    ]),
  );
}

function seededSets(streams: readonly string[], now: number): Record<string, string[]> {
  return Object.fromEntries(
    streams.map((s) => [
      s,
      eventsOf(s, now)
        .map((e) => `${e.stream}|${e.timestamp}|${e.message}`)
        .sort(),
    ]),
  );
}

for (const kind of ENDPOINT_KINDS) {
  describe(`selecting log groups (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    const now = Date.now();
    before(async () => {
      ep = await kind.start();
      config = endpointConfig(ep.url);
    });
    after(async () => ep.stop());
    beforeEach(async () => {
      await ep.reset();
      for (const g of GROUPS) await seedGroup(ep.url, g, eventsOf(g, now));
    });

    test("log_group_name_pattern: discover offers exactly the groups whose names contain it (case-sensitive), read delivers exactly their events", async () => {
      const cfg = { ...config, log_group_name_pattern: "payments" };
      const names = discovered(await runWith("discover", cfg));
      assert.deepEqual(names, ["/app/payments-api", "/app/payments-worker", "/ops/payments"]);
      const r = await runWith("read", cfg, { catalog: catalogFor(names, "full_refresh") });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(eventSets(r, names), seededSets(names, now));
      assert.deepEqual(
        [...new Set(records(r.messages).map((x) => x.stream))].sort(),
        names,
        "no record of another stream",
      );
    });

    test("excluded_log_groups: names and prefixes ending in * are neither offered nor read", async () => {
      const cfg = { ...config, log_group_prefix: "/app/", excluded_log_groups: ["/app/noisy-*", "/app/orders"] };
      const names = discovered(await runWith("discover", cfg));
      assert.deepEqual(names, ["/app/Payments-old", "/app/payments-api", "/app/payments-worker"]);
      const withPattern = { ...config, log_group_name_pattern: "payments", excluded_log_groups: ["/ops/payments"] };
      assert.deepEqual(discovered(await runWith("discover", withPattern)), [
        "/app/payments-api",
        "/app/payments-worker",
      ]);
      const r = await runWith("read", cfg, { catalog: catalogFor(names) });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(eventSets(r, names), seededSets(names, now));
    });

    test("a catalog that names an excluded log group: that stream fails with a config_error naming excluded_log_groups; the others complete", async () => {
      const cfg = { ...config, excluded_log_groups: ["/app/noisy-*"] };
      const r = await runWith("read", cfg, { catalog: catalogFor(["/app/orders", "/app/noisy-1"]) });
      assert.equal(r.code, 1, r.stderr);
      const errs = errors(r.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0]!.failure_type, "config_error");
      assert.equal(errs[0]!.stream_descriptor?.name, "/app/noisy-1");
      assert.match(
        errs[0]!.message,
        /log group "\/app\/noisy-1" is excluded by excluded_log_groups entry "\/app\/noisy-\*"/,
      );
      assert.deepEqual(statuses(r.messages, "/app/noisy-1"), ["STARTED", "INCOMPLETE"]);
      assert.equal(records(r.messages, "/app/noisy-1").length, 0);
      assert.equal(statuses(r.messages, "/app/orders").at(-1), "COMPLETE");
      assert.deepEqual(eventSets(r, ["/app/orders"]), seededSets(["/app/orders"], now));
    });

    test("a selection that matches no log group: check succeeds with a warning naming it, discover offers nothing and says why", async () => {
      const cfg = { ...config, log_group_name_pattern: "nothing-matches", excluded_log_groups: ["/x"] };
      const c = await runWith("check", cfg);
      assert.equal(c.code, 0, c.stderr);
      assert.equal(c.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus?.status, "SUCCEEDED");
      assert.ok(
        warnings(c.messages).includes(
          'No readable log group found whose name contains log_group_name_pattern "nothing-matches" and not in excluded_log_groups in us-east-1; a sync would have no streams.',
        ),
        warnings(c.messages).join("\n"),
      );
      // Everything the prefix selects is excluded: nothing left either.
      const allExcluded = await runWith("discover", {
        ...config,
        log_group_prefix: "/app/noisy-",
        excluded_log_groups: ["/app/noisy-*"],
      });
      assert.deepEqual(discovered(allExcluded), []);
      assert.ok(
        warnings(allExcluded.messages).some((w) =>
          w.startsWith(
            'No stream found: no readable log group whose name starts with log_group_prefix "/app/noisy-" and not in excluded_log_groups in region us-east-1',
          ),
        ),
      );
      assert.ok(
        warnings(allExcluded.messages).some((w) =>
          w.endsWith("check region_name, log_group_prefix and excluded_log_groups."),
        ),
      );
    });
  });
}

describe("selecting log groups: requests, on the simulator", () => {
  let sim: Simulator;
  let config: Record<string, unknown>;
  const now = Date.now();
  before(async () => {
    sim = await startSimulator({ scenario: { quotas: "none" } });
    config = endpointConfig(sim.url);
  });
  after(async () => sim.stop());
  beforeEach(async () => {
    await sim.reset();
    for (const g of GROUPS) await seedGroup(sim.url, g, eventsOf(g, now));
    sim.resetCounters();
  });

  test("excluded log groups are never requested, by read nor by a catalog that still names them", async () => {
    const cfg = { ...config, excluded_log_groups: ["/app/noisy-*", "/ops/payments"] };
    const names = discovered(await runWith("discover", cfg));
    assert.deepEqual(names, ["/app/Payments-old", "/app/orders", "/app/payments-api", "/app/payments-worker"]);
    const r = await runWith("read", cfg, { catalog: catalogFor([...names, "/app/noisy-2"]) });
    assert.equal(r.code, 1, "the stale stream fails");
    assert.deepEqual(eventSets(r, names), seededSets(names, now));
    assert.deepEqual(Object.keys(sim.counters().requestsByGroup).sort(), names, "only the selected groups were read");
  });

  test("a pattern costs one more DescribeLogGroups per page, for the class and retention AWS leaves out: a cold group is not offered", async () => {
    const client = logsClient(sim.url);
    await client.send(
      new CreateLogGroupCommand({ logGroupName: "/cold/payments", logGroupClass: "INFREQUENT_ACCESS" }),
    );
    // 60 more matching groups: two pages of 50 and 11.
    for (let i = 0; i < 60; i++)
      await client.send(new CreateLogGroupCommand({ logGroupName: `/fn/payments-${String(i).padStart(2, "0")}` }));
    client.destroy();
    sim.resetCounters();
    const r = await runWith("discover", { ...config, log_group_name_pattern: "payments" });
    const names = discovered(r);
    assert.equal(names.length, 63);
    assert.ok(!names.includes("/cold/payments"), "the INFREQUENT_ACCESS group is not offered");
    assert.ok(
      warnings(r.messages).some((w) => w.startsWith('Log group "/cold/payments" is of class INFREQUENT_ACCESS')),
      warnings(r.messages).join("\n"),
    );
    assert.equal(sim.counters().requests.DescribeLogGroups, 4, "2 pages, each followed by one request for details");
    sim.resetCounters();
    discovered(await runWith("discover", { ...config, log_group_prefix: "/fn/" }));
    assert.equal(sim.counters().requests.DescribeLogGroups, 2, "by prefix: the pages only");
  });

  test("listed by pattern, a log group carries its class, retention and size as when listed by prefix", async () => {
    // Its read starts at the later of creation - 14 days and now - retention: without the details
    // AWS leaves out of a pattern's answer, a group kept for 1 day would be read from 14 days back.
    const seeded = await startSimulator({
      scenario: {
        quotas: "none",
        logGroups: [
          { name: "/app/payments-short", retentionInDays: 1, streams: ["a"], events: { count: 4 } },
          { name: "/app/payments-cold", logClass: "INFREQUENT_ACCESS", streams: ["a"], events: { count: 4 } },
        ],
      },
    });
    const api = logsApiFor(parseConfig({ ...config, endpoint_url: seeded.url }));
    try {
      const list = async (selection: LogGroupSelection) => {
        const out: LogGroup[] = [];
        for await (const g of api.listLogGroups(selection)) out.push(g);
        return out;
      };
      const byPattern = await list({ pattern: "payments" });
      assert.deepEqual(
        byPattern.map((g) => [g.name, g.logGroupClass, g.retentionInDays]),
        [
          ["/app/payments-cold", "INFREQUENT_ACCESS", undefined],
          ["/app/payments-short", "STANDARD", 1],
        ],
      );
      assert.deepEqual(byPattern, await list({ prefix: "/app/payments-" }));
    } finally {
      api.close();
      await seeded.stop();
    }
  });
});

describe("selecting log groups: invalid settings, through the CLI", { concurrency: 4 }, () => {
  const base = { region_name: "us-east-1", endpoint_url: "http://127.0.0.1:9" };
  for (const c of selectionCases()) {
    test(`check: ${c.name}`, async () => {
      const r = await runWith("check", { ...base, ...(c.input as Record<string, unknown>) });
      assert.equal(r.code, 1, r.stderr);
      const errs = errors(r.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0]!.failure_type, "config_error");
      assert.match(errs[0]!.message, c.expect);
      assert.equal(r.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus?.status, "FAILED");
    });
  }
  for (const command of ["discover", "read"] as const) {
    test(`${command}: log_group_prefix with log_group_name_pattern, before any AWS call`, async () => {
      const r = await runWith(
        command,
        { ...base, log_group_prefix: "/aws/", log_group_name_pattern: "lambda" },
        command === "read" ? { catalog: catalogFor(["/aws/x"]) } : {},
      );
      assert.equal(r.code, 1, r.stderr);
      const errs = errors(r.messages);
      assert.equal(errs.length, 1);
      assert.equal(errs[0]!.failure_type, "config_error");
      assert.match(errs[0]!.message, /log_group_prefix and log_group_name_pattern are both set/);
    });
  }
});
