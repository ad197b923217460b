// The simulator's DescribeLogGroups selection, as AWS answers it: prefix or pattern (never both), a
// pattern of DescribeLogGroups' characters only, an answer by pattern that carries only each
// group's name, creation time and ARN, and logGroupIdentifiers for the details of named groups.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandInput,
  FilterLogEventsCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { errorOf, logsClient } from "./support.js";

const T0 = Date.parse("2024-06-01T12:00:00Z");

describe("simulator: DescribeLogGroups selection", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        clock: { start: T0, speed: 0 },
        quotas: "none",
        logGroups: [
          { name: "/app/payments", streams: ["a"], events: { count: 3 }, retentionInDays: 7 },
          { name: "/app/Payments-old", streams: ["a"], events: { count: 3 } },
          { name: "/ops/payments-ia", logClass: "INFREQUENT_ACCESS", streams: ["a"], events: { count: 3 } },
          { name: "/app/orders", streams: ["a"], events: { count: 3 } },
        ],
      },
    });
  });
  after(async () => sim.stop());
  const describeGroups = (input: DescribeLogGroupsCommandInput) =>
    logsClient(sim.url).send(new DescribeLogGroupsCommand(input));

  test("a pattern is a case-sensitive substring; the answer has only name, creation time and ARN", async () => {
    const out = await describeGroups({ logGroupNamePattern: "payments" });
    assert.deepEqual(
      out.logGroups?.map((g) => g.logGroupName),
      ["/app/payments", "/ops/payments-ia"],
    );
    for (const g of out.logGroups ?? []) {
      assert.deepEqual(Object.keys(g).sort(), ["arn", "creationTime", "logGroupName", "metricFilterCount"]);
      assert.equal(g.arn, `arn:aws:logs:us-east-1:123456789012:log-group:${g.logGroupName}:*`);
    }
    // By prefix the same group comes with its class and retention.
    const byPrefix = await describeGroups({ logGroupNamePrefix: "/app/payments" });
    assert.equal(byPrefix.logGroups?.[0]?.logGroupClass, "STANDARD");
    assert.equal(byPrefix.logGroups?.[0]?.retentionInDays, 7);
  });

  test("logGroupIdentifiers (names or ARNs) give the full description of those groups only", async () => {
    const out = await describeGroups({
      logGroupIdentifiers: ["arn:aws:logs:us-east-1:123456789012:log-group:/ops/payments-ia", "/app/payments", "/none"],
    });
    assert.deepEqual(
      out.logGroups?.map((g) => [g.logGroupName, g.logGroupClass, g.retentionInDays]),
      [
        ["/app/payments", "STANDARD", 7],
        ["/ops/payments-ia", "INFREQUENT_ACCESS", undefined],
      ],
    );
    assert.equal(out.nextToken, undefined);
  });

  test("refused as AWS refuses them: prefix with pattern, a pattern's other characters, identifiers with a filter", async () => {
    const both = await errorOf(() => describeGroups({ logGroupNamePrefix: "/app", logGroupNamePattern: "pay" }));
    assert.equal(both.name, "InvalidParameterException");
    assert.match(both.message, /mutually exclusive/);
    for (const pattern of ["pay*", "a b", "ü"]) {
      const bad = await errorOf(() => describeGroups({ logGroupNamePattern: pattern }));
      assert.equal(bad.name, "InvalidParameterException", pattern);
      assert.match(bad.message, /at 'logGroupNamePattern' failed to satisfy constraint: Member must satisfy regular/);
    }
    const long = await errorOf(() => describeGroups({ logGroupNamePattern: "x".repeat(513) }));
    assert.match(long.message, /Member must have length less than or equal to 512/);
    const mixed = await errorOf(() =>
      describeGroups({ logGroupIdentifiers: ["/app/orders"], logGroupNamePattern: "o" }),
    );
    assert.equal(mixed.name, "InvalidParameterException");
    const many = await errorOf(() =>
      describeGroups({ logGroupIdentifiers: Array.from({ length: 51 }, (_, i) => `/g${i}`) }),
    );
    assert.match(many.message, /Member must have length less than or equal to 50/);
  });

  test("an empty pattern selects every group", async () => {
    const out = await describeGroups({ logGroupNamePattern: "" });
    assert.equal(out.logGroups?.length, 4);
  });

  test("the counters count requests per log group named", async () => {
    sim.resetCounters();
    const c = logsClient(sim.url);
    await c.send(new FilterLogEventsCommand({ logGroupName: "/app/orders" }));
    await c.send(new FilterLogEventsCommand({ logGroupName: "/app/orders" }));
    await c.send(new FilterLogEventsCommand({ logGroupIdentifier: "/app/payments" }));
    await describeGroups({});
    assert.deepEqual(sim.counters().requestsByGroup, { "/app/orders": 2, "/app/payments": 1 });
  });
});

