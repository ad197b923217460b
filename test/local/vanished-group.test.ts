// A log group deleted between a sync's discover and its read (moto, through a proxy that holds the
// read's listing until the test has deleted it): that stream ends with a message for a sync, which
// lists the log groups itself, not Airbyte's advice to run discover again; the others are stored.
import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { holdingProxy } from "../support/holding-proxy.js";
import { startMoto, type Moto } from "../support/moto.js";
import { logsClient, seedGroup } from "../support/seed.js";
import { readDatabase, simConfig } from "./support.js";

/** Log groups of `count` events each, in one stream, an hour old. */
async function seedGroups(url: string, groups: readonly string[], count: number): Promise<void> {
  const now = Date.now();
  for (const group of groups) {
    const events = Array.from({ length: count }, (_, i) => ({
      stream: "s",
      timestamp: now - 3_600_000 + i * 1000,
      message: `${group} ${i}`,
    }));
    await seedGroup(url, group, events);
  }
}

describe("a log group deleted while a sync runs (moto)", () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
    await seedGroups(moto.url, ["/kept", "/vanishing"], 20);
  });
  after(async () => moto.stop());

  it("says the log group went away since the sync listed it, and stores the others", async () => {
    // The first DescribeLogGroups (discover's) goes on; the read's listing is held.
    const holder = await holdingProxy(moto.url, (t, before) => t.endsWith("DescribeLogGroups") && before > 0);
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    try {
      let ended = false;
      const run = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const args = [MAIN, "sync", "--config", simConfig(dir, holder.url), "--database", database];
        execFile(process.execPath, args, (err, stdout, stderr) => {
          ended = true;
          resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
        });
      });
      // Discover has listed both groups; the read's listing waits while /vanishing is deleted.
      while (!holder.holding()) {
        if (ended) assert.fail(`sync ended before its read listed the log groups: ${(await run).stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const client = logsClient(moto.url);
      try {
        await client.send(new DeleteLogGroupCommand({ logGroupName: "/vanishing" }));
      } finally {
        client.destroy();
      }
      holder.release();
      const { code, stdout, stderr } = await run;
      assertNoSecrets("sync", stdout, stderr);
      // The summary wraps its notes to the screen's width.
      const output = (stdout + stderr).replace(/\s+/g, " ");
      assert.notEqual(code, 0, output);
      assert.match(
        output,
        /Log group "\/vanishing" was listed when this sync started but is no longer in us-east-1 \(deleted since\); the next sync lists the log groups again/,
      );
      assert.doesNotMatch(output, /discover again|catalog/, "no advice meant for Airbyte users");
      const stored = await readDatabase(database);
      assert.equal(stored.tables.get("/kept")?.length, 20, output);
      assert.equal(stored.tables.get("/vanishing")?.length ?? 0, 0);
    } finally {
      holder.release();
      await holder.close();
    }
  });
});

describe("a log group deleted between two syncs (moto)", () => {
  let moto: Moto;
  before(async () => {
    moto = await startMoto();
    await seedGroups(moto.url, ["/stays", "/goes"], 5);
  });
  after(async () => moto.stop());

  const sync = (config: string, database: string, ...more: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [MAIN, "sync", "--config", config, "--database", database, ...more],
        (err, out, errs) => {
          assertNoSecrets("sync", out, errs);
          // The summary wraps its notes to the screen's width.
          resolve({ code: err ? Number(err.code) : 0, output: `${out}${errs}`.replace(/\s+/g, " ") });
        },
      );
    });

  it("says the stream synced before is no longer listed, and keeps its rows", async () => {
    const dir = tempDir();
    const config = simConfig(dir, moto.url);
    const database = join(dir, "logs.duckdb");
    const first = await sync(config, database);
    assert.equal(first.code, 0, first.output);
    assert.doesNotMatch(first.output, /no longer listed/);
    const client = logsClient(moto.url);
    try {
      await client.send(new DeleteLogGroupCommand({ logGroupName: "/goes" }));
    } finally {
      client.destroy();
    }
    const second = await sync(config, database);
    assert.equal(second.code, 0, second.output);
    assert.match(
      second.output,
      /"\/goes" was synced here before but discover no longer lists it in us-east-1 \(deleted, or no longer selected by the config\); it was not synced, and its rows are kept/,
    );
    const stored = await readDatabase(database);
    assert.equal(stored.tables.get("/goes")?.length, 5, second.output);
    assert.equal(stored.tables.get("/stays")?.length, 5, second.output);
    // Streams chosen by --streams: the others are left out on purpose, so nothing is said.
    const chosen = await sync(config, database, "--streams", "/stays");
    assert.equal(chosen.code, 0, chosen.output);
    assert.doesNotMatch(chosen.output, /no longer/);
  });
});
