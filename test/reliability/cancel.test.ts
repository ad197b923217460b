// Cancellation: SIGTERM (how Airbyte cancels) and SIGINT at seeded random points of `read`,
// behind a slow consumer. The connector must exit promptly with 143/130, leave only complete,
// valid lines, and resuming from its last states must give exactly the remaining events.
// Also: a STATE reaches stdout while the run goes on, not when a buffer fills or the run ends.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { expectedEvents, startSimulator, type Simulator } from "../../sim/index.js";
import type { AirbyteMessage, AirbyteStateMessage } from "../../src/airbyte/protocol.js";
import { MAIN, catalogFor, registerSecrets, tempDir, writeJson } from "../support/connector.js";
import { parseMessages } from "../support/protocol.js";
import { fileSegment } from "../../src/sinks/file-names.js";
import { prng } from "../support/prng.js";
import { runSignalled } from "../support/signalled.js";

const KEYS = { aws_access_key_id: "AKIACANCELTEST000001", aws_secret_access_key: "cancel-secret-00000000000001" };
const EXIT_CODES: Record<string, number> = { SIGTERM: 143, SIGINT: 130 };

interface Event {
  logGroupName: string;
  logStreamName: string;
  eventId: string;
  timestamp: number;
}

const keyOf = (e: Event) => `${e.logGroupName}|${e.logStreamName}|${e.eventId}`;
const watermarkOf = (s: AirbyteStateMessage) => (s.stream!.stream_state as { timestamp: number }).timestamp;
const watermarkFor = (states: readonly AirbyteStateMessage[], stream: string) => {
  const s = states.find((x) => x.stream!.stream_descriptor.name === stream);
  return s ? watermarkOf(s) : undefined;
};

/** Records a destination commits: those of a stream followed by a STATE of that stream. */
function committedRecords(messages: readonly AirbyteMessage[]): Event[] {
  const pending = new Map<string, Event[]>();
  const committed: Event[] = [];
  for (const m of messages) {
    if (m.type === "RECORD") {
      const list = pending.get(m.record!.stream) ?? [];
      list.push(m.record!.data as unknown as Event);
      pending.set(m.record!.stream, list);
    } else if (m.type === "STATE") {
      const name = m.state!.stream!.stream_descriptor.name;
      committed.push(...(pending.get(name) ?? []));
      pending.delete(name);
    }
  }
  return committed;
}

function statuses(messages: readonly AirbyteMessage[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const m of messages) {
    const s = m.type === "TRACE" ? m.trace!.stream_status : undefined;
    if (!s) continue;
    out.set(s.stream_descriptor.name, [...(out.get(s.stream_descriptor.name) ?? []), s.status]);
  }
  return out;
}

