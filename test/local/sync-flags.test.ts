// `sync` with its setting flags, as the built connector runs them: --region, --prefix and --since
// without those fields in a file, credentials from a profile of the AWS shared files (the
// simulator accepts only that profile's key), and errors that name the flag.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DuckDBInstance } from "@duckdb/node-api";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { MAIN, assertNoSecrets, registerSecrets, tempDir, writeJson } from "../support/connector.js";
import { seedGroup } from "../support/seed.js";
import { readDatabase } from "./support.js";

const HOUR = 3_600_000;
/** The keys of profile `cwl-test`: the only ones the simulator accepts. */
const PROFILE_KEYS = { accessKeyId: "AKIAPROFILEKEY000001", secretAccessKey: "profile-secret/Key+0001" };
/** The keys of profile `other`: refused. */
const OTHER_KEYS = { accessKeyId: "AKIAOTHERKEY00000002", secretAccessKey: "other-secret/Key+0002" };

/** Shared config and credentials files with the two profiles, as the child's environment names them. */
function awsFiles(dir: string): Record<string, string> {
  const credentials = join(dir, "credentials");
  const config = join(dir, "config");
  writeFileSync(
    credentials,
    `[cwl-test]\naws_access_key_id = ${PROFILE_KEYS.accessKeyId}\naws_secret_access_key = ${PROFILE_KEYS.secretAccessKey}\n`,
  );
  writeFileSync(
    config,
    `[profile other]\naws_access_key_id = ${OTHER_KEYS.accessKeyId}\naws_secret_access_key = ${OTHER_KEYS.secretAccessKey}\n`,
  );
  // No keys in the environment either: only a profile can sign.
  return {
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: credentials,
    AWS_ACCESS_KEY_ID: "",
    AWS_SECRET_ACCESS_KEY: "",
    AWS_PROFILE: "",
  };
}

/** The built connector's sync with the given environment; its output holds no secret. */
async function sync(args: string[], env: Record<string, string>) {
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [MAIN, "sync", ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: "true", ...env },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
  assertNoSecrets(`sync ${args.join(" ")}`, r.stdout, r.stderr);
  // One line for a failure, never a stack trace.
  assert.doesNotMatch(r.stderr, /\n\s+at /, r.stderr);
  return r;
}

async function timestamps(database: string): Promise<Map<string, number[]>> {
  const { tables } = await readDatabase(database);
  return new Map([...tables].map(([stream, rows]) => [stream, rows.map((r) => r.timestamp).sort((a, b) => a - b)]));
}

