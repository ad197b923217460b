// The simulator through the real AWS SDK v3 over HTTP: every API, errors, throttling, faults,
// page shaping, late arrival, log classes and STS credential expiry.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expectedEvents, spawnSimulator, startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { errorOf, logsClient, post, REGION, STATIC_KEYS } from "./support.js";
import { REPO_ROOT, repoJson } from "../support/repo.js";

const T0 = Date.parse("2024-06-01T12:00:00Z");
const sims: Simulator[] = [];
/**
 * A simulator on a frozen clock and, unless the scenario sets quotas, without them: only the
 * throttling test is about quotas, and a quota would make the others depend on how fast this
 * machine sends requests (the quota buckets refill on real time).
 */
async function sim(scenario: ScenarioFile = {}): Promise<Simulator> {
  const s = await startSimulator({ scenario: { clock: { start: T0, speed: 0 }, quotas: "none", ...scenario } });
  sims.push(s);
  return s;
}
after(async () => {
  await Promise.all(sims.map((s) => s.stop()));
});

async function filterAll(
  url: string,
  input: ConstructorParameters<typeof FilterLogEventsCommand>[0],
): Promise<{ events: FilteredLogEvent[]; pages: number[] }> {
  const client = logsClient(url);
  const events: FilteredLogEvent[] = [];
  const pages: number[] = [];
  let nextToken: string | undefined;
  do {
    const out = await client.send(new FilterLogEventsCommand({ ...input, nextToken }));
    events.push(...(out.events ?? []));
    pages.push(out.events?.length ?? 0);
    nextToken = out.nextToken;
  } while (nextToken);
  client.destroy();
  return { events, pages };
}

