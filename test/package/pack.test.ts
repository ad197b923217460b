// What the image packages: `npm pack` of the files the image build copies in (no dist/, no tests: the
// prepack script builds what ships),
// installed into an empty folder with production dependencies only, run with the image's
// entrypoint command against the simulator, and its `demo` run as a user would after installing
// and from the files the image copies.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";
import { startSimulator, expectedEvents, type Simulator } from "../../sim/index.js";
import {
  eventKey,
  records,
  registerSecrets,
  runMain,
  states,
  statuses,
  tempDir,
  writeJson,
  type RunResult,
} from "../support/connector.js";
import { catalogStreams, configuredCatalog, sampleConfig } from "../support/acceptance-inputs.js";
import { REPO_ROOT, repoFile, repoJson } from "../support/repo.js";
import { parseDockerfile } from "../support/dockerfile.js";

const exec = promisify(execFile);
const pkg = repoJson<{ name: string; version: string; devDependencies: Record<string, string> }>("package.json");

const IMAGE_HOME = "/airbyte/integration_code";

/** The command the image runs: its ENTRYPOINT, with /airbyte/integration_code replaced by our install. */
function imageCommand(installed: string): string[] {
  const stages = parseDockerfile(repoFile("Dockerfile"));
  const entry = stages
    .at(-1)!
    .instructions.filter((i) => i.keyword === "ENTRYPOINT")
    .at(-1)!;
  return (JSON.parse(entry.args) as string[]).map((a) => a.replace(IMAGE_HOME, installed));
}

/**
 * The image's /airbyte/integration_code as the final stage's COPYs fill it: /package/... (the
 * unpacked tarball) from the installed package, /build/node_modules (pruned to production) from
 * the production install.
 */
function imageHome(into: string, installed: string, modules: string): string {
  const home = join(into, "image");
  const final = parseDockerfile(repoFile("Dockerfile")).at(-1);
  const copies = final?.instructions.filter((i) => i.keyword === "COPY") ?? [];
  assert.ok(copies.length > 0, "the final stage copies files");
  for (const copy of copies) {
    const [from, to] = copy.args.split(/\s+/).filter((a) => !a.startsWith("--"));
    if (!from || !to?.startsWith("./")) assert.fail(`COPY ${copy.args}`);
    const target = join(home, to);
    if (from === "/build/node_modules") symlinkSync(modules, target, "dir");
    else if (from.startsWith("/package/"))
      cpSync(join(installed, from.slice("/package/".length)), target, { recursive: true });
    else assert.fail(`COPY from an unknown place: ${copy.args}`);
  }
  return home;
}

/**
 * What the Dockerfile's build stage starts `npm pack` from: the repository paths it COPYs in, at the
 * same places (never dist/), sharing the installed node_modules instead of its `npm ci`.
 */
function imageBuildInputs(into: string): string {
  const checkout = join(into, "checkout");
  const build = parseDockerfile(repoFile("Dockerfile")).slice(0, -1);
  const copies = build.flatMap((s) => s.instructions).filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args));
  assert.ok(copies.length > 0, "the build stage copies the sources in");
  for (const c of copies) {
    const [dest, ...sources] = c.args.split(/\s+/).reverse();
    for (const source of sources) {
      assert.ok(dest === "./" || dest === `./${source}`, `COPY ${c.args} keeps the repository layout`);
      assert.ok(!/^(dist|node_modules)(\/|$)/.test(source), `COPY ${c.args} copies no build output`);
      cpSync(join(REPO_ROOT, source), join(checkout, source), { recursive: true });
    }
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(checkout, "node_modules"), "dir");
  return checkout;
}

