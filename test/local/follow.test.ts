// `sync --follow` as a child process against the simulator: events that arrive between cycles
// (PutLogEvents, and a new log group) are stored exactly once by the next cycles, events younger
// than the ingestion delay wait, an outage of the endpoint fails cycles that are retried with
// nothing lost, and Ctrl-C or SIGTERM during the wait stop at once (130, 143). The test waits on
// the lines of stderr, never on time: which cycle picks up events that arrive while it starts is
// the machine's business, so counts are summed over the cycles until they are all in.
import { strict as assert } from "node:assert";
import { type ChildProcess, spawn } from "node:child_process";
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import { expectedEvents, startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { putEvents, seedGroup } from "../support/seed.js";
import { keyOf, readDatabase, simConfig } from "./support.js";

// An hour: the "young" event below stays unread for longer than this file runs.
const DELAY_S = 3600;

const scenario: ScenarioFile = {
  seed: 23,
  quotas: "none",
  logGroups: [
    {
      name: "/app",
      streams: { count: 2, namePattern: "s-{index}" },
      timeRange: { start: "now-4h", end: "now-2h" },
      events: { count: 2000 },
      message: { shape: "text", size: 60 },
    },
  ],
};

/** A `sync --follow` child: its stderr read line by line, waited on by content. */
class FollowChild {
  /** Those still running, stopped after the tests whatever happened (a follow never ends alone). */
  static readonly running = new Set<FollowChild>();
  private readonly child: ChildProcess;
  private closed = false;
  private readonly lines: string[] = [];
  private cursor = 0;
  private stdout = "";
  private stderr = "";
  private wake: () => void = () => undefined;
  private readonly exited: Promise<number | null>;

  constructor(args: readonly string[], cwd: string) {
    this.child = spawn(process.execPath, [MAIN, "sync", "--follow", ...args], {
      cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr!.on("data", (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: this.child.stderr! }).on("line", (line) => {
      this.lines.push(line);
      this.wake();
    });
    FollowChild.running.add(this);
    // "close", not "exit": every line of stderr has been read by then.
    this.exited = new Promise((resolve) =>
      this.child.on("close", (code) => {
        this.closed = true;
        FollowChild.running.delete(this);
        this.wake();
        resolve(code);
      }),
    );
  }

  /** The next line of stderr that `test` accepts (those before it are passed over). */
  async line(test: (line: string) => boolean): Promise<string> {
    for (;;) {
      while (this.cursor < this.lines.length) {
        const line = this.lines[this.cursor++]!;
        if (test(line)) return line;
      }
      if (this.closed) assert.fail(`sync --follow exited ${this.child.exitCode}:\n${this.stderr}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** The next cycle's line. */
  cycle(): Promise<CycleLine> {
    return this.line((l) => l.startsWith("cycle ")).then(parseCycle);
  }

  /**
   * Cycles until `total` new records are in; each line is checked. At most `max` cycles (a count,
   * not a time: events that never come fail the test instead of holding it).
   */
  async cyclesUntil(total: number, max = 20): Promise<CycleLine[]> {
    const seen: CycleLine[] = [];
    let sum = 0;
    while (sum < total) {
      assert.ok(seen.length < max, `${sum} of ${total} new records after ${max} cycles`);
      const c = await this.cycle();
      assert.equal(c.failed, false, c.text);
      sum += c.fresh;
      seen.push(c);
    }
    assert.equal(sum, total, seen.map((c) => c.text).join("\n"));
    return seen;
  }

  kill(): void {
    this.child.kill("SIGKILL");
  }

  /** Sends `signal` (none: waits for the child to end alone); its exit code and output. */
  async stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string }> {
    if (signal) this.child.kill(signal);
    const code = await this.exited;
    assertNoSecrets("sync --follow", this.stdout, this.stderr);
    return { code, stdout: this.stdout, stderr: this.stderr };
  }
}

interface CycleLine {
  readonly text: string;
  readonly n: number;
  readonly fresh: number;
  readonly failed: boolean;
}

function parseCycle(text: string): CycleLine {
  const m =
    /^cycle (\d+) \(\d\d:\d\d:\d\d UTC\)(?:: (\d+) new records, \d+ re-read, \d+\/\d+ streams complete, \d+\.\d s; waiting until (?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC$| failed after \d+\.\d s: (.+); retrying at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC \(\d+ failed cycles? in a row\)$)/.exec(
      text,
    );
  assert.ok(m, `not a cycle line: ${text}`);
  return { text, n: Number(m[1]), fresh: Number(m[2] ?? 0), failed: m[3] !== undefined };
}

/** `count` events at `from`, `from + 1`, ... (ms). */
function events(count: number, from: number, tag: string) {
  return Array.from({ length: count }, (_, i) => ({ timestamp: from + i, message: `${tag} ${i}` }));
}

/**
 * A TCP proxy in front of the simulator that can go away (connections refused, open ones cut)
 * and come back on the same port: an endpoint outage, with the simulator's data kept.
 */
class Outage {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: number) {}

  async up(): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection(this.target, "127.0.0.1");
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
  }
}

describe("sync --follow", () => {
  let sim: Simulator;
  let generated: number;
  before(async () => {
    sim = await startSimulator({ scenario });
    generated = [...expectedEvents(sim.scenario, { visibleAt: sim.now(), withoutMessages: true })].length;
  });
  after(async () => {
    for (const child of FollowChild.running) child.kill();
    await sim.stop();
  });

  it("stores what arrives between cycles exactly once, a new log group included, and leaves younger events for later", async () => {
    const dir = tempDir();
    const database = join(dir, "f.duckdb");
    const config = simConfig(dir, sim.url, { ingestion_delay_seconds: DELAY_S });
    const child = new FollowChild(["--interval", "1", "--config", config, "--database", database], dir);

    const first = await child.cycle();
    assert.deepEqual([first.n, first.fresh, first.failed], [1, generated, false], first.text);

    // Old enough to be read (the delay ago), and one event younger than the delay.
    const p = Date.now();
    await putEvents(sim.url, "/app", "live", [...events(5, p - DELAY_S * 1000, "a"), ...events(1, p, "young")], true);
    await seedGroup(
      sim.url,
      "/new",
      events(3, p - DELAY_S * 1000, "n").map((e) => ({ ...e, stream: "x" })),
    );
    const second = await child.cyclesUntil(8);
    // The next cycle finds nothing new: nothing twice, and the young event still waits.
    assert.equal((await child.cycle()).fresh, 0);

    const q = Date.now();
    await putEvents(sim.url, "/app", "live", events(7, q - DELAY_S * 1000, "b"));
    const third = await child.cyclesUntil(7);
    assert.equal((await child.cycle()).fresh, 0);

    const cycles = [first, ...second, ...third].map((c) => c.n);
    assert.deepEqual(
      cycles,
      [...cycles].sort((a, b) => a - b),
    );
    const stopped = await child.stop("SIGINT");
    assert.equal(stopped.code, 130, stopped.stderr);
    assert.match(
      stopped.stdout,
      new RegExp(`^Followed until SIGINT: \\d+ cycles \\(0 failed\\), ${generated + 15} new records \\(0 re-read\\)`),
    );
    assert.doesNotMatch(stopped.stderr, /MaxListenersExceeded|Warning/);

    const db = await readDatabase(database);
    const app = db.tables.get("/app")!;
    assert.equal(new Set(app.map(keyOf)).size, app.length, "no key twice");
    assert.equal(app.length, generated + 12);
    assert.equal(app.filter((r) => r.logStreamName === "live").length, 12, "the young event is not stored yet");
    assert.equal(db.tables.get("/new")!.length, 3);
  });

  it("an endpoint outage fails cycles that are retried with a longer wait; the next good cycle loses nothing", async () => {
    const dir = tempDir();
    const database = join(dir, "o.duckdb");
    const proxy = new Outage(sim.port);
    await proxy.up();
    const config = simConfig(dir, `http://127.0.0.1:${proxy.port}`, { ingestion_delay_seconds: DELAY_S });
    const child = new FollowChild(["--interval", "1", "--config", config, "--database", database], dir);
    try {
      const first = await child.cycle();
      assert.equal(first.n, 1);
      const before = first.fresh;

      await proxy.down();
      // Arrives while the endpoint is away.
      await putEvents(sim.url, "/app", "outage", events(4, Date.now() - DELAY_S * 1000, "o"), true);
      // The first failed cycle may be one that the outage cut short (a stream failed); the second
      // cannot reach the endpoint at all, and waits longer.
      await child.line((l) =>
        /; retrying at (?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC \(1 failed cycle in a row\)$/.test(l),
      );
      const failed = await child.line((l) => / \(2 failed cycles in a row\)$/.test(l));
      assert.match(
        failed,
        /^cycle \d+ \(.*\) failed after \d+\.\d s: Cannot reach CloudWatch Logs at http:\/\/127\.0\.0\.1:\d+ while running sync/,
      );

      await proxy.up();
      const next = await child.line((l) => /^cycle \d+ \(.*\): \d+ new records/.test(l));
      const recovered = [parseCycle(next)];
      if (recovered[0]!.fresh < 4) recovered.push(...(await child.cyclesUntil(4 - recovered[0]!.fresh)));
      assert.equal(
        recovered.reduce((n, c) => n + c.fresh, 0),
        4,
      );
      const stopped = await child.stop("SIGTERM");
      assert.equal(stopped.code, 143, stopped.stderr);
      assert.match(stopped.stdout, /^Followed until SIGTERM: \d+ cycles \([1-9]\d* failed\)/);

      const db = await readDatabase(database);
      const app = db.tables.get("/app")!;
      assert.equal(new Set(app.map(keyOf)).size, app.length);
      assert.equal(app.filter((r) => r.logStreamName === "outage").length, 4);
      const others = [...db.tables.values()].flat().filter((r) => r.logStreamName !== "outage");
      assert.equal(others.length, before, "the first cycle's rows, and nothing else");
    } finally {
      await proxy.down();
    }
  });

  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    it(`${signal} during the wait stops at once with exit ${code}`, async () => {
      const dir = tempDir();
      const database = join(dir, "w.duckdb");
      const config = simConfig(dir, sim.url, { ingestion_delay_seconds: DELAY_S });
      // An hour's wait: the test ends only if the signal ends it.
      const child = new FollowChild(["--config", config, "--database", database, "--interval=3600"], dir);
      const first = await child.cycle();
      assert.match(first.text, /; waiting until (?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC$/);
      const stopped = await child.stop(signal);
      assert.equal(stopped.code, code, stopped.stderr);
      assert.match(
        stopped.stdout,
        new RegExp(`^Followed until ${signal}: 1 cycle \\(0 failed\\), ${first.fresh} new records \\(0 re-read\\)`),
      );
      assert.match(stopped.stdout, /^ {2}\/app +\d+ {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
      const db = await readDatabase(database);
      assert.ok(db.tables.get("/app")!.length >= generated);
    });
  }

  it("a configuration error at the first cycle exits 1 at once, naming the flag that set it", async () => {
    const dir = tempDir();
    const config = simConfig(dir, sim.url);
    const child = new FollowChild(
      ["--config", config, "--prefix", "/nothing-here", "--database", join(dir, "e.duckdb")],
      dir,
    );
    const line = await child.line(() => true);
    assert.match(line, /^source-cloudwatch-logs sync: .*--prefix "\/nothing-here"/);
    const stopped = await child.stop();
    assert.equal(stopped.code, 1, stopped.stderr);
    assert.equal(stopped.stdout, "");
  });
});
