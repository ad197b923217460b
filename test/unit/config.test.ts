import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConfig, unknownSettings, withoutUserinfo } from "../../src/config/config.js";
import { ConfigError } from "../../src/airbyte/errors.js";
import { parseConfiguredCatalog } from "../../src/airbyte/configured-catalog.js";
import { connectionSpecification } from "../../src/config/spec.js";
import { RateLimiter } from "../../src/aws/rate-limit.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzSECRET";
const base = { region_name: "us-east-1", aws_access_key_id: "AKIAEXAMPLE", aws_secret_access_key: SECRET };

test("a full config parses with defaults", () => {
  const c = parseConfig({
    ...base,
    role_arn: "arn:aws:iam::123456789012:role/r",
    role_external_id: "ext-123",
    log_group_prefix: "/aws/",
    start_date: "2024-01-01T00:00:00Z",
    custom_log_reports: [{ name: "errors", log_group_name: "/aws/x", filter_pattern: "ERROR" }],
    endpoint_url: "http://127.0.0.1:1234/",
  });
  assert.equal(c.region, "us-east-1");
  assert.deepEqual(c.credentials, { kind: "static", accessKeyId: "AKIAEXAMPLE", secretAccessKey: SECRET });
  assert.deepEqual(c.role, { arn: "arn:aws:iam::123456789012:role/r", externalId: "ext-123", durationSeconds: 3600 });
  assert.equal(c.startDate, Date.UTC(2024, 0, 1));
  assert.equal(c.ingestionDelayMs, 300_000);
  assert.equal(c.endpointUrl, "http://127.0.0.1:1234");
  // One spelling per endpoint: a local sync keys its streams by it.
  for (const spelt of ["HTTP://LocalHost:80/", "http://localhost//", "http://localhost:80"]) {
    assert.equal(parseConfig({ ...base, endpoint_url: spelt }).endpointUrl, "http://localhost", spelt);
  }
  assert.equal(parseConfig({ ...base, endpoint_url: "https://H.example:443/p/" }).endpointUrl, "https://h.example/p");
  // An "@" in the path is no user: shown as it is.
  assert.equal(withoutUserinfo("http://127.0.0.1:9/v1@2"), "http://127.0.0.1:9/v1@2");
  assert.equal(withoutUserinfo("http://u:p@w@h/x"), "http://…@h/x");
  assert.deepEqual(c.reports, [{ name: "errors", logGroupName: "/aws/x", logStreamNames: [], filterPattern: "ERROR" }]);
  assert.equal(c.unmask, false);
  assert.equal(parseConfig({ ...base, unmask: true }).unmask, true);
  assert.ok(Object.isFrozen(c));
});

test("no keys means the default credential chain; blank optional fields are unset", () => {
  const c = parseConfig({ region_name: "eu-west-1", role_arn: "", start_date: "", aws_access_key_id: " " });
  assert.deepEqual(c.credentials, { kind: "default-chain" });
  assert.equal(c.role, undefined);
  assert.equal(c.startDate, undefined);
});

