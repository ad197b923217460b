// Parses and validates a user's configuration once, before any AWS call, into an immutable Config.
// Every problem is reported with the field it concerns.
import { Ajv, type ErrorObject } from "ajv";
import { ConfigError } from "../airbyte/errors.js";
import { type LinkedAccounts, parseGroupArn } from "../domain/logs.js";
import { ALL_GROUPS_STREAM, type CustomReport } from "../domain/streams.js";
import { connectionSpecification, SECRET_FIELDS } from "./spec.js";

type BaseCredentials =
  | {
      readonly kind: "static";
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    }
  /** A named profile of the AWS shared files, and only it (no other source of the default chain). */
  | { readonly kind: "profile"; readonly name: string }
  | { readonly kind: "default-chain" };

interface RoleConfig {
  readonly arn: string;
  readonly externalId: string | undefined;
  readonly durationSeconds: number;
}

type DeliveryType = "use_records_transfer" | "use_file_transfer";

/** One stream per log group, or one stream (log_events) for all of them. */
type StreamLayout = "per_log_group" | "single_stream";

export interface Config {
  readonly region: string;
  readonly credentials: BaseCredentials;
  readonly role: RoleConfig | undefined;
  readonly logGroupPrefix: string | undefined;
  /** Case-sensitive substring of the log group names to list; never set with logGroupPrefix. */
  readonly logGroupNamePattern: string | undefined;
  /** Log group names, or prefixes ending in `*`, never offered nor read. */
  readonly excludedLogGroups: readonly string[];
  readonly reports: readonly CustomReport[];
  /** Epoch ms, or undefined for "from the earliest event". */
  readonly startDate: number | undefined;
  /**
   * startDate starts only the streams (or single-stream groups) without state, and does not bound
   * the others (sync's --since: a relative start must not skip what a stream has not read yet).
   * Never from the file: false unless a command overrides it.
   */
  readonly startDateOnlyWithoutState: boolean;
  readonly ingestionDelayMs: number;
  readonly endpointUrl: string | undefined;
  readonly deliveryType: DeliveryType;
  readonly parseJsonMessages: boolean;
  /** Re-read this much before the state on incremental syncs. */
  readonly lookbackMs: number;
  /** FilterLogEvents rate cap; undefined: the region's default quota. */
  readonly maxRequestsPerSecond: number | undefined;
  readonly maxConcurrency: number;
  readonly requestTimeoutMs: number;
  /** FilterLogEvents with unmask=true: data protection policies' masked values in clear (needs logs:Unmask). */
  readonly unmask: boolean;
  readonly streamLayout: StreamLayout;
  /** include_linked_accounts with account_identifiers; undefined: the caller's account only. */
  readonly linkedAccounts: LinkedAccounts | undefined;
}

type RawConfig = Record<string, unknown>;

/** The spec's defaults: a setting the user leaves out counts as the value the spec shows. */
const settings = connectionSpecification.properties;

const validateSchema = new Ajv({ strict: false, allErrors: true, logger: false }).compile(connectionSpecification);