describe("seeding and reading an empty account", () => {
  let s: Simulator;
  const client = (): ReturnType<typeof logsClient> => logsClient(s.url);
  before(async () => {
    s = await sim();
    const c = client();
    await c.send(new CreateLogGroupCommand({ logGroupName: "/app/web" }));
    await c.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: "a" }));
    await c.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: "b" }));
    const events = (n: number, base: number): Array<{ timestamp: number; message: string }> =>
      Array.from({ length: n }, (_, i) => ({
        timestamp: base + i * 1000,
        message: `event ${i} ${i % 10 === 0 ? "ERROR" : "INFO"}`,
      }));
    await c.send(
      new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: "a", logEvents: events(30, T0 - 3_600_000) }),
    );
    await c.send(
      new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: "b", logEvents: events(30, T0 - 3_599_500) }),
    );
    c.destroy();
  });

  test("PutLogEvents applies AWS's batch rules", async () => {
    const c = client();
    const put = (logEvents: Array<{ timestamp: number; message: string }>) =>
      c.send(new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: "a", logEvents }));
    const out = await put([
      { timestamp: T0 - 15 * 86_400_000, message: "old" },
      { timestamp: T0 - 15 * 86_400_000 + 1, message: "old too" },
    ]);
    assert.deepEqual(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });
    const future = await put([{ timestamp: T0 + 3 * 3_600_000, message: "future" }]);
    assert.deepEqual(future.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 0 });
    assert.equal(
      (
        await errorOf(() =>
          put([
            { timestamp: T0, message: "x" },
            { timestamp: T0 - 1, message: "y" },
          ]),
        )
      ).name,
      "InvalidParameterException",
    );
    const span = await errorOf(() =>
      put([
        { timestamp: T0 - 25 * 3_600_000, message: "x" },
        { timestamp: T0, message: "y" },
      ]),
    );
    assert.match(span.message, /24 hours/);
    assert.equal(
      (await errorOf(() => c.send(new CreateLogGroupCommand({ logGroupName: "/app/web" })))).name,
      "ResourceAlreadyExistsException",
    );
    assert.equal(
      (
        await errorOf(() =>
          c.send(
            new PutLogEventsCommand({
              logGroupName: "/app/web",
              logStreamName: "zz",
              logEvents: [{ timestamp: T0, message: "m" }],
            }),
          ),
        )
      ).name,
      "ResourceNotFoundException",
    );
    c.destroy();
  });

  test("DescribeLogGroups and DescribeLogStreams", async () => {
    const c = client();
    const groups = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/app" }));
    assert.equal(groups.logGroups?.[0]?.logGroupName, "/app/web");
    assert.equal(groups.logGroups?.[0]?.arn, "arn:aws:logs:us-east-1:123456789012:log-group:/app/web:*");
    assert.equal(groups.logGroups?.[0]?.logGroupClass, "STANDARD");
    const streams = await c.send(new DescribeLogStreamsCommand({ logGroupName: "/app/web", limit: 1 }));
    assert.deepEqual(
      streams.logStreams?.map((x) => x.logStreamName),
      ["a"],
    );
    assert.ok(streams.nextToken);
    const rest = await c.send(
      new DescribeLogStreamsCommand({ logGroupName: "/app/web", limit: 1, nextToken: streams.nextToken }),
    );
    assert.deepEqual(
      rest.logStreams?.map((x) => x.logStreamName),
      ["b"],
    );
    assert.equal(rest.nextToken, undefined);
    assert.equal(rest.logStreams?.[0]?.firstEventTimestamp, T0 - 3_599_500);
    c.destroy();
  });

  test("FilterLogEvents merges streams in timestamp order with a half-open window", async () => {
    const { events } = await filterAll(s.url, {
      logGroupName: "/app/web",
      startTime: T0 - 3_600_000,
      endTime: T0 - 3_590_000,
      limit: 7,
    });
    assert.equal(events.length, 20);
    assert.deepEqual(
      events.map((e) => e.timestamp),
      [...events.map((e) => e.timestamp!)].sort((x, y) => x - y),
    );
    assert.ok(events.every((e) => e.timestamp! < T0 - 3_590_000));
    const errors = await filterAll(s.url, {
      logGroupName: "/app/web",
      filterPattern: "ERROR",
      logStreamNames: ["b"],
      endTime: T0,
    });
    assert.equal(errors.events.length, 3);
  });

  test("GetLogEvents pages forward and returns the same token at the end", async () => {
    const c = client();
    let token: string | undefined;
    let n = 0;
    for (let i = 0; i < 20; i++) {
      const out = await c.send(
        new GetLogEventsCommand({
          logGroupName: "/app/web",
          logStreamName: "b",
          startFromHead: true,
          limit: 8,
          nextToken: token,
        }),
      );
      n += out.events?.length ?? 0;
      if (out.nextForwardToken === token) break;
      token = out.nextForwardToken;
    }
    assert.equal(n, 30);
    const tail = await c.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "b", limit: 5 }));
    assert.deepEqual(
      tail.events?.map((e) => e.message),
      [25, 26, 27, 28, 29].map((i) => `event ${i} ${i % 10 === 0 ? "ERROR" : "INFO"}`),
    );
    const back = await c.send(
      new GetLogEventsCommand({
        logGroupName: "/app/web",
        logStreamName: "b",
        limit: 5,
        nextToken: tail.nextBackwardToken,
      }),
    );
    assert.equal(back.events?.[4]?.message, "event 24 INFO");
    c.destroy();
  });

  test("errors come back with the names the SDK expects", async () => {
    const c = client();
    const missing = await errorOf(() => c.send(new FilterLogEventsCommand({ logGroupName: "/nope" })));
    assert.equal(missing.name, "ResourceNotFoundException");
    assert.equal(missing.message, "The specified log group does not exist.");
    assert.equal(missing.$metadata?.httpStatusCode, 400);
    assert.equal(
      (await errorOf(() => c.send(new FilterLogEventsCommand({ logGroupName: "/app/web", limit: 0 })))).name,
      "InvalidParameterException",
    );
    assert.equal(
      (await errorOf(() => c.send(new DescribeLogGroupsCommand({ limit: 51 })))).name,
      "InvalidParameterException",
    );
    assert.equal(
      (
        await errorOf(() =>
          c.send(
            new FilterLogEventsCommand({ logGroupName: "/app/web", logStreamNames: ["a"], logStreamNamePrefix: "a" }),
          ),
        )
      ).name,
      "InvalidParameterException",
    );
    assert.equal(
      (await errorOf(() => c.send(new FilterLogEventsCommand({ logGroupName: "/app/web", nextToken: "bogus" })))).name,
      "InvalidParameterException",
    );
    assert.equal(
      (await errorOf(() => c.send(new GetLogEventsCommand({ logGroupName: "/app/web", logStreamName: "zz" })))).name,
      "ResourceNotFoundException",
    );
    c.destroy();
  });
});