test("profile: that profile's credentials, with a role on top; never together with access keys", () => {
  const c = parseConfig({ region_name: "eu-west-1", profile: " prod ", role_arn: "arn:aws:iam::123456789012:role/r" });
  assert.deepEqual(c.credentials, { kind: "profile", name: "prod" });
  assert.equal(c.role?.arn, "arn:aws:iam::123456789012:role/r");
  assert.deepEqual(parseConfig({ region_name: "eu-west-1", profile: "" }).credentials, { kind: "default-chain" });
  for (const [keys, named] of [
    [{ aws_access_key_id: "AKIAEXAMPLE", aws_secret_access_key: SECRET }, "aws_access_key_id"],
    [{ aws_secret_access_key: SECRET }, "aws_secret_access_key"],
  ] as const) {
    assert.throws(
      () => parseConfig({ region_name: "eu-west-1", profile: "prod", ...keys }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message.includes(`profile and ${named} are both set`) &&
        e.message.includes("clear the access keys to use the profile") &&
        !e.message.includes(SECRET),
    );
  }
});

test("each invalid config names the field and never echoes a secret", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{}, /region_name is required/],
    [{ region_name: "Mars" }, /region_name has an invalid format/],
    [{ region_name: 5 }, /region_name must be of type string/],
    [{ ...base, session_duration: 100 }, /session_duration must be >= 900/],
    [{ ...base, session_duration: 50000 }, /session_duration must be <= 43200/],
    [{ ...base, session_duration: "3600" }, /session_duration must be of type integer/],
    [{ ...base, start_date: "2024-01-01" }, /start_date has an invalid format/],
    [{ ...base, start_date: "2024-02-30T00:00:00Z" }, /start_date is not a real date/],
    [{ ...base, role_arn: "not-an-arn" }, /role_arn has an invalid format/],
    [
      { region_name: "us-east-1", aws_access_key_id: "AKIA" },
      /aws_secret_access_key is required when aws_access_key_id is set/,
    ],
    [{ region_name: "us-east-1", aws_secret_access_key: SECRET }, /aws_access_key_id is required/],
    [{ region_name: "us-east-1", aws_session_token: "tok" }, /aws_session_token needs/],
    [{ ...base, role_external_id: "x" }, /role_external_id is set but role_arn is not/],
    [{ ...base, ingestion_delay_seconds: -1 }, /ingestion_delay_seconds must be >= 0/],
    [{ ...base, endpoint_url: "ftp://x" }, /endpoint_url must be an http\(s\) URL/],
    [{ ...base, custom_log_reports: [{ name: "a" }] }, /custom_log_reports\[0\]\.log_group_name is required/],
    [
      {
        ...base,
        custom_log_reports: [
          { name: "a", log_group_name: "g" },
          { name: "a", log_group_name: "h" },
        ],
      },
      /custom_log_reports\[1\]\.name "a" is already used/,
    ],
    [
      { ...base, custom_log_reports: [{ name: "a", log_group_name: "g", log_stream_names: Array(101).fill("s") }] },
      /custom_log_reports\[0\]\.log_stream_names/,
    ],
    [{ ...base, delivery_method: { delivery_type: "carrier_pigeon" } }, /delivery_method/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(
      () => parseConfig(input),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.failureType === "config_error" &&
        pattern.test(err.message) &&
        !err.message.includes(SECRET),
      `${JSON.stringify(input)} should fail with ${pattern}`,
    );
  }
  assert.throws(() => parseConfig([]), /must be a JSON object/);
});

test("configured catalogs are validated", () => {
  const ok = parseConfiguredCatalog({
    streams: [{ stream: { name: "a" }, sync_mode: "incremental", destination_sync_mode: "append" }],
  });
  assert.deepEqual(ok, [{ name: "a", syncMode: "incremental", cursorField: undefined }]);
  assert.throws(() => parseConfiguredCatalog({}), /"streams" array/);
  assert.throws(
    () => parseConfiguredCatalog({ streams: [{ stream: { name: "a" }, sync_mode: "cdc" }] }),
    /sync_mode must be/,
  );
  assert.throws(
    () => parseConfiguredCatalog({ streams: [{ stream: {}, sync_mode: "incremental" }] }),
    /name is missing/,
  );
  const twice = { stream: { name: "a" }, sync_mode: "incremental" };
  assert.throws(() => parseConfiguredCatalog({ streams: [twice, twice] }), /configured twice/);
});

test("every numeric setting is bounded on both sides; out-of-range and infinite values are refused", () => {
  const props = connectionSpecification.properties as unknown as Record<
    string,
    { type?: string; minimum?: number; maximum?: number }
  >;
  const numeric = Object.entries(props).filter(([, p]) => p.type === "number" || p.type === "integer");
  assert.ok(numeric.length >= 6);
  for (const [field, p] of numeric) {
    assert.ok(Number.isFinite(p.minimum) && Number.isFinite(p.maximum), `${field} has a minimum and a maximum`);
    // 1e400 in a config file parses to Infinity.
    for (const value of [JSON.parse("1e400") as number, -Infinity, NaN, 1e-300, p.maximum! * 1e6]) {
      if (value === 1e-300 && p.minimum === 0) continue;
      assert.throws(
        () => parseConfig({ ...base, role_arn: "arn:aws:iam::123456789012:role/r", [field]: value }),
        new RegExp(`${field} must be`),
        `${field} = ${value}`,
      );
    }
  }
});

