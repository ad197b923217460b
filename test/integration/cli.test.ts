// spec, help, argument handling and bad input, through the built command (no AWS endpoint needed).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { MAIN, errors, runConnector, runWith, tempDir, writeJson } from "../support/connector.js";
import { freePort } from "../support/ports.js";
import { repoJson } from "../support/repo.js";
import { specProblems, type Schema } from "../support/spec-rules.js";

/** Runs the built command for its text (help is not protocol messages). */
async function runText(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  return { code, stdout, stderr };
}

const ALL_COMMANDS = ["spec", "check", "discover", "read", "sync", "demo", "query"];

/** What each command's --help must list (written out here, not taken from the code under test). */
const COMMAND_FLAGS: Record<string, string[]> = {
  spec: [],
  check: ["--config"],
  discover: ["--config"],
  read: ["--config", "--catalog", "--state"],
  sync: [
    "--config",
    "--region",
    "--profile",
    "--prefix",
    "--since",
    "--streams",
    "--format",
    "--database",
    "--output",
    "--follow",
    "--interval",
  ],
  demo: ["--database"],
  query: ["--tables", "--format", "--database"],
};

function assertFits80(what: string, text: string): void {
  assert.deepEqual(
    text.split("\n").filter((line) => line.length > 80),
    [],
    `${what}: lines over 80 columns`,
  );
}

/** Every command is named in the synopsis (`usage: source-cloudwatch-logs read ...`) or overview (`  read  ...`). */
function assertListsAllCommands(what: string, text: string): void {
  for (const command of ALL_COMMANDS) {
    assert.match(text, new RegExp(`(^ {2}|source-cloudwatch-logs )${command}( |$)`, "m"), `${what} lists ${command}`);
  }
}