describe("generated data", () => {
  const scenario: ScenarioFile = {
    seed: 11,
    logGroups: [
      {
        name: "/gen/api",
        streams: { count: 4 },
        timeRange: { start: "now-2h", end: "now-1h" },
        events: { count: 3000 },
        message: { shape: "text", size: 100 },
      },
      {
        name: "/gen/big",
        streams: ["x"],
        timeRange: { start: "now-2h", end: "now-1h" },
        events: { count: 2000 },
        message: { size: 2000 },
      },
      { name: "/gen/ia", logClass: "INFREQUENT_ACCESS", streams: ["x"], events: { count: 10 } },
    ],
  };

  test("FilterLogEvents serves exactly the scenario's event set, identically on two servers", async () => {
    const a = await sim(scenario);
    const b = await sim(scenario);
    const ra = await filterAll(a.url, { logGroupName: "/gen/api", endTime: T0 });
    const rb = await filterAll(b.url, { logGroupName: "/gen/api", endTime: T0 });
    assert.deepEqual(ra.events, rb.events);
    const expected = [...expectedEvents(a.scenario)].filter((e) => e.logGroupName === "/gen/api");
    const key = (e: { logStreamName?: string; eventId?: string }): string => `${e.logStreamName}/${e.eventId}`;
    assert.deepEqual(new Set(ra.events.map(key)), new Set(expected.map(key)));
    assert.equal(ra.events.length, 3000);
    assert.ok(a.counters().eventsServed >= 3000);
  });

  test("GetLogEvents reads a generated stream from the head", async () => {
    const a = await sim(scenario);
    const c = logsClient(a.url);
    const out = await c.send(
      new GetLogEventsCommand({ logGroupName: "/gen/api", logStreamName: "stream-2", startFromHead: true }),
    );
    const expected = [...expectedEvents(a.scenario)].filter(
      (e) => e.logGroupName === "/gen/api" && e.logStreamName === "stream-2",
    );
    assert.deepEqual(
      out.events?.map((e) => [e.timestamp, e.message]),
      expected.map((e) => [e.timestamp, e.message]),
    );
    const again = await c.send(
      new GetLogEventsCommand({
        logGroupName: "/gen/api",
        logStreamName: "stream-2",
        startFromHead: true,
        nextToken: out.nextForwardToken,
      }),
    );
    assert.equal(again.events?.length, 0);
    assert.equal(again.nextForwardToken, out.nextForwardToken);
    c.destroy();
  });

  test("pages are capped at 1 MB", async () => {
    const a = await sim(scenario);
    const res = await fetch(a.url, {
      method: "POST",
      headers: { "X-Amz-Target": "Logs_20140328.FilterLogEvents" },
      body: JSON.stringify({ logGroupName: "/gen/big" }),
    });
    const body = await res.text();
    assert.ok(Buffer.byteLength(body) <= 1_048_576, `page of ${body.length} bytes`);
    const { events, pages } = await filterAll(a.url, { logGroupName: "/gen/big", endTime: T0 });
    assert.equal(events.length, 2000);
    assert.ok(pages.length >= 4 && Math.max(...pages) < 600, `pages ${pages.join(",")}`);
  });

  test("INFREQUENT_ACCESS groups refuse FilterLogEvents", async () => {
    const a = await sim(scenario);
    const err = await errorOf(() => logsClient(a.url).send(new FilterLogEventsCommand({ logGroupName: "/gen/ia" })));
    assert.equal(err.name, "InvalidOperationException");
    const ok = await logsClient(a.url).send(
      new GetLogEventsCommand({ logGroupName: "/gen/ia", logStreamName: "x", startFromHead: true }),
    );
    assert.equal(ok.events?.length, 10);
  });
});

