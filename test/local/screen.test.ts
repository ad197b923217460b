// `sync`'s screen as a person sees it: the built connector in a pseudo-terminal (80x24, 200x50,
// and resized from one to the other) syncing 52 log groups of the simulator, its output shown by a
// headless terminal emulator. Sampled as the output arrives: every frame fits the terminal, the
// header is there once, nothing of the screen reaches the scrollback; at the end the summary.
// The four syncs run at once: each lasts as long as its rate limit makes it, not longer together.
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startSimulator, type ScenarioFile, type Simulator } from "../../sim/index.js";
import { MAIN, assertNoSecrets, tempDir } from "../support/connector.js";
import { PtyScreen } from "../support/screen.js";
import { simConfig } from "./support.js";

// 52 groups of a few hundred to a few thousand events (several requests for the biggest), and
// the connector held to 5 requests per second by its own limit: the sync lasts about 10 s
// whatever the machine's speed, so the screen is drawn many times.
const GROUPS = 52;
const scenario: ScenarioFile = {
  seed: 11,
  quotas: "none",
  latency: { fixedMs: 50 },
  groupSets: [
    {
      namePrefix: "/aws/lambda/checkout-service-",
      count: GROUPS,
      totalEvents: 40_000,
      distribution: "power-law",
      alpha: 1.0,
      streams: { count: 3, namePattern: "i-{index}" },
      timeRange: { start: "now-2d", end: "now-10m" },
      message: { shape: "text", size: 100 },
      ingestion: { minDelayMs: 10, maxDelayMs: 200 },
    },
  ],
};

const HEADER = /^stream\s+status\s+records\s+events\/s\s+reached \(UTC\)\s+left$/;
const COUNTS = /^\d+ running, \d+ waiting, (\d+ storing, )?\d+ pending, \d+ complete/;

/**
 * What is wrong with the screen now for a progress view on `rows` rows (a line too wide wraps). `whole`: a frame
 * was just drawn to its end; otherwise the screen may hold the top of the next frame over the
 * bottom of the last one, which must still fit.
 */
function frameProblems(screen: PtyScreen, rows: number, whole = true): string[] {
  const problems: string[] = [];
  const shown = screen.screen();
  if (shown.length !== rows) problems.push(`${shown.length} rows on a screen of ${rows}`);
  if (shown.some((r) => r.wrapped)) problems.push("a line wrapped");
  // The terminal itself echoes a typed Ctrl-C where the cursor is.
  if (shown.at(-1)?.text !== "" && shown.at(-1)?.text !== "^C") problems.push("the last row (the cursor's) is used");
  const headers = shown.filter((r) => HEADER.test(r.text)).length;
  if (headers > 1 || (whole && headers === 0)) problems.push(`${headers} headers`);
  if (whole && !shown.some((r) => COUNTS.test(r.text))) problems.push("no line counting the streams");
  if (whole && !shown.some((r) => /\d+ streams, \d+ records/.test(r.text))) problems.push("no totals");
  // Nothing of the screen in the scrollback, nor on the terminal's own screen behind the alternate one.
  const behind = screen.terminal.buffer.active.type === "alternate" ? screen.normal() : screen.scrollback();
  if (behind.some((r) => HEADER.test(r.text) || COUNTS.test(r.text)))
    problems.push("a copy of the screen in the scrollback");
  return problems;
}

interface Watched {
  /** Samples taken while the progress screen was up, and those right after a whole frame. */
  samples: number;
  frames: number;
  /** Problems seen at any sample (none expected). */
  problems: string[];
  /** Whether a sample showed an overall time left ("~12s left", not "estimating"). */
  eta: boolean;
  /** Whether a sample showed a stream waiting for a worker. */
  waiting: boolean;
}

/** Checks every sample taken while the progress screen is up, unless `paused()`. */
function watch(screen: PtyScreen, rows: () => number, paused: () => boolean): Watched {
  const seen: Watched = { samples: 0, frames: 0, problems: [], eta: false, waiting: false };
  screen.onParsed((chunk) => {
    // While the sync runs: until its summary begins.
    if (paused() || /(Synced|Interrupted): /.test(screen.raw)) return;
    // A frame ends by clearing the rest of the screen; a read may end in the middle of one.
    const whole = chunk.endsWith("\x1b[J");
    seen.samples++;
    if (whole) seen.frames++;
    for (const p of frameProblems(screen, rows(), whole))
      if (seen.problems.length < 10) seen.problems.push(`${p} (sample ${seen.samples})`);
    const text = screen.screen().map((r) => r.text);
    if (text.some((l) => /~\d+[smh]\S* left$/.test(l))) seen.eta = true;
    if (text.some((l) => /\swaiting\s/.test(l))) seen.waiting = true;
  });
  return seen;
}

