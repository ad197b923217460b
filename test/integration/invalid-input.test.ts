// Issue 4 "Bad input": a generated suite of invalid configs, catalogs and states, each checked for
// its documented outcome (docs/reference.md "Invalid input"): a message naming the problem, failure_type
// config_error, exit code 1, no stack trace as the only explanation, and no secret in any output.
// Every case runs in-process through the parsers; a representative subset (and everything about
// files, arguments and AWS-dependent checks) runs through the built CLI as a child process.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "../../src/config/config.js";
import { ConnectorError } from "../../src/airbyte/errors.js";
import { parseConfiguredCatalog } from "../../src/airbyte/configured-catalog.js";
import { parseState } from "../../src/airbyte/state.js";
import type { AirbyteMessage, AirbyteStateMessage } from "../../src/airbyte/protocol.js";
import {
  catalogFor,
  errors,
  lastStates,
  records,
  registerSecrets,
  runConnector,
  statuses,
  tempDir,
  writeJson,
  type RunResult,
} from "../support/connector.js";
import {
  FULL_CONFIG,
  SECRETS,
  acceptedStates,
  catalogCases,
  configCases,
  stateCases,
  type InvalidCase,
} from "../support/invalid-cases.js";
import { startMoto, type Moto } from "../support/moto.js";
import { freePort } from "../support/ports.js";
import { seedGroup, spreadEvents } from "../support/seed.js";

/** A secret short enough to fit whole in the excerpt of the input that V8's JSON errors quote. */
const SHORT_SECRET = "Xq7kZ9";
const SECRET_VALUES: string[] = [...Object.values(SECRETS), SHORT_SECRET];
/** Secrets whose JSON, URL and base64 forms differ from the raw value. */
const SPECIAL_SECRETS = [
  "back\\slash\\Secret9",
  'quo"te\'Secret"9',
  "ключ-秘密-🔑-Secret9",
  "per%2Fcent%Secret9",
  "plus+and/slash/Secret9==",
];
registerSecrets(...SECRET_VALUES);

const CONFIGS = configCases();
const CATALOGS = catalogCases();
const STATES = stateCases();

function assertNoSecret(text: string, where: string): void {
  for (const s of SECRET_VALUES) assert.ok(!text.includes(s), `a secret value appears in ${where}`);
}

/** In-process: the parser throws a config_error whose message names the problem. */
function assertRejects(parse: (input: unknown) => unknown, c: InvalidCase): void {
  assert.throws(
    () => parse(c.input),
    (err: unknown) => {
      assert.ok(err instanceof ConnectorError, `a ConnectorError, not ${String(err)}`);
      assert.equal(err.failureType, "config_error");
      assert.match(err.message, c.expect);
      assertNoSecret(err.message, "the message");
      return true;
    },
  );
}

describe("in-process: invalid configs", () => {
  assert.ok(CONFIGS.length >= 150, `${CONFIGS.length} config cases`);
  for (const c of CONFIGS) test(`config: ${c.name}`, () => assertRejects(parseConfig, c));
});

describe("in-process: invalid catalogs", () => {
  for (const c of CATALOGS) test(`catalog: ${c.name}`, () => assertRejects(parseConfiguredCatalog, c));
});

describe("in-process: invalid states", () => {
  for (const c of STATES) test(`state: ${c.name}`, () => assertRejects(parseState, c));
  for (const c of acceptedStates("app", 4_102_444_800_000)) {
    test(`state accepted, not an error: ${c.name}`, () => assert.deepEqual([...parseState(c.input)], c.expect));
  }
});

// ------------------------------------------------------------------------- through the CLI

type Command = "check" | "discover" | "read";
/** A file's content: a JSON value, or { raw } text as is. */
type FileContent = { raw: string } | { json: unknown };
const json = (v: unknown): FileContent => ({ json: v });

function write(dir: string, name: string, content: FileContent): string {
  return writeJson(dir, name, "raw" in content ? content.raw : JSON.stringify(content.json));
}

async function runFiles(
  command: Command,
  files: { config: FileContent; catalog?: FileContent; state?: FileContent },
): Promise<RunResult> {
  const dir = tempDir();
  const args: string[] = [command, "--config", write(dir, "config.json", files.config)];
  if (command === "read")
    args.push("--catalog", write(dir, "catalog.json", files.catalog ?? json(catalogFor(["app"]))));
  if (files.state !== undefined) args.push("--state", write(dir, "state.json", files.state));
  return runConnector(args);
}

