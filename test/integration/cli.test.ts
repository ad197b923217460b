// spec, argument handling and bad input, through the built command (no AWS endpoint needed).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { errors, runConnector, runWith, tempDir, writeJson } from "../support/connector.js";
import { freePort } from "../support/ports.js";
import { specProblems, type Schema } from "../support/spec-rules.js";

describe("spec", () => {
  test("spec is one valid SPEC message that follows the acceptance-test rules", async () => {
    const r = await runConnector(["spec"]);
    assert.equal(r.code, 0);
    assert.equal(r.messages.length, 1);
    const spec = r.messages[0]!.spec!;
    const cs = spec.connectionSpecification as Schema;
    assert.deepEqual(specProblems(cs), []);
    const props = cs.properties as Record<string, Schema>;
    for (const field of ["region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "role_arn", "role_external_id", "session_duration", "log_group_prefix", "custom_log_reports", "start_date", "ingestion_delay_seconds", "endpoint_url", "delivery_method"]) {
      assert.ok(props[field], `spec has ${field}`);
    }
    assert.deepEqual(cs.required, ["region_name"]);
    assert.equal(props.session_duration!.default, 3600);
    assert.equal(spec.supportsIncremental, true);
  });

  test("the spec checker itself catches violations", () => {
    assert.notDeepEqual(specProblems({ properties: { a: { anyOf: [] }, aws_secret_access_key: { type: "string" } } }), []);
  });
});

describe("bad input", () => {
  const good = { region_name: "us-east-1", aws_access_key_id: "AKIAEXAMPLE", aws_secret_access_key: "super-secret-value-123" };

  test("unknown commands and missing arguments are config errors with usage, exit 1", async () => {
    for (const args of [["launch"], [], ["check"], ["read", "--config", "x.json"], ["discover", "--config"], ["check", "--catalog", "c.json"]]) {
      const r = await runConnector(args);
      assert.equal(r.code, 1, args.join(" "));
      const err = errors(r.messages)[0]!;
      assert.equal(err.failure_type, "config_error");
      assert.match(err.message, /usage:|needs|Unknown command|does not take/);
    }
  });

  test("a missing or malformed config file is named", async () => {
    const missing = await runConnector(["discover", "--config", "/nonexistent/config.json"]);
    assert.equal(missing.code, 1);
    assert.match(errors(missing.messages)[0]!.message, /--config \/nonexistent\/config.json: cannot read the file \(no such file\)/);
    const dir = tempDir();
    const bad = await runConnector(["discover", "--config", writeJson(dir, "c.json", "{ not json")]);
    assert.equal(bad.code, 1);
    assert.match(errors(bad.messages)[0]!.message, /is not valid JSON/);
  });

  test("check with an invalid config answers FAILED, names the field, exits non-zero", async () => {
    const r = await runWith("check", { ...good, session_duration: 10 });
    assert.equal(r.code, 1);
    assert.equal(r.messages.find((m) => m.type === "CONNECTION_STATUS")!.connectionStatus!.status, "FAILED");
    const err = errors(r.messages)[0]!;
    assert.equal(err.failure_type, "config_error");
    assert.match(err.message, /session_duration must be >= 900/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, "no raw stack trace on stderr");
    assert.match(r.stderr, /session_duration must be >= 900/, "stderr says the same in words");
  });

  test("read rejects a malformed catalog and a garbage state before calling AWS", async () => {
    const port = await freePort();
    const cfg = { ...good, endpoint_url: `http://127.0.0.1:${port}` };
    const badMode = await runWith("read", cfg, { catalog: { streams: [{ stream: { name: "a" }, sync_mode: "sometimes" }] } });
    assert.equal(badMode.code, 1);
    assert.match(errors(badMode.messages)[0]!.message, /sync_mode must be "full_refresh" or "incremental"/);
    const badState = await runWith("read", cfg, {
      catalog: { streams: [{ stream: { name: "a" }, sync_mode: "incremental" }] },
      state: [{ type: "STREAM", stream: { stream_descriptor: { name: "a" }, stream_state: { timestamp: -5 } } }],
    });
    assert.equal(badState.code, 1);
    const err = errors(badState.messages)[0]!;
    assert.equal(err.failure_type, "config_error");
    assert.match(err.message, /stream "a": timestamp must be a non-negative integer/);
  });
});
