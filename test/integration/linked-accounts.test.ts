// Linked accounts (CloudWatch cross-account observability) end to end: the built connector against
// the simulator as a monitoring account with two linked source accounts, one holding a log group of
// the same name as one of the monitoring account's.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteMessage } from "../../src/airbyte/protocol.js";
import { catalogFor, errors, lastStates, records, runWith, states, statuses } from "../support/connector.js";
import { startMoto, type Moto } from "../support/moto.js";
import { endpointConfig, seedGroup, spreadEvents } from "../support/seed.js";

const T0 = Date.parse("2024-06-01T12:00:00Z");
const OWN = "123456789012";
const SOURCE = "222233334444";
const OTHER = "555566667777";
const arn = (account: string, name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`;
const window = { start: "now-2h", end: "now-1h" };

describe("linked accounts (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        accountId: OWN,
        clock: { start: T0, speed: 0 },
        quotas: "none",
        logGroups: [
          { name: "/app/api", streams: ["a", "b"], timeRange: window, events: { count: 30 } },
          { name: "/app/api", accountId: SOURCE, streams: ["a", "c"], timeRange: window, events: { count: 40 } },
          { name: "/app/web", accountId: SOURCE, streams: ["w"], timeRange: window, events: { count: 20 } },
          { name: "/app/db", accountId: OTHER, streams: ["d"], timeRange: window, events: { count: 10 } },
        ],
      },
    });
  });
  after(async () => sim.stop());

  const config = (extra: Record<string, unknown> = {}) => ({
    region_name: "us-east-1",
    aws_access_key_id: "AKIASIMLINKED0000001",
    aws_secret_access_key: "linked-secret-00000000000000001",
    endpoint_url: sim.url,
    ...extra,
  });
  const linked = (extra: Record<string, unknown> = {}) => config({ include_linked_accounts: true, ...extra });

  const catalogOf = (messages: readonly AirbyteMessage[]) => messages.find((m) => m.type === "CATALOG")!.catalog!;
  const streamNames = (messages: readonly AirbyteMessage[]) => catalogOf(messages).streams.map((s) => s.name);
  /** The scenario's events of one group in one account, as records carry them. */
  const expected = (account: string, group: string, from = 0) =>
    [...expectedEvents(sim.scenario)]
      .filter((e) => e.accountId === account && e.logGroupName === group && e.timestamp >= from)
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
  const byKey = (a: { logStreamName: string; eventId: string }, b: { logStreamName: string; eventId: string }) =>
    `${a.logStreamName}/${a.eventId}` < `${b.logStreamName}/${b.eventId}` ? -1 : 1;
  const data = (messages: readonly AirbyteMessage[], stream: string) =>
    records(messages, stream)
      .map((r) => r.data as { logStreamName: string; eventId: string })
      .sort(byKey);

  test("discover without include_linked_accounts: the caller's groups only, no accountId in the schema", async () => {
    const r = await runWith("discover", config());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(streamNames(r.messages), ["/app/api"]);
    const schema = catalogOf(r.messages).streams[0]!.json_schema as { properties: Record<string, unknown> };
    assert.equal("accountId" in schema.properties, false);
  });

  test("discover with include_linked_accounts: every linked account's groups, a same-name group twice", async () => {
    sim.resetCounters();
    const r = await runWith("discover", linked());
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(streamNames(r.messages), [
      "/app/api",
      `${SOURCE}:/app/api`,
      `${OTHER}:/app/db`,
      `${SOURCE}:/app/web`,
    ]);
    for (const s of catalogOf(r.messages).streams) {
      const schema = s.json_schema as { properties: Record<string, { type: string }>; required: string[] };
      assert.equal(schema.properties.accountId?.type, "string", s.name);
      assert.equal(schema.required.includes("accountId"), false);
      assert.deepEqual(s.source_defined_primary_key, [["logStreamName"], ["eventId"]]);
    }
    // One listing page, and one request for the caller's account (which names the streams).
    assert.equal(sim.counters().requests.DescribeLogGroups, 2);
  });

  test("account_identifiers restricts discovery to those accounts", async () => {
    const source = await runWith("discover", linked({ account_identifiers: [SOURCE] }));
    assert.deepEqual(streamNames(source.messages), [`${SOURCE}:/app/api`, `${SOURCE}:/app/web`]);
    const ownAndOther = await runWith("discover", linked({ account_identifiers: [OWN, OTHER] }));
    assert.deepEqual(streamNames(ownAndOther.messages), ["/app/api", `${OTHER}:/app/db`]);
  });

  test("read: a source account's group by its ARN, the caller's same-name group by name, exact events with accountId", async () => {
    const r = await runWith("read", linked(), { catalog: catalogFor(["/app/api", `${SOURCE}:/app/api`]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(data(r.messages, "/app/api"), expected(OWN, "/app/api"));
    assert.deepEqual(data(r.messages, `${SOURCE}:/app/api`), expected(SOURCE, "/app/api"));
    assert.equal(expected(SOURCE, "/app/api").length, 40);
    for (const name of ["/app/api", `${SOURCE}:/app/api`]) {
      assert.deepEqual(statuses(r.messages, name), ["STARTED", "RUNNING", "COMPLETE"]);
    }
    // The field order of records: accountId right after logGroupName.
    const first = records(r.messages, `${SOURCE}:/app/api`)[0]!.data;
    assert.deepEqual(Object.keys(first).slice(0, 3), ["logGroupName", "accountId", "logStreamName"]);
  });

  test("read without include_linked_accounts: records have no accountId", async () => {
    const r = await runWith("read", config(), { catalog: catalogFor(["/app/api"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    const got = records(r.messages, "/app/api");
    assert.equal(got.length, 30);
    assert.ok(got.every((x) => !("accountId" in x.data)));
  });

  test("state resumes per stream: the same group name in two accounts keeps two states", async () => {
    const from = expected(SOURCE, "/app/api")
      .map((e) => e.timestamp)
      .sort((a, b) => a - b)[20]!;
    const state = [
      {
        type: "STREAM",
        stream: { stream_descriptor: { name: `${SOURCE}:/app/api` }, stream_state: { timestamp: from } },
      },
    ];
    const catalog = catalogFor(["/app/api", `${SOURCE}:/app/api`]);
    const first = await runWith("read", linked(), { catalog, state });
    assert.equal(first.code, 0, JSON.stringify(errors(first.messages)));
    assert.deepEqual(data(first.messages, `${SOURCE}:/app/api`), expected(SOURCE, "/app/api", from));
    assert.ok(expected(SOURCE, "/app/api", from).length < 40);
    assert.deepEqual(data(first.messages, "/app/api"), expected(OWN, "/app/api"));
    // Each stream's final state covers its whole range (the connector's clock is the wall clock).
    const final = lastStates(first.messages).map((s) => s.stream!.stream_descriptor.name);
    assert.deepEqual(final.sort(), ["/app/api", `${SOURCE}:/app/api`]);
    const second = await runWith("read", linked(), { catalog, state: lastStates(first.messages) });
    assert.equal(records(second.messages).length, 0);
    assert.equal(states(second.messages, `${SOURCE}:/app/api`).length, 1);
  });

  describe("stream_layout single_stream", () => {
    const ALL = "log_events";
    const single = (extra: Record<string, unknown> = {}) => linked({ stream_layout: "single_stream", ...extra });
    /** log_events' records of one group in one account. */
    const groupData = (messages: readonly AirbyteMessage[], account: string, group: string) =>
      records(messages, ALL)
        .map((r) => r.data as { logGroupName: string; accountId: string; logStreamName: string; eventId: string })
        .filter((d) => d.accountId === account && d.logGroupName === group)
        .sort(byKey);
    const watermarks = (messages: readonly AirbyteMessage[]) =>
      (states(messages, ALL).at(-1)!.stream!.stream_state as { log_groups: Record<string, { timestamp: number }> })
        .log_groups;
    /** The caller's group by name, a source account's by ARN (without ':*'). */
    const keys = ["/app/api", arn(SOURCE, "/app/api"), arn(SOURCE, "/app/web"), arn(OTHER, "/app/db")].sort();
    const groups: [string, string][] = [
      [OWN, "/app/api"],
      [SOURCE, "/app/api"],
      [SOURCE, "/app/web"],
      [OTHER, "/app/db"],
    ];

    test("discover: log_events declares accountId and is keyed by it too", async () => {
      const r = await runWith("discover", single());
      assert.equal(r.code, 0, r.stderr);
      const stream = catalogOf(r.messages).streams.find((s) => s.name === ALL)!;
      assert.deepEqual(streamNames(r.messages), [ALL]);
      assert.deepEqual(stream.source_defined_primary_key, [
        ["logGroupName"],
        ["logStreamName"],
        ["eventId"],
        ["accountId"],
      ]);
      assert.ok("accountId" in (stream.json_schema as { properties: Record<string, unknown> }).properties);
    });

    test("read: exact events of every account's groups with accountId, the state keyed by name and ARN", async () => {
      const r = await runWith("read", single(), { catalog: catalogFor([ALL]) });
      assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
      assert.deepEqual(statuses(r.messages, ALL), ["STARTED", "RUNNING", "COMPLETE"]);
      for (const [account, group] of groups)
        assert.deepEqual(groupData(r.messages, account, group), expected(account, group), `${account} ${group}`);
      assert.equal(records(r.messages, ALL).length, 30 + 40 + 20 + 10);
      assert.deepEqual(Object.keys(watermarks(r.messages)).sort(), keys);
    });

    test("resume: the same group name in two accounts is two entries, neither moving the other", async () => {
      const nth = (account: string, n: number) =>
        expected(account, "/app/api")
          .map((e) => e.timestamp)
          .sort((a, b) => a - b)[n]!;
      const [fromOwn, fromSource] = [nth(OWN, 10), nth(SOURCE, 25)];
      const log_groups = { "/app/api": { timestamp: fromOwn }, [arn(SOURCE, "/app/api")]: { timestamp: fromSource } };
      const state = [{ type: "STREAM", stream: { stream_descriptor: { name: ALL }, stream_state: { log_groups } } }];
      const first = await runWith("read", single(), { catalog: catalogFor([ALL]), state });
      assert.equal(first.code, 0, JSON.stringify(errors(first.messages)));
      assert.deepEqual(groupData(first.messages, OWN, "/app/api"), expected(OWN, "/app/api", fromOwn));
      assert.deepEqual(groupData(first.messages, SOURCE, "/app/api"), expected(SOURCE, "/app/api", fromSource));
      assert.ok(expected(OWN, "/app/api", fromOwn).length < 30);
      assert.ok(expected(SOURCE, "/app/api", fromSource).length < 40);
      // Groups without an entry are read from their start.
      assert.deepEqual(groupData(first.messages, SOURCE, "/app/web"), expected(SOURCE, "/app/web"));
      assert.deepEqual(groupData(first.messages, OTHER, "/app/db"), expected(OTHER, "/app/db"));
      const after = watermarks(first.messages);
      assert.deepEqual(Object.keys(after).sort(), keys);
      const second = await runWith("read", single(), { catalog: catalogFor([ALL]), state: lastStates(first.messages) });
      assert.equal(second.code, 0, JSON.stringify(errors(second.messages)));
      assert.equal(records(second.messages).length, 0);
      assert.deepEqual(Object.keys(watermarks(second.messages)).sort(), keys);
    });
  });

  test("a custom report names its log group by ARN, with or without ':*'", async () => {
    const cfg = linked({
      custom_log_reports: [
        { name: "source-api", log_group_name: `${arn(SOURCE, "/app/api")}:*` },
        { name: "other-db", log_group_name: arn(OTHER, "/app/db"), log_stream_names: ["d"] },
        { name: "own-api", log_group_name: arn(OWN, "/app/api") },
      ],
    });
    const check = await runWith("check", cfg);
    assert.equal(check.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus?.status, "SUCCEEDED");
    const r = await runWith("read", cfg, { catalog: catalogFor(["source-api", "other-db", "own-api"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.deepEqual(data(r.messages, "source-api"), expected(SOURCE, "/app/api"));
    assert.deepEqual(data(r.messages, "other-db"), expected(OTHER, "/app/db"));
    assert.deepEqual(data(r.messages, "own-api"), expected(OWN, "/app/api"));
  });

  test("without include_linked_accounts a source account's ARN is not visible: check and read say so", async () => {
    const cfg = config({ custom_log_reports: [{ name: "source-api", log_group_name: arn(SOURCE, "/app/api") }] });
    const check = await runWith("check", cfg);
    const status = check.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(
      status.message!,
      /custom_log_reports\[0\]\.log_group_name: log group ".*222233334444.*" does not exist/,
    );
    const r = await runWith("read", cfg, { catalog: catalogFor(["source-api"]) });
    assert.equal(errors(r.messages)[0]?.failure_type, "config_error");
    assert.deepEqual(statuses(r.messages, "source-api"), ["STARTED", "INCOMPLETE"]);
  });

  test("invalid combinations are config errors naming the field and the fix", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [config({ account_identifiers: [SOURCE] }), /account_identifiers is set but include_linked_accounts is not; set/],
      [
        linked({ account_identifiers: Array.from({ length: 21 }, (_, i) => String(100000000000 + i)) }),
        /account_identifiers must NOT have more than 20 items/,
      ],
      [linked({ account_identifiers: ["12345"] }), /account_identifiers\[0\] has an invalid format.*12-digit/],
    ];
    for (const [cfg, message] of cases) {
      const r = await runWith("discover", cfg);
      assert.equal(r.code, 1);
      const error = errors(r.messages)[0]!;
      assert.equal(error.failure_type, "config_error");
      assert.match(error.message, message);
    }
  });
});

describe("linked accounts (simulator): a monitoring account without log groups of its own", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        accountId: OWN,
        clock: { start: T0, speed: 0 },
        quotas: "none",
        logGroups: [{ name: "/only/here", accountId: SOURCE, streams: ["s"], timeRange: window, events: { count: 5 } }],
      },
    });
  });
  after(async () => sim.stop());

  test("every group is a source account's: named with its account, read by ARN", async () => {
    const config = {
      region_name: "us-east-1",
      aws_access_key_id: "AKIASIMLINKED0000002",
      aws_secret_access_key: "linked-secret-00000000000000002",
      endpoint_url: sim.url,
      include_linked_accounts: true,
    };
    const d = await runWith("discover", config);
    const names = d.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name);
    assert.deepEqual(names, [`${SOURCE}:/only/here`]);
    const r = await runWith("read", config, { catalog: catalogFor(names) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    assert.equal(records(r.messages, `${SOURCE}:/only/here`).length, 5);
  });
});

// moto 5 ignores includeLinkedAccounts and accountIdentifiers, and has no accounts to link: the
// connector then sees a monitoring account without links. Its own groups keep their names and
// their records carry moto's account id.
describe("linked accounts (moto_server: a monitoring account without links)", () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
  });
  after(async () => moto.stop());

  test("discover offers the caller's groups by name; read adds the caller's accountId", async () => {
    const now = Date.now();
    const seeded = spreadEvents(12, now - 3_600_000, 1_800_000, ["s"], "moto-linked");
    await seedGroup(moto.url, "/moto/app", seeded);
    const config = endpointConfig(moto.url, {
      include_linked_accounts: true,
    });
    const d = await runWith("discover", config);
    assert.deepEqual(
      d.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name),
      ["/moto/app"],
    );
    const r = await runWith("read", config, { catalog: catalogFor(["/moto/app"]) });
    assert.equal(r.code, 0, JSON.stringify(errors(r.messages)));
    const got = records(r.messages, "/moto/app");
    assert.equal(got.length, 12);
    assert.ok(got.every((x) => (x.data as { accountId?: string }).accountId === "123456789012"));
  });
});