describe("linked accounts (cross-account observability)", () => {
  const OWN = "123456789012";
  const SOURCE = "222233334444";
  const OTHER = "555566667777";
  const arn = (account: string, name: string) => `arn:aws:logs:us-east-1:${account}:log-group:${name}`;
  const scenario: ScenarioFile = {
    seed: 5,
    logGroups: [
      { name: "/app/api", streams: ["s"], timeRange: { start: "now-2h", end: "now-1h" }, events: { count: 30 } },
      {
        name: "/app/api",
        accountId: SOURCE,
        streams: ["s"],
        timeRange: { start: "now-2h", end: "now-1h" },
        events: { count: 40 },
      },
      { name: "/app/db", accountId: OTHER, streams: ["s"], events: { count: 5 } },
    ],
  };
  const listed = async (url: string, input: ConstructorParameters<typeof DescribeLogGroupsCommand>[0]) => {
    const c = logsClient(url);
    const out: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await c.send(new DescribeLogGroupsCommand({ ...input, nextToken }));
      out.push(...(page.logGroups ?? []).map((g) => `${g.arn} ${g.logGroupArn}`));
      nextToken = page.nextToken;
    } while (nextToken);
    c.destroy();
    return out;
  };
  const both = (account: string, name: string) => `${arn(account, name)}:* ${arn(account, name)}`;

  test("DescribeLogGroups lists linked accounts' groups only with includeLinkedAccounts, filtered by accountIdentifiers", async () => {
    const s = await sim(scenario);
    assert.deepEqual(await listed(s.url, {}), [both(OWN, "/app/api")]);
    assert.deepEqual(await listed(s.url, { includeLinkedAccounts: true, limit: 1 }), [
      both(OWN, "/app/api"),
      both(SOURCE, "/app/api"),
      both(OTHER, "/app/db"),
    ]);
    assert.deepEqual(await listed(s.url, { includeLinkedAccounts: true, accountIdentifiers: [SOURCE] }), [
      both(SOURCE, "/app/api"),
    ]);
    assert.deepEqual(
      await listed(s.url, {
        includeLinkedAccounts: true,
        accountIdentifiers: [OWN, OTHER],
        logGroupNamePrefix: "/app/",
      }),
      [both(OWN, "/app/api"), both(OTHER, "/app/db")],
    );
    const c = logsClient(s.url);
    for (const input of [
      { accountIdentifiers: [SOURCE] },
      { includeLinkedAccounts: true, accountIdentifiers: ["12345"] },
      { includeLinkedAccounts: true, accountIdentifiers: Array.from({ length: 21 }, (_, i) => String(1e11 + i)) },
    ]) {
      assert.equal(
        (await errorOf(() => c.send(new DescribeLogGroupsCommand(input)))).name,
        "InvalidParameterException",
      );
    }
    c.destroy();
  });

  test("FilterLogEvents: by name the caller's group, by ARN any linked account's; same names, other events", async () => {
    const s = await sim(scenario);
    const own = await filterAll(s.url, { logGroupName: "/app/api", endTime: T0 });
    const ownByArn = await filterAll(s.url, { logGroupIdentifier: arn(OWN, "/app/api"), endTime: T0 });
    const source = await filterAll(s.url, { logGroupIdentifier: arn(SOURCE, "/app/api"), endTime: T0 });
    const ids = (r: { events: FilteredLogEvent[] }) => r.events.map((e) => e.eventId).sort();
    const expected = (account: string) =>
      [...expectedEvents(s.scenario)]
        .filter((e) => e.accountId === account && e.logGroupName === "/app/api")
        .map((e) => e.eventId)
        .sort();
    assert.deepEqual(ids(own), expected(OWN));
    assert.deepEqual(ids(ownByArn), expected(OWN));
    assert.deepEqual(ids(source), expected(SOURCE));
    assert.equal(source.events.length, 40);
    // Derived from the account too: the same group name in another account has other events.
    const ownMessages = new Set(own.events.map((e) => e.message));
    assert.equal(source.events.filter((e) => ownMessages.has(e.message)).length, 0);
    const c = logsClient(s.url);
    for (const input of [
      { logGroupName: "/app/db" },
      { logGroupIdentifier: arn("999999999999", "/app/api") },
      { logGroupIdentifier: "arn:aws:logs:eu-west-1:222233334444:log-group:/app/api" },
    ]) {
      assert.equal((await errorOf(() => c.send(new FilterLogEventsCommand(input)))).name, "ResourceNotFoundException");
    }
    c.destroy();
  });
});

