// A command run in a pseudo-terminal (test/support/pty-relay.py) whose output feeds a headless terminal
// emulator (@xterm/headless): a test reads what a person would see, the screen and the scrollback,
// resizes the terminal and types Ctrl-C.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import xterm from "@xterm/headless";
import type { IBuffer, Terminal } from "@xterm/headless";
import { REPO_ROOT } from "./repo.js";

const PTY = join(REPO_ROOT, "test/support/pty-relay.py");

/**
 * The rows of a buffer as shown `columns` wide, and whether each continues the row before it (a
 * wrapped line). After a shrink the emulator keeps the cells past the new width (for a widening),
 * which no terminal shows.
 */
function rowsOf(buffer: IBuffer, from: number, to: number, columns: number): { text: string; wrapped: boolean }[] {
  const rows: { text: string; wrapped: boolean }[] = [];
  for (let y = from; y < to; y++) {
    const line = buffer.getLine(y);
    rows.push({ text: line?.translateToString(true, 0, columns) ?? "", wrapped: line?.isWrapped ?? false });
  }
  return rows;
}

export class PtyScreen {
  readonly terminal: Terminal;
  /** Resolves with the command's exit code once all of its output was shown. */
  readonly exit: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly watchers = new Set<(chunk: string) => void>();
  private output = "";
  private parsed = Promise.resolve();
  /** What the relay itself wrote on stderr (a Python error), for failure messages. */
  relayErrors = "";

  constructor(command: readonly string[], columns: number, rows: number, cwd: string) {
    this.terminal = new xterm.Terminal({ cols: columns, rows, scrollback: 10_000, allowProposedApi: true });
    this.child = spawn("python3", [PTY, String(columns), String(rows), ...command], {
      cwd,
      env: { ...process.env, TERM: "xterm-256color" },
    });
    this.child.stdout.on("data", (data: Buffer) => {
      const chunk = data.toString("latin1");
      this.output += chunk;
      // Each chunk is looked at once parsed: the samples a person would see between two reads.
      this.parsed = new Promise((resolve) =>
        this.terminal.write(data, () => {
          for (const w of this.watchers) w(chunk);
          resolve();
        }),
      );
    });
    this.child.stderr.on("data", (d: Buffer) => (this.relayErrors += d.toString()));
    this.exit = new Promise((resolve) => {
      this.child.on("exit", (code) => void this.parsed.then(() => resolve(code)));
      // No python3 on the PATH: the tests fail naming it (CI has it: moto_server runs on it).
      this.child.on("error", (err) => {
        this.relayErrors += `python3 ${PTY}: ${err.message}`;
        resolve(null);
      });
    });
  }

  /** Everything the command wrote to its terminal (escape sequences included). */
  get raw(): string {
    return this.output;
  }

  /** The end of the output and the relay's errors, for a failed assertion's message. */
  tail(): string {
    return `${this.output.slice(-2000)}\n${this.relayErrors}`;
  }

  /** The rows of the screen now (the alternate screen while a full-screen view is up). */
  screen(): { text: string; wrapped: boolean }[] {
    const b = this.terminal.buffer.active;
    return rowsOf(b, b.viewportY, b.viewportY + this.terminal.rows, this.terminal.cols);
  }

  /** The normal buffer's rows: its scrollback, then its screen. */
  normal(): { text: string; wrapped: boolean }[] {
    const b = this.terminal.buffer.normal;
    return rowsOf(b, 0, b.length, this.terminal.cols);
  }

  /** The rows that scrolled off the top of the normal screen. */
  scrollback(): { text: string; wrapped: boolean }[] {
    const b = this.terminal.buffer.normal;
    return rowsOf(b, 0, b.baseY, this.terminal.cols);
  }

  /** Calls `watcher` with each chunk of output once the terminal shows it; returns the unsubscribe. */
  onParsed(watcher: (chunk: string) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** The screen's rows as text, for a failure's message. */
  private screenText(): string {
    return this.screen()
      .map((r) => r.text)
      .join("\n");
  }

  /** Resolves when `holds` is true of what the terminal shows (checked as output arrives). */
  waitFor(what: string, holds: () => boolean, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      if (holds()) {
        resolve();
        return;
      }
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`timed out waiting for ${what}; the screen:\n${this.screenText()}`));
      }, timeoutMs);
      const stop = this.onParsed(() => {
        if (!holds()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
      void this.exit.then(() => {
        if (holds()) return;
        clearTimeout(timer);
        stop();
        reject(new Error(`the command ended before ${what}; the screen:\n${this.screenText()}`));
      });
    });
  }

  /** The terminal's window changes size: the emulator reflows, the command gets SIGWINCH. */
  resize(columns: number, rows: number): void {
    this.terminal.resize(columns, rows);
    this.child.stdin.write(`resize ${columns} ${rows}\n`);
  }

  /** Ctrl-C typed at the terminal. */
  interrupt(): void {
    this.child.stdin.write("interrupt\n");
  }

  dispose(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
    this.terminal.dispose();
  }
}