/** The documented outcome of any invalid input, as seen from outside the process. */
function assertDocumentedFailure(r: RunResult, command: string, expect: RegExp): void {
  assertNoSecret(r.stdout, "stdout");
  assertNoSecret(r.stderr, "stderr");
  assert.equal(r.code, 1, `exit code; stderr: ${r.stderr}`);
  const errs = errors(r.messages);
  assert.equal(errs.length, 1, "exactly one TRACE ERROR");
  const err = errs[0]!;
  assert.equal(err.failure_type, "config_error");
  assert.match(err.message, expect);
  assert.doesNotMatch(err.message, /^\s+at /m, "the message is words, not a stack trace");
  assert.match(r.stderr, expect, "stderr says it in words");
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace on stderr");
  if (command === "check") {
    const status = r.messages.find((m) => m.type === "CONNECTION_STATUS")?.connectionStatus;
    assert.equal(status?.status, "FAILED");
    assert.equal(status?.message, err.message, "CONNECTION_STATUS carries the same message");
  }
  assert.equal(
    r.messages.filter((m) => m.type === "RECORD" || m.type === "STATE" || m.trace?.type === "STREAM_STATUS").length,
    0,
    "no stream was started",
  );
}

describe("CLI: invalid input rejected before any AWS call", { concurrency: 4 }, () => {
  let closed = "";
  before(async () => {
    // Nothing listens there: a call would fail as unreachable, not as this config_error.
    closed = `http://127.0.0.1:${await freePort()}`;
  });
  const commands: Command[] = ["check", "discover", "read"];
  const withEndpoint = (input: unknown): unknown =>
    input !== null && typeof input === "object" && !Array.isArray(input) && !("endpoint_url" in input)
      ? { ...input, endpoint_url: closed }
      : input;
  const goodConfig = () => ({ ...FULL_CONFIG, endpoint_url: closed });

  // A representative subset of the generated configs: every 9th, through each command in turn.
  CONFIGS.filter((_, i) => i % 9 === 0).forEach((c, i) => {
    const command = commands[i % 3]!;
    test(`${command} with config: ${c.name}`, async () => {
      assertDocumentedFailure(await runFiles(command, { config: json(withEndpoint(c.input)) }), command, c.expect);
    });
  });

  const S = SECRETS.aws_secret_access_key;
  const badJson: [string, string][] = [
    ["not JSON at all", "{ not json"],
    ["an empty file", ""],
    ["only whitespace", "   \n"],
    ["a trailing comma", '{"region_name": "us-east-1",}'],
    [
      "a single-quoted secret",
      `{"region_name": "us-east-1", "aws_access_key_id": "${SECRETS.aws_access_key_id}", "aws_secret_access_key": '${S}'}`,
    ],
    ["a short single-quoted secret", `{"region_name": "us-east-1", "role_external_id": '${SHORT_SECRET}'}`],
    ["an unquoted secret", `{"aws_secret_access_key": ${S}, "region_name": "us-east-1"}`],
    ["a truncated secret", `{"region_name": "us-east-1", "aws_session_token": "${SECRETS.aws_session_token}`],
    ["two objects", '{"region_name": "us-east-1"} {"endpoint_url": "x"}'],
    ["a comment", '// prod\n{"region_name": "us-east-1"}'],
    [
      "NaN",
      `{"region_name": "us-east-1",\n "role_external_id": "${SECRETS.role_external_id}",\n "session_duration": NaN}`,
    ],
  ];
  badJson.forEach(([name, text], i) => {
    const command = commands[i % 3]!;
    test(`${command} with a malformed config file: ${name}`, async () => {
      assertDocumentedFailure(
        await runFiles(command, { config: { raw: text } }),
        command,
        /--config \S+config\.json is not valid JSON: \S/,
      );
    });
  });

  test("a malformed config names the line and column", async () => {
    const r = await runFiles("discover", { config: { raw: '{\n  "region_name": "us-east-1"\n  "x": 1}' } });
    assertDocumentedFailure(
      r,
      "discover",
      /is not valid JSON: Expected ',' or '}' after property value in JSON at position \d+ \(line 3, column 3\)/,
    );
    assert.equal(
      errors(r.messages)[0]!.message.match(/\bline\b/g)?.length,
      1,
      "the position is given once (V8 of Node >= 22 adds its own)",
    );
  });

  test("check with a missing config file", async () => {
    const r = await runConnector(["check", "--config", join(tempDir(), "nope.json")]);
    assertDocumentedFailure(r, "check", /--config \S+nope\.json: cannot read the file \(no such file\)/);
  });

  test("discover with a directory as the config file", async () => {
    const dir = join(tempDir(), "config.json");
    mkdirSync(dir);
    assertDocumentedFailure(
      await runConnector(["discover", "--config", dir]),
      "discover",
      /--config \S+config\.json: cannot read the file \(EISDIR\)/,
    );
  });

  test("read with a missing catalog file", async () => {
    const dir = tempDir();
    const r = await runConnector([
      "read",
      "--config",
      writeJson(dir, "c.json", goodConfig()),
      "--catalog",
      join(dir, "catalog.json"),
    ]);
    assertDocumentedFailure(r, "read", /--catalog \S+catalog\.json: cannot read the file \(no such file\)/);
  });

  test("read with a missing state file", async () => {
    const dir = tempDir();
    const r = await runConnector([
      "read",
      "--config",
      writeJson(dir, "c.json", goodConfig()),
      "--catalog",
      writeJson(dir, "cat.json", catalogFor(["app"])),
      "--state",
      join(dir, "state.json"),
    ]);
    assertDocumentedFailure(r, "read", /--state \S+state\.json: cannot read the file \(no such file\)/);
  });

  for (const [name, text] of [
    ["truncated", '{"streams": [{"stream": {"name": "app"}'],
    ["empty", ""],
    ["YAML", "streams:\n  - name: app\n"],
  ] as const) {
    test(`read with a malformed catalog file: ${name}`, async () => {
      const r = await runFiles("read", { config: json(goodConfig()), catalog: { raw: text } });
      assertDocumentedFailure(r, "read", /--catalog \S+catalog\.json is not valid JSON: \S/);
    });
  }

  for (const [name, text] of [
    ["truncated", '[{"type": "STREAM",'],
    ["single quotes", "{'app': {'timestamp': 1}}"],
    ["a bare word", "none"],
  ] as const) {
    test(`read with a malformed state file: ${name}`, async () => {
      const r = await runFiles("read", { config: json(goodConfig()), state: { raw: text } });
      assertDocumentedFailure(r, "read", /--state \S+state\.json is not valid JSON: \S/);
    });
  }

  const badArgs: [string, (cfg: string, cat: string) => string[], RegExp][] = [
    ["check --config without a path", () => ["check", "--config"], /--config needs a file path/],
    ["check --config= (empty)", () => ["check", "--config="], /--config needs a file path/],
    [
      "read --state without a path",
      (cfg, cat) => ["read", "--config", cfg, "--catalog", cat, "--state"],
      /--state needs a file path/,
    ],
    ["spec --config", (cfg) => ["spec", "--config", cfg], /spec does not take "--config"/],
    [
      "discover --catalog",
      (cfg, cat) => ["discover", "--config", cfg, "--catalog", cat],
      /discover does not take "--catalog"/,
    ],
    [
      "read --verbose",
      (cfg, cat) => ["read", "--config", cfg, "--catalog", cat, "--verbose"],
      /read does not take "--verbose"/,
    ],
    ["check with a stray argument", (cfg) => ["check", "--config", cfg, "extra"], /check does not take "extra"/],
    ["READ in capitals", (cfg, cat) => ["READ", "--config", cfg, "--catalog", cat], /Unknown command "READ"/],
    ["read without --catalog", (cfg) => ["read", "--config", cfg], /read needs --catalog FILE/],
  ];
  for (const [name, args, expect] of badArgs) {
    test(`bad arguments: ${name}`, async () => {
      const dir = tempDir();
      const argv = args(writeJson(dir, "c.json", goodConfig()), writeJson(dir, "cat.json", catalogFor(["app"])));
      const r = await runConnector(argv);
      assertDocumentedFailure(r, argv[0]!, expect);
      assert.match(r.stderr, /usage:/, "the usage is shown");
    });
  }

  CATALOGS.filter((_, i) => i % 4 === 0).forEach((c) => {
    test(`read with catalog: ${c.name}`, async () => {
      assertDocumentedFailure(
        await runFiles("read", { config: json(goodConfig()), catalog: json(c.input) }),
        "read",
        c.expect,
      );
    });
  });

  STATES.filter((c, i) => i % 10 === 0 && !c.name.includes("1e400")).forEach((c) => {
    test(`read with state: ${c.name}`, async () => {
      assertDocumentedFailure(
        await runFiles("read", { config: json(goodConfig()), state: json(c.input) }),
        "read",
        c.expect,
      );
    });
  });

  test("read with state: timestamp 1e400 (Infinity) is shown as such", async () => {
    const raw = '[{"type":"STREAM","stream":{"stream_descriptor":{"name":"app"},"stream_state":{"timestamp":1e400}}}]';
    const r = await runFiles("read", { config: json(goodConfig()), state: { raw } });
    assertDocumentedFailure(
      r,
      "read",
      /state for stream "app": timestamp must be a non-negative integer of epoch milliseconds \(got Infinity\)/,
    );
  });

  test("read with an empty catalog reads nothing and says so with a WARN", async () => {
    const r = await runFiles("read", { config: json(goodConfig()), catalog: json({ streams: [] }) });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.messages.some(
        (m) => m.log?.level === "WARN" && /The catalog has no streams: nothing is read/.test(m.log.message),
      ),
    );
  });

  // A secret given in another field too (start_date) is quoted by that field's error: in JSON,
  // so a backslash or a quote changes its text; and never in the output, in any form.
  SPECIAL_SECRETS.forEach((secret, i) => {
    const command = commands[i % 3]!;
    test(`${command} never shows a secret with special characters: ${JSON.stringify(secret)}`, async () => {
      const config = {
        ...goodConfig(),
        aws_secret_access_key: secret,
        role_external_id: `${secret}-ext`,
        start_date: secret,
      };
      registerSecrets(secret, `${secret}-ext`);
      const r = await runFiles(command, { config: json(config) });
      assertDocumentedFailure(
        r,
        command,
        /start_date has an invalid format \(got "\*\*\*\*"\): expected YYYY-MM-DDTHH:mm:ssZ/,
      );
    });
  });
});

