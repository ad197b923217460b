import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { CreateLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ENDPOINT_KINDS, type Endpoint } from "../support/endpoints.js";
import { TEST_KEYS, logsClient, seedGroup } from "../support/seed.js";
import { errors, runWith } from "../support/connector.js";
import { freePort } from "../support/ports.js";

for (const kind of ENDPOINT_KINDS) {
  describe(`discover and check (${kind.name})`, () => {
    let ep: Endpoint;
    let config: Record<string, unknown>;
    before(async () => {
      ep = await kind.start();
      config = {
        region_name: "us-east-1",
        ...{ aws_access_key_id: TEST_KEYS.accessKeyId, aws_secret_access_key: TEST_KEYS.secretAccessKey },
        endpoint_url: ep.url,
      };
    });
    after(async () => ep.stop());
    beforeEach(async () => ep.reset());

    test("a setting the spec does not define (a misspelt one) is ignored with a WARN naming it", async () => {
      const r = await runWith("check", { ...config, log_group_prefx: "/ecs/", stream_layuot: "single_stream" });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!.status, "SUCCEEDED");
      const warnings = r.messages.filter((m) => m.type === "LOG" && m.log?.level === "WARN").map((m) => m.log!.message);
      assert.ok(
        warnings.some((w) => /does not know, ignored: "log_group_prefx", "stream_layuot"; check the spelling/.test(w)),
        JSON.stringify(warnings),
      );
      const clean = await runWith("check", config);
      assert.deepEqual(
        clean.messages.filter((m) => m.type === "LOG" && /does not know/.test(m.log?.message ?? "")),
        [],
      );
    });

    test("discover pages through more than 50 log groups and filters by prefix", async () => {
      const client = logsClient(ep.url);
      const names = [
        ...Array.from({ length: 57 }, (_, i) => `/aws/lambda/fn-${String(i).padStart(2, "0")}`),
        "/ecs/api",
        "/ecs/worker",
      ];
      for (const name of names) await client.send(new CreateLogGroupCommand({ logGroupName: name }));
      client.destroy();
      const all = await runWith("discover", config);
      assert.equal(all.code, 0, all.stderr);
      const catalog = all.messages.find((m) => m.type === "CATALOG")!.catalog!;
      assert.deepEqual(catalog.streams.map((s) => s.name).sort(), [...names].sort());
      const s = catalog.streams[0]!;
      assert.deepEqual(s.supported_sync_modes, ["full_refresh", "incremental"]);
      assert.equal(s.source_defined_cursor, true);
      assert.deepEqual(s.default_cursor_field, ["timestamp"]);
      assert.deepEqual(s.source_defined_primary_key, [["logStreamName"], ["eventId"]]);
      const props = (s.json_schema as { properties: Record<string, { type: string }> }).properties;
      assert.deepEqual(Object.keys(props).sort(), [
        "eventId",
        "ingestionTime",
        "logGroupName",
        "logStreamName",
        "message",
        "timestamp",
      ]);
      assert.equal(props.timestamp!.type, "integer");

      const ecs = await runWith("discover", { ...config, log_group_prefix: "/ecs/" });
      assert.deepEqual(
        ecs.messages
          .find((m) => m.type === "CATALOG")!
          .catalog!.streams.map((x) => x.name)
          .sort(),
        ["/ecs/api", "/ecs/worker"],
      );
    });

    test("discover adds one stream per custom report and refuses a report named like a log group", async () => {
      await seedGroup(ep.url, "/app/x", []);
      const reports = [{ name: "x_errors", log_group_name: "/app/x", filter_pattern: "ERROR" }];
      const r = await runWith("discover", { ...config, custom_log_reports: reports });
      assert.deepEqual(
        r.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name),
        ["/app/x", "x_errors"],
      );
      const clash = await runWith("discover", {
        ...config,
        custom_log_reports: [{ name: "/app/x", log_group_name: "/app/x" }],
      });
      assert.notEqual(clash.code, 0);
      const err = errors(clash.messages)[0]!;
      assert.equal(err.failure_type, "config_error");
      assert.match(err.message, /custom_log_reports\[0\]\.name "\/app\/x" is also the name of a log group/);
    });

    test("check succeeds with readable groups and reports", async () => {
      await seedGroup(ep.url, "/app/x", [{ stream: "s", timestamp: Date.now() - 1000, message: "m" }]);
      const r = await runWith("check", {
        ...config,
        custom_log_reports: [{ name: "rep", log_group_name: "/app/x", log_stream_names: ["s"] }],
      });
      assert.equal(r.code, 0);
      assert.deepEqual(
        r.messages.filter((m) => m.type === "CONNECTION_STATUS").map((m) => m.connectionStatus),
        [{ status: "SUCCEEDED" }],
      );
    });

    test("check fails for a custom report whose filter pattern the endpoint refuses, as the read would", {
      // The simulator refuses it as AWS does ("Invalid filter pattern."); moto takes any pattern.
      skip: kind.name === "moto" ? "moto does not validate filter patterns" : false,
    }, async () => {
      await seedGroup(ep.url, "/app/x", [{ stream: "s", timestamp: Date.now() - 1000, message: "m" }]);
      const r = await runWith("check", {
        ...config,
        custom_log_reports: [{ name: "rep", log_group_name: "/app/x", filter_pattern: "%[%" }],
      });
      assert.equal(r.code, 0, "check ran; its answer is FAILED");
      const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
      assert.equal(status.status, "FAILED");
      assert.match(
        status.message!,
        /rejected logs:FilterLogEvents while checking custom_log_reports\[0\] \("rep"\) .*Invalid filter pattern/,
      );
    });

    test("check fails, naming the field, for a custom report whose log group does not exist", async () => {
      await seedGroup(ep.url, "/app/x", []);
      const r = await runWith("check", {
        ...config,
        custom_log_reports: [{ name: "rep", log_group_name: "/app/nope" }],
      });
      assert.equal(r.code, 0, "check ran; its answer is FAILED");
      const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
      assert.equal(status.status, "FAILED");
      assert.match(status.message!, /custom_log_reports\[0\]\.log_group_name: log group "\/app\/nope" does not exist/);
    });
  });
}

describe("check without a reachable endpoint", () => {
  test("an unreachable endpoint is a FAILED check that says so, not a crash", async () => {
    const port = await freePort();
    const r = await runWith("check", {
      region_name: "us-east-1",
      aws_access_key_id: TEST_KEYS.accessKeyId,
      aws_secret_access_key: TEST_KEYS.secretAccessKey,
      endpoint_url: `http://127.0.0.1:${port}`,
    });
    assert.equal(r.code, 0);
    const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!;
    assert.equal(status.status, "FAILED");
    assert.match(status.message!, new RegExp(`Cannot reach CloudWatch Logs at http://127.0.0.1:${port}`));
  });
});
