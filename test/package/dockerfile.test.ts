// The Dockerfile and metadata.yaml follow Airbyte's packaging rules and agree with package.json.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { connectorSpecification } from "../../src/config/spec.js";
import { REPO_ROOT, repoFile, repoJson } from "../support/repo.js";
import { parseDockerfile } from "../support/dockerfile.js";
import {
  dockerfileProblems,
  launchFlags,
  metadataProblems,
  type Metadata,
  type PackageJson,
} from "../support/packaging-rules.js";

const pkg = repoJson<PackageJson>("package.json");
const dockerfile = repoFile("Dockerfile");
const nodeFlags = launchFlags(repoFile("src/main.ts"));
const metadata = parse(repoFile("metadata.yaml")) as Metadata;

describe("packaging rules", () => {
  test("Dockerfile: labels match metadata, AIRBYTE_ENTRYPOINT equals ENTRYPOINT, user airbyte, production-only runtime", () => {
    assert.deepEqual(dockerfileProblems(dockerfile, metadata, pkg, nodeFlags), []);
  });

  test("metadata.yaml has every field Airbyte needs, consistent with package.json and the spec", () => {
    assert.deepEqual(metadataProblems(metadata, pkg, connectorSpecification.documentationUrl), []);
  });

  test("the checkers reject broken files", () => {
    const variants: [string, string][] = [
      ["io.airbyte.version=0.1.0", "io.airbyte.version=9.9.9"],
      [
        'AIRBYTE_ENTRYPOINT="node --max-semi-space-size=4 --single-threaded /airbyte/integration_code/dist/src/main.js"',
        'AIRBYTE_ENTRYPOINT="node --max-semi-space-size=4 --single-threaded dist/src/main.js"',
      ],
      ["USER airbyte", "USER root"],
      ["npm prune --omit=dev", "true"],
      [
        "COPY --from=build --chown=airbyte:airbyte /package/dist/src ./dist/src",
        "COPY --from=build --chown=airbyte:airbyte /package/dist/src ./dist/src\nRUN npm install typescript",
      ],
      ["/package/dist/src ./dist/src", "/build/dist/src ./dist/src"],
      [
        'ENTRYPOINT ["node", "--max-semi-space-size=4", "--single-threaded", "/airbyte/integration_code/dist/src/main.js"]',
        "ENTRYPOINT node /airbyte/integration_code/dist/src/main.js",
      ],
      ['"node", "--max-semi-space-size=4", "--single-threaded", "/airbyte', '"node", "/airbyte'],
      ['"--single-threaded", "/airbyte', '"/airbyte'],
      ["FROM node:26-slim AS build", "FROM node:24-slim AS build"],
      ["FROM node:26-slim\n", "FROM node:24-slim\n"],
      ["COPY sim ./sim\n", "COPY sim ./sim\nCOPY test ./test\n"],
      ["COPY sim ./sim\n", "COPY sim bench ./\n"],
      ["COPY sim ./sim\n", "COPY . .\n"],
    ];
    assert.ok(nodeFlags.length > 0, "main.ts carries launch flags");
    for (const [from, to] of variants) {
      assert.ok(dockerfile.includes(from), `the Dockerfile contains ${from}`);
      assert.notDeepEqual(
        dockerfileProblems(dockerfile.replace(from, to), metadata, pkg, nodeFlags),
        [],
        `caught: ${to}`,
      );
    }
    const noSts = {
      ...metadata,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Airbyte's literal ${region_name} placeholder.
      data: { ...metadata.data, allowedHosts: { hosts: ["logs.${region_name}.amazonaws.com"] } },
    };
    assert.notDeepEqual(metadataProblems(noSts, pkg, connectorSpecification.documentationUrl), []);
    assert.notDeepEqual(
      metadataProblems(metadata, { ...pkg, version: "0.2.0" }, connectorSpecification.documentationUrl),
      [],
    );
    assert.notDeepEqual(
      dockerfileProblems(dockerfile, metadata, { ...pkg, engines: { node: ">=28" } }, nodeFlags),
      [],
      "image below engines",
    );
    const oldBase = {
      ...metadata,
      data: { ...metadata.data, connectorBuildOptions: { baseImage: "docker.io/library/node:20-slim" } },
    };
    assert.notDeepEqual(dockerfileProblems(dockerfile, oldBase, pkg, nodeFlags), [], "metadata baseImage differs");
  });

  test("the launch flags keep V8's compiles on the main thread", () => {
    // A compile job on a helper thread may wait for the main thread to collect garbage; a
    // process.exit() joining that thread then never returns (docs/performance.md).
    // A hot function and loop make V8 optimize both; --trace-opt tells how each compile ran.
    const hot = "function f(a){let s=0;for(const x of a)s+=x*2;return s}let t=0;for(let k=0;k<20000;k++)t+=f([1,2,k]);";
    const compiles = (flags: readonly string[]) => {
      const r = spawnSync(process.execPath, [...flags, "--trace-opt", "-e", hot], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return [...r.stdout.matchAll(/compiling method .* mode: ConcurrencyMode::(\w+)/g)].map((m) => m[1]);
    };
    const modes = compiles(nodeFlags);
    assert.ok(modes.length > 0, "V8 optimized something");
    assert.deepEqual(new Set(modes), new Set(["kSynchronous"]));
    const gcOnly = nodeFlags.map((f) => (f === "--single-threaded" ? "--single-threaded-gc" : f));
    assert.ok(compiles(gcOnly).includes("kConcurrent"), "the check tells background compiles apart");
  });

  test("CI runs the suite on the image's Node version too", () => {
    const image = /^node:(\d+)-/.exec(parseDockerfile(dockerfile).at(-1)!.from)?.[1];
    const ci = repoFile(".ci/run");
    const pinned = /^IMAGE_NODE_VERSION=(\d+)\.\d+\.\d+$/m.exec(ci)?.[1];
    assert.equal(pinned, image, ".ci/run pins node-linux-<arch> to the image's major version");
    assert.match(ci, /PATH="\$PWD\/\$IMAGE_NODE_DIR\/bin:\$PATH" npm test/);
    assert.match(ci, /^npm run check$/m, "CI runs the guardrails and the suite under coverage");
  });

  test("acceptance-test-config.yml targets this image and names files that exist", () => {
    const cat = parse(repoFile("acceptance-test-config.yml")) as {
      connector_image: string;
      acceptance_tests: Record<string, { tests: Record<string, unknown>[] }>;
    };
    assert.equal(cat.connector_image, `${String(metadata.data?.dockerRepository)}:dev`);
    assert.deepEqual(Object.keys(cat.acceptance_tests).sort(), [
      "basic_read",
      "connection",
      "discovery",
      "full_refresh",
      "incremental",
      "spec",
    ]);
    const paths = Object.values(cat.acceptance_tests).flatMap((t) =>
      t.tests.flatMap((x) => [
        x.spec_path,
        x.configured_catalog_path,
        x.config_path,
        (x.future_state as { future_state_path?: string } | undefined)?.future_state_path,
      ]),
    );
    // secrets/config.json is provided by the CI that runs CAT against a real account, never committed.
    for (const p of paths.filter((x): x is string => typeof x === "string" && !x.startsWith("secrets/"))) {
      assert.ok(existsSync(join(REPO_ROOT, p)), `${p} exists`);
    }
    const statuses = cat.acceptance_tests.connection!.tests.map((t) => [t.config_path, t.status]);
    assert.deepEqual(statuses, [
      ["secrets/config.json", "succeed"],
      ["integration_tests/invalid_config.json", "failed"],
    ]);
  });
});
