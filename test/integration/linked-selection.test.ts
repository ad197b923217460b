// Log group selection together with linked accounts, through the built connector against the
// simulator as a monitoring account: a name pattern selects every account's groups, and its second
// DescribeLogGroups request (for the class and retention a pattern's answer leaves out) names a
// source account's groups by ARN, since a name resolves only in the caller's account; exclusions
// match log group names in every account.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import { parseConfig } from "../../src/config/config.js";
import { logsApiFor } from "../../src/aws/logs-api-from-config.js";
import type { LogGroup, LogGroupSelection } from "../../src/domain/logs.js";
import { catalogFor, errors, records, runWith, statuses } from "../support/connector.js";

const T0 = Date.parse("2024-06-01T12:00:00Z");
const OWN = "123456789012";
const SOURCE = "222233334444";
const OTHER = "555566667777";
const arn = (account: string, name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`;
const window = { start: "now-2h", end: "now-1h" };

describe("log group selection with linked accounts (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        accountId: OWN,
        clock: { start: T0, speed: 0 },
        quotas: "none",
        logGroups: [
          { name: "/app/pay-api", retentionInDays: 7, streams: ["a", "b"], timeRange: window, events: { count: 20 } },
          { name: "/app/orders", streams: ["o"], timeRange: window, events: { count: 5 } },
          {
            name: "/app/pay-api",
            accountId: SOURCE,
            retentionInDays: 30,
            streams: ["a", "c"],
            timeRange: window,
            events: { count: 30 },
          },
          {
            name: "/app/pay-cold",
            accountId: SOURCE,
            logClass: "INFREQUENT_ACCESS",
            streams: ["x"],
            timeRange: window,
            events: { count: 5 },
          },
          { name: "/app/pay-debug", accountId: SOURCE, streams: ["d"], timeRange: window, events: { count: 10 } },
          { name: "/app/orders", accountId: SOURCE, streams: ["o"], timeRange: window, events: { count: 5 } },
          { name: "/ops/pay-x", accountId: OTHER, streams: ["x"], timeRange: window, events: { count: 8 } },
        ],
      },
    });
  });
  after(async () => sim.stop());

  const linked = (extra: Record<string, unknown> = {}) => ({
    region_name: "us-east-1",
    aws_access_key_id: "AKIASIMLINKEDSEL0001",
    aws_secret_access_key: "linked-selection-secret-000000001",
    endpoint_url: sim.url,
    include_linked_accounts: true,
    ...extra,
  });
  const streamNames = (messages: readonly AirbyteMessage[]) =>
    messages
      .find((m) => m.type === "CATALOG")!
      .catalog!.streams.map((s) => s.name)
      .sort();
  const byKey = (a: { logStreamName: string; eventId: string }, b: { logStreamName: string; eventId: string }) =>
    `${a.logStreamName}/${a.eventId}` < `${b.logStreamName}/${b.eventId}` ? -1 : 1;
  /** The scenario's events of one group in one account, as records carry them. */
  const expected = (account: string, group: string) =>
    [...expectedEvents(sim.scenario)]
      .filter((e) => e.accountId === account && e.logGroupName === group)
      .map((e) => ({
        logGroupName: e.logGroupName,
        accountId: e.accountId,
        logStreamName: e.logStreamName,
        timestamp: e.timestamp,
        ingestionTime: e.ingestionTime,
        message: e.message,
        eventId: e.eventId,
      }))
      .sort(byKey);
  const data = (messages: readonly AirbyteMessage[], stream: string) =>
    records(messages, stream)
      .map((r) => r.data as { logStreamName: string; eventId: string })
      .sort(byKey);

  test("discover: a name pattern selects every account's groups; a source account's INFREQUENT_ACCESS group is not offered", async () => {
    sim.resetCounters();
    const r = await runWith("discover", linked({ log_group_name_pattern: "pay" }));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(streamNames(r.messages), [
      "/app/pay-api",
      `${SOURCE}:/app/pay-api`,
      `${SOURCE}:/app/pay-debug`,
      `${OTHER}:/ops/pay-x`,
    ]);
    const warnings = r.messages.filter((m) => m.type === "LOG" && m.log?.level === "WARN").map((m) => m.log!.message);
    assert.ok(
      warnings.some((w) => w.includes('"/app/pay-cold" is of class INFREQUENT_ACCESS')),
      JSON.stringify(warnings),
    );
    // The pattern's page, the caller's account and the page's details by identifiers; the caller's
    // account once more for the stream names.
    assert.equal(sim.counters().requests.DescribeLogGroups, 4);
  });

  test("listed by pattern with linked accounts, each account's group carries its own class and retention", async () => {
    const config = parseConfig(linked());
    const api = logsApiFor(config);
    try {
      const list = async (selection: LogGroupSelection) => {
        const out: LogGroup[] = [];
        for await (const g of api.listLogGroups(selection, config.linkedAccounts)) out.push(g);
        return out;
      };
      const byPattern = await list({ pattern: "pay" });
      assert.deepEqual(
        byPattern.map((g) => [g.arn, g.logGroupClass, g.retentionInDays]),
        [
          [`${arn(OWN, "/app/pay-api")}:*`, "STANDARD", 7],
          [`${arn(SOURCE, "/app/pay-api")}:*`, "STANDARD", 30],
          [`${arn(SOURCE, "/app/pay-cold")}:*`, "INFREQUENT_ACCESS", undefined],
          [`${arn(SOURCE, "/app/pay-debug")}:*`, "STANDARD", undefined],
          [`${arn(OTHER, "/ops/pay-x")}:*`, "STANDARD", undefined],
        ],
      );
      // As complete as a listing without a pattern, which AWS answers in full. (Had the details
      // request named the source accounts' groups by name, it would have found none of them.)
      const all = await list({});
      assert.deepEqual(
        byPattern,
        all.filter((g) => g.name.includes("pay")),
      );
    } finally {
      api.close();
    }
  });

  test("read with a pattern: source accounts' groups by ARN, exact events with accountId; retention from the details", async () => {
    const cfg = linked({ log_group_name_pattern: "pay" });
    const full = [`${SOURCE}:/app/pay-debug`, `${OTHER}:/ops/pay-x`];
    const kept = ["/app/pay-api", `${SOURCE}:/app/pay-api`];
    const r = await runWith("read", cfg, { catalog: catalogFor([...full, ...kept]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(data(r.messages, `${SOURCE}:/app/pay-debug`), expected(SOURCE, "/app/pay-debug"));
    assert.deepEqual(data(r.messages, `${OTHER}:/ops/pay-x`), expected(OTHER, "/ops/pay-x"));
    assert.equal(expected(SOURCE, "/app/pay-debug").length, 10);
    // The scenario's events are from 2024 and the connector's clock is the wall clock: a group kept
    // 7 or 30 days (retention known only from the pattern's details request) holds none of them any
    // more, so its read starts after them. Read without its retention, it would deliver them all.
    assert.equal(expected(SOURCE, "/app/pay-api").length, 30);
    for (const s of kept) assert.equal(records(r.messages, s).length, 0, s);
    for (const s of [...full, ...kept]) assert.equal(statuses(r.messages, s).at(-1), "COMPLETE", s);
  });

  test("excluded_log_groups matches a name in every account; a catalog stream of an excluded source group fails alone", async () => {
    const cfg = linked({ excluded_log_groups: ["/app/orders", "/app/pay-d*"] });
    const d = await runWith("discover", cfg);
    assert.deepEqual(streamNames(d.messages), ["/app/pay-api", `${SOURCE}:/app/pay-api`, `${OTHER}:/ops/pay-x`]);
    sim.resetCounters();
    const r = await runWith("read", cfg, {
      catalog: catalogFor([`${SOURCE}:/app/orders`, `${SOURCE}:/app/pay-debug`, `${OTHER}:/ops/pay-x`]),
    });
    assert.equal(r.code, 1);
    const messages = errors(r.messages).map((e) => [e.failure_type, e.message]);
    assert.deepEqual(messages.map(([type]) => type).sort(), ["config_error", "config_error"]);
    assert.ok(
      messages.some(([, m]) =>
        m?.includes(
          `Stream "${SOURCE}:/app/orders" is in the catalog but log group "/app/orders" is excluded by excluded_log_groups entry "/app/orders"`,
        ),
      ),
      JSON.stringify(messages),
    );
    assert.ok(
      messages.some(([, m]) => m?.includes('is excluded by excluded_log_groups entry "/app/pay-d*"')),
      JSON.stringify(messages),
    );
    assert.deepEqual(statuses(r.messages, `${SOURCE}:/app/orders`), ["STARTED", "INCOMPLETE"]);
    assert.deepEqual(data(r.messages, `${OTHER}:/ops/pay-x`), expected(OTHER, "/ops/pay-x"));
    // Excluded groups never requested: only /ops/pay-x was read (by ARN).
    assert.deepEqual(Object.keys(sim.counters().requestsByGroup), [arn(OTHER, "/ops/pay-x")]);
  });
});
