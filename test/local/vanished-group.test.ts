// A log group deleted between a sync's discover and its read (moto, through a proxy that holds the
// read's listing until the test has deleted it): that stream ends with a message for a sync, which
// lists the log groups itself, not Airbyte's advice to run discover again; the others are stored.
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { DeleteLogGroupCommand } from "@aws-sdk/client-cloudwatch-logs";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { startMoto, type Moto } from "../support/moto.js";
import { logsClient, seedGroup } from "../support/seed.js";
import { readDatabase, simConfig } from "./support.js";

/** A proxy that passes the first DescribeLogGroups (discover's) and holds the later ones until release(). */
async function listingHolder(target: string) {
  const held: (() => void)[] = [];
  let listings = 0;
  let released = false;
  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const out = request(`${target}${req.url ?? "/"}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.end(body);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const go = () => forward(req, res, Buffer.concat(chunks));
      const listing = String(req.headers["x-amz-target"] ?? "").endsWith("DescribeLogGroups");
      if (listing && !released && listings++ > 0) held.push(go);
      else go();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holding: () => held.length > 0,
    release: () => {
      released = true;
      for (const go of held.splice(0)) go();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("a log group deleted while a sync runs (moto)", () => {
  let moto: Moto;
  const now = Date.now();
  before(async () => {
    moto = await startMoto();
    for (const group of ["/kept", "/vanishing"]) {
      const events = Array.from({ length: 20 }, (_, i) => ({
        stream: "s",
        timestamp: now - 3_600_000 + i * 1000,
        message: `${group} ${i}`,
      }));
      await seedGroup(moto.url, group, events);
    }
  });
  after(async () => moto.stop());

  it("says the log group went away since the sync listed it, and stores the others", async () => {
    const holder = await listingHolder(moto.url);
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    try {
      const child = spawn(
        process.execPath,
        [MAIN, "sync", "--config", simConfig(dir, holder.url), "--database", database],
        {
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
      // Discover has listed both groups; the read's listing waits while /vanishing is deleted.
      while (!holder.holding()) {
        if (child.exitCode !== null) assert.fail(`sync ended before its read listed the log groups: ${stderr}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const client = logsClient(moto.url);
      try {
        await client.send(new DeleteLogGroupCommand({ logGroupName: "/vanishing" }));
      } finally {
        client.destroy();
      }
      holder.release();
      const code = await exited;
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