describe("help and version", () => {
  test("--help, -h and help: every command with an example on stdout, exit 0, no protocol messages", async () => {
    for (const form of ["--help", "-h", "help"]) {
      const r = await runText([form]);
      assert.equal(r.code, 0, form);
      assert.equal(r.stderr, "", form);
      assert.doesNotMatch(r.stdout, /^\{/m, `${form}: no JSON messages`);
      assertFits80(form, r.stdout);
      for (const command of ALL_COMMANDS) {
        assert.match(r.stdout, new RegExp(`^  ${command} +\\S`, "m"), `${form}: a line about ${command}`);
        assert.match(
          r.stdout,
          new RegExp(`^  source-cloudwatch-logs ${command}\\b`, "m"),
          `${form}: an example of ${command}`,
        );
      }
      assert.match(r.stdout, /--version/);
    }
  });

  test("no arguments: the usage on stderr, nothing on stdout, exit 2", async () => {
    const r = await runText([]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assertListsAllCommands("no arguments", r.stderr);
    assertFits80("no arguments", r.stderr);
  });

  test("--version and -v print package.json's version, exit 0", async () => {
    const { version } = repoJson<{ version: string }>("package.json");
    for (const form of ["--version", "-v"]) {
      const r = await runText([form]);
      assert.equal(r.code, 0, form);
      assert.equal(r.stdout, `${version}\n`, form);
      assert.equal(r.stderr, "", form);
    }
  });

  for (const [command, flags] of Object.entries(COMMAND_FLAGS)) {
    test(`${command} --help, ${command} -h and help ${command} list its flags, exit 0`, async () => {
      for (const args of [
        [command, "--help"],
        [command, "-h"],
        ["help", command],
      ]) {
        const what = args.join(" ");
        const r = await runText(args);
        assert.equal(r.code, 0, what);
        assert.equal(r.stderr, "", what);
        assert.doesNotMatch(r.stdout, /^\{/m, `${what}: no JSON messages`);
        assertFits80(what, r.stdout);
        assert.match(r.stdout, new RegExp(`^usage: source-cloudwatch-logs ${command}\\b`, "m"), what);
        const listed = [...r.stdout.matchAll(/^ {2}(--[a-z]+) /gm)].map((m) => m[1]);
        assert.deepEqual(listed, flags, `${what}: its flags`);
        assert.match(
          r.stdout,
          new RegExp(`^Example:\\n  source-cloudwatch-logs ${command}\\b`, "m"),
          `${what}: an example`,
        );
      }
    });
  }

  test("--help among a command's other flags answers with that command's help, not a run", async () => {
    const r = await runText(["read", "--config", "/nonexistent/config.json", "--help"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: source-cloudwatch-logs read /);
  });

  test("help for an unknown command: the usage on stderr, exit 2", async () => {
    const r = await runText(["help", "launch"]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /Unknown command "launch"/);
    assertListsAllCommands("help launch", r.stderr);
    assertFits80("help launch", r.stderr);
  });

  test("an unknown command: config_error whose usage lists all seven commands in 80 columns", async () => {
    const r = await runConnector(["launch"]);
    assert.equal(r.code, 1);
    const err = errors(r.messages)[0]!;
    assert.equal(err.failure_type, "config_error");
    assertListsAllCommands("launch", err.message);
    assertFits80("launch", err.message);
    assertListsAllCommands("launch (stderr)", r.stderr);
  });

  test("an unknown flag: the command's own usage and where its help is, in 80 columns", async () => {
    const own = (command: string, text: string): void => {
      assert.match(text, new RegExp(`^usage: source-cloudwatch-logs ${command}( |$)`, "m"), text);
      assert.match(text, new RegExp(`^\\(more: source-cloudwatch-logs ${command} --help\\)$`, "m"), text);
      const others = ALL_COMMANDS.filter((c) => c !== command);
      assert.doesNotMatch(text, new RegExp(`source-cloudwatch-logs (${others.join("|")})( |$)`, "m"), text);
      assertFits80(command, text);
    };
    for (const args of [
      ["read", "--verbose"],
      ["spec", "--config", "c.json"],
    ]) {
      const r = await runConnector(args);
      assert.equal(r.code, 1, args.join(" "));
      const err = errors(r.messages)[0]!;
      assert.equal(err.failure_type, "config_error");
      own(args[0]!, err.message);
    }
    for (const args of [
      ["sync", "--verbose"],
      ["demo", "--config", "c.json"],
      ["query", "--verbose"],
    ]) {
      const r = await runText(args);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, /does not take/);
      own(args[0]!, r.stderr);
    }
  });
});

describe("spec", () => {
  test("spec is one valid SPEC message that follows the acceptance-test rules", async () => {
    const r = await runConnector(["spec"]);
    assert.equal(r.code, 0);
    assert.equal(r.messages.length, 1);
    const spec = r.messages[0]!.spec!;
    const cs = spec.connectionSpecification as Schema;
    assert.deepEqual(specProblems(cs), []);
    const props = cs.properties as Record<string, Schema>;
    for (const field of [
      "region_name",
      "aws_access_key_id",
      "aws_secret_access_key",
      "aws_session_token",
      "role_arn",
      "role_external_id",
      "session_duration",
      "log_group_prefix",
      "custom_log_reports",
      "start_date",
      "ingestion_delay_seconds",
      "endpoint_url",
      "delivery_method",
    ]) {
      assert.ok(props[field], `spec has ${field}`);
    }
    assert.deepEqual(cs.required, ["region_name"]);
    assert.equal(props.session_duration!.default, 3600);
    assert.equal(spec.supportsIncremental, true);
  });

  test("the spec checker itself catches violations", () => {
    assert.notDeepEqual(
      specProblems({ properties: { a: { anyOf: [] }, aws_secret_access_key: { type: "string" } } }),
      [],
    );
  });
});

describe("bad input", () => {
  const good = {
    region_name: "us-east-1",
    aws_access_key_id: "AKIAEXAMPLE",
    aws_secret_access_key: "super-secret-value-123",
  };

  test("unknown commands and missing arguments are config errors with usage, exit 1", async () => {
    for (const args of [
      ["launch"],
      ["check"],
      ["read", "--config", "x.json"],
      ["discover", "--config"],
      ["check", "--catalog", "c.json"],
    ]) {
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
    assert.match(
      errors(missing.messages)[0]!.message,
      /--config \/nonexistent\/config.json: cannot read the file \(no such file\)/,
    );
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
    const badMode = await runWith("read", cfg, {
      catalog: { streams: [{ stream: { name: "a" }, sync_mode: "sometimes" }] },
    });
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