describe("npm package (what the image ships)", { timeout: 900_000 }, () => {
  let work: string;
  let files: { path: string; size: number }[];
  let app: string;
  let installed: string;
  let sim: Simulator;
  let config: Record<string, unknown>;

  before(async () => {
    work = tempDir();
    // Packed from a copy: prepack rebuilds dist/, which other tests are running from.
    const checkout = imageBuildInputs(work);
    assert.ok(!existsSync(join(checkout, "dist")), "the checkout has no build output");
    const packed = await exec("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: checkout,
      maxBuffer: 16 << 20,
    });
    const info = (JSON.parse(packed.stdout) as { filename: string; files: { path: string; size: number }[] }[])[0]!;
    files = info.files;
    app = join(work, "app");
    await exec(
      "npm",
      [
        "install",
        "--prefix",
        app,
        "--omit=dev",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        join(work, info.filename),
      ],
      { cwd: work },
    );
    installed = join(app, "node_modules", pkg.name);
    const now = Date.now();
    sim = await startSimulator({
      scenario: {
        seed: 11,
        region: "us-east-1",
        quotas: "none",
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

  test("the tarball of the image build's inputs holds the compiled connector, simulator and demo scenario, nothing else", () => {
    const paths = files.map((f) => f.path);
    // The simulator ships as dist/sim/: every module of sim/ compiled, and the demo's scenario
    // beside it; none of its sources, declarations, build info or other scenarios.
    const simSources = readdirSync(join(REPO_ROOT, "sim"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".ts"))
      .map((f) => `dist/sim/${f.replace(/\.ts$/, ".js")}`);
    assert.ok(simSources.length > 30, `${simSources.length} simulator modules`);
    assert.deepEqual(
      paths.filter((f) => f.startsWith("dist/sim/")).sort(),
      [...simSources, "dist/sim/scenarios/demo.json"].sort(),
    );
    assert.deepEqual(
      paths.filter((f) => /^(dist\/)?(test|bench|sim|scenarios|types)\//.test(f) && !f.startsWith("dist/sim/")),
      [],
      "nothing from test/, bench/, sim/ sources, scenarios/ or declarations",
    );
    assert.deepEqual(
      paths.filter((f) => f.startsWith("dist/src/sim/")),
      [],
      "the simulator is not under dist/src",
    );
    for (const f of [
      "package.json",
      "README.md",
      "LICENSE",
      "CHANGELOG.md",
      "dist/src/main.js",
      "dist/src/cli/run.js",
      "dist/sim/index.js",
      "dist/sim/main.js",
      "dist/sim/scenarios/demo.json",
    ]) {
      assert.ok(paths.includes(f), `${f} is packed`);
    }
    const docs = ["package.json", "README.md", "LICENSE", "CHANGELOG.md"];
    assert.deepEqual(
      paths.filter((f) => !(docs.includes(f) || f.startsWith("dist/src/") || f.startsWith("dist/sim/"))),
      [],
    );
    assert.deepEqual(
      paths.filter((f) => f.endsWith(".map") || f.includes("test")),
      [],
      "no source maps, no tests",
    );
    const simBytes = files.filter((f) => f.path.startsWith("dist/sim/")).reduce((n, f) => n + f.size, 0);
    assert.ok(simBytes < 250_000, `the simulator is ${simBytes} bytes`);
  });

  test("LICENSE is the license package.json names", () => {
    const license = readFileSync(join(installed, "LICENSE"), "utf8");
    assert.equal(repoJson<{ license: string }>("package.json").license, "MIT");
    assert.match(license, /^MIT License\n\nCopyright \(c\) \d{4} The source-cloudwatch-logs authors\n/);
  });

  test("the installed command's demo syncs the bundled scenario (no checkout needed)", async () => {
    const cwd = tempDir();
    // The installed bin, through its shebang, with this test's node first on the PATH.
    const bin = join(app, "node_modules", ".bin", pkg.name);
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}` };
    const res = await exec(bin, ["demo"], { cwd, env, maxBuffer: 16 << 20 }).catch(
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        assert.fail(`demo exited ${String(err.code)}: ${err.stderr ?? ""}${err.stdout ?? ""}`);
      },
    );
    assert.equal(res.stderr, "", "quiet off a terminal");
    assert.match(res.stdout, /5 tables, \d+ events in \.\/demo\.duckdb/);
    assert.match(res.stdout, /Sample query/);
    assert.ok(existsSync(join(cwd, "demo.duckdb")));
    // The banner names the scenario where the installed package has it (not the checkout's path).
    const scenario = /\(scenario:\s+(\S+)\)\./.exec(res.stdout)?.[1];
    assert.equal(scenario, join(installed, "dist", "sim", "scenarios", "demo.json"), res.stdout);
    rmSync(cwd, { recursive: true, force: true });
  });

  test("demo runs from the files the image copies, with the image's entrypoint command", async () => {
    const home = imageHome(work, installed, join(app, "node_modules"));
    const cwd = tempDir();
    const [node, ...rest] = imageCommand(home);
    assert.equal(node, "node");
    const main = rest.at(-1);
    assert.ok(main && relative(home, main).startsWith("dist"), `the entrypoint runs ${main} in the image`);
    const env = { ...process.env, NODE_ENV: "production" };
    const res = await exec(process.execPath, [...rest, "demo"], { cwd, env, maxBuffer: 16 << 20 }).catch(
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        assert.fail(`demo exited ${String(err.code)}: ${err.stderr ?? ""}${err.stdout ?? ""}`);
      },
    );
    assert.equal(res.stderr, "", "quiet off a terminal");
    assert.match(res.stdout, /5 tables, \d+ events in \.\/demo\.duckdb/);
    assert.match(res.stdout, /Sample query/);
    rmSync(cwd, { recursive: true, force: true });
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
    assert.equal(
      (JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as { version: string }).version,
      pkg.version,
    );
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
    assert.deepEqual(
      spec.messages.map((m) => m.type),
      ["SPEC"],
    );

    const check = await run(withFiles("check"));
    assert.equal(check.code, 0, check.stderr);
    assert.deepEqual(
      check.messages.filter((m) => m.type === "CONNECTION_STATUS").map((m) => m.connectionStatus!.status),
      ["SUCCEEDED"],
    );

    const discover = await run(withFiles("discover"));
    assert.equal(discover.code, 0, discover.stderr);
    assert.deepEqual(
      discover.messages
        .find((m) => m.type === "CATALOG")!
        .catalog!.streams.map((s) => s.name)
        .sort(),
      catalogStreams().sort(),
    );

    const read = await run(withFiles("read", { catalog: configuredCatalog() }));
    assert.equal(read.code, 0, read.stderr);
    const expected = [...expectedEvents(sim.scenario, { withoutMessages: true })]
      .map((e) => `${e.logStreamName}\u0000${e.eventId}`)
      .sort();
    assert.deepEqual(records(read.messages).map(eventKey).sort(), expected);
    for (const name of catalogStreams()) {
      assert.deepEqual(statuses(read.messages, name), ["STARTED", "RUNNING", "COMPLETE"]);
      assert.ok(states(read.messages, name).length >= 1);
    }
  });
});