test("short and empty pages still carry a nextToken and lose nothing", async () => {
  const s = await sim({
    pages: { shortPageRate: 0.5, emptyPageRate: 0.3 },
    logGroups: [
      { name: "/p", streams: { count: 3 }, timeRange: { start: "now-1h", end: "now-10m" }, events: { count: 2000 } },
    ],
  });
  const { events, pages } = await filterAll(s.url, { logGroupName: "/p", endTime: T0, limit: 200 });
  assert.equal(new Set(events.map((e) => `${e.logStreamName}/${e.eventId}`)).size, 2000);
  assert.ok(pages.slice(0, -1).includes(0), "an empty page with a token");
  assert.ok(
    pages.some((n) => n > 0 && n < 200),
    "a short page",
  );
});

test("late arrival: events ingested after now are invisible until the clock passes them", async () => {
  const s = await sim({
    logGroups: [
      {
        name: "/late",
        streams: { count: 2 },
        timeRange: { start: "now-30m", end: "now-10m" },
        events: { count: 1000 },
        ingestion: { lateFraction: 0.2, lateDelayMs: 3_600_000 },
      },
    ],
  });
  const before = await filterAll(s.url, { logGroupName: "/late", endTime: T0 });
  const visible = [...expectedEvents(s.scenario, { visibleAt: T0, withoutMessages: true })].length;
  assert.equal(before.events.length, visible);
  assert.ok(visible > 700 && visible < 900, `visible ${visible}`);
  await post(s.url, "/_sim/clock", { advanceMs: 2 * 3_600_000 });
  const after = await filterAll(s.url, { logGroupName: "/late", endTime: T0 });
  assert.equal(after.events.length, 1000);
  assert.ok(after.events.some((e) => e.ingestionTime! - e.timestamp! >= 3_600_000));
});

test("throttling: excess requests get ThrottlingException, counted", async () => {
  const quota = 2;
  const s = await sim({ quotas: { DescribeLogGroups: quota } });
  const c = logsClient(s.url);
  // The bucket refills on real time, so how many of a burst pass depends on how long the burst
  // took: at most one second's worth plus the refill while it lasted, whatever the machine's speed.
  // Bursts until one is throttled (the first, unless the machine took seconds to send 12 requests).
  const failed: PromiseRejectedResult[] = [];
  for (let burst = 0; burst < 10 && failed.length === 0; burst++) {
    const started = performance.now();
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => c.send(new DescribeLogGroupsCommand({}))),
    );
    const seconds = (performance.now() - started) / 1000;
    const passed = results.filter((r) => r.status === "fulfilled").length;
    assert.ok(
      passed <= quota * (1 + seconds) + 1e-9,
      `${passed} of 12 passed in ${seconds.toFixed(3)} s at ${quota}/s`,
    );
    failed.push(...results.filter((r): r is PromiseRejectedResult => r.status === "rejected"));
  }
  assert.ok(failed.length > 0, "a burst was throttled");
  for (const f of failed) {
    assert.equal((f.reason as Error).name, "ThrottlingException");
    assert.equal((f.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode, 400);
  }
  assert.equal(s.counters().throttles.DescribeLogGroups, failed.length);
  c.destroy();
});

