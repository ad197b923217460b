// sync's setting flags (local/sync-flags.ts): --since read as a duration or a timestamp, the
// flags over a --config file, and errors that name the flag.
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError } from "../../src/airbyte/errors.js";
import { parseConfig } from "../../src/config/config.js";
import { flagOverride, inFlagTerms, sinceStart, syncConfig } from "../../src/local/sync-flags.js";

const NOW = Date.UTC(2026, 11, 1, 10, 30, 15, 750);
const LATEST = NOW - 300_000;

function refused(f: () => unknown, message: string): void {
  assert.throws(f, (e: Error) => {
    assert.ok(e instanceof ConfigError, e.message);
    assert.equal(e.message, message);
    return true;
  });
}

test("--since: a duration back from now, to the second (earlier, never later)", () => {
  assert.equal(sinceStart("2h", NOW, LATEST), "2026-12-01T08:30:15Z");
  assert.equal(sinceStart("30m", NOW, LATEST), "2026-12-01T10:00:15Z");
  assert.equal(sinceStart("7d", NOW, LATEST), "2026-11-24T10:30:15Z");
  assert.equal(sinceStart("1w", NOW, LATEST), "2026-11-24T10:30:15Z");
  assert.equal(sinceStart("600s", NOW, LATEST), "2026-12-01T10:20:15Z");
});

test("--since: a timestamp with its zone, or a date alone (its midnight UTC)", () => {
  assert.equal(sinceStart("2026-11-30T00:00:00Z", NOW, LATEST), "2026-11-30T00:00:00Z");
  assert.equal(sinceStart("2026-11-30", NOW, LATEST), "2026-11-30T00:00:00Z");
  assert.equal(sinceStart("2026-11-30T12:00+02:00", NOW, LATEST), "2026-11-30T10:00:00Z");
  assert.equal(sinceStart("2026-11-30T12:00:00-01:30", NOW, LATEST), "2026-11-30T13:30:00Z");
  assert.equal(sinceStart("2026-11-30T14:00+14:00", NOW, LATEST), "2026-11-30T00:00:00Z");
  assert.equal(sinceStart("2026-11-29T12:00-12:00", NOW, LATEST), "2026-11-30T00:00:00Z");
  assert.equal(sinceStart("2026-11-30T00:00:01.999Z", NOW, LATEST), "2026-11-30T00:00:01Z");
  assert.equal(sinceStart("1970-01-01T00:00:00Z", NOW, LATEST), "1970-01-01T00:00:00Z");
});

test("--since: what is neither, or reads nothing, is refused naming --since", () => {
  const neither = "is neither a duration (30m, 2h, 7d) nor a timestamp (2026-11-30T00:00:00Z)";
  for (const bad of ["3x", "2 h", "-2h", "h", "", "yesterday", "2026-11-30T00:00:00ZZ", "2026/11/30", "1.5h"])
    refused(() => sinceStart(bad, NOW, LATEST), `--since: ${JSON.stringify(bad)} ${neither}`);
  refused(
    () => sinceStart("2026-11-30T10:00", NOW, LATEST),
    '--since: "2026-11-30T10:00" has no time zone: end it with Z (UTC) or an offset such as +01:00',
  );
  for (const unreal of ["2026-02-30", "2026-13-01T00:00:00Z", "2026-11-30T24:00:00Z", "2026-11-30T10:61Z"])
    refused(() => sinceStart(unreal, NOW, LATEST), `--since: ${JSON.stringify(unreal)} is not a real date and time`);
  for (const zone of ["+15:00", "-13:00", "-01:60"])
    refused(
      () => sinceStart(`2026-11-30T00:00${zone}`, NOW, LATEST),
      `--since: "2026-11-30T00:00${zone}" has an offset no time zone has (${zone}); time zones run from -12:00 to +14:00`,
    );
  refused(
    () => sinceStart("1969-12-31T23:59:59Z", NOW, LATEST),
    '--since: "1969-12-31T23:59:59Z" starts before 1970, where CloudWatch timestamps start',
  );
  refused(
    () => sinceStart("30000000d", NOW, LATEST),
    '--since: "30000000d" starts before 1970, where CloudWatch timestamps start',
  );
  for (const late of ["2m", "2027-01-01"])
    refused(
      () => sinceStart(late, NOW, LATEST),
      `--since: ${JSON.stringify(late)} starts after 2026-12-01T10:25:15.750Z (now minus ingestion_delay_seconds), so nothing could be read; give an earlier start`,
    );
});

