// One set of read-semantics tests run against moto_server (an emulator no one here wrote) and the
// simulator, both seeded the same way through the SDK. Where they differ, each implementation's
// documented behaviour is asserted explicitly, together with what AWS does.
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
  type CloudWatchLogsClient,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import { startMoto } from "../support/moto.js";
import { startSimulator } from "../../sim/index.js";
import { errorOf, logsClient } from "./support.js";

interface Target {
  readonly name: string;
  start(): Promise<{ url: string; stop(): Promise<void> }>;
  /**
   * AWS: endTime is documented inclusive but excludes events stamped exactly endTime in practice.
   * The simulator follows AWS (exclusive); moto includes them.
   */
  readonly endTimeInclusive: boolean;
  /** AWS filters FilterLogEvents by logStreamNamePrefix and DescribeLogGroups by logGroupNamePattern; moto ignores both. */
  readonly honoursPrefixAndPattern: boolean;
}

const TARGETS: Target[] = [
  { name: "moto_server", start: () => startMoto(), endTimeInclusive: true, honoursPrefixAndPattern: false },
  {
    name: "simulator",
    start: () => startSimulator({ scenario: { quotas: "none" } }),
    endTimeInclusive: false,
    honoursPrefixAndPattern: true,
  },
];

const GROUP = "/fidelity/app";
const STREAMS = ["s1", "s2", "s3"];
const PER_STREAM = 100;
// Real clock on both: moto refuses events older than 14 days.
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / 1000) * 1000;

interface Seeded {
  readonly stream: string;
  readonly timestamp: number;
  readonly message: string;
}

/** 300 events; streams s1 and s2 share timestamps (ties), s3 is offset by 500 ms. */
function seedEvents(): Seeded[] {
  return STREAMS.flatMap((stream, k) =>
    Array.from({ length: PER_STREAM }, (_, i) => ({
      stream,
      timestamp: BASE + i * 1000 + (k === 2 ? 500 : 0),
      message: `${stream} event ${i} ${i % 7 === 0 ? "ERROR" : "INFO"}${i % 10 === 3 ? " disk full" : " disk ok"}`,
    })),
  );
}

async function seed(client: CloudWatchLogsClient): Promise<void> {
  for (const g of [
    GROUP,
    "/fidelity/a-0",
    "/fidelity/a-1",
    "/fidelity/a-2",
    "/fidelity/a-3",
    "/fidelity/a-4",
    "/other/x",
  ]) {
    await client.send(new CreateLogGroupCommand({ logGroupName: g }));
  }
  const events = seedEvents();
  for (const stream of STREAMS) {
    await client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: stream }));
    const logEvents = events
      .filter((e) => e.stream === stream)
      .map(({ timestamp, message }) => ({ timestamp, message }));
    await client.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents }));
  }
}

