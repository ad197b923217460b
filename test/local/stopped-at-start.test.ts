// A sync stopped before a stream's watermark moved (moto, behind a proxy that holds every
// FilterLogEvents): no state is made up from start_date for it, so the next sync starts it from
// start_date again (a corrected start_date takes effect) and does not take that state for one of
// an older log group of the same name ("deleted and made again?").
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { holdingProxy } from "../support/holding-proxy.js";
import { startMoto, type Moto } from "../support/moto.js";
import { seedGroup } from "../support/seed.js";
import { readDatabase, simConfig } from "./support.js";

/** A sync; with `stopWhen`, Ctrl-C once it holds (polled). */
function sync(
  config: string,
  database: string,
  stopWhen?: () => boolean,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, "sync", "--config", config, "--database", database], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const poll = setInterval(() => {
      if (!stopWhen?.()) return;
      clearInterval(poll);
      child.kill("SIGINT");
    }, 20);
    child.on("exit", (code) => {
      clearInterval(poll);
      assertNoSecrets("sync", output);
      resolve({ code, output });
    });
  });
}

describe("a sync stopped before a stream moved (moto)", () => {
  let moto: Moto;
  const now = Date.now();
  before(async () => {
    moto = await startMoto();
    const events = Array.from({ length: 10 }, (_, i) => ({
      stream: "s",
      timestamp: now - 3_600_000 + i * 1000,
      message: `m ${i}`,
    }));
    await seedGroup(moto.url, "/new", events);
  });
  after(async () => moto.stop());

  it("stores no state for it, and the next sync reads it whole without a warning", async () => {
    const dir = tempDir();
    const database = join(dir, "logs.duckdb");
    // start_date years before the group was made: a state at start_date is older than the group.
    const extra = { start_date: "2020-01-01T00:00:00Z" };
    const holder = await holdingProxy(moto.url, (t) => t.endsWith("FilterLogEvents"));
    try {
      // The stream's first request is held: Ctrl-C then, before any window was read.
      const stopped = await sync(simConfig(dir, holder.url, extra), database, () => holder.holding());
      assert.equal(stopped.code, 130, stopped.output);
      assert.match(
        stopped.output.replace(/\s+/g, " "),
        /1 stream stopped before any progress; run the same command again/,
      );
      const first = await readDatabase(database);
      assert.equal(first.states.get("/new"), undefined, "no state made up from start_date");
    } finally {
      holder.release();
      await holder.close();
    }
    const again = await sync(simConfig(dir, moto.url, extra), database);
    assert.equal(again.code, 0, again.output);
    assert.doesNotMatch(again.output, /deleted and made again/);
    assert.equal((await readDatabase(database)).tables.get("/new")?.length, 10, again.output);
  });
});