describe("faults", () => {
  test("HTTP 500 and 503", async () => {
    const s500 = await sim({ faults: { http500Rate: 1 } });
    const e500 = await errorOf(() => logsClient(s500.url).send(new DescribeLogGroupsCommand({})));
    assert.equal(e500.$metadata?.httpStatusCode, 500);
    assert.equal(e500.$fault, "server");
    const s503 = await sim({ faults: { http503Rate: 1 } });
    const e503 = await errorOf(() => logsClient(s503.url).send(new DescribeLogGroupsCommand({})));
    assert.equal(e503.name, "ServiceUnavailableException");
    assert.equal(e503.$metadata?.httpStatusCode, 503);
    assert.equal(s503.counters().faults.http503, 1);
  });

  test("connection reset and a stalled response", async () => {
    const reset = await sim({ faults: { resetRate: 1 } });
    const er = await errorOf(() => logsClient(reset.url).send(new DescribeLogGroupsCommand({})));
    assert.match(`${(er as { code?: string }).code} ${er.message}`, /ECONNRESET|socket hang up/);
    const stall = await sim({ faults: { stallRate: 1, stallMs: 5000 } });
    const c = logsClient(stall.url, {
      requestHandler: new NodeHttpHandler({ requestTimeout: 300, throwOnRequestTimeout: true }),
    });
    const es = await errorOf(() => c.send(new DescribeLogGroupsCommand({})));
    assert.equal(es.name, "TimeoutError");
    c.destroy();
  });

  test("a fault rate below 1 hits about that fraction, reproducibly", async () => {
    const scenario: ScenarioFile = { seed: 3, quotas: "none", faults: { http503Rate: 0.3 } };
    const runs = await Promise.all([sim(scenario), sim(scenario)]);
    const outcomes = await Promise.all(
      runs.map(async (s) => {
        const c = logsClient(s.url);
        const r: boolean[] = [];
        for (let i = 0; i < 40; i++)
          r.push(
            await c.send(new DescribeLogGroupsCommand({})).then(
              () => true,
              () => false,
            ),
          );
        c.destroy();
        return r;
      }),
    );
    assert.deepEqual(outcomes[0], outcomes[1]);
    const failures = outcomes[0]!.filter((ok) => !ok).length;
    assert.ok(failures > 4 && failures < 20, `failures ${failures}`);
  });
});

describe("STS AssumeRole", () => {
  test("temporary credentials work, then expire with ExpiredTokenException", async () => {
    const s = await sim({ sts: { actualLifetimeSeconds: 60 }, logGroups: [{ name: "/sts", events: { count: 5 } }] });
    const credentials = fromTemporaryCredentials({
      params: {
        RoleArn: "arn:aws:iam::123456789012:role/reader",
        RoleSessionName: "sim-test",
        DurationSeconds: 900,
        ExternalId: "ext",
      },
      masterCredentials: STATIC_KEYS,
      clientConfig: { region: REGION, endpoint: s.url },
    });
    const identity = await credentials();
    assert.match(identity.accessKeyId, /^ASIA/);
    assert.ok(identity.sessionToken);
    const ttl = identity.expiration!.getTime() - Date.now();
    assert.ok(ttl > 880_000 && ttl <= 900_000, `advertised ttl ${ttl}`);
    const c = logsClient(s.url, { credentials: identity });
    const out = await c.send(new DescribeLogGroupsCommand({}));
    assert.equal(out.logGroups?.length, 1);
    s.advanceClock(61_000);
    const err = await errorOf(() => c.send(new DescribeLogGroupsCommand({})));
    assert.equal(err.name, "ExpiredTokenException");
    assert.equal(err.$metadata?.httpStatusCode, 400);
    assert.equal(s.counters().expiredCredentials, 1);
    assert.equal(s.counters().requests.AssumeRole, 1);
    c.destroy();
  });

  test("invalid DurationSeconds is a ValidationError; unlisted static keys are refused", async () => {
    const s = await sim({ sts: { allowedStaticKeys: [STATIC_KEYS.accessKeyId] } });
    const bad = fromTemporaryCredentials({
      params: { RoleArn: "arn:aws:iam::123456789012:role/reader", RoleSessionName: "x1", DurationSeconds: 100 },
      masterCredentials: STATIC_KEYS,
      clientConfig: { region: REGION, endpoint: s.url, maxAttempts: 1 },
    });
    assert.equal((await errorOf(() => bad())).name, "ValidationError");
    await logsClient(s.url).send(new DescribeLogGroupsCommand({}));
    const stranger = logsClient(s.url, { credentials: { accessKeyId: "AKIDOTHER", secretAccessKey: "x" } });
    assert.equal(
      (await errorOf(() => stranger.send(new DescribeLogGroupsCommand({})))).name,
      "UnrecognizedClientException",
    );
  });
});