describe("cancellation (simulator)", () => {
  const GROUPS = ["/cancel/api", "/cancel/worker", "/cancel/jobs"];
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 909,
        quotas: "none",
        latency: { fixedMs: 15 },
        logGroups: GROUPS.map((name, i) => ({
          name,
          creationTime: "now-4d",
          streams: { count: 2 + i },
          timeRange: { start: "now-3d", end: "now-1h" },
          events: { count: 25_000 },
          message: { shape: i === 1 ? "json" : "text", size: 100 },
        })),
      },
    });
  });
  after(async () => sim.stop());

  test("SIGTERM and SIGINT at random points: exit 143/130 promptly, whole lines, exact resume", {
    timeout: 600_000,
  }, async () => {
    const expected = new Map<string, Event>();
    for (const e of expectedEvents(sim.scenario, { withoutMessages: true })) expected.set(keyOf(e), e);
    const dir = tempDir();
    registerSecrets(KEYS.aws_access_key_id, KEYS.aws_secret_access_key);
    const config = writeJson(dir, "config.json", {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: sim.url,
      max_concurrency: 4,
    });
    const catalog = writeJson(dir, "catalog.json", catalogFor(GROUPS));
    const random = prng(20261201);
    const delivered = new Map<string, number>();
    const exitMs: number[] = [];
    let state: AirbyteStateMessage[] = [];
    let cancels = 0;
    for (let run = 1; ; run++) {
      assert.ok(run < 60, "the sync must eventually complete");
      const args = ["read", "--config", config, "--catalog", catalog];
      if (state.length > 0) args.push("--state", writeJson(dir, `state-${run}.json`, state));
      const signal = cancels % 2 === 0 ? "SIGTERM" : "SIGINT";
      // Early (a few lines in) or deep into the run, but well before its end (a record line per
      // event not yet under a state); after 10 cancels, a run to the end.
      const remaining = [...expected.values()].filter(
        (e) => e.timestamp >= (watermarkFor(state, e.logGroupName) ?? -Infinity),
      ).length;
      const afterLines = cancels < 10 ? 5 + Math.floor(random() ** 2 * remaining * 0.8) : Number.MAX_SAFE_INTEGER;
      const res = await runSignalled(args, { signal, afterLines, seed: run });
      const where = `run ${run} (${signal} after ${afterLines} lines): ${res.stderr}`;
      assert.equal(res.killedBy, null, `the connector handles ${signal} instead of dying of it; ${where}`);
      assert.ok(res.stdout === "" || res.stdout.endsWith("\n"), `the last stdout line is complete; ${where}`);
      const messages = parseMessages(res.stdout);
      assert.ok(!messages.some((m) => m.type === "TRACE" && m.trace!.type === "ERROR"), `no error trace; ${where}`);

      const resumedFrom = new Map(state.map((s) => [s.stream!.stream_descriptor.name, watermarkOf(s)]));
      for (const e of committedRecords(messages)) {
        const key = keyOf(e);
        assert.ok(expected.has(key), `unexpected record ${key}`);
        const seen = delivered.get(key) ?? 0;
        // Committed before, it may come again only at or above the state this run resumed from.
        if (seen > 0)
          assert.ok(
            e.timestamp >= (resumedFrom.get(e.logGroupName) ?? -Infinity),
            `${key} below the resumed state came again`,
          );
        delivered.set(key, seen + 1);
      }
      // A stream reported COMPLETE has every event of its range committed.
      for (const [stream, list] of statuses(messages)) {
        if (!list.includes("COMPLETE")) continue;
        const missing = [...expected.values()].filter((e) => e.logGroupName === stream && !delivered.has(keyOf(e)));
        assert.equal(missing.length, 0, `${stream} reported COMPLETE with ${missing.length} events missing; ${where}`);
      }
      const last = new Map(state.map((s) => [s.stream!.stream_descriptor.name, s]));
      for (const m of messages) if (m.type === "STATE") last.set(m.state!.stream!.stream_descriptor.name, m.state!);
      state = [...last.values()];

      if (res.code === 0) break;
      assert.ok(res.signalled, where);
      assert.equal(res.code, EXIT_CODES[signal], where);
      for (const [stream, list] of statuses(messages)) {
        // Cut short: ends INCOMPLETE (not COMPLETE, not left RUNNING); or it finished in time.
        assert.ok(list.at(-1) === "COMPLETE" || list.at(-1) === "INCOMPLETE", `${stream}: ${list.join(",")}; ${where}`);
      }
      exitMs.push(res.exitMs!);
      cancels++;
    }
    const lost = [...expected.keys()].filter((k) => !delivered.has(k));
    const duplicates = [...delivered.values()].reduce((n, c) => n + c - 1, 0);
    const worst = Math.max(...exitMs);
    console.error(
      `cancel: ${expected.size} events, ${cancels} cancels, exit after the signal in ${exitMs.map((m) => m.toFixed(0)).join(", ")} ms; ${duplicates} duplicates, ${lost.length} lost`,
    );
    // 10 are attempted; a run may finish before its signal once little is left.
    assert.ok(cancels >= 5, `cancelled ${cancels} times`);
    assert.equal(lost.length, 0, `lost ${lost.length} events, e.g. ${lost.slice(0, 3).join(", ")}`);
    // The aim is 2 s; the bound leaves room for a loaded machine.
    assert.ok(worst < 5000, `exited within 5 s of the signal (worst ${worst.toFixed(0)} ms)`);
  });
});

interface FileReference {
  readonly file_relative_path: string;
  readonly event_count: number;
}