describe("sync: setting flags", () => {
  let sim: Simulator;
  let now: number;
  before(async () => {
    registerSecrets(PROFILE_KEYS.secretAccessKey, OTHER_KEYS.secretAccessKey);
    sim = await startSimulator({
      scenario: { quotas: "none", sts: { allowedStaticKeys: [PROFILE_KEYS.accessKeyId] } },
    });
    now = sim.now();
    // An hour or more from each start the tests give: the child's clock is a little later than ours.
    await seedGroup(
      sim.url,
      "/app/api",
      [5, 2, 0.5].map((h) => ({ stream: "s", timestamp: now - h * HOUR, message: `${h}h ago` })),
      PROFILE_KEYS,
    );
    await seedGroup(sim.url, "/other/x", [{ stream: "s", timestamp: now - HOUR, message: "x" }], PROFILE_KEYS);
  });
  after(async () => sim.stop());

  it("--region, --profile, --prefix and --since, with only endpoint_url in a file: the profile's key signs, the start holds", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const r = await sync(
      [
        "--config",
        writeJson(dir, "endpoint.json", { endpoint_url: sim.url }),
        "--region",
        "us-east-1",
        "--profile",
        "cwl-test",
        "--prefix",
        "/app/",
        "--since",
        "3h",
        "--database",
        database,
      ],
      awsFiles(dir),
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Synced: 2 records committed/);
    assert.deepEqual(await timestamps(database), new Map([["/app/api", [now - 2 * HOUR, now - 0.5 * HOUR]]]));
  });

  it("an endpoint from AWS_ENDPOINT_URL, which the SDK reads itself, names the source as endpoint_url would", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const flags = ["--region", "us-east-1", "--profile", "cwl-test", "--prefix", "/app/", "--since", "3h"];
    const first = await sync([...flags, "--database", database], { ...awsFiles(dir), AWS_ENDPOINT_URL: sim.url });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Synced: 2 records committed/);
    const instance = await DuckDBInstance.create(database);
    const db = await instance.connect();
    const sources = (
      await db.runAndReadAll("SELECT DISTINCT account, region, endpoint FROM _source_cloudwatch_logs_streams")
    ).getRowObjectsJS();
    db.closeSync();
    instance.closeSync();
    // Not '' (AWS's own endpoint): a later sync against AWS would continue from the simulator's states.
    assert.deepEqual(sources, [{ account: "123456789012", region: "us-east-1", endpoint: sim.url }]);
    // The same endpoint in the file: the same source, so the sync continues where the first ended.
    const config = writeJson(dir, "endpoint.json", { endpoint_url: sim.url });
    const again = await sync(["--config", config, ...flags, "--database", database], awsFiles(dir));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Synced: 0 records committed/);
  });

  it("a profile's use_fips_endpoint and use_dualstack_endpoint beside endpoint_url: the endpoint named is used", async () => {
    const dir = tempDir();
    const files = awsFiles(dir);
    writeFileSync(
      files.AWS_CONFIG_FILE!,
      `[profile fips]\naws_access_key_id = ${PROFILE_KEYS.accessKeyId}\naws_secret_access_key = ${PROFILE_KEYS.secretAccessKey}\n` +
        "use_fips_endpoint = true\nuse_dualstack_endpoint = true\n",
    );
    const config = writeJson(dir, "endpoint.json", {
      endpoint_url: sim.url,
      role_arn: "arn:aws:iam::123456789012:role/reader",
    });
    const flags = ["--config", config, "--region", "us-east-1", "--prefix", "/app/", "--since", "3h"];
    const r = await sync([...flags, "--profile", "fips", "--database", join(dir, "a.duckdb")], files);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Synced: 2 records committed/);
    const env = await sync([...flags, "--database", join(dir, "b.duckdb")], { ...files, AWS_PROFILE: "fips" });
    assert.equal(env.code, 0, env.stderr);
    assert.match(env.stdout, /Synced: 2 records committed/);
  });

  it("role_arn in the file is assumed on top of the profile", async () => {
    const dir = tempDir();
    sim.resetCounters();
    const config = { endpoint_url: sim.url, role_arn: "arn:aws:iam::123456789012:role/reader" };
    const r = await sync(
      [
        "--config",
        writeJson(dir, "role.json", config),
        "--region",
        "us-east-1",
        "--profile",
        "cwl-test",
        "--prefix",
        "/app/api",
        "--database",
        join(dir, "x.duckdb"),
      ],
      awsFiles(dir),
    );
    assert.equal(r.code, 0, r.stderr);
    const counters = sim.counters();
    // Only the profile's key may call AssumeRole; the session's keys then read.
    assert.ok((counters.requests.AssumeRole ?? 0) >= 1, JSON.stringify(counters.requests));
    assert.deepEqual(counters.errors, {});
  });

  it("another profile's key is refused by the endpoint: the profile named is the one used", async () => {
    const dir = tempDir();
    const r = await sync(
      [
        "--config",
        writeJson(dir, "endpoint.json", { endpoint_url: sim.url }),
        "--region=us-east-1",
        "--profile=other",
        "--database",
        join(dir, "x.duckdb"),
      ],
      awsFiles(dir),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /AWS rejected the credentials .*UnrecognizedClientException.*or the keys of the profile/);
  });

  it("an unknown profile is an error naming it and --profile, not the next credential source", async () => {
    const dir = tempDir();
    const r = await sync(
      [
        "--config",
        writeJson(dir, "endpoint.json", { endpoint_url: sim.url }),
        "--region",
        "us-east-1",
        "--profile",
        "nope",
        "--database",
        join(dir, "x.duckdb"),
      ],
      {
        ...awsFiles(dir),
        AWS_ACCESS_KEY_ID: PROFILE_KEYS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: PROFILE_KEYS.secretAccessKey,
      },
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^source-cloudwatch-logs sync: No usable AWS credentials from the profile while .*profile "nope": .*\[nope\].*Check the profile setting \(sync: --profile\)/,
    );
    assert.equal(r.stdout, "");
  });

  it("a profile whose credential_process fails: the profile is named, the process's command line and output are not", async () => {
    const dir = tempDir();
    const files = awsFiles(dir);
    const token = "cp-token-in-argv-0001";
    writeFileSync(
      files.AWS_CONFIG_FILE!,
      `[profile cp]\ncredential_process = /bin/sh -c "echo ${token}-stderr >&2; exit 3" ${token}\n`,
    );
    const r = await sync(
      [
        "--config",
        writeJson(dir, "endpoint.json", { endpoint_url: sim.url }),
        "--region",
        "us-east-1",
        "--profile",
        "cp",
        "--database",
        join(dir, "x.duckdb"),
      ],
      files,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /profile "cp": its credential_process failed/);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(token));
  });

  it("--since starts only the streams without state: a stream with state continues from it", async () => {
    const dir = tempDir();
    const database = join(dir, "x.duckdb");
    const env = awsFiles(dir);
    const flags = ["--region", "us-east-1", "--profile", "cwl-test", "--prefix", "/app/", "--database", database];
    // First sync: events older than 4 hours are ready (the file's ingestion delay); the state ends there.
    const first = await sync(
      [
        "--config",
        writeJson(dir, "slow.json", { endpoint_url: sim.url, ingestion_delay_seconds: 4 * 3600 }),
        ...flags,
        "--since",
        "6h",
      ],
      env,
    );
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(await timestamps(database), new Map([["/app/api", [now - 5 * HOUR]]]));
    // A group that appears now, with no state.
    await seedGroup(
      sim.url,
      "/app/new",
      [3, 0.5].map((h) => ({ stream: "s", timestamp: now - h * HOUR, message: `${h}h ago` })),
      PROFILE_KEYS,
    );
    const second = await sync(
      [
        "--config",
        writeJson(dir, "fast.json", { endpoint_url: sim.url, ingestion_delay_seconds: 0 }),
        ...flags,
        "--since",
        "1h",
      ],
      env,
    );
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      await timestamps(database),
      new Map([
        // From its state (4 hours ago), not from --since: the event of 2 hours ago is not skipped.
        ["/app/api", [now - 5 * HOUR, now - 2 * HOUR, now - 0.5 * HOUR]],
        ["/app/new", [now - 0.5 * HOUR]],
      ]),
    );
  });

  it("a flag's error names the flag and the fix; a field set by a flag is named as the flag", async () => {
    const dir = tempDir();
    const env = awsFiles(dir);
    const endpoint = writeJson(dir, "endpoint.json", { endpoint_url: sim.url });
    const cases: [string[], RegExp][] = [
      [
        ["--region", "us-east-1", "--since", "3x"],
        /^source-cloudwatch-logs sync: --since: "3x" is neither a duration \(30m, 2h, 7d\) nor a timestamp \(2026-11-30T00:00:00Z\)\n$/,
      ],
      [
        ["--region", "useast1"],
        /^source-cloudwatch-logs sync: --region: "useast1" is not an AWS region; give one such as us-east-1\n$/,
      ],
      [
        ["--profile", "cwl-test"],
        /^source-cloudwatch-logs sync: sync needs --region REGION \(with --profile, --prefix, --since as needed\), or --config FILE\.\nusage:/,
      ],
      [
        ["--config", endpoint, "--region", "us-east-1", "--profile", "cwl-test", "--prefix", "/nothing/"],
        /No stream found: no readable log group whose name starts with --prefix "\/nothing\/" in region us-east-1 at http.*check --region and --prefix/,
      ],
    ];
    for (const [args, expected] of cases) {
      const r = await sync([...args, "--database", join(dir, "x.duckdb")], env);
      assert.equal(r.code, 1, args.join(" "));
      assert.match(r.stderr, expected, args.join(" "));
      assert.equal(r.stdout, "", args.join(" "));
    }
  });
});