describe("data protection policies and logs:Unmask", () => {
  const MESSAGES = ["user ann@example.com signed in", "token acct-123456 issued", "nothing to hide"];
  const MASKED = ["user *************** signed in", "token *********** issued", "nothing to hide"];
  async function seeded(scenario: ScenarioFile): Promise<Simulator> {
    const s = await sim({
      ...scenario,
      logGroups: [
        {
          name: "/dp/masked",
          streams: ["s"],
          dataProtection: { identifiers: ["EmailAddress"], customPatterns: ["acct-[0-9]{6}"] },
        },
        { name: "/dp/plain", streams: ["s"] },
      ],
    });
    const c = logsClient(s.url);
    for (const logGroupName of ["/dp/masked", "/dp/plain"]) {
      await c.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName: "s",
          logEvents: MESSAGES.map((message, i) => ({ timestamp: T0 - 60_000 + i, message })),
        }),
      );
    }
    c.destroy();
    return s;
  }
  const read = async (s: Simulator, group: string, extra: { unmask?: boolean; filterPattern?: string } = {}) =>
    (await filterAll(s.url, { logGroupName: group, ...extra })).events.map((e) => e.message);

  test("masked by default, in clear with unmask=true; filters see the stored message", async () => {
    const s = await seeded({});
    assert.deepEqual(await read(s, "/dp/masked"), MASKED);
    assert.deepEqual(await read(s, "/dp/masked", { unmask: false }), MASKED);
    assert.deepEqual(await read(s, "/dp/masked", { unmask: true }), MESSAGES);
    assert.deepEqual(await read(s, "/dp/masked", { filterPattern: "example" }), [MASKED[0]]);
    assert.deepEqual(await read(s, "/dp/plain"), MESSAGES);
    const c = logsClient(s.url);
    const get = async (unmask: boolean) =>
      (
        await c.send(
          new GetLogEventsCommand({ logGroupName: "/dp/masked", logStreamName: "s", startFromHead: true, unmask }),
        )
      ).events?.map((e) => e.message);
    assert.deepEqual(await get(false), MASKED);
    assert.deepEqual(await get(true), MESSAGES);
    const groups = (await c.send(new DescribeLogGroupsCommand({}))).logGroups ?? [];
    assert.deepEqual(
      groups.map((g) => [g.logGroupName, g.dataProtectionStatus]),
      [
        ["/dp/masked", "ACTIVATED"],
        ["/dp/plain", undefined],
      ],
    );
    c.destroy();
  });

  test("without logs:Unmask, unmask=true is AccessDeniedException naming it, on any group; reads without it still work", async () => {
    const s = await seeded({ deniedActions: ["logs:Unmask"] });
    for (const group of ["/dp/masked", "/dp/plain"]) {
      const err = await errorOf(() => read(s, group, { unmask: true }));
      assert.equal(err.name, "AccessDeniedException");
      assert.equal(err.$metadata?.httpStatusCode, 400);
      assert.match(
        err.message,
        new RegExp(
          `not authorized to perform: logs:Unmask on resource: arn:aws:logs:us-east-1:123456789012:log-group:${group}:\\*`,
        ),
      );
    }
    const c = logsClient(s.url);
    const err = await errorOf(() =>
      c.send(new GetLogEventsCommand({ logGroupName: "/dp/masked", logStreamName: "s", unmask: true })),
    );
    assert.equal(err.name, "AccessDeniedException");
    c.destroy();
    assert.deepEqual(await read(s, "/dp/masked"), MASKED);
  });

  test("a denial can be limited to some log groups, and can deny whole operations", async () => {
    const s = await seeded({
      deniedActions: [
        { action: "logs:Unmask", logGroups: ["/dp/masked"] },
        { action: "logs:FilterLogEvents", logGroups: ["/dp/elsewhere"] },
      ],
    });
    assert.equal((await errorOf(() => read(s, "/dp/masked", { unmask: true }))).name, "AccessDeniedException");
    assert.deepEqual(await read(s, "/dp/plain", { unmask: true }), MESSAGES);
    const all = await seeded({ deniedActions: ["logs:FilterLogEvents"] });
    const err = await errorOf(() => read(all, "/dp/plain"));
    assert.equal(err.name, "AccessDeniedException");
    assert.match(
      err.message,
      /not authorized to perform: logs:FilterLogEvents on resource: arn:aws:logs:us-east-1:123456789012:log-group:\/dp\/plain:\*/,
    );
  });
});