describe("cancellation with file transfer (simulator)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 31,
        quotas: "none",
        latency: { fixedMs: 300 },
        logGroups: [
          {
            name: "/cancel/files",
            creationTime: "now-5d",
            streams: { count: 3 },
            timeRange: { start: "now-4d", end: "now-1h" },
            events: { count: 60_000 },
            message: { shape: "text", size: 60 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  test("SIGTERM: the state never passes an unannounced file; resuming completes every file exactly", {
    timeout: 120_000,
  }, async () => {
    const expected = [...expectedEvents(sim.scenario, { withoutMessages: true })];
    const dir = tempDir();
    const staging = join(dir, "staging");
    const folder = join(staging, fileSegment("/cancel/files"));
    registerSecrets(KEYS.aws_access_key_id, KEYS.aws_secret_access_key);
    const config = writeJson(dir, "config.json", {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: sim.url,
      max_concurrency: 1,
      delivery_method: { delivery_type: "use_file_transfer" },
    });
    const catalog = writeJson(dir, "catalog.json", catalogFor(["/cancel/files"]));
    const env = { AIRBYTE_STAGING_DIRECTORY: staging };
    const announced = new Map<string, number>();
    const announce = (messages: readonly AirbyteMessage[]) => {
      for (const m of messages) {
        if (m.type !== "RECORD") continue;
        const f = m.record!.data as unknown as FileReference;
        announced.set(f.file_relative_path, f.event_count);
      }
    };

    // Signalled once a day's files were announced (the 2nd STATE follows them), mid-way.
    const first = await runSignalled(["read", "--config", config, "--catalog", catalog], {
      signal: "SIGTERM",
      afterLines: 9,
      seed: 1,
      env,
    });
    assert.equal(first.code, 143, first.stderr);
    const messages = parseMessages(first.stdout);
    announce(messages);
    const states = messages.filter((m) => m.type === "STATE").map((m) => m.state!);
    const watermark = watermarkOf(states.at(-1)!);
    assert.ok(
      announced.size > 0 && watermark < Date.now() - 3_600_000,
      `cut mid-way: ${announced.size} files announced, state ${new Date(watermark).toISOString()}`,
    );
    const onDisk = readdirSync(folder, { recursive: true })
      .map(String)
      .filter((p) => p.endsWith(".log"));
    const unannounced = onDisk.filter((p) => !announced.has(p));
    for (const p of unannounced) {
      // A file is named by the first millisecond it covers.
      assert.ok(
        Number(basename(p, ".log")) >= watermark,
        `${p} is not announced but the state ${watermark} passed its start`,
      );
    }
    assert.ok(unannounced.length > 0, "a file was open at the signal (the case under test)");

    const second = await runSignalled(
      ["read", "--config", config, "--catalog", catalog, "--state", writeJson(dir, "state.json", [states.at(-1)])],
      {
        signal: "SIGTERM",
        afterLines: Number.MAX_SAFE_INTEGER,
        seed: 2,
        env,
      },
    );
    assert.equal(second.code, 0, second.stderr);
    announce(parseMessages(second.stdout));
    let lines = 0;
    for (const [path, count] of announced) {
      const text = readFileSync(join(folder, path), "utf8");
      assert.equal(text.split("\n").length - 1, count, `${path} holds what its announcement says`);
      lines += count;
    }
    assert.equal(lines, expected.length, "the announced files hold every event exactly once");
  });
});

describe("prompt STATE (simulator, slow pages)", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: {
        seed: 77,
        quotas: "none",
        // Slow pages: the run lasts seconds, while a STATE is worth sending as soon as it exists.
        latency: { fixedMs: 400 },
        logGroups: [
          {
            name: "/prompt/files",
            creationTime: "now-4d",
            streams: { count: 2 },
            timeRange: { start: "now-3d", end: "now-1h" },
            events: { count: 60_000 },
            message: { shape: "text", size: 60 },
          },
        ],
      },
    });
  });
  after(async () => sim.stop());

  test("file transfer: the first STATE is on stdout while pages are still being requested", {
    timeout: 120_000,
  }, async () => {
    const dir = tempDir();
    const staging = join(dir, "staging");
    registerSecrets(KEYS.aws_access_key_id, KEYS.aws_secret_access_key);
    const config = writeJson(dir, "config.json", {
      region_name: "us-east-1",
      ...KEYS,
      endpoint_url: sim.url,
      max_concurrency: 1,
      delivery_method: { delivery_type: "use_file_transfer" },
    });
    const catalog = writeJson(dir, "catalog.json", catalogFor(["/prompt/files"]));
    const child = spawn(process.execPath, [MAIN, "read", "--config", config, "--catalog", catalog], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...process.env, AIRBYTE_STAGING_DIRECTORY: staging },
    });
    const requests = () => sim.counters().requests.FilterLogEvents ?? 0;
    const lines: string[] = [];
    let requestsAtFirstState: number | undefined;
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line);
      if (requestsAtFirstState === undefined && line.startsWith('{"type":"STATE"')) requestsAtFirstState = requests();
    }
    const code = await new Promise<number | null>((resolve) =>
      child.exitCode !== null ? resolve(child.exitCode) : child.on("close", resolve),
    );
    assert.equal(code, 0);
    const messages = parseMessages(lines.join("\n"));
    const total = requests();
    const states = messages.filter((m) => m.type === "STATE");
    console.error(
      `prompt STATE: first of ${states.length} STATEs seen after ${requestsAtFirstState} of ${total} requests`,
    );
    assert.ok(states.length >= 2, `states advance during the run (${states.length})`);
    assert.ok(
      requestsAtFirstState !== undefined && requestsAtFirstState < total - 2,
      `the first STATE came while requests were still being made (${requestsAtFirstState} of ${total})`,
    );
    // Every file on disk is announced by the end.
    const announced = messages.filter((m) => m.type === "RECORD").length;
    const onDisk = readdirSync(join(staging, fileSegment("/prompt/files")), { recursive: true }).filter((p) =>
      String(p).endsWith(".log"),
    ).length;
    assert.equal(announced, onDisk);
  });
});