test("the flags make a configuration without a file, and it parses", () => {
  const raw = syncConfig(
    undefined,
    { "--region": "eu-west-1", "--profile": "prod", "--prefix": "/ecs/", "--since": "2h" },
    NOW,
  );
  assert.deepEqual(raw, {
    region_name: "eu-west-1",
    profile: "prod",
    log_group_prefix: "/ecs/",
    start_date: "2026-12-01T08:30:15Z",
  });
  const config = parseConfig(raw);
  assert.deepEqual(config.credentials, { kind: "profile", name: "prod" });
  assert.equal(config.startDate, Date.UTC(2026, 11, 1, 8, 30, 15));
});

test("the flags override the file's fields and leave the others; the file is not changed", () => {
  const file = {
    region_name: "us-east-1",
    log_group_prefix: "/old/",
    start_date: "2020-01-01T00:00:00Z",
    endpoint_url: "http://127.0.0.1:1",
    ingestion_delay_seconds: 0,
  };
  const copy = structuredClone(file);
  assert.deepEqual(syncConfig(file, { "--region": "eu-west-1", "--prefix": "/new/", "--since": "2m" }, NOW), {
    ...file,
    region_name: "eu-west-1",
    log_group_prefix: "/new/",
    // With no ingestion delay in the file, 2 minutes ago can be read.
    start_date: "2026-12-01T10:28:15Z",
  });
  assert.deepEqual(file, copy);
  assert.deepEqual(syncConfig(file, {}, NOW), file);
  // A file that is no object is left for the configuration's own check.
  assert.deepEqual(syncConfig([1], { "--region": "eu-west-1" }, NOW), [1]);
});

test("a flag that cannot be used is refused naming it and the fix", () => {
  refused(
    () => syncConfig(undefined, { "--region": "Mars" }, NOW),
    '--region: "Mars" is not an AWS region; give one such as us-east-1',
  );
  refused(
    () =>
      syncConfig(
        { region_name: "us-east-1", aws_access_key_id: "AKIA", aws_secret_access_key: "s" },
        { "--profile": "p" },
        NOW,
      ),
    "--profile: the --config file has aws_access_key_id and aws_secret_access_key, and each names the credentials to use; remove the keys from the file, or leave out --profile",
  );
  // Blank keys are unset, as everywhere in the configuration.
  assert.deepEqual(syncConfig({ aws_access_key_id: " " }, { "--profile": "p" }, NOW), {
    aws_access_key_id: " ",
    profile: "p",
  });
  refused(
    () => syncConfig({ log_group_name_pattern: "api" }, { "--prefix": "/ecs/" }, NOW),
    "--prefix: the --config file has log_group_name_pattern, and log groups are selected by a prefix or a pattern, not both; remove one",
  );
  refused(
    () => syncConfig({}, { "--since": "soon" }, NOW),
    `--since: "soon" is neither a duration (30m, 2h, 7d) nor a timestamp (2026-11-30T00:00:00Z)`,
  );
});

test("--since starts only the streams without state; no flag changes nothing", () => {
  assert.deepEqual(flagOverride({ "--since": "2h" }), { startDateOnlyWithoutState: true });
  assert.deepEqual(flagOverride({ "--region": "eu-west-1" }), {});
  assert.deepEqual(flagOverride(undefined), {});
});

test("later messages name the flags that set the fields, never a quoted value", () => {
  const message =
    'No stream found: no readable log group whose name starts with log_group_prefix "/log_group_prefix/" in region us-east-1; check region_name and log_group_prefix. start_date, profile.';
  assert.equal(
    inFlagTerms(message, { "--region": "us-east-1", "--prefix": "/x/", "--since": "2h", "--profile": "p" }),
    'No stream found: no readable log group whose name starts with --prefix "/log_group_prefix/" in region us-east-1; check --region and --prefix. --since, profile.',
  );
  assert.equal(inFlagTerms(message, { "--since": "2h" }), message.replace("start_date", "--since"));
  assert.equal(inFlagTerms(message, undefined), message);
});
