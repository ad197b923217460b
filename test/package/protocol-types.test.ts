// src/airbyte/protocol.ts is generated from the vendored protocol schema: it must be what the
// generator writes today (a hand edit, or a schema update without `npm run gen:protocol`, fails).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, repoFile } from "../support/repo.js";

interface Generator {
  protocolTypes(): Promise<string>;
}

test("src/airbyte/protocol.ts is what scripts/gen-protocol-types.mjs generates from protocol/airbyte_protocol.yaml", async () => {
  const generator = (await import(pathToFileURL(join(REPO_ROOT, "scripts/gen-protocol-types.mjs")).href)) as Generator;
  const generated = await generator.protocolTypes();
  assert.ok(generated.includes("export interface AirbyteMessage"), "the generator makes the protocol's types");
  assert.ok(
    generated === repoFile("src/airbyte/protocol.ts"),
    "protocol.ts is stale or edited: run npm run gen:protocol",
  );
});