/** `custom_log_reports/0/name` -> `custom_log_reports[0].name` */
function fieldName(path: string): string {
  return path
    .split("/")
    .filter((p) => p.length > 0)
    .map((p, i) => (/^\d+$/.test(p) ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join("");
}

function isSecretPath(field: string): boolean {
  return (SECRET_FIELDS as readonly string[]).includes(field);
}

function describeSchemaError(e: ErrorObject, raw: RawConfig): string {
  const base = fieldName(e.instancePath);
  switch (e.keyword) {
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      return `${base ? `${base}.` : ""}${missing} is required`;
    }
    case "type":
      return `${base} must be of type ${(e.params as { type: string }).type}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      const p = e.params as { comparison: string; limit: number };
      return `${base} must be ${p.comparison} ${p.limit} (got ${String(valueAt(raw, e.instancePath))})`;
    }
    case "pattern": {
      const shown = isSecretPath(base) ? "" : ` (got ${JSON.stringify(valueAt(raw, e.instancePath))})`;
      return `${base} has an invalid format${shown}: ${patternHint(base)}`;
    }
    case "enum":
      return `${base} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")} (got ${JSON.stringify(valueAt(raw, e.instancePath))})`;
    case "maxItems": {
      const hint =
        base === "account_identifiers"
          ? " (DescribeLogGroups takes at most 20 account ids): remove some, or leave it empty for every linked account"
          : "";
      return `${base} ${e.message}${hint}`;
    }
    case "const":
    case "oneOf":
      return `${base} must be one of the documented options (delivery_type: use_records_transfer or use_file_transfer)`;
    default:
      return `${base || "config"} ${e.message ?? "is invalid"}`;
  }
}

function patternHint(field: string): string {
  if (field === "region_name") return "expected an AWS region such as us-east-1";
  if (field === "start_date") return "expected YYYY-MM-DDTHH:mm:ssZ, e.g. 2024-01-01T00:00:00Z";
  if (field === "role_arn") return "expected arn:aws:iam::<12-digit account>:role/<name>";
  if (field === "log_group_name_pattern")
    return "DescribeLogGroups accepts only letters, digits and . - _ / # in a pattern (a plain substring, no wildcards)";
  if (field.startsWith("excluded_log_groups["))
    return "expected a log group name (letters, digits and . - _ / #), or a prefix of one followed by a single * at the end, e.g. /aws/lambda/noisy-* (* alone would exclude every log group)";
  if (field.startsWith("account_identifiers[")) return "expected a 12-digit AWS account id such as 111122223333";
  return "see the spec";
}

function valueAt(raw: RawConfig, pointer: string): unknown {
  let cur: unknown = raw;
  for (const key of pointer.split("/").filter((p) => p.length > 0)) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Blank strings count as "not set", as the Airbyte UI sends them for cleared optional fields. */
function optionalString(raw: RawConfig, key: string): string | undefined {
  const v = raw[key];
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
}

function parseStartDate(value: string | undefined, problems: string[]): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  // Date.parse rolls 2024-02-30 over to March; reject dates that do not round-trip.
  if (Number.isNaN(ms) || new Date(ms).toISOString().replace(".000Z", "Z") !== value) {
    problems.push(`start_date is not a real date and time: ${JSON.stringify(value)}`);
    return undefined;
  }
  // CloudWatch timestamps are milliseconds since 1970; an earlier start is a typo, and AWS would reject it.
  if (ms < 0) {
    problems.push(`start_date must be 1970-01-01T00:00:00Z or later (got ${JSON.stringify(value)})`);
    return undefined;
  }
  return ms;
}

/**
 * An endpoint URL for people: what stands between its scheme and an "@" (a user name, a token, a
 * password) as "…", whatever the slashes (`http:/u@h` and `http:\\u@h` are URLs with a user too).
 */
export function withoutUserinfo(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  // A URL without a user: an "@" in its path or query is shown as it is.
  if (parsed !== undefined && parsed.username === "" && parsed.password === "") return url;
  // Else all up to the last "@" (a password may hold "@", or "/" in what is then no URL).
  return url.replace(/^([a-z][a-z0-9+.-]*:[\\/]*)?.*@/is, "$1…@");
}

function parseEndpoint(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return undefined;
  // A user and password in the URL are not shown back, whatever their length.
  const shown = JSON.stringify(withoutUserinfo(value));
  let u: URL;
  try {
    u = new URL(value);
    if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
  } catch {
    problems.push(`endpoint_url must be an http(s) URL (got ${shown})`);
    return undefined;
  }
  // The SDK sends no basic auth from the URL (requests are signed with the AWS credentials), and
  // the endpoint is shown in messages and stored as part of a local sync's source identity.
  if (u.username !== "" || u.password !== "") {
    problems.push(
      `endpoint_url holds a user name or password (got ${shown}), which are never sent: requests are signed with the AWS credentials; remove them`,
    );
    return undefined;
  }
  // The SDK sends neither a query nor a fragment (measured: `…/p/?x=1#f` sent `POST /p/`): kept,
  // they would make the same endpoint another source, and messages name a URL the requests never went to.
  if (/[?#]/.test(u.href)) {
    problems.push(
      // Not shown: a query may carry a token.
      `endpoint_url holds a query or fragment (got ${JSON.stringify(withoutUserinfo(value).replace(/([?#]).*$/s, "$1…"))}), which the AWS SDK never sends; remove what follows "?" or "#"`,
    );
    return undefined;
  }
  // One spelling per endpoint (the URL's own: scheme and host in lower case, no default port, no
  // trailing slash): a local sync stores it in its streams' source, where `HTTP://Host:80/` beside
  // `http://host` would be another source, its streams read again into new tables.
  return u.href.replace(/\/+$/, "");
}

function parseReports(raw: RawConfig, problems: string[]): CustomReport[] {
  const list = Array.isArray(raw.custom_log_reports) ? (raw.custom_log_reports as RawConfig[]) : [];
  const seen = new Map<string, number>();
  const secrets = secretValues(raw)
    .map((v) => v.trim())
    .filter((v) => v !== "");
  return list.map((r, i) => {
    const name = String(r.name).trim();
    // The schema's minLength lets whitespace through; a blank name or group cannot be read.
    if (name === "") problems.push(`custom_log_reports[${i}].name must not be blank`);
    // A stream's name is in every output (catalog, records, states, sync's screen), unmasked.
    if (secrets.some((v) => name.includes(v)))
      problems.push(
        `custom_log_reports[${i}].name holds the value of a secret setting, and a report's name appears in every output; give the report another name`,
      );
    if (String(r.log_group_name).trim() === "")
      problems.push(`custom_log_reports[${i}].log_group_name must not be blank`);
    const prior = name === "" ? undefined : seen.get(name);
    if (prior !== undefined) {
      problems.push(
        `custom_log_reports[${i}].name ${JSON.stringify(name)} is already used by custom_log_reports[${prior}]; report names must be unique`,
      );
    }
    seen.set(name, i);
    const filter =
      typeof r.filter_pattern === "string" && r.filter_pattern.trim() !== "" ? r.filter_pattern : undefined;
    return Object.freeze({
      name,
      logGroupName: String(r.log_group_name),
      logStreamNames: Object.freeze([...((r.log_stream_names as string[] | undefined) ?? [])]),
      filterPattern: filter,
    });
  });
}

/** The entry of `excluded` that covers a log group name (`name` exactly, or `prefix*`), if any. */
export function exclusionOf(excluded: readonly string[], name: string): string | undefined {
  return excluded.find((e) => (e.endsWith("*") ? name.startsWith(e.slice(0, -1)) : name === e));
}

/** Log group selection: a prefix or a pattern (as DescribeLogGroups takes them), minus exclusions. */
function parseSelection(raw: RawConfig, reports: readonly CustomReport[], problems: string[]) {
  const prefix = optionalString(raw, "log_group_prefix");
  const pattern = optionalString(raw, "log_group_name_pattern");
  if (prefix !== undefined && pattern !== undefined) {
    problems.push(
      "log_group_prefix and log_group_name_pattern are both set, and DescribeLogGroups takes one or the other; clear one of them (a pattern that starts the name can be written as the prefix)",
    );
  }
  // The schema has checked each entry: a name, or a prefix ending in one `*`.
  const excluded = Object.freeze([...((raw.excluded_log_groups as string[] | undefined) ?? [])]);
  const region = typeof raw.region_name === "string" ? raw.region_name : undefined;
  reports.forEach((r, i) => {
    const arn = parseGroupArn(r.logGroupName);
    // A connection reads one region: a report on another region's group would find nothing.
    if (arn !== undefined && region !== undefined && arn.region !== region)
      problems.push(
        `custom_log_reports[${i}].log_group_name ${JSON.stringify(r.logGroupName)} is a log group of region ${JSON.stringify(arn.region)}, but region_name is ${JSON.stringify(region)}: a connection reads one region; name a log group of ${region}, or read ${arn.region} in a connection of its own`,
      );
    // A report may name its group by ARN (a linked source account's): exclusions match names.
    const by = exclusionOf(excluded, arn?.name ?? r.logGroupName);
    if (by !== undefined) {
      problems.push(
        `custom_log_reports[${i}].log_group_name ${JSON.stringify(r.logGroupName)} is excluded by excluded_log_groups entry ${JSON.stringify(by)}; remove the report or the exclusion`,
      );
    }
  });
  return { logGroupPrefix: prefix, logGroupNamePattern: pattern, excludedLogGroups: excluded };
}

function parseCredentials(raw: RawConfig, problems: string[]): BaseCredentials {
  const keyId = optionalString(raw, "aws_access_key_id");
  const secret = optionalString(raw, "aws_secret_access_key");
  const token = optionalString(raw, "aws_session_token");
  const profile = optionalString(raw, "profile");
  // Two sources of credentials: whichever won, the other would be ignored without a word.
  if (profile !== undefined && (keyId !== undefined || secret !== undefined))
    problems.push(
      `profile and ${keyId !== undefined ? "aws_access_key_id" : "aws_secret_access_key"} are both set, and each names the credentials to use; clear the access keys to use the profile, or the profile to use the keys`,
    );
  if (keyId !== undefined && secret === undefined)
    problems.push("aws_secret_access_key is required when aws_access_key_id is set");
  if (secret !== undefined && keyId === undefined)
    problems.push("aws_access_key_id is required when aws_secret_access_key is set");
  if (token !== undefined && (keyId === undefined || secret === undefined)) {
    problems.push("aws_session_token needs aws_access_key_id and aws_secret_access_key");
  }
  if (keyId !== undefined && secret !== undefined) {
    return Object.freeze({
      kind: "static",
      accessKeyId: keyId,
      secretAccessKey: secret,
      ...(token ? { sessionToken: token } : {}),
    });
  }
  if (profile !== undefined) return Object.freeze({ kind: "profile", name: profile });
  return Object.freeze({ kind: "default-chain" });
}

function parseRole(raw: RawConfig, problems: string[]): RoleConfig | undefined {
  const arn = optionalString(raw, "role_arn");
  const externalId = optionalString(raw, "role_external_id");
  if (arn === undefined) {
    if (externalId !== undefined)
      problems.push("role_external_id is set but role_arn is not; set role_arn or remove role_external_id");
    return undefined;
  }
  return Object.freeze({
    arn,
    externalId,
    durationSeconds: numberOr(raw.session_duration, settings.session_duration.default),
  });
}

function parseLinkedAccounts(raw: RawConfig, problems: string[]): LinkedAccounts | undefined {
  const ids = Array.isArray(raw.account_identifiers) ? (raw.account_identifiers as string[]) : [];
  const include =
    typeof raw.include_linked_accounts === "boolean"
      ? raw.include_linked_accounts
      : settings.include_linked_accounts.default;
  if (!include) {
    if (ids.length > 0)
      problems.push(
        "account_identifiers is set but include_linked_accounts is not; set include_linked_accounts to true or remove account_identifiers",
      );
    return undefined;
  }
  return Object.freeze({ accountIdentifiers: Object.freeze([...new Set(ids)]) });
}

function deliveryTypeOf(method: unknown): DeliveryType {
  const type = (method as { delivery_type?: unknown } | undefined)?.delivery_type;
  return type === "use_file_transfer" || type === "use_records_transfer"
    ? type
    : settings.delivery_method.default.delivery_type;
}

function parseStreamLayout(raw: RawConfig, reports: readonly CustomReport[], problems: string[]): StreamLayout {
  const layout = (raw.stream_layout as StreamLayout | undefined) ?? settings.stream_layout.default;
  const clash = reports.findIndex((r) => r.name === ALL_GROUPS_STREAM);
  if (layout === "single_stream" && clash >= 0)
    problems.push(
      `custom_log_reports[${clash}].name ${JSON.stringify(ALL_GROUPS_STREAM)} is the name of the stream of every log group with stream_layout single_stream; give the report another name`,
    );
  // Raw files are named by log stream and day inside the stream's folder: the files of thousands
  // of log groups in one folder would collide.
  if (layout === "single_stream" && deliveryTypeOf(raw.delivery_method) === "use_file_transfer")
    problems.push(
      "stream_layout single_stream needs delivery_method use_records_transfer (raw files are staged per log group stream); use per_log_group with file transfer",
    );
  return layout;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" ? value : fallback;
}

/** Validates a parsed JSON value as the connector's configuration. Throws ConfigError listing every problem. */
export function parseConfig(input: unknown): Config {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ConfigError("The configuration must be a JSON object");
  }
  const raw = input as RawConfig;
  // Blank optional strings are "not set": drop them before the schema sees them, so a cleared
  // role_arn is not reported as a malformed ARN.
  const cleaned = Object.fromEntries(
    Object.entries(raw).filter(([, v]) => !(typeof v === "string" && v.trim() === "")),
  );
  const problems: string[] = [];
  if (!validateSchema(cleaned)) {
    for (const e of validateSchema.errors ?? []) {
      // oneOf reports each failed branch too; one line for the field is enough.
      const msg = describeSchemaError(e, cleaned);
      if (!problems.includes(msg)) problems.push(msg);
    }
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  const credentials = parseCredentials(cleaned, problems);
  const role = parseRole(cleaned, problems);
  const reports = parseReports(cleaned, problems);
  const selection = parseSelection(cleaned, reports, problems);
  const startDate = parseStartDate(optionalString(cleaned, "start_date"), problems);
  const endpointUrl = parseEndpoint(optionalString(cleaned, "endpoint_url"), problems);
  const linkedAccounts = parseLinkedAccounts(cleaned, problems);
  const streamLayout = parseStreamLayout(cleaned, reports, problems);
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  return Object.freeze({
    region: String(cleaned.region_name),
    credentials,
    role,
    ...selection,
    reports: Object.freeze(reports),
    startDate,
    startDateOnlyWithoutState: false,
    ingestionDelayMs: numberOr(cleaned.ingestion_delay_seconds, settings.ingestion_delay_seconds.default) * 1000,
    endpointUrl,
    deliveryType: deliveryTypeOf(cleaned.delivery_method),
    parseJsonMessages:
      typeof cleaned.parse_json_messages === "boolean"
        ? cleaned.parse_json_messages
        : settings.parse_json_messages.default,
    lookbackMs: numberOr(cleaned.lookback_window_minutes, settings.lookback_window_minutes.default) * 60_000,
    maxRequestsPerSecond:
      typeof cleaned.max_requests_per_second === "number" ? cleaned.max_requests_per_second : undefined,
    maxConcurrency: numberOr(cleaned.max_concurrency, settings.max_concurrency.default),
    requestTimeoutMs: numberOr(cleaned.request_timeout_seconds, settings.request_timeout_seconds.default) * 1000,
    unmask: typeof cleaned.unmask === "boolean" ? cleaned.unmask : settings.unmask.default,
    streamLayout,
    linkedAccounts,
  });
}

/**
 * The top-level fields of a raw config that the spec does not define: accepted (the spec allows
 * more, as Airbyte specs do) but ignored, so a misspelt setting would otherwise go unnoticed.
 */
export function unknownSettings(input: unknown): string[] {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return [];
  return Object.keys(input).filter((k) => !Object.hasOwn(settings, k));
}

/**
 * Every secret value in a raw config, so outputs can be checked (and scrubbed) against them: the
 * secret fields, and the password of an endpoint_url with one (a proxy's basic auth), which the
 * messages naming the endpoint would otherwise show.
 */
export function secretValues(input: unknown): string[] {
  if (input === null || typeof input !== "object") return [];
  const raw = input as RawConfig;
  const fields = SECRET_FIELDS.map((k) => raw[k]);
  return [...fields, ...endpointPassword(raw.endpoint_url)].filter(
    (v): v is string => typeof v === "string" && v.length > 0,
  );
}

/** An endpoint URL's password as written and decoded; none when it has none or is no URL. */
function endpointPassword(endpoint: unknown): string[] {
  if (typeof endpoint !== "string" || !URL.canParse(endpoint)) return [];
  const { password } = new URL(endpoint);
  if (password === "") return [];
  try {
    return [password, decodeURIComponent(password)];
  } catch {
    return [password];
  }
}
