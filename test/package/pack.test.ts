// What the image packages: `npm pack`, installed into an empty folder with production
// dependencies only, run with the image's entrypoint command against the simulator.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { startSimulator, expectedEvents, type Simulator } from "../../src/sim/index.js";
import { eventKey, records, registerSecrets, runMain, states, statuses, tempDir, writeJson, type RunResult } from "../support/connector.js";
import { catalogStreams, configuredCatalog, sampleConfig } from "../support/acceptance-inputs.js";
import { REPO_ROOT, repoFile, repoJson } from "../support/repo.js";
import { parseDockerfile } from "../support/dockerfile.js";

const exec = promisify(execFile);
const pkg = repoJson<{ name: string; version: string; devDependencies: Record<string, string> }>("package.json");

/** The command the image runs: its ENTRYPOINT, with /airbyte/integration_code replaced by our install. */
function imageCommand(installed: string): string[] {
  const stages = parseDockerfile(repoFile("Dockerfile"));
  const entry = stages.at(-1)!.instructions.filter((i) => i.keyword === "ENTRYPOINT").at(-1)!;
  return (JSON.parse(entry.args) as string[]).map((a) => a.replace("/airbyte/integration_code", installed));
}

describe("npm package (what the image ships)", { timeout: 180_000 }, () => {
  let work: string;
  let files: string[];
  let installed: string;
  let sim: Simulator;
  let config: Record<string, unknown>;

  before(async () => {
    work = tempDir();
    const packed = await exec("npm", ["pack", "--json", "--pack-destination", work], { cwd: REPO_ROOT });
    const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[])[0]!;
    files = info.files.map((f) => f.path);
    const app = join(work, "app");
    await exec("npm", ["install", "--prefix", app, "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline", join(work, info.filename)], { cwd: work });
    installed = join(app, "node_modules", pkg.name);
    const now = Date.now();
    sim = await startSimulator({
      scenario: {
        seed: 11,
        region: "us-east-1",
        logGroups: catalogStreams().map((name, i) => ({
          name,
          streams: { count: 2 + i, namePattern: `s-{index}` },
          timeRange: { start: now - 3 * 3_600_000, end: now - 3_600_000 },
          events: { count: 1500 * (i + 1) },
        })),
      },
    });
    config = sampleConfig(sim.url);
  });
  after(async () => {
    await sim?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const run = async (args: string[]): Promise<RunResult> => {
    const [node, ...rest] = imageCommand(installed);
    assert.equal(node, "node");
    return runMain(rest.at(-1)!, args, {}, rest.slice(0, -1));
  };
  const withFiles = (command: string, extra: Record<string, unknown> = {}): string[] => {
    const dir = tempDir();
    registerSecrets(config.aws_secret_access_key as string);
    const args = [command, "--config", writeJson(dir, "config.json", config)];
    for (const [k, v] of Object.entries(extra)) args.push(`--${k}`, writeJson(dir, `${k}.json`, v));
    return args;
  };

  test("the tarball holds the compiled connector and nothing else (no tests, simulator, source maps)", () => {
    assert.ok(files.includes("package.json"));
    assert.ok(files.includes("dist/src/main.js"));
    const unexpected = files.filter((f) => !(f === "package.json" || f === "README.md" || f.startsWith("dist/src/")));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(files.filter((f) => f.startsWith("dist/src/sim/") || f.endsWith(".map") || f.includes("test")), []);
  });

  test("the install has production dependencies only", () => {
    const modules = join(installed, "..");
    assert.ok(existsSync(join(modules, "@aws-sdk", "client-cloudwatch-logs")), "runtime dependency installed");
    // Dev-only tools; other devDependencies (@smithy/types, @aws-sdk/client-sts) may legitimately be
    // pulled in by the AWS SDK's own production dependencies.
    const devOnly = ["typescript", "json-schema-to-typescript", "yaml", "@types/node", "@aws-sdk/client-iam"];
    for (const dev of devOnly) {
      assert.ok(dev in pkg.devDependencies, `${dev} is a devDependency`);
      assert.ok(!existsSync(join(modules, dev)), `dev dependency ${dev} is not installed`);
    }
    assert.equal((JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { version: string }).version, pkg.version);
  });

  test("--version through the image's entrypoint command is the package's version", async () => {
    // The version is read from package.json relative to the installed module, not the checkout.
    const [, ...rest] = imageCommand(installed);
    const { stdout } = await exec(process.execPath, [...rest, "--version"], { cwd: work });
    assert.equal(stdout, `${pkg.version}\n`);
  });

  test("spec, check, discover and read through the image's entrypoint command", async () => {
    const spec = await run(["spec"]);
    assert.equal(spec.code, 0, spec.stderr);
    assert.deepEqual(spec.messages.map((m) => m.type), ["SPEC"]);

    const check = await run(withFiles("check"));
    assert.equal(check.code, 0, check.stderr);
    assert.deepEqual(check.messages.filter((m) => m.type === "CONNECTION_STATUS").map((m) => m.connectionStatus!.status), ["SUCCEEDED"]);

    const discover = await run(withFiles("discover"));
    assert.equal(discover.code, 0, discover.stderr);
    assert.deepEqual(discover.messages.find((m) => m.type === "CATALOG")!.catalog!.streams.map((s) => s.name).sort(), catalogStreams().sort());

    const read = await run(withFiles("read", { catalog: configuredCatalog() }));
    assert.equal(read.code, 0, read.stderr);
    const expected = [...expectedEvents(sim.scenario, { withoutMessages: true })].map((e) => `${e.logStreamName}\u0000${e.eventId}`).sort();
    assert.deepEqual(records(read.messages).map(eventKey).sort(), expected);
    for (const name of catalogStreams()) {
      assert.deepEqual(statuses(read.messages, name), ["STARTED", "RUNNING", "COMPLETE"]);
      assert.ok(states(read.messages, name).length >= 1);
    }
  });
});
