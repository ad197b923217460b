// Generates invalid configs, catalogs and states, each with the problem its error message must name.
// Config cases are derived from the connector's own spec, so a new field gets its cases for free.
import { connectionSpecification } from "../../src/config/spec.js";

/** Secret values carried by the configs below; no output may contain any of them. */
export const SECRETS = {
  aws_access_key_id: "AKIAINVALIDINPUT7Q2X",
  aws_secret_access_key: "invalid-input-secret/Zx9+Qw7Lp3Rr",
  aws_session_token: "invalid-input-session-token-Fq2Kd8Wn",
  role_external_id: "invalid-input-external-id-Mv4Rt6",
} as const;

/** A valid config using every credential field (static keys + token + assumed role). */
export const FULL_CONFIG: Readonly<Record<string, unknown>> = {
  region_name: "us-east-1",
  ...SECRETS,
  role_arn: "arn:aws:iam::123456789012:role/reader",
  session_duration: 3600,
};

export interface InvalidCase {
  /** Describes the input; the test name. */
  readonly name: string;
  readonly input: unknown;
  /** What the error message must say. */
  readonly expect: RegExp;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const show = (v: unknown) => (v === undefined ? "undefined" : JSON.stringify(v)?.slice(0, 60));
const with_ = (patch: Record<string, unknown>, base: Readonly<Record<string, unknown>> = FULL_CONFIG) => ({
  ...base,
  ...patch,
});

type Prop = { type?: string; minimum?: number; maximum?: number; exclusiveMinimum?: number };
const PROPS = connectionSpecification.properties as unknown as Record<string, Prop>;

/** Wrong-typed stand-ins for each JSON type (never a blank string: blank means "not set"). */
const SAMPLES: Record<string, readonly unknown[]> = {
  string: [7, true, ["us-east-1"], { value: "x" }, null],
  integer: ["3600", false, [3600], { seconds: 3600 }, null, 1000.5],
  number: ["5", true, [5], { rps: 5 }, null],
  boolean: ["true", 1, [true], { on: true }, null],
  array: ["report", 3, true, { name: "a", log_group_name: "g" }, null],
  object: ["use_records_transfer", 1, false, [{ delivery_type: "use_records_transfer" }], null],
};

function wrongTypes(): InvalidCase[] {
  return Object.entries(PROPS).flatMap(([field, p]) =>
    (SAMPLES[p.type ?? ""] ?? []).map((v) => ({
      name: `${field} = ${show(v)} (not ${p.type})`,
      input: with_({ [field]: v }),
      expect: new RegExp(`\\b${esc(field)} must be of type ${p.type}`),
    })),
  );
}

function outOfRange(): InvalidCase[] {
  return Object.entries(PROPS).flatMap(([field, p]) => {
    const out: InvalidCase[] = [];
    const add = (v: number, op: string, limit: number) =>
      out.push({
        name: `${field} = ${v} (must be ${op} ${limit})`,
        input: with_({ [field]: v }),
        expect: new RegExp(`\\b${esc(field)} must be ${op} ${limit}\\b`),
      });
    const step = p.type === "integer" ? 1 : 0.5;
    if (p.minimum !== undefined) for (const v of [p.minimum - step, p.minimum - 1000]) add(v, ">=", p.minimum);
    if (p.maximum !== undefined) for (const v of [p.maximum + step, p.maximum * 10]) add(v, "<=", p.maximum);
    if (p.exclusiveMinimum !== undefined)
      for (const v of [p.exclusiveMinimum, p.exclusiveMinimum - 1]) add(v, ">", p.exclusiveMinimum);
    // A rate of 1e-300 per second once passed "> 0" and waited forever (setTimeout overflows).
    if (p.type === "number" && p.minimum !== undefined && p.minimum > 0) add(1e-300, ">=", p.minimum);
    return out;
  });
}

function badFormats(): InvalidCase[] {
  const fmt = (field: string, values: readonly string[], expect: RegExp) =>
    values.map((v) => ({ name: `${field} = ${show(v)} (bad format)`, input: with_({ [field]: v }), expect }));
  return [
    ...fmt(
      "region_name",
      ["Mars", "US-EAST-1", "us-east", "useast1", "us_east_1", "eu-west-1a", "1-east-1", " us-east-1"],
      /region_name has an invalid format .*expected an AWS region/,
    ),
    ...fmt(
      "start_date",
      [
        "2024-01-01",
        "2024-01-01T00:00:00",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00.000Z",
        "2024-01-01T00:00:00+00:00",
        "yesterday",
        "01/02/2024",
        "1700000000000",
      ],
      /start_date has an invalid format .*YYYY-MM-DDTHH:mm:ssZ/,
    ),
    ...fmt(
      "start_date",
      [
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z",
      ],
      /start_date is not a real date and time/,
    ),
    ...fmt(
      "start_date",
      ["1969-12-31T23:59:59Z", "0000-01-01T00:00:00Z"],
      /start_date must be 1970-01-01T00:00:00Z or later/,
    ),
    ...fmt(
      "role_arn",
      [
        "not-an-arn",
        "arn:aws:iam::12345:role/x",
        "arn:aws:iam::123456789012:user/x",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:s3:::bucket",
      ],
      /role_arn has an invalid format .*arn:aws:iam::/,
    ),
    ...fmt(
      "endpoint_url",
      ["ftp://x", "not a url", "localhost:4566", "file:///etc/passwd", "http//x"],
      /endpoint_url must be an http\(s\) URL/,
    ),
    ...fmt(
      "endpoint_url",
      ["ftp://u:abc@127.0.0.1"],
      /endpoint_url must be an http\(s\) URL \(got "ftp:\/\/…@127\.0\.0\.1"\)/,
    ),
    // Not a URL (a "/" in the password), yet what looks like a user and password is not shown.
    ...fmt(
      "endpoint_url",
      ["http://user:pa/s3cretpw@host"],
      /endpoint_url must be an http\(s\) URL \(got "http:\/\/…@host"\)/,
    ),
    // URLs with a user all the same, without "//": a token as the user name is not shown either.
    ...fmt(
      "endpoint_url",
      ["https:/ghp_S3cretToken123@127.0.0.1:9", "http:s3cretToken@127.0.0.1", "https:\\s3cretToken@127.0.0.1"],
      /endpoint_url holds a user name or password \(got "https?:[\\/]*…@127\.0\.0\.1(:9)?"\)/,
    ),
    // A password holding "@": the user name and password are all left out, to the last "@".
    ...fmt(
      "endpoint_url",
      ["http://user:pa@s3cret@127.0.0.1:1"],
      /endpoint_url holds a user name or password \(got "http:\/\/…@127\.0\.0\.1:1"\)/,
    ),
    // A query or fragment, which the SDK never sends, would make the same endpoint another source.
    ...fmt(
      "endpoint_url",
      ["http://127.0.0.1:9/p/?x=1", "http://127.0.0.1:9/#f", "http://127.0.0.1:9#", "http://127.0.0.1:9/v1@2?"],
      /endpoint_url holds a query or fragment \(got "http:\/\/127\.0\.0\.1:9[^"=]*[?#]…"\), which the AWS SDK never sends; remove what follows "\?" or "#"/,
    ),
    ...fmt(
      "endpoint_url",
      ["http://user:pw@127.0.0.1:4566", "https://user@logs.example.com", "http://:pw@127.0.0.1"],
      /endpoint_url holds a user name or password \(got "https?:\/\/…@[^"]*"\), which are never sent: requests are signed with the AWS credentials; remove them/,
    ),
  ];
}

function missingRegion(): InvalidCase[] {
  const { region_name: _r, ...noRegion } = FULL_CONFIG;
  return [
    { name: "region_name absent", input: noRegion, expect: /region_name is required/ },
    { name: "empty object", input: {}, expect: /region_name is required/ },
    { name: 'region_name ""', input: with_({ region_name: "" }), expect: /region_name is required/ },
    { name: 'region_name "   "', input: with_({ region_name: "   " }), expect: /region_name is required/ },
    {
      name: "region (misspelt key) instead of region_name",
      input: { ...noRegion, region: "us-east-1" },
      expect: /region_name is required/,
    },
  ];
}

function notAnObject(): InvalidCase[] {
  return [null, 5, "us-east-1", true, [], [{ region_name: "us-east-1" }]].map((v) => ({
    name: `the whole config is ${show(v)}`,
    input: v,
    expect: /The configuration must be a JSON object/,
  }));
}

function conflicts(): InvalidCase[] {
  const region = { region_name: "us-east-1" };
  const c = (name: string, input: Record<string, unknown>, expect: RegExp) => ({ name, input, expect });
  return [
    c(
      "aws_access_key_id without aws_secret_access_key",
      { ...region, aws_access_key_id: SECRETS.aws_access_key_id },
      /aws_secret_access_key is required when aws_access_key_id is set/,
    ),
    c(
      "aws_access_key_id with a blank aws_secret_access_key",
      { ...region, aws_access_key_id: SECRETS.aws_access_key_id, aws_secret_access_key: "  " },
      /aws_secret_access_key is required when aws_access_key_id is set/,
    ),
    c(
      "aws_secret_access_key without aws_access_key_id",
      { ...region, aws_secret_access_key: SECRETS.aws_secret_access_key },
      /aws_access_key_id is required when aws_secret_access_key is set/,
    ),
    c(
      "aws_session_token alone",
      { ...region, aws_session_token: SECRETS.aws_session_token },
      /aws_session_token needs aws_access_key_id and aws_secret_access_key/,
    ),
    c(
      "aws_session_token with only aws_access_key_id",
      { ...region, aws_access_key_id: SECRETS.aws_access_key_id, aws_session_token: SECRETS.aws_session_token },
      /aws_session_token needs/,
    ),
    c(
      "aws_session_token with only aws_secret_access_key",
      { ...region, aws_secret_access_key: SECRETS.aws_secret_access_key, aws_session_token: SECRETS.aws_session_token },
      /aws_session_token needs/,
    ),
    c(
      "role_external_id without role_arn",
      { ...region, role_external_id: SECRETS.role_external_id },
      /role_external_id is set but role_arn is not/,
    ),
    c(
      "role_external_id with a blank role_arn",
      { ...region, role_arn: "", role_external_id: SECRETS.role_external_id },
      /role_external_id is set but role_arn is not/,
    ),
    c(
      "role_external_id with keys but no role_arn",
      Object.fromEntries(Object.entries(FULL_CONFIG).filter(([k]) => k !== "role_arn")),
      /role_external_id is set but role_arn is not/,
    ),
  ];
}

function reports(): InvalidCase[] {
  const r = (name: string, list: unknown, expect: RegExp) => ({
    name: `custom_log_reports: ${name}`,
    input: with_({ custom_log_reports: list }),
    expect,
  });
  const ok = { name: "errors", log_group_name: "/app/api" };
  return [
    r("item without name", [{ log_group_name: "/app/api" }], /custom_log_reports\[0\]\.name is required/),
    r("item without log_group_name", [{ name: "errors" }], /custom_log_reports\[0\]\.log_group_name is required/),
    r("second item without log_group_name", [ok, { name: "b" }], /custom_log_reports\[1\]\.log_group_name is required/),
    r('empty name ""', [{ ...ok, name: "" }], /custom_log_reports\[0\]\.name must NOT have fewer than 1 characters/),
    r("blank name", [{ ...ok, name: "   " }], /custom_log_reports\[0\]\.name must not be blank/),
    r(
      'empty log_group_name ""',
      [{ ...ok, log_group_name: "" }],
      /custom_log_reports\[0\]\.log_group_name must NOT have fewer than 1/,
    ),
    r(
      "blank log_group_name",
      [{ ...ok, log_group_name: " \t" }],
      /custom_log_reports\[0\]\.log_group_name must not be blank/,
    ),
    r("numeric name", [{ ...ok, name: 5 }], /custom_log_reports\[0\]\.name must be of type string/),
    r(
      "null log_group_name",
      [{ ...ok, log_group_name: null }],
      /custom_log_reports\[0\]\.log_group_name must be of type string/,
    ),
    ...[5, "errors", null, [ok]].map((item) =>
      r(`item ${show(item)}`, [item], /custom_log_reports\[0\] must be of type object/),
    ),
    r(
      "log_stream_names a string",
      [{ ...ok, log_stream_names: "web" }],
      /custom_log_reports\[0\]\.log_stream_names must be of type array/,
    ),
    r(
      "log_stream_names with an empty name",
      [{ ...ok, log_stream_names: ["web", ""] }],
      /custom_log_reports\[0\]\.log_stream_names\[1\] must NOT have fewer than 1/,
    ),
    r(
      "log_stream_names with a number",
      [{ ...ok, log_stream_names: [1] }],
      /custom_log_reports\[0\]\.log_stream_names\[0\] must be of type string/,
    ),
    r(
      "101 log_stream_names",
      [{ ...ok, log_stream_names: Array.from({ length: 101 }, (_, i) => `s${i}`) }],
      /custom_log_reports\[0\]\.log_stream_names must NOT have more than 100 items/,
    ),
    r(
      "filter_pattern of 1025 characters",
      [{ ...ok, filter_pattern: "x".repeat(1025) }],
      /custom_log_reports\[0\]\.filter_pattern must NOT have more than 1024 characters/,
    ),
    r(
      "filter_pattern a number",
      [{ ...ok, filter_pattern: 5 }],
      /custom_log_reports\[0\]\.filter_pattern must be of type string/,
    ),
    r(
      "duplicate names",
      [ok, { ...ok, log_group_name: "/app/web" }],
      /custom_log_reports\[1\]\.name "errors" is already used by custom_log_reports\[0\]; report names must be unique/,
    ),
    r(
      "duplicate names, third item",
      [ok, { name: "b", log_group_name: "g" }, { name: "b", log_group_name: "h" }],
      /custom_log_reports\[2\]\.name "b" is already used by custom_log_reports\[1\]/,
    ),
    r(
      "duplicate names after trimming",
      [
        { ...ok, name: "a" },
        { ...ok, name: " a " },
      ],
      /custom_log_reports\[1\]\.name "a" is already used by custom_log_reports\[0\]/,
    ),
    r("same report twice", [ok, ok], /custom_log_reports\[1\]\.name "errors" is already used/),
    // FULL_CONFIG reads us-east-1; the group of that name there was read instead (helper-55).
    r(
      "a log group ARN of another region",
      [{ ...ok, log_group_name: "arn:aws:logs:us-west-2:123456789012:log-group:/app/api:*" }],
      /custom_log_reports\[0\]\.log_group_name "arn:aws:logs:us-west-2:123456789012:log-group:\/app\/api:\*" is a log group of region "us-west-2", but region_name is "us-east-1": a connection reads one region/,
    ),
  ];
}

function linkedAccounts(): InvalidCase[] {
  const c = (name: string, patch: Record<string, unknown>, expect: RegExp) => ({ name, input: with_(patch), expect });
  const ids = (n: number) => Array.from({ length: n }, (_, i) => String(111111111111 + i));
  return [
    c(
      "account_identifiers without include_linked_accounts",
      { account_identifiers: ["111122223333"] },
      /account_identifiers is set but include_linked_accounts is not; set include_linked_accounts to true or remove account_identifiers/,
    ),
    c(
      "account_identifiers with include_linked_accounts false",
      { include_linked_accounts: false, account_identifiers: ["111122223333"] },
      /account_identifiers is set but include_linked_accounts is not/,
    ),
    c(
      "21 account_identifiers",
      { include_linked_accounts: true, account_identifiers: ids(21) },
      /account_identifiers must NOT have more than 20 items \(DescribeLogGroups takes at most 20 account ids\): remove some/,
    ),
    ...["11112222333", "1111222233334", "11112222333x", "arn:aws:iam::111122223333:root", " 111122223333"].map((id) =>
      c(
        `account_identifiers with ${show(id)} (not 12 digits)`,
        { include_linked_accounts: true, account_identifiers: ["444455556666", id] },
        /account_identifiers\[1\] has an invalid format \(got .*\): expected a 12-digit AWS account id/,
      ),
    ),
  ];
}

function deliveryMethods(): InvalidCase[] {
  return [{ delivery_type: "carrier_pigeon" }, {}, { delivery_type: 5 }, { delivery_type: "USE_RECORDS_TRANSFER" }].map(
    (v) => ({
      name: `delivery_method = ${show(v)}`,
      input: with_({ delivery_method: v }),
      expect: /delivery_method(\.delivery_type is required| must be one of the documented options)/,
    }),
  );
}

/** Log group selection: prefix or pattern (as DescribeLogGroups takes them), and exclusions. */
export function selectionCases(): InvalidCase[] {
  const c = (name: string, patch: Record<string, unknown>, expect: RegExp) => ({ name, input: with_(patch), expect });
  const badPattern = /log_group_name_pattern has an invalid format .*letters, digits and \. - _ \/ #/;
  const badExclusion = (i: number) =>
    new RegExp(`excluded_log_groups\\[${i}\\] has an invalid format .*followed by a single \\* at the end`);
  return [
    c(
      "log_group_prefix and log_group_name_pattern",
      { log_group_prefix: "/aws/", log_group_name_pattern: "lambda" },
      /log_group_prefix and log_group_name_pattern are both set.*clear one of them/,
    ),
    ...["pay*", "a b", "pay|ments", "%regex%", "ünïcode", "x?", " lead"].map((v) =>
      c(
        `log_group_name_pattern = ${show(v)} (characters DescribeLogGroups refuses)`,
        { log_group_name_pattern: v },
        badPattern,
      ),
    ),
    c(
      "log_group_name_pattern of 513 characters",
      { log_group_name_pattern: "x".repeat(513) },
      /log_group_name_pattern must NOT have more than 512 characters/,
    ),
    c("excluded_log_groups: * alone (would exclude everything)", { excluded_log_groups: ["/a", "*"] }, badExclusion(1)),
    c("excluded_log_groups: * not at the end", { excluded_log_groups: ["/aws/*/noisy"] }, badExclusion(0)),
    c("excluded_log_groups: two *", { excluded_log_groups: ["/aws/x**"] }, badExclusion(0)),
    c("excluded_log_groups: an empty entry", { excluded_log_groups: [""] }, badExclusion(0)),
    c("excluded_log_groups: a space in a name", { excluded_log_groups: ["/app/my group"] }, badExclusion(0)),
    c("excluded_log_groups: a number", { excluded_log_groups: [7] }, /excluded_log_groups\[0\] must be of type string/),
    c(
      "a custom report on an excluded log group",
      {
        excluded_log_groups: ["/ecs/debug", "/aws/lambda/noisy-*"],
        custom_log_reports: [{ name: "noise", log_group_name: "/aws/lambda/noisy-1" }],
      },
      /custom_log_reports\[0\]\.log_group_name "\/aws\/lambda\/noisy-1" is excluded by excluded_log_groups entry "\/aws\/lambda\/noisy-\*"; remove the report or the exclusion/,
    ),
    c(
      "a custom report naming an excluded log group by its ARN (a linked source account's)",
      {
        include_linked_accounts: true,
        excluded_log_groups: ["/ecs/debug"],
        custom_log_reports: [
          { name: "debug", log_group_name: "arn:aws:logs:us-east-1:222233334444:log-group:/ecs/debug:*" },
        ],
      },
      /custom_log_reports\[0\]\.log_group_name "arn:aws:logs:us-east-1:222233334444:log-group:\/ecs\/debug:\*" is excluded by excluded_log_groups entry "\/ecs\/debug"; remove the report or the exclusion/,
    ),
  ];
}

function several(): InvalidCase[] {
  return [
    {
      name: "several problems: bad region and out-of-range duration, both named",
      input: with_({ region_name: "Mars", session_duration: 1 }),
      expect:
        /region_name has an invalid format.*; session_duration must be >= 900|session_duration must be >= 900.*; region_name has an invalid format/,
    },
    {
      name: "several problems: duplicate report and impossible start date, both named",
      input: with_({
        start_date: "2024-02-30T00:00:00Z",
        custom_log_reports: [
          { name: "a", log_group_name: "g" },
          { name: "a", log_group_name: "g" },
        ],
      }),
      expect: /custom_log_reports\[1\]\.name "a" is already used.*start_date is not a real date/,
    },
  ];
}

export function configCases(): InvalidCase[] {
  return [
    ...wrongTypes(),
    ...outOfRange(),
    ...badFormats(),
    ...missingRegion(),
    ...notAnObject(),
    ...conflicts(),
    ...reports(),
    ...selectionCases(),
    ...linkedAccounts(),
    ...deliveryMethods(),
    ...several(),
  ];
}

// ---------------------------------------------------------------------------------- catalogs

const entry = (name: unknown, syncMode: unknown = "incremental", omitSyncMode = false) => ({
  stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
  ...(omitSyncMode ? {} : { sync_mode: syncMode }),
  destination_sync_mode: "append",
});

export function catalogCases(): InvalidCase[] {
  const c = (name: string, input: unknown, expect: RegExp) => ({ name, input, expect });
  return [
    ...[null, 5, "streams", true, [], [entry("a")]].map((v) =>
      c(`catalog is ${show(v)}`, v, /The catalog must be a JSON object with a "streams" array/),
    ),
    ...[{}, { streams: {} }, { streams: "a" }, { streams: null }, { streams: 3 }, { stream: [entry("a")] }].map((v) =>
      c(`catalog ${show(v)} has no streams array`, v, /The catalog must have a "streams" array/),
    ),
    ...[
      null,
      5,
      "a",
      {},
      { stream: {} },
      { stream: { name: "" } },
      { stream: "a" },
      { name: "a", sync_mode: "incremental" },
    ].map((v) =>
      c(
        `streams[0] = ${show(v)} has no stream name`,
        { streams: [v] },
        /catalog streams\[0\]\.stream\.name is missing/,
      ),
    ),
    ...[5, true, ["a"]].map((name) =>
      c(
        `a stream name that is no string (${show(name)})`,
        { streams: [{ stream: { name }, sync_mode: "incremental" }] },
        new RegExp(
          `catalog streams\\[0\\]\\.stream\\.name must be a string, the log group's name as discover gives it \\(got ${esc(JSON.stringify(name))}\\)`,
        ),
      ),
    ),
    c(
      "second entry without a name",
      { streams: [entry("a"), { sync_mode: "incremental" }] },
      /catalog streams\[1\]\.stream\.name is missing/,
    ),
    c(
      "the same stream twice",
      { streams: [entry("a"), entry("a")] },
      /catalog streams\[1\]: stream "a" is configured twice/,
    ),
    c(
      "the same stream twice with different sync modes",
      { streams: [entry("a"), entry("b"), entry("a", "full_refresh")] },
      /catalog streams\[2\]: stream "a" is configured twice/,
    ),
    ...[undefined, "cdc", "FULL_REFRESH", "Incremental", "", 1, null, ["incremental"], "append_dedup"].map((m) =>
      c(
        `sync_mode ${show(m)}`,
        { streams: [entry("a", m, m === undefined)] },
        new RegExp(
          `catalog streams\\[0\\] \\(a\\): sync_mode must be "full_refresh" or "incremental" \\(got ${esc(m === undefined ? "undefined" : JSON.stringify(m))}\\)`,
        ),
      ),
    ),
  ];
}

// ------------------------------------------------------------------------------------ states

const stateShapes: Record<string, (stream: string, blob: unknown) => unknown> = {
  "STREAM array": (s, blob) => [{ type: "STREAM", stream: { stream_descriptor: { name: s }, stream_state: blob } }],
  "single STREAM": (s, blob) => ({ type: "STREAM", stream: { stream_descriptor: { name: s }, stream_state: blob } }),
  GLOBAL: (s, blob) => ({
    type: "GLOBAL",
    global: { shared_state: {}, stream_states: [{ stream_descriptor: { name: s }, stream_state: blob }] },
  }),
  LEGACY: (s, blob) => ({ type: "LEGACY", data: { [s]: blob } }),
  "bare legacy": (s, blob) => ({ [s]: blob }),
};

/** Timestamps that are not non-negative integers of epoch ms. Infinity is what 1e400 parses to. */
const BAD_TIMESTAMPS: readonly unknown[] = [
  -1,
  -1_700_000_000_000,
  1.5,
  1_700_000_000_000.5,
  "yesterday",
  "1e3",
  "-5",
  "",
  "2024-01-01T00:00:00Z",
  true,
  [],
  { ms: 1 },
  null,
  Infinity,
  2 ** 53 + 2,
];

export function stateCases(): InvalidCase[] {
  const c = (name: string, input: unknown, expect: RegExp) => ({ name, input, expect });
  const out: InvalidCase[] = [];
  for (const [shape, make] of Object.entries(stateShapes)) {
    for (const ts of BAD_TIMESTAMPS) {
      out.push(
        c(
          `${shape}: timestamp ${ts === Infinity ? "1e400" : show(ts)}`,
          make("app", { timestamp: ts }),
          /state for stream "app": timestamp must be a non-negative integer of epoch milliseconds \(got /,
        ),
      );
    }
    out.push(
      c(
        `${shape}: origin that is no string`,
        make("app", { timestamp: 5, origin: ["us-east-1"] }),
        /state for stream "app": origin must be the string a read wrote there, like "arn:aws:logs:us-east-1:123456789012" \(got \["us-east-1"\]\)/,
      ),
      c(
        `${shape}: log_group_creation_time that is no epoch milliseconds`,
        make("app", { timestamp: 5, log_group_creation_time: "yesterday" }),
        /state for stream "app": log_group_creation_time must be the epoch milliseconds a read wrote there \(got "yesterday"\)/,
      ),
      c(
        `${shape}: blob without timestamp`,
        make("app", { cursor: 5 }),
        /state for stream "app": timestamp must be .* \(it is missing\)/,
      ),
    );
    for (const blob of [5, "1700000000000", [1700000000000]]) {
      out.push(
        c(
          `${shape}: stream_state ${show(blob)}`,
          make("app", blob),
          /state for stream "app" must be an object like \{"timestamp": /,
        ),
      );
    }
  }
  out.push(
    ...[5, "garbage", true, 0].map((v) =>
      c(`state is ${show(v)}`, v, /state must be a JSON array of state messages or an object/),
    ),
    ...[5, "x", null, [], true].map((v) => c(`state[0] = ${show(v)}`, [v], /state\[0\] must be an object/)),
    c(
      "state[1] not an object",
      [stateShapes["single STREAM"]!("a", { timestamp: 1 }), 7],
      /state\[1\] must be an object/,
    ),
    c(
      "STREAM without stream_descriptor",
      [{ type: "STREAM", stream: { stream_state: { timestamp: 1 } } }],
      /state\[0\]\.stream: stream_descriptor\.name is missing/,
    ),
    ...["", 5, null].map((n) =>
      c(
        `STREAM with stream_descriptor.name ${show(n)}`,
        [{ type: "STREAM", stream: { stream_descriptor: { name: n }, stream_state: { timestamp: 1 } } }],
        /state\[0\]\.stream: stream_descriptor\.name is missing/,
      ),
    ),
    c("STREAM without a stream object", { type: "STREAM" }, /state: a STREAM state needs a "stream" object/),
    c("STREAM with stream: []", [{ type: "STREAM", stream: [] }], /state\[0\]: a STREAM state needs a "stream" object/),
    c("GLOBAL without a global object", { type: "GLOBAL" }, /state: a GLOBAL state needs a "global" object/),
    c(
      "GLOBAL without stream_states",
      { type: "GLOBAL", global: { shared_state: {} } },
      /state\.global\.stream_states must be an array/,
    ),
    c(
      "GLOBAL stream_states entry without a name",
      [{ type: "GLOBAL", global: { stream_states: [{ stream_state: { timestamp: 1 } }] } }],
      /state\[0\]\.global\.stream_states\[0\]: stream_descriptor\.name is missing/,
    ),
    ...[5, "x", []].map((d) =>
      c(
        `LEGACY data ${show(d)}`,
        { type: "LEGACY", data: d },
        /legacy state data must be an object mapping stream names to states/,
      ),
    ),
    ...["BOGUS", "stream", "", "PER_STREAM"].map((t) =>
      c(
        `bare state of type ${show(t)}`,
        { type: t },
        new RegExp(
          `state has unknown type ${esc(JSON.stringify(t))} \\(expected STREAM, GLOBAL or LEGACY, or an Airbyte STATE message\\)`,
        ),
      ),
    ),
    ...["BOGUS", "legacy", 5].map((t) =>
      c(
        `state[0] of type ${show(t)}`,
        [{ type: t }],
        new RegExp(`state\\[0\\]: unknown state type ${esc(JSON.stringify(t))}`),
      ),
    ),
    c("bare state with a numeric type", { type: 5, data: {} }, /state has unknown type 5/),
    c(
      "saved read output without a STATE message",
      [
        { type: "TRACE", trace: {} },
        { type: "RECORD", record: {} },
      ],
      /state holds Airbyte messages \(TRACE, RECORD\) but no STATE message/,
    ),
    c("a STATE message without its state", { type: "STATE" }, /state: a STATE message needs a "state" object/),
    c(
      "a STATE message whose state is bad",
      [{ type: "STATE", state: { type: "STREAM" } }],
      /state\[0\]\.state: a STREAM state needs a "stream" object/,
    ),
  );
  return out;
}

/** States that are accepted (not errors), with the watermarks they yield. */
export function acceptedStates(
  stream: string,
  ts: number,
): { name: string; input: unknown; expect: [string, number][] }[] {
  const out = Object.entries(stateShapes).map(([shape, make]) => ({
    name: shape,
    input: make(stream, { timestamp: ts }),
    expect: [[stream, ts]] as [string, number][],
  }));
  out.push(
    {
      name: "numeric-string timestamp",
      input: stateShapes["STREAM array"]!(stream, { timestamp: String(ts) }),
      expect: [[stream, ts]],
    },
    {
      name: "a LEGACY state without its type",
      input: { data: { [stream]: { timestamp: ts } } },
      expect: [[stream, ts]],
    },
    { name: "a stream named data", input: { data: { timestamp: ts } }, expect: [["data", ts]] },
    { name: "empty object", input: {}, expect: [] },
    { name: "empty array", input: [], expect: [] },
    { name: "empty stream_state", input: stateShapes["STREAM array"]!(stream, {}), expect: [] },
    {
      name: "an Airbyte STATE message, as read writes it",
      input: { type: "STATE", state: stateShapes["single STREAM"]!(stream, { timestamp: ts }) },
      expect: [[stream, ts]],
    },
    {
      name: "saved read output: the last STATE message counts, the others are skipped",
      input: [
        {
          type: "TRACE",
          trace: {
            type: "STREAM_STATUS",
            emitted_at: 1,
            stream_status: { stream_descriptor: { name: stream }, status: "STARTED" },
          },
        },
        { type: "STATE", state: stateShapes["single STREAM"]!(stream, { timestamp: ts - 5 }) },
        { type: "LOG", log: { level: "INFO", message: "x" } },
        { type: "STATE", state: stateShapes["single STREAM"]!(stream, { timestamp: ts }) },
      ],
      expect: [[stream, ts]],
    },
  );
  return out;
}
