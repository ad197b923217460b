// Airbyte's connector acceptance tests (airbyte.md, "CAT"), applied to our connector on every
// endpoint kind, with the inputs of integration_tests/.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { putEvents, seedGroup, spreadEvents } from "../support/seed.js";
import {
  catalogFor,
  errors,
  eventKey,
  lastStates,
  records,
  runConnector,
  runWith,
  states,
  statuses,
  type RunResult,
} from "../support/connector.js";
import { specProblems, type Schema } from "../support/spec-rules.js";
import {
  abnormalState,
  catalogStreams,
  configuredCatalog,
  invalidConfig,
  sampleConfig,
} from "../support/acceptance-inputs.js";
import { catalogProblems, recordCountProblems, recordProblems, statusOrderOk } from "../support/cat-checks.js";
import { repoJson } from "../support/repo.js";
import { freePort } from "../support/ports.js";
import { clockPast } from "../support/waits.js";
import type { AirbyteCatalog } from "../../src/airbyte/protocol.js";

const HOUR = 3_600_000;

test("spec: valid, follows the CAT rules, and equals integration_tests/spec.json", async () => {
  const r = await runConnector(["spec"]);
  assert.equal(r.code, 0);
  assert.deepEqual(
    r.messages.map((m) => m.type),
    ["SPEC"],
  );
  const spec = r.messages[0]!.spec!;
  assert.deepEqual(specProblems(spec.connectionSpecification as Schema), []);
  assert.deepEqual(
    spec,
    repoJson("integration_tests/spec.json"),
    "integration_tests/spec.json is stale: run npm run gen:spec",
  );
});

