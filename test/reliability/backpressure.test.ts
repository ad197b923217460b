// A consumer that stops reading must not make the connector's memory grow: it waits.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { MAIN, catalogFor, tempDir, writeJson } from "../support/connector.js";
import { waitFor } from "../support/waits.js";

function rssMb(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

describe("back-pressure (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        quotas: "none",
        logGroups: [
          {
            name: "/bp/dense",
            creationTime: "now-3d",
            streams: { count: 4 },
            timeRange: { start: "now-2d", end: "now-1h" },
            events: { count: 300_000 },
            message: { shape: "text", size: 200 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  test("while stdout is not read the connector stalls at flat memory, then delivers everything", {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    const config = writeJson(dir, "config.json", {
      region_name: "us-east-1",
      aws_access_key_id: "AKIABACKPRESSURE001",
      aws_secret_access_key: "backpressure-secret-000000001",
      endpoint_url: sim.url,
    });
    const catalog = writeJson(dir, "catalog.json", catalogFor(["/bp/dense"]));
    const child = spawn(process.execPath, [MAIN, "read", "--config", config, "--catalog", catalog], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    child.stdout.pause();
    // The pipe fills within a moment; then the connector must wait, not buffer ~100 MB of records.
    // Sample only once fetching has stopped (nothing served for 2 s, four polls in a row), so a
    // slow machine's start-up or a pause of the scheduler is not read as growth.
    let last = -1;
    let quietPolls = 0;
    await waitFor(
      "the connector stops fetching while its stdout is not read",
      () => {
        const served = sim.counters().eventsServed;
        quietPolls = served > 0 && served === last ? quietPolls + 1 : 0;
        last = served;
        return quietPolls >= 4;
      },
      { everyMs: 500, timeoutMs: 90_000 },
    );
    const samples: number[] = [];
    for (let i = 0; i < 6; i++) {
      samples.push(rssMb(child.pid!));
      await new Promise((r) => setTimeout(r, 500));
    }
    const served = sim.counters().eventsServed;
    assert.ok(served < 300_000, `the connector stopped fetching while blocked (${served} events served)`);
    assert.ok(
      Math.max(...samples) < 300,
      `RSS stayed bounded while blocked: ${samples.map((s) => s.toFixed(0)).join(", ")} MB`,
    );
    assert.ok(
      Math.max(...samples) - Math.min(...samples) < 40,
      `RSS did not grow while blocked: ${samples.map((s) => s.toFixed(0)).join(", ")} MB`,
    );
    let records = 0;
    let tail = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      const text = tail + d;
      const lines = text.split("\n");
      tail = lines.pop() ?? "";
      for (const l of lines) if (l.startsWith('{"type":"RECORD"')) records++;
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 0);
    assert.equal(records, 300_000);
  });
});