describe("simulator: DescribeLogGroups selection with linked accounts", () => {
  const OWN = "123456789012";
  const SOURCE = "222233334444";
  const OTHER = "555566667777";
  const arn = (account: string, name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`;
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        accountId: OWN,
        clock: { start: T0, speed: 0 },
        quotas: "none",
        logGroups: [
          { name: "/app/pay", streams: ["a"], events: { count: 3 }, retentionInDays: 7 },
          {
            name: "/app/pay",
            accountId: SOURCE,
            streams: ["a"],
            events: { count: 3 },
            retentionInDays: 30,
            dataProtection: { identifiers: ["EmailAddress"] },
          },
          {
            name: "/app/pay-ia",
            accountId: SOURCE,
            logClass: "INFREQUENT_ACCESS",
            streams: ["a"],
            events: { count: 3 },
          },
          { name: "/app/pay", accountId: OTHER, streams: ["a"], events: { count: 3 } },
          { name: "/app/orders", accountId: SOURCE, streams: ["a"], events: { count: 3 } },
        ],
      },
    });
  });
  after(async () => sim.stop());
  const describeGroups = (input: DescribeLogGroupsCommandInput) =>
    logsClient(sim.url).send(new DescribeLogGroupsCommand(input));
  const arns = (out: { logGroups?: { logGroupArn?: string }[] }) => out.logGroups?.map((g) => g.logGroupArn);

  test("a pattern with includeLinkedAccounts and accountIdentifiers: every account's matching names, partial answers, paged", async () => {
    const all = await describeGroups({ logGroupNamePattern: "pay", includeLinkedAccounts: true });
    for (const g of all.logGroups ?? []) {
      assert.deepEqual(Object.keys(g).sort(), ["arn", "creationTime", "logGroupName", "metricFilterCount"]);
    }
    assert.deepEqual(
      all.logGroups?.map((g) => g.arn),
      [
        `${arn(OWN, "/app/pay")}:*`,
        `${arn(SOURCE, "/app/pay")}:*`,
        `${arn(OTHER, "/app/pay")}:*`,
        `${arn(SOURCE, "/app/pay-ia")}:*`,
      ],
    );
    const first = await describeGroups({ logGroupNamePattern: "pay", includeLinkedAccounts: true, limit: 2 });
    const rest = await describeGroups({
      logGroupNamePattern: "pay",
      includeLinkedAccounts: true,
      limit: 2,
      nextToken: first.nextToken,
    });
    assert.deepEqual([...(first.logGroups ?? []), ...(rest.logGroups ?? [])], all.logGroups);
    const chosen = await describeGroups({
      logGroupNamePattern: "pay",
      includeLinkedAccounts: true,
      accountIdentifiers: [SOURCE],
    });
    assert.deepEqual(
      chosen.logGroups?.map((g) => g.arn),
      [`${arn(SOURCE, "/app/pay")}:*`, `${arn(SOURCE, "/app/pay-ia")}:*`],
    );
    // Without includeLinkedAccounts, the caller's groups only.
    const own = await describeGroups({ logGroupNamePattern: "pay" });
    assert.deepEqual(
      own.logGroups?.map((g) => g.arn),
      [`${arn(OWN, "/app/pay")}:*`],
    );
  });

  test("logGroupIdentifiers: a name is the caller's group, a source account's group is named by ARN and answered only with includeLinkedAccounts", async () => {
    const ids = ["/app/pay", arn(SOURCE, "/app/pay"), arn(SOURCE, "/app/pay-ia"), arn(OTHER, "/app/pay")];
    const without = await describeGroups({ logGroupIdentifiers: ids });
    assert.deepEqual(arns(without), [arn(OWN, "/app/pay")]);
    const withLinked = await describeGroups({ logGroupIdentifiers: ids, includeLinkedAccounts: true });
    assert.deepEqual(
      withLinked.logGroups?.map((g) => [g.logGroupArn, g.logGroupClass, g.retentionInDays, g.dataProtectionStatus]),
      [
        [arn(OWN, "/app/pay"), "STANDARD", 7, undefined],
        [arn(SOURCE, "/app/pay"), "STANDARD", 30, "ACTIVATED"],
        [arn(OTHER, "/app/pay"), "STANDARD", undefined, undefined],
        [arn(SOURCE, "/app/pay-ia"), "INFREQUENT_ACCESS", undefined, undefined],
      ],
    );
    const onlySource = await describeGroups({
      logGroupIdentifiers: ids,
      includeLinkedAccounts: true,
      accountIdentifiers: [SOURCE],
    });
    assert.deepEqual(arns(onlySource), [arn(SOURCE, "/app/pay"), arn(SOURCE, "/app/pay-ia")]);
    // A source account's group is not found by its name: names resolve in the caller's account.
    const byName = await describeGroups({ logGroupIdentifiers: ["/app/orders"], includeLinkedAccounts: true });
    assert.deepEqual(byName.logGroups, []);
  });
});