test("controls over HTTP and the child-process CLI", async () => {
  const child = await spawnSimulator({ scenarioPath: "sim/scenarios/small-demo.json" });
  try {
    assert.match(child.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const c = logsClient(child.url);
    const out = await c.send(new DescribeLogGroupsCommand({}));
    assert.deepEqual(
      out.logGroups?.map((g) => g.logGroupName),
      ["/demo/api", "/demo/archive"],
    );
    c.destroy();
    assert.equal((await child.counters()).requests.DescribeLogGroups, 1);
    const clock = (await post(child.url, "/_sim/clock", { set: "2030-01-01T00:00:00Z" })) as { now: number };
    assert.ok(Math.abs(clock.now - Date.parse("2030-01-01T00:00:00Z")) < 1000);
    await post(child.url, "/_sim/counters/reset", {});
    assert.deepEqual((await child.counters()).requests, {});
  } finally {
    await child.stop();
  }
});

test("example scenarios validate; reset restores the scenario's account", async () => {
  const { loadScenario } = await import("../../sim/index.js");
  for (const f of [
    "sim/scenarios/small-demo.json",
    "sim/scenarios/fifty-groups-power-law.json",
    "sim/scenarios/unreliable-account.json",
  ]) {
    assert.ok(loadScenario(f).groups.length > 0, f);
  }
  const s = await sim({ logGroups: [{ name: "/kept", events: { count: 3 } }] });
  const c = logsClient(s.url);
  await c.send(new CreateLogGroupCommand({ logGroupName: "/seeded" }));
  assert.equal((await c.send(new DescribeLogGroupsCommand({}))).logGroups?.length, 2);
  await post(s.url, "/_sim/reset", {});
  assert.deepEqual(
    (await c.send(new DescribeLogGroupsCommand({}))).logGroups?.map((g) => g.logGroupName),
    ["/kept"],
  );
  c.destroy();
});

test("the demo's scenario is found beside the compiled simulator: the build's copy of sim/scenarios/demo.json", async () => {
  const { DEMO_SCENARIO_PATH, loadScenario } = await import("../../sim/index.js");
  // dist/sim/, not sim/: the package and the image ship dist/sim/ only.
  assert.equal(DEMO_SCENARIO_PATH, join(REPO_ROOT, "dist", "sim", "scenarios", "demo.json"));
  assert.deepEqual(JSON.parse(readFileSync(DEMO_SCENARIO_PATH, "utf8")), repoJson("sim/scenarios/demo.json"));
  assert.ok(loadScenario(DEMO_SCENARIO_PATH).groups.length > 0);
});