/** After the sync: the terminal's own screen back, with the summary, no line wrapped, no copy of the screen. */
function assertSummary(screen: PtyScreen, finalLine: RegExp): string[] {
  assert.equal(screen.terminal.buffer.active.type, "normal", "back on the terminal's own screen");
  const rows = screen.normal();
  assert.deepEqual(
    rows.filter((r) => HEADER.test(r.text) || COUNTS.test(r.text)).map((r) => r.text),
    [],
    "no copy of the progress screen",
  );
  assert.deepEqual(
    rows.filter((r) => r.wrapped).map((r) => r.text),
    [],
    "no summary line wrapped",
  );
  const text = rows.map((r) => r.text);
  assert.ok(
    text.some((l) => finalLine.test(l)),
    text.join("\n"),
  );
  assertNoSecrets("sync on a terminal", screen.raw);
  return text;
}

describe("sync's screen in a terminal", { concurrency: true }, () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ scenario });
  });
  after(async () => sim.stop());

  function startSync(columns: number, rows: number): PtyScreen {
    const dir = tempDir();
    const config = simConfig(dir, sim.url, { max_requests_per_second: 5 });
    const args = [process.execPath, MAIN, "sync", "--config", config, "--database", join(dir, "x.duckdb")];
    return new PtyScreen(args, columns, rows, dir);
  }

  for (const [columns, rows] of [
    [80, 24],
    [200, 50],
  ] as const) {
    it(`fits ${columns}x${rows} all along, with an overall time left, and ends with the summary`, async () => {
      const screen = startSync(columns, rows);
      try {
        const seen = watch(
          screen,
          () => rows,
          () => false,
        );
        const code = await screen.exit;
        assert.equal(code, 0, screen.tail());
        assert.deepEqual(seen.problems, []);
        assert.ok(seen.frames > 5, `${seen.frames} samples of the screen`);
        assert.ok(seen.eta, "the overall time left was shown while running");
        const text = assertSummary(screen, /^Synced: \d+ records committed \(\d+ new\)/);
        assert.equal(
          text.filter((l) => /^ {2}\/aws\/lambda\/checkout-service-\d+\s+COMPLETE\s+\d+\s/.test(l)).length,
          GROUPS,
        );
      } finally {
        screen.dispose();
      }
    });
  }

  it("redraws cleanly when the terminal shrinks from 200x50 to 80x24 during the sync", async () => {
    const screen = startSync(200, 50);
    let rows = 50;
    let resizing = false;
    try {
      const seen = watch(
        screen,
        () => rows,
        () => resizing,
      );
      await screen.waitFor("the first frame at 200x50", () => frameProblems(screen, 50).length === 0);
      // From the resize until the redraw the terminal shows the old frame cut or reflowed (as any
      // terminal would); then the screen must be clean again, and stay so.
      resizing = true;
      rows = 24;
      screen.resize(80, 24);
      await screen.waitFor("a clean frame at 80x24", () => frameProblems(screen, 24).length === 0);
      resizing = false;
      const frames = seen.frames;
      await screen.waitFor("more frames at 80x24", () => seen.frames > frames + 3);
      const code = await screen.exit;
      assert.equal(code, 0, screen.tail());
      assert.deepEqual(seen.problems, []);
      assertSummary(screen, /^Synced: \d+ records committed/);
    } finally {
      screen.dispose();
    }
  });

  it("on Ctrl-C, ends with a summary that counts the streams not started in one line", async () => {
    const screen = startSync(80, 24);
    try {
      const seen = watch(
        screen,
        () => 24,
        () => false,
      );
      // Some streams complete, some not started yet.
      const counts = () =>
        screen
          .screen()
          .map((r) => COUNTS.exec(r.text)?.[0])
          .find((c) => c !== undefined);
      await screen.waitFor("a complete stream while others are pending", () => {
        const m = /(\d+) pending, (\d+) complete/.exec(counts() ?? "");
        return m !== null && Number(m[1]) >= 10 && Number(m[2]) >= 1;
      });
      screen.interrupt();
      const code = await screen.exit;
      assert.equal(code, 130, screen.tail());
      assert.deepEqual(seen.problems, []);
      assert.ok(seen.frames > 0, "the screen was drawn before Ctrl-C");
      // The count line, wrapped at 80 columns when it also counts streams stopped at their start.
      const text = assertSummary(
        screen,
        /^ {2}\d+ streams not started(, \d+ stopped before any progress)?; run the same/,
      );
      assert.match(text.join("\n"), /^Interrupted: \d+ records committed/m);
      const listed = text.filter((l) => /^ {2}\/aws\/lambda\/checkout-service-\d+\s/.test(l)).length;
      const counted =
        /^ {2}(\d+) streams not started(?:, (\d+) stopped before any progress)?; run the same command\s+again to continue$/m.exec(
          text.join("\n"),
        );
      assert.ok(counted, text.join("\n"));
      assert.equal(listed + Number(counted[1]) + Number(counted[2] ?? 0), GROUPS, text.join("\n"));
    } finally {
      screen.dispose();
    }
  });
});
