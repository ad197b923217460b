// A local command's failure as a person sees it on a terminal: the message broken at spaces to the
// terminal's width (a terminal would cut words), whole on one line off a terminal (logs, grep).
import { strict as assert } from "node:assert";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startSimulator, type Simulator } from "../../sim/index.js";
import { failureText } from "../../src/local/terminal.js";
import { MAIN, tempDir } from "../support/connector.js";
import { PtyScreen } from "../support/screen.js";
import { simConfig } from "./support.js";

const USAGE_ERROR =
  "source-cloudwatch-logs sync: sync needs --region REGION (with --profile, --prefix, --since as needed), or --config FILE.";

/** The rows the command left on a terminal of `columns` x 24, once it has ended. */
async function shown(
  args: readonly string[],
  columns: number,
  cwd: string,
): Promise<{ text: string; wrapped: boolean }[]> {
  const screen = new PtyScreen([process.execPath, MAIN, ...args], columns, 24, cwd);
  assert.equal(await screen.exit, 1, screen.tail());
  const rows = screen.normal().filter((r) => r.text !== "");
  assert.ok(rows.length > 0, screen.tail());
  return rows;
}

describe("a local command's failure on a terminal", () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      scenario: { seed: 1, logGroups: [{ name: "/app/api", streams: ["a"], events: { count: 1 } }] },
    });
  });
  after(async () => sim.stop());

  it("an argument error fits 80 columns, its words whole, and is one line at 200", async () => {
    const dir = tempDir();
    const narrow = await shown(["sync", "--since", "2h"], 80, dir);
    assert.deepEqual(
      narrow.filter((r) => r.wrapped),
      [],
    );
    const message = narrow.slice(
      0,
      narrow.findIndex((r) => r.text.startsWith("usage: ")),
    );
    assert.ok(message.length > 1, "the message took more than one row");
    assert.equal(message.map((r) => r.text.trimEnd()).join(" "), USAGE_ERROR);
    const wide = await shown(["sync", "--since", "2h"], 200, dir);
    assert.equal(wide[0]?.text.trimEnd(), USAGE_ERROR);
    assert.match(wide[1]?.text ?? "", /^usage: /);
  });

  it("a failure while syncing fits 80 columns, its words whole", async () => {
    const dir = tempDir();
    const config = simConfig(dir, sim.url, { log_group_prefix: "/nothing/" });
    const rows = await shown(["sync", "--config", config, "--database", join(dir, "x.duckdb")], 80, dir);
    assert.deepEqual(
      rows.filter((r) => r.wrapped),
      [],
    );
    const text = rows.map((r) => r.text.trimEnd()).join(" ");
    assert.match(text, /^source-cloudwatch-logs sync: No stream found: .* Nothing was written to \S*x\.duckdb\.$/);
  });

  it("while discover waits for an endpoint that never answers, a line says so; then the error counts the attempts", async () => {
    // Accepts connections and says nothing.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const dir = tempDir();
      const { port } = silent.address() as AddressInfo;
      const config = simConfig(dir, `http://127.0.0.1:${port}`, { request_timeout_seconds: 1 });
      const screen = new PtyScreen(
        [process.execPath, MAIN, "sync", "--config", config, "--database", join(dir, "x.duckdb")],
        80,
        24,
        dir,
      );
      try {
        const listing = "Listing the log groups in us-east-1... (Ctrl-C stops)";
        await screen.waitFor("the listing line", () => screen.screen().some((r) => r.text === listing));
        assert.equal(await screen.exit, 1, screen.tail());
        const rows = screen.normal().filter((r) => r.text !== "");
        assert.ok(!rows.some((r) => r.text.includes("Listing")), "the line is cleared");
        assert.deepEqual(
          rows.filter((r) => r.wrapped),
          [],
        );
        assert.match(
          rows.map((r) => r.text.trimEnd()).join(" "),
          /^source-cloudwatch-logs sync: CloudWatch Logs at \S+ did not answer while running sync: .* no answer within 1 s \(request_timeout_seconds\); gave up after 2 attempts\. /,
        );
      } finally {
        screen.dispose();
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("failureText", () => {
  const message = `--streams: "a  b" not found; discover offers ${"x".repeat(90)}\nusage: ...`;

  it("off a terminal: the first line whole", () => {
    assert.equal(
      failureText("sync", message, { isTTY: false, columns: 40 }),
      `source-cloudwatch-logs sync: ${message}\n`,
    );
    assert.equal(failureText("sync", message, {}), `source-cloudwatch-logs sync: ${message}\n`);
  });

  it("on a terminal: broken at single spaces, a quoted value's spaces kept, a longer word whole", () => {
    const lines = failureText("sync", message, { isTTY: true, columns: 40 }).split("\n");
    assert.deepEqual(lines, [
      "source-cloudwatch-logs sync: --streams:",
      '"a  b" not found; discover offers',
      "x".repeat(90),
      "usage: ...",
      "",
    ]);
  });
});