for (const target of TARGETS) {
  describe(`read semantics: ${target.name}`, () => {
    let endpoint: { url: string; stop(): Promise<void> };
    let client: CloudWatchLogsClient;
    const all = seedEvents();

    async function filterAll(
      input: Omit<FilterLogEventsCommandInput, "logGroupName">,
    ): Promise<{ events: FilteredLogEvent[]; pages: number[] }> {
      const events: FilteredLogEvent[] = [];
      const pages: number[] = [];
      let nextToken: string | undefined;
      do {
        // interleaved: ignored by AWS (always interleaved), needed by moto to sort across streams.
        const out = await client.send(
          new FilterLogEventsCommand({ logGroupName: GROUP, interleaved: true, ...input, nextToken }),
        );
        events.push(...(out.events ?? []));
        pages.push(out.events?.length ?? 0);
        nextToken = out.nextToken;
      } while (nextToken && pages.length < 1000);
      return { events, pages };
    }
    const sig = (e: { logStreamName?: string; timestamp?: number; message?: string }): string =>
      `${e.logStreamName}|${e.timestamp}|${e.message}`;
    const expected = (pred: (e: Seeded) => boolean): string[] =>
      all
        .filter(pred)
        .map((e) => sig({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message }))
        .sort();

    before(async () => {
      endpoint = await target.start();
      client = logsClient(endpoint.url);
      await seed(client);
    });
    after(async () => {
      client?.destroy();
      await endpoint?.stop();
    });

    test("startTime is inclusive", async () => {
      const start = BASE + 50_000;
      const { events } = await filterAll({ startTime: start, endTime: BASE + 60_000 });
      assert.ok(
        events.some((e) => e.timestamp === start),
        "an event stamped exactly startTime is returned",
      );
      assert.ok(events.every((e) => e.timestamp! >= start));
    });

    test(`endTime is ${target.endTimeInclusive ? "inclusive (moto; AWS excludes it in practice)" : "exclusive (as AWS in practice)"}`, async () => {
      const end = BASE + 60_000;
      const { events } = await filterAll({ startTime: BASE + 50_000, endTime: end });
      const atEnd = events.filter((e) => e.timestamp === end).length;
      assert.equal(atEnd, target.endTimeInclusive ? 2 : 0);
      const lo = BASE + 50_000;
      const want = expected(
        (e) => e.timestamp >= lo && (target.endTimeInclusive ? e.timestamp <= end : e.timestamp < end),
      );
      assert.deepEqual(events.map(sig).sort(), want);
    });

    test("pagination with limit visits every event once, in timestamp order", async () => {
      const { events, pages } = await filterAll({ startTime: BASE, endTime: BASE + 1_000_000, limit: 17 });
      assert.ok(pages.every((n) => n <= 17));
      assert.ok(pages.length >= Math.ceil(all.length / 17));
      assert.deepEqual(
        events.map(sig).sort(),
        expected(() => true),
      );
      for (let i = 1; i < events.length; i++)
        assert.ok(events[i - 1]!.timestamp! <= events[i]!.timestamp!, `order at ${i}`);
    });

    test("logStreamNames selects streams", async () => {
      const { events } = await filterAll({ logStreamNames: ["s1", "s3"], startTime: BASE, endTime: BASE + 1_000_000 });
      assert.deepEqual(
        events.map(sig).sort(),
        expected((e) => e.stream !== "s2"),
      );
    });

    test(`logStreamNamePrefix and logGroupNamePattern are ${target.honoursPrefixAndPattern ? "honoured (as AWS)" : "ignored (moto; AWS honours them)"}`, async () => {
      const { events } = await filterAll({ logStreamNamePrefix: "s2", startTime: BASE, endTime: BASE + 1_000_000 });
      assert.deepEqual(
        events.map(sig).sort(),
        expected((e) => !target.honoursPrefixAndPattern || e.stream === "s2"),
      );
      const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePattern: "a-3" }));
      const names = out.logGroups?.map((g) => g.logGroupName) ?? [];
      if (target.honoursPrefixAndPattern) assert.deepEqual(names, ["/fidelity/a-3"]);
      else assert.ok(names.length > 1);
    });

    test(`DescribeLogGroups: prefix with pattern ${target.honoursPrefixAndPattern ? "refused (as AWS)" : "accepted (moto; AWS refuses it)"}, logGroupIdentifiers ${target.honoursPrefixAndPattern ? "honoured (as AWS)" : "ignored (moto)"}`, async () => {
      const both = () =>
        client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: "/fidelity/", logGroupNamePattern: "a-3" }));
      if (target.honoursPrefixAndPattern) {
        const err = await errorOf(both);
        assert.equal(err.name, "InvalidParameterException");
      } else assert.ok(((await both()).logGroups?.length ?? 0) > 1);
      const named = await client.send(new DescribeLogGroupsCommand({ logGroupIdentifiers: ["/fidelity/a-3"] }));
      const names = named.logGroups?.map((g) => g.logGroupName) ?? [];
      if (target.honoursPrefixAndPattern) assert.deepEqual(names, ["/fidelity/a-3"]);
      else assert.ok(names.length > 1);
    });

    test("filter patterns: a term, two terms, a quoted phrase", async () => {
      const range = { startTime: BASE, endTime: BASE + 1_000_000 };
      assert.deepEqual(
        (await filterAll({ ...range, filterPattern: "ERROR" })).events.map(sig).sort(),
        expected((e) => e.message.includes("ERROR")),
      );
      assert.deepEqual(
        (await filterAll({ ...range, filterPattern: "ERROR s2" })).events.map(sig).sort(),
        expected((e) => e.message.includes("ERROR") && e.stream === "s2"),
      );
      assert.deepEqual(
        (await filterAll({ ...range, filterPattern: '"disk full"' })).events.map(sig).sort(),
        expected((e) => e.message.includes("disk full")),
      );
    });

    test("GetLogEvents pages a stream from the head and repeats the token at the end", async () => {
      const seen: string[] = [];
      let token: string | undefined;
      for (let i = 0; i < 50; i++) {
        const out = await client.send(
          new GetLogEventsCommand({
            logGroupName: GROUP,
            logStreamName: "s3",
            startFromHead: true,
            limit: 30,
            nextToken: token,
          }),
        );
        seen.push(...(out.events ?? []).map((e) => e.message!));
        if (out.nextForwardToken === token) break;
        token = out.nextForwardToken;
      }
      assert.deepEqual(
        seen,
        all.filter((e) => e.stream === "s3").map((e) => e.message),
      );
    });

    test("DescribeLogGroups: prefix and pagination", async () => {
      const names: string[] = [];
      let nextToken: string | undefined;
      do {
        const out = await client.send(
          new DescribeLogGroupsCommand({ logGroupNamePrefix: "/fidelity/a-", limit: 2, nextToken }),
        );
        assert.ok((out.logGroups ?? []).length <= 2);
        names.push(...(out.logGroups ?? []).map((g) => g.logGroupName!));
        nextToken = out.nextToken;
      } while (nextToken);
      assert.deepEqual(names, ["/fidelity/a-0", "/fidelity/a-1", "/fidelity/a-2", "/fidelity/a-3", "/fidelity/a-4"]);
    });

    test("DescribeLogStreams: names in order, pagination, event bounds", async () => {
      const first = await client.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 2 }));
      assert.deepEqual(
        first.logStreams?.map((s) => s.logStreamName),
        ["s1", "s2"],
      );
      const rest = await client.send(
        new DescribeLogStreamsCommand({ logGroupName: GROUP, limit: 2, nextToken: first.nextToken }),
      );
      assert.deepEqual(
        rest.logStreams?.map((s) => s.logStreamName),
        ["s3"],
      );
      assert.equal(first.logStreams?.[0]?.firstEventTimestamp, BASE);
      assert.equal(first.logStreams?.[0]?.lastEventTimestamp, BASE + (PER_STREAM - 1) * 1000);
    });

    test("ResourceNotFoundException for a missing group", async () => {
      for (const send of [
        () => client.send(new FilterLogEventsCommand({ logGroupName: "/fidelity/missing" })),
        () => client.send(new DescribeLogStreamsCommand({ logGroupName: "/fidelity/missing" })),
        () => client.send(new GetLogEventsCommand({ logGroupName: "/fidelity/missing", logStreamName: "s1" })),
      ]) {
        const err = await errorOf(send);
        assert.equal(err.name, "ResourceNotFoundException");
        assert.equal(err.$metadata?.httpStatusCode, 400);
      }
    });

    test("InvalidParameterException for out-of-range limits", async () => {
      const filter = await errorOf(() =>
        client.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 10_001 })),
      );
      assert.equal(filter.name, "InvalidParameterException");
      assert.match(filter.message, /Member must have value less than or equal to 10000/);
      const groups = await errorOf(() => client.send(new DescribeLogGroupsCommand({ limit: 51 })));
      assert.equal(groups.name, "InvalidParameterException");
      assert.equal(groups.$metadata?.httpStatusCode, 400);
    });
  });
}