// ------------------------------------------------------------- cases that need AWS (moto)

describe("CLI: invalid input that only AWS can reveal, and accepted odd states (moto)", { concurrency: 4 }, () => {
  let moto: Moto;
  let config: Record<string, unknown>;
  const NOW = Date.now();
  /** Ahead of the clock by an hour: another machine's clock skew, which counts as now. */
  const AHEAD = NOW + 3_600_000;
  before(async () => {
    moto = await startMoto();
    config = {
      region_name: "us-east-1",
      aws_access_key_id: SECRETS.aws_access_key_id,
      aws_secret_access_key: SECRETS.aws_secret_access_key,
      endpoint_url: moto.url,
      ingestion_delay_seconds: 0,
    };
    await seedGroup(moto.url, "/app/good", spreadEvents(12, NOW - 3_600_000, 1_800_000, ["s1", "s2"], "good"));
    await seedGroup(moto.url, "/app/other", spreadEvents(5, NOW - 3_600_000, 1_800_000, ["o"], "other"));
  });
  after(async () => moto?.stop());

  const run = (cfg: Record<string, unknown>, names: string[], state?: FileContent) =>
    runFiles("read", { config: json(cfg), catalog: json(catalogFor(names)), ...(state ? { state } : {}) });

  /** The failing stream: STARTED, one TRACE ERROR config_error for it, INCOMPLETE; the others COMPLETE; exit 1. */
  function assertStreamFails(r: RunResult, failing: string, expect: RegExp, others: string[]): void {
    assertNoSecret(r.stdout + r.stderr, "the output");
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(statuses(r.messages, failing), ["STARTED", "INCOMPLETE"]);
    const errs = errors(r.messages);
    assert.equal(errs.length, 1);
    assert.equal(errs[0]!.failure_type, "config_error");
    assert.equal(errs[0]!.stream_descriptor?.name, failing);
    assert.match(errs[0]!.message, expect);
    // The reason is on stderr too, one line naming the stream (docs/reference.md "Invalid input").
    const line = r.stderr.split("\n").find((l) => l.startsWith(`Stream ${JSON.stringify(failing)} failed: `));
    assert.ok(line, `stderr names the failing stream: ${r.stderr}`);
    assert.ok(line.endsWith(errs[0]!.message), "with the reason of its TRACE ERROR");
    for (const o of others) {
      assert.equal(statuses(r.messages, o).at(-1), "COMPLETE", `${o} completes`);
      assert.ok(records(r.messages, o).length > 0, `${o} delivers its records`);
    }
  }

  test("an unknown stream in the catalog fails alone; the others complete", async () => {
    const r = await run(config, ["/app/good", "/app/nope", "/app/other"]);
    assertStreamFails(
      r,
      "/app/nope",
      /Stream "\/app\/nope" is in the catalog but is neither a custom report nor a log group in us-east-1; run discover again/,
      ["/app/good", "/app/other"],
    );
  });

  test("a catalog stream outside log_group_prefix is unknown, and the prefix is named", async () => {
    const r = await run({ ...config, log_group_prefix: "/app/g" }, ["/app/good", "/app/other"]);
    assertStreamFails(r, "/app/other", /Stream "\/app\/other" .* with prefix "\/app\/g"/, ["/app/good"]);
  });

  test("a custom report on a log group that does not exist", async () => {
    const cfg = { ...config, custom_log_reports: [{ name: "errors", log_group_name: "/app/missing" }] };
    const r = await run(cfg, ["errors", "/app/good"]);
    assertStreamFails(
      r,
      "errors",
      /custom_log_reports\[0\]\.log_group_name: log group "\/app\/missing" does not exist/,
      ["/app/good"],
    );
  });

  test("a custom report named like a log group", async () => {
    const cfg = { ...config, custom_log_reports: [{ name: "/app/good", log_group_name: "/app/other" }] };
    const r = await run(cfg, ["/app/good", "/app/other"]);
    assertStreamFails(
      r,
      "/app/good",
      /custom_log_reports\[0\]\.name "\/app\/good" is also the name of a log group stream/,
      ["/app/other"],
    );
  });

  function assertAccepted(r: RunResult): AirbyteMessage[] {
    assertNoSecret(r.stdout + r.stderr, "the output");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(errors(r.messages), []);
    return r.messages;
  }

  const ORIGIN = "arn:aws:logs:us-east-1:123456789012";
  /** A STATE's blob without the creation time of its log group (made when seeded, see state-origin.test.ts). */
  function savedHere(m: AirbyteStateMessage): unknown {
    const { log_group_creation_time: _, ...blob } = m.stream!.stream_state as Record<string, unknown>;
    return blob;
  }

  /** The state `read` reported for a stream, which must not pass the time of the run (ingestion delay 0). */
  function reportedState(msgs: AirbyteMessage[], stream: string, ranAfter: number): number {
    const last = lastStates(msgs).find((s) => s.stream!.stream_descriptor.name === stream);
    const ts = (last!.stream!.stream_state as { timestamp: number }).timestamp;
    assert.ok(ts >= ranAfter && ts <= Date.now(), `state ${ts} is the time of the run, not beyond`);
    return ts;
  }

  test("a state an hour ahead of the clock is accepted with a WARN and counts as now: no records, no state in the future", async () => {
    const ranAfter = Date.now();
    const msgs = assertAccepted(await run(config, ["/app/good"], json({ "/app/good": { timestamp: AHEAD } })));
    assert.equal(records(msgs, "/app/good").length, 0);
    reportedState(msgs, "/app/good", ranAfter);
    assert.ok(
      msgs.some(
        (m) =>
          m.log?.level === "WARN" &&
          /The state of stream "\/app\/good", timestamp \d+.* is later than now minus ingestion_delay_seconds/.test(
            m.log.message,
          ),
      ),
    );
  });

  // Counted as now and written back so, such a state would mark every event up to now delivered
  // (helper-53: a state in microseconds skipped 57,391 events for good, with one WARN).
  for (const [name, state] of [
    ["in microseconds", { "/app/good": { timestamp: NOW * 1000 } }],
    ["of the largest safe integer", { "/app/good": { timestamp: Number.MAX_SAFE_INTEGER } }],
    ["two days ahead", { "/app/good": { timestamp: NOW + 2 * 86_400_000 } }],
    ["in a log group's entry", { log_events: { log_groups: { "/app/good": { timestamp: NOW * 1000 } } } }],
  ] as const) {
    test(`a state ${name} reads nothing and is kept as it is, with a WARN`, async () => {
      const single = "log_events" in state;
      const stream = single ? "log_events" : "/app/good";
      const singleConfig = { ...config, stream_layout: "single_stream", log_group_prefix: "/app/good" };
      const msgs = assertAccepted(await run(single ? singleConfig : config, [stream], json(state)));
      assert.deepEqual(records(msgs), []);
      // The single stream's state is written as this version does (its entry is past its group's creation).
      const version = single ? { version: 2 } : {};
      assert.deepEqual(lastStates(msgs).map(savedHere), [{ ...version, ...Object.values(state)[0], origin: ORIGIN }]);
      const whose = single
        ? 'The state of log group "/app/good" in stream "log_events"'
        : 'The state of stream "/app/good"';
      const warned = msgs.filter((m) => m.log?.level === "WARN").map((m) => m.log!.message);
      assert.equal(warned.length, 1, JSON.stringify(warned));
      assert.match(
        warned[0]!,
        new RegExp(
          `^${whose}, timestamp \\d+( \\(.*Z\\))?, is more than a day after this machine's clock \\(\\d+ \\(.*Z\\)\\): ` +
            "nothing is read and the state is kept as it is",
        ),
      );
      assert.deepEqual(statuses(msgs, stream).at(-1), "COMPLETE");
    });
  }

  test("a state older than its log group (deleted and made again): a WARN says its earlier events are not read", async () => {
    const warned = (msgs: AirbyteMessage[]) =>
      msgs.filter((m) => m.log?.level === "WARN" && /deleted and made again\?/.test(m.log.message));
    // The group was made when seeded (after NOW); events before the state's time stay unread.
    const early = NOW - 2_700_000;
    const msgs = assertAccepted(await run(config, ["/app/good"], json({ "/app/good": { timestamp: early } })));
    assert.ok(records(msgs, "/app/good").length < 12);
    assert.ok(records(msgs, "/app/good").every((r) => (r.data as { timestamp: number }).timestamp >= early));
    const [warning] = warned(msgs);
    assert.match(
      warning?.log?.message ?? "",
      /^Log group "\/app\/good" was created at \d+ \(.*Z\), after the state of stream "\/app\/good" was saved \(timestamp \d+ \(.*Z\)\): deleted and made again\? If so, its events from before that timestamp are not read; to read them, read the stream without its state .*If not \(a first read cut short in a group holding events older than itself\), nothing is missed\.$/,
    );
    // A state from after the group was made says nothing of it.
    const later = assertAccepted(await run(config, ["/app/good"], json({ "/app/good": { timestamp: Date.now() } })));
    assert.deepEqual(warned(later), []);
    // Nor one older than any event the new group can hold (AWS takes events up to 14 days old).
    const older = NOW - 15 * 86_400_000;
    const old = assertAccepted(await run(config, ["/app/good"], json({ "/app/good": { timestamp: older } })));
    assert.deepEqual(warned(old), []);
    assert.equal(records(old, "/app/good").length, 12);
    // One stream for every group: the group's entry in the state is what predates it.
    const single = { ...config, stream_layout: "single_stream" };
    const state = (timestamp: number) => json({ log_events: { log_groups: { "/app/good": { timestamp } } } });
    const one = assertAccepted(await run(single, ["log_events"], state(early)));
    assert.deepEqual(
      warned(one).map((m) => m.log!.message.replace(/\d+ \([^)]*Z\)/g, "T")),
      [
        'Log group "/app/good" was created at T, after its entry in the state of stream "log_events" was saved (timestamp T): deleted and made again? ' +
          "If so, its events from before that timestamp are not read; to read them, read the stream without its state (Airbyte: clear the stream's data; sync: another --database or --output). " +
          "If not (a first read cut short in a group holding events older than itself), nothing is missed.",
      ],
    );
    assert.deepEqual(warned(assertAccepted(await run(single, ["log_events"], state(Date.now())))), []);
    // A lookback reads some of them: the WARN says which are not (helper-56).
    const back = assertAccepted(await run({ ...single, lookback_window_minutes: 60 }, ["log_events"], state(early)));
    assert.match(
      warned(back)[0]?.log?.message ?? "",
      /If so, its events from before that timestamp less lookback_window_minutes are not read/,
    );
    // A full refresh reads every event whatever the state: nothing to warn of (helper-55).
    const full = await runFiles("read", {
      config: json(config),
      catalog: json(catalogFor(["/app/good"], "full_refresh")),
      state: json({ "/app/good": { timestamp: early } }),
    });
    assert.equal(records(assertAccepted(full), "/app/good").length, 12);
    assert.deepEqual(warned(full.messages), []);
  });

  test("many log groups' entries far ahead are one WARN; each entry is kept", async () => {
    const single = { ...config, stream_layout: "single_stream", log_group_prefix: "/app/" };
    const ahead = { "/app/good": { timestamp: NOW * 1000 }, "/app/other": { timestamp: NOW * 1000 + 1 } };
    const msgs = assertAccepted(await run(single, ["log_events"], json({ log_events: { log_groups: ahead } })));
    assert.deepEqual(records(msgs), []);
    const warned = msgs.filter((m) => m.log?.level === "WARN").map((m) => m.log!.message);
    assert.equal(warned.length, 1, JSON.stringify(warned));
    assert.match(
      warned[0]!,
      /^The states of 2 log groups in stream "log_events" \("\/app\/good" at timestamp \d+ \(.*Z\), "\/app\/other"\) are more than a day after this machine's clock \(.*\): nothing is read and those states are kept as they are/,
    );
    assert.deepEqual((lastStates(msgs)[0]!.stream!.stream_state as { log_groups: unknown }).log_groups, ahead);
  });

  test("a start_date in the future reads nothing and makes up no state, so correcting it takes effect", async () => {
    const future = { ...config, start_date: "2099-01-01T00:00:00Z" };
    const first = assertAccepted(await run(future, ["/app/good"]));
    assert.equal(records(first, "/app/good").length, 0);
    assert.deepEqual(lastStates(first), [], "no state made up from start_date");
    assert.ok(
      first.some(
        (m) =>
          m.log?.level === "WARN" &&
          /start_date 4070908800000 \(2099-01-01T00:00:00\.000Z\) is later than now minus ingestion_delay_seconds/.test(
            m.log.message,
          ),
      ),
    );
    assert.deepEqual(statuses(first, "/app/good"), ["STARTED", "COMPLETE"]);
    // The user corrects start_date and passes on what the first read wrote: every event is read.
    const corrected = assertAccepted(
      await run({ ...config, start_date: "2020-01-01T00:00:00Z" }, ["/app/good"], json(lastStates(first))),
    );
    assert.equal(records(corrected, "/app/good").length, 12);
    // With a stored state, a start_date in the future leaves that state as it was.
    const kept = assertAccepted(
      await run(future, ["/app/good"], json({ "/app/good": { timestamp: NOW - 7_200_000 } })),
    );
    assert.deepEqual(lastStates(kept).map(savedHere), [{ timestamp: NOW - 7_200_000, origin: ORIGIN }]);
  });

  test("state for a stream not in the catalog is ignored with a WARN log", async () => {
    const state = json([
      { type: "STREAM", stream: { stream_descriptor: { name: "/app/ghost" }, stream_state: { timestamp: 5 } } },
    ]);
    const msgs = assertAccepted(await run(config, ["/app/good"], state));
    assert.ok(
      msgs.some(
        (m) =>
          m.log?.level === "WARN" &&
          m.log.message.includes('"/app/ghost"') &&
          /not in the catalog; it is ignored/.test(m.log.message),
      ),
    );
    assert.equal(records(msgs, "/app/good").length, 12);
  });

  test("states of many streams not in the catalog, a single stream's too, are one WARN naming a few", async () => {
    const ghosts = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`/app/ghost${i}`, { timestamp: 5 }]));
    const notInCatalog = (msgs: AirbyteMessage[]) =>
      msgs.filter((m) => m.log !== undefined && /not in the catalog/.test(m.log.message)).map((m) => m.log!);
    const many = assertAccepted(await run(config, ["/app/good"], json(ghosts)));
    assert.deepEqual(notInCatalog(many), [
      {
        level: "WARN",
        message:
          'State for 300 streams not in the catalog is ignored: "/app/ghost0", "/app/ghost1", "/app/ghost2", "/app/ghost3", "/app/ghost4" and 295 more.',
      },
    ]);
    assert.equal(records(many, "/app/good").length, 12);
    // The single stream's state given to a read of stream_layout per_log_group: said, not dropped silently.
    const single = json({ log_events: { log_groups: { "/app/good": { timestamp: NOW } } } });
    assert.deepEqual(notInCatalog(assertAccepted(await run(config, ["/app/good"], single))), [
      { level: "WARN", message: 'State for stream "log_events" is not in the catalog; it is ignored.' },
    ]);
  });

  for (const c of acceptedStates("/app/good", AHEAD)) {
    test(`state accepted by read: ${c.name}`, async () => {
      const ranAfter = Date.now();
      const msgs = assertAccepted(await run(config, ["/app/good"], json(c.input)));
      // A watermark in the future proves the state was read: nothing is delivered, and it comes
      // back as the time of the run.
      const applies = c.expect.some(([stream]) => stream === "/app/good");
      assert.equal(records(msgs, "/app/good").length, applies ? 0 : 12);
      if (applies) reportedState(msgs, "/app/good", ranAfter);
    });
  }

  test("a state file that is a whole saved read stdout (JSON lines) continues where that read stopped", async () => {
    const first = await run(config, ["/app/good", "/app/other"]);
    assert.equal(records(assertAccepted(first), "/app/good").length, 12);
    assert.ok(first.stdout.split("\n").length > 20, "RECORD, TRACE and STATE lines");
    const second = assertAccepted(await run(config, ["/app/good", "/app/other"], { raw: first.stdout }));
    assert.equal(records(second).length, 0, "nothing read twice");
    assert.deepEqual(errors(second), []);
    // The same STATE lines alone, with Windows line ends and blank lines.
    const stateLines = first.stdout.split("\n").filter((l) => l.includes('"type":"STATE"'));
    assert.equal(
      records(
        assertAccepted(await run(config, ["/app/good"], { raw: `${stateLines.join("\r\n\r\n")}\r\n` })),
        "/app/good",
      ).length,
      0,
    );
  });

  test("discover with a prefix that matches nothing says so with a WARN naming the region and the prefix", async () => {
    const r = await runFiles("discover", { config: json({ ...config, log_group_prefix: "/nothing/" }) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.messages.find((m) => m.type === "CATALOG")?.catalog?.streams, []);
    const warn = r.messages.find((m) => m.log?.level === "WARN")?.log?.message ?? "";
    assert.match(
      warn,
      /No stream found: no readable log group whose name starts with log_group_prefix "\/nothing\/" in region us-east-1/,
    );
  });

  test("a JSON-lines state file with a broken line names that line", async () => {
    const line = JSON.stringify({
      type: "STATE",
      state: { type: "STREAM", stream: { stream_descriptor: { name: "/app/good" }, stream_state: { timestamp: 1 } } },
    });
    const r = await run(config, ["/app/good"], { raw: `${line}\n\n${line.slice(0, 40)}\n${line}\n` });
    assert.equal(r.code, 1);
    assert.match(errors(r.messages)[0]!.message, /--state \S+state\.json line 3 is not valid JSON: /);
    const noState = await run(config, ["/app/good"], {
      raw: `${JSON.stringify({ type: "LOG", log: { level: "INFO", message: "x" } })}\n${JSON.stringify({ type: "TRACE", trace: {} })}\n`,
    });
    assert.equal(noState.code, 1);
    assert.match(
      errors(noState.messages)[0]!.message,
      /state holds Airbyte messages \(LOG, TRACE\) but no STATE message/,
    );
    const badItem = await run(config, ["/app/good"], { raw: `${line}\n[1]\n` });
    assert.match(errors(badItem.messages)[0]!.message, /--state line 2 must be an object/);
  });

  for (const [name, raw] of [
    ["an empty state file", ""],
    ["a state file of whitespace", " \n"],
    ["a state file of null", "null"],
    ["a config with a byte order mark", "BOM"],
  ] as const) {
    test(`accepted: ${name}`, async () => {
      const r =
        raw === "BOM"
          ? await runFiles("read", {
              config: { raw: `\ufeff${JSON.stringify(config)}` },
              catalog: json(catalogFor(["/app/good"])),
            })
          : await run(config, ["/app/good"], { raw });
      assert.equal(records(assertAccepted(r), "/app/good").length, 12);
    });
  }
});