for (const kind of ENDPOINT_KINDS) {
  describe(`connector acceptance tests (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    let discovered: AirbyteCatalog;
    const [app, worker] = catalogStreams() as [string, string];

    before(async () => {
      ep = await kind.start();
      config = sampleConfig(ep.url);
      const now = Date.now();
      await seedGroup(ep.url, app, spreadEvents(400, now - 4 * HOUR, 3 * HOUR, ["web-1", "web-2", "web-3"], "app"));
      // Events sharing milliseconds across log streams: the primary key, not the timestamp, tells them apart.
      await seedGroup(ep.url, worker, spreadEvents(60, now - 2 * HOUR, 20, ["job-a", "job-b"], "worker"));
    });
    after(async () => ep?.stop());

    test("check: the sample config succeeds with exactly one CONNECTION_STATUS", async () => {
      const r = await runWith("check", config);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        r.messages.filter((m) => m.type === "CONNECTION_STATUS").map((m) => m.connectionStatus),
        [{ status: "SUCCEEDED" }],
      );
    });

    test("check: invalid_config.json and an unreachable endpoint answer FAILED, not a crash", async () => {
      const invalid = await runWith("check", { ...invalidConfig(), endpoint_url: ep.url });
      const unreachable = await runWith(
        "check",
        sampleConfig(`http://127.0.0.1:${await freePort()}`, { request_timeout_seconds: 2 }),
      );
      for (const r of [invalid, unreachable]) {
        const status = r.messages.filter((m) => m.type === "CONNECTION_STATUS").map((m) => m.connectionStatus!);
        assert.equal(status.length, 1, r.stdout);
        assert.equal(status[0]!.status, "FAILED");
        assert.ok((status[0]!.message ?? "").length > 0, "FAILED says why");
        assert.doesNotMatch(r.stderr, /^\s+at /m, "no raw stack trace");
      }
      assert.match(
        invalid.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!.message!,
        /region_name/,
      );
    });

    test("discover: one CATALOG, unique names, Draft-7 schemas without $ref, cursor and key in the schema", async () => {
      const r = await runWith("discover", config);
      assert.equal(r.code, 0, r.stderr);
      const catalogs = r.messages.filter((m) => m.type === "CATALOG");
      assert.equal(catalogs.length, 1);
      discovered = catalogs[0]!.catalog!;
      assert.deepEqual(catalogProblems(discovered), []);
      for (const name of catalogStreams())
        assert.ok(
          discovered.streams.some((s) => s.name === name),
          `${name} discovered`,
        );
    });

    test("basic read: records match their schema exactly, keys never null, states with counts, statuses in order", async () => {
      const r = await runWith("read", config, { catalog: configuredCatalog() });
      assert.equal(r.code, 0, r.stderr);
      for (const name of catalogStreams()) {
        const stream = discovered.streams.find((s) => s.name === name)!;
        const recs = records(r.messages, name);
        assert.equal(recs.length, name === app ? 400 : 60);
        assert.deepEqual(recordProblems(recs, stream.json_schema as Schema, stream.source_defined_primary_key!), []);
        assert.equal(new Set(recs.map(eventKey)).size, recs.length, "primary keys are unique");
        const st = states(r.messages, name);
        assert.ok(st.length >= 1, `${name} has a STATE`);
        assert.ok(
          st.every((s) => s.sourceStats !== undefined),
          "every STATE has sourceStats",
        );
        assert.deepEqual(recordCountProblems(r.messages, name), []);
        const seq = statuses(r.messages, name);
        assert.ok(statusOrderOk(seq, true), `${name}: ${seq.join(",")}`);
      }
    });

    test("basic read: the record checker and status checker reject what CAT rejects", () => {
      const schema = discovered.streams[0]!.json_schema as Schema;
      const rec = (data: Record<string, unknown>) => ({ stream: "s", data, emitted_at: 0 });
      const good = {
        logGroupName: "g",
        logStreamName: "s",
        timestamp: 1,
        ingestionTime: 2,
        message: "m",
        eventId: "1",
      };
      assert.deepEqual(recordProblems([rec(good)], schema, [["logStreamName"], ["eventId"]]), []);
      assert.notDeepEqual(recordProblems([rec({ ...good, extra: 1 })], schema, [["eventId"]]), [], "extra column");
      assert.notDeepEqual(recordProblems([rec({ ...good, timestamp: "1" })], schema, [["eventId"]]), [], "wrong type");
      assert.ok(!statusOrderOk(["STARTED", "COMPLETE", "RUNNING"], true));
      assert.ok(!statusOrderOk(["STARTED", "COMPLETE"], true));
    });

    test("basic read: an unknown stream or a bad sync mode gives a TRACE ERROR", async () => {
      const unknown = await runWith("read", config, { catalog: catalogFor(["/acceptance/does-not-exist"]) });
      assert.notEqual(unknown.code, 0);
      assert.equal(errors(unknown.messages).length, 1);
      assert.equal(errors(unknown.messages)[0]!.failure_type, "config_error");
      assert.deepEqual(statuses(unknown.messages, "/acceptance/does-not-exist"), ["STARTED", "INCOMPLETE"]);
      const badMode = configuredCatalog();
      badMode.streams[0]!.sync_mode = "sometimes";
      const bad = await runWith("read", config, { catalog: badMode });
      assert.notEqual(bad.code, 0);
      assert.match(errors(bad.messages)[0]!.message, /sync_mode/);
      assert.equal(records(bad.messages).length, 0);
    });

    test("full refresh: two reads give the same records, the second with later emitted_at", async () => {
      const read = () => runWith("read", config, { catalog: configuredCatalog("full_refresh") });
      const first = await read();
      await clockPast(Math.max(...records(first.messages).map((x) => x.emitted_at)));
      const second = await read();
      const byKey = (r: RunResult) => new Map(records(r.messages).map((x) => [eventKey(x), x]));
      const a = byKey(first);
      const b = byKey(second);
      assert.equal(a.size, 460);
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
      for (const [k, rec] of a) {
        assert.deepEqual(b.get(k)!.data, rec.data);
        assert.ok(b.get(k)!.emitted_at > rec.emitted_at, "later emitted_at");
      }
    });

    test("incremental: abnormal_state.json (far future) gives no records and a STATE per stream", async () => {
      const r = await runWith("read", config, { catalog: configuredCatalog("incremental"), state: abnormalState() });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(records(r.messages).length, 0);
      for (const name of catalogStreams()) {
        assert.ok(states(r.messages, name).length >= 1, `${name} has a STATE`);
        assert.ok(statusOrderOk(statuses(r.messages, name), false));
      }
    });

    test("incremental: read 2 from read 1's last states gives only the new records", async () => {
      const group = "/acceptance/incremental";
      await seedGroup(ep.url, group, spreadEvents(50, Date.now() - 3 * HOUR, 2 * HOUR, ["a", "b"], "first"));
      const first = await runWith("read", config, { catalog: catalogFor([group]) });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(records(first.messages).length, 50);
      assert.ok(states(first.messages).length >= 1);
      const watermark = (lastStates(first.messages)[0]!.stream!.stream_state as { timestamp: number }).timestamp;
      // New events at the watermark itself: the first millisecond read 2 must cover.
      await putEvents(ep.url, group, "a", [
        { timestamp: watermark, message: "new-1" },
        { timestamp: watermark + 1, message: "new-2" },
      ]);
      await putEvents(ep.url, group, "c", [{ timestamp: watermark, message: "new-3" }], true);
      // Read 2 reaches up to its start minus the ingestion delay: start it once that is past new-2.
      await clockPast(watermark + 1 + Number(config.ingestion_delay_seconds ?? 0) * 1000);
      const second = await runWith("read", config, { catalog: catalogFor([group]), state: lastStates(first.messages) });
      assert.equal(second.code, 0, second.stderr);
      assert.deepEqual(
        records(second.messages)
          .map((x) => (x.data as { message: string }).message)
          .sort(),
        ["new-1", "new-2", "new-3"],
      );
      assert.deepEqual(recordCountProblems(second.messages, group), []);
    });
  });
}