test("the slowest allowed rate waits seconds, not forever: every wait fits a timer", async () => {
  const lowest = (connectionSpecification.properties.max_requests_per_second as { minimum: number }).minimum;
  assert.equal(parseConfig({ ...base, max_requests_per_second: lowest }).maxRequestsPerSecond, lowest);
  let t = 0;
  const waits: number[] = [];
  const limiter = new RateLimiter({
    ratePerSecond: lowest,
    now: () => t,
    sleep: async (ms) => {
      waits.push(ms);
      t += ms;
    },
  });
  // Throttled down to its floor, once a second for a minute.
  for (let i = 0; i < 60; i++) {
    t += 1000;
    limiter.throttled();
  }
  for (let i = 0; i < 3; i++) await limiter.acquire();
  assert.ok(
    waits.length > 0 && waits.every((ms) => Number.isFinite(ms) && ms <= 2 ** 31 - 1),
    `waits ${waits.join(", ")} ms`,
  );
});

test("start_date before 1970 is refused: CloudWatch timestamps start there", () => {
  assert.throws(
    () => parseConfig({ ...base, start_date: "1969-12-31T23:59:59Z" }),
    /start_date must be 1970-01-01T00:00:00Z or later/,
  );
  assert.equal(parseConfig({ ...base, start_date: "1970-01-01T00:00:00Z" }).startDate, 0);
});

test("stream_layout: per_log_group by default; single_stream needs records and keeps reports off log_events", () => {
  assert.equal(parseConfig(base).streamLayout, "per_log_group");
  assert.equal(parseConfig({ ...base, stream_layout: "single_stream" }).streamLayout, "single_stream");
  // Linked accounts too: a source account's log group is keyed by its ARN in the state.
  assert.equal(
    parseConfig({ ...base, stream_layout: "single_stream", include_linked_accounts: true }).streamLayout,
    "single_stream",
  );
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ stream_layout: "one" }, /stream_layout must be one of "per_log_group", "single_stream" \(got "one"\)/],
    [
      { stream_layout: "single_stream", delivery_method: { delivery_type: "use_file_transfer" } },
      /stream_layout single_stream needs delivery_method use_records_transfer/,
    ],
    [
      { stream_layout: "single_stream", custom_log_reports: [{ name: "log_events", log_group_name: "/a" }] },
      /custom_log_reports\[0\]\.name "log_events" is the name of the stream of every log group/,
    ],
  ];
  for (const [extra, pattern] of cases) {
    assert.throws(
      () => parseConfig({ ...base, ...extra }),
      (err: unknown) => err instanceof ConfigError && pattern.test(err.message),
      JSON.stringify(extra),
    );
  }
  // The name is free in the other layout (a report may even be called log_events).
  assert.equal(
    parseConfig({ ...base, custom_log_reports: [{ name: "log_events", log_group_name: "/a" }] }).reports[0]!.name,
    "log_events",
  );
});

test("linked accounts: off by default; on, with the account ids given (each once) or none", () => {
  assert.equal(parseConfig(base).linkedAccounts, undefined);
  assert.equal(parseConfig({ ...base, include_linked_accounts: false }).linkedAccounts, undefined);
  assert.deepEqual(parseConfig({ ...base, include_linked_accounts: true }).linkedAccounts, { accountIdentifiers: [] });
  assert.deepEqual(
    parseConfig({
      ...base,
      include_linked_accounts: true,
      account_identifiers: ["111122223333", "444455556666", "111122223333"],
    }).linkedAccounts,
    { accountIdentifiers: ["111122223333", "444455556666"] },
  );
});

test("unknownSettings: the top-level fields the spec does not define", () => {
  assert.deepEqual(unknownSettings(base), []);
  assert.deepEqual(unknownSettings({ ...base, log_group_prefx: "/a", extra: 1 }), ["log_group_prefx", "extra"]);
  assert.deepEqual(unknownSettings(null), []);
  assert.deepEqual(unknownSettings([1]), []);
});
