// The layers of src/ (docs: common rules, point 5) as read from the import specifiers of every file in
// src/ and sim/: imports point down only, the AWS SDK stays in aws/, the simulator stays apart.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";
import ts from "typescript";
import { REPO_ROOT, repoFile } from "../support/repo.js";

type Layer = "main" | "cli" | "local" | "commands" | "engine" | "sinks" | "aws" | "config" | "airbyte" | "domain";

/**
 * What each layer of src/ may import besides itself. Top to bottom: main.ts -> cli/ -> local/ -> commands/
 * -> engine/ -> sinks/ -> aws/ -> config/ -> airbyte/ -> domain/. Where the rules list layers side by side,
 * one order is fixed so no two folders import each other: engine/ drives sinks/ (EventSink); aws/ reads
 * config/; config/ reports airbyte/'s ConfigError. aws/ is the adapter behind domain/'s LogsApi port:
 * only the layers that wire the connector together (commands/ and above) reach it.
 */
const MAY_IMPORT: Record<Layer, readonly Layer[]> = {
  main: ["cli", "local", "commands", "engine", "sinks", "aws", "config", "airbyte", "domain"],
  cli: ["local", "commands", "engine", "sinks", "aws", "config", "airbyte", "domain"],
  local: ["commands", "engine", "sinks", "aws", "config", "airbyte", "domain"],
  commands: ["engine", "sinks", "aws", "config", "airbyte", "domain"],
  engine: ["sinks", "config", "airbyte", "domain"],
  sinks: ["config", "airbyte", "domain"],
  aws: ["config", "domain"],
  config: ["airbyte", "domain"],
  airbyte: ["domain"],
  domain: [],
};

/** Packages only aws/ may import: the AWS SDK and its Smithy runtime. */
const SDK = /^@(aws-sdk|smithy)\//;
/** The one file of src/ that may import the simulator (the demo runs one). */
const SIM_IMPORTER = "src/local/demo.ts";

/** Every .ts file under a folder of the repository, as a repository path (a/b.ts). */
function sources(folder: string): string[] {
  return readdirSync(join(REPO_ROOT, folder), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => posix.join(relative(REPO_ROOT, e.parentPath).split(sep).join("/"), e.name))
    .sort();
}

/** Import, export-from, dynamic import() and import("...") type specifiers, type-only ones included. */
function specifiers(path: string): string[] {
  return ts.preProcessFile(repoFile(path), true, true).importedFiles.map((f) => f.fileName);
}

interface Edge {
  readonly from: string; // repository path of the importing file
  readonly spec: string; // as written
  readonly to: string | undefined; // repository path (.ts) of a relative import; else undefined
}

function edgeOf(from: string, spec: string): Edge {
  const to = spec.startsWith(".") ? posix.join(posix.dirname(from), spec).replace(/\.js$/, ".ts") : undefined;
  return { from, spec, to };
}

function layerOf(path: string): Layer | "sim" | "outside" {
  if (path.startsWith("sim/")) return "sim";
  if (path === "src/main.ts") return "main";
  const m = /^src\/([^/]+)\//.exec(path);
  if (m && m[1]! in MAY_IMPORT) return m[1] as Layer;
  return "outside";
}

/** Every rule broken by these imports, as `file -> imported` (the imported path, or the package). */
function violations(all: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, spec, to } of all) {
    const source = layerOf(from);
    const broken = (): void => {
      out.push(`${from} -> ${to ?? spec}`);
    };
    if (source === "domain") {
      if (to === undefined || layerOf(to) !== "domain") broken(); // types only: it imports nothing
      continue;
    }
    if (to === undefined) {
      if (SDK.test(spec) && source !== "aws") broken();
      continue;
    }
    const target = layerOf(to);
    if (source === "sim") {
      if (target !== "sim") broken();
    } else if (source === "outside") {
      broken(); // a file of src/ outside every layer
    } else if (target === "sim") {
      if (from !== SIM_IMPORTER) broken();
    } else if (target === "outside" || (target !== source && !MAY_IMPORT[source].includes(target))) {
      broken();
    }
  }
  return out;
}

describe("layers", () => {
  const files = [...sources("src"), ...sources("sim")];
  const found = violations(files.flatMap((from) => specifiers(from).map((spec) => edgeOf(from, spec))));

  test("the files are found and their imports read", () => {
    assert.ok(files.includes("src/main.ts") && files.includes("sim/index.ts"), "src/ and sim/ are read");
    assert.ok(files.length > 80, `${files.length} files`);
    assert.ok(specifiers("src/local/demo.ts").includes("../../sim/index.js"), "a type-position import() is read");
    for (const f of files) assert.ok(layerOf(f) !== "outside", `${f} belongs to a layer`);
  });

  test("imports point down only; the AWS SDK only in aws/; sim/ apart but for the demo", () => {
    assert.deepEqual(found, [], "imports against the layers");
  });

  test("the checker catches each kind of violation", () => {
    const bad: Edge[] = [
      edgeOf("src/domain/logs.ts", "../config/config.js"),
      edgeOf("src/domain/logs.ts", "node:stream"),
      edgeOf("src/engine/reader.ts", "../aws/logs-api.js"),
      edgeOf("src/engine/reader.ts", "../commands/read.js"),
      edgeOf("src/sinks/files.ts", "../engine/plan.js"),
      edgeOf("src/config/config.ts", "../aws/from-config.js"),
      edgeOf("src/airbyte/emitter.ts", "../config/config.js"),
      edgeOf("src/commands/read.ts", "@aws-sdk/client-cloudwatch-logs"),
      edgeOf("src/local/sync.ts", "@smithy/node-http-handler"),
      edgeOf("sim/server.ts", "../src/domain/logs.js"),
      edgeOf("src/local/sync.ts", "../../sim/index.js"),
      edgeOf("src/aws/logs-api.ts", "../../test/support/moto.js"),
      edgeOf("src/extra/thing.ts", "../domain/logs.js"),
    ];
    for (const e of bad) assert.deepEqual(violations([e]).length, 1, `${e.from} -> ${e.spec} is caught`);
    const good: Edge[] = [
      edgeOf("src/aws/logs-api.ts", "@aws-sdk/client-cloudwatch-logs"),
      edgeOf("src/aws/logs-api.ts", "../config/config.js"),
      edgeOf("src/engine/reader.ts", "../sinks/sink.js"),
      edgeOf("src/commands/read.ts", "../aws/logs-api.js"),
      edgeOf("src/cli/run.ts", "../domain/logs.js"),
      edgeOf("src/local/demo.ts", "../../sim/index.js"),
      edgeOf("sim/ops/create.ts", "../model.js"),
      edgeOf("src/local/duckdb-store.ts", "@duckdb/node-api"),
    ];
    for (const e of good) assert.deepEqual(violations([e]), [], `${e.from} -> ${e.spec} is allowed`);
  });
});
