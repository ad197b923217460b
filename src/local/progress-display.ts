// Shows the progress screen on a terminal, redrawn every ~500 ms and at once when the terminal is
// resized; draws nothing elsewhere (logs and pipes get only the final summary).
//
// The screen is drawn on the terminal's alternate screen, line by line at absolute positions, never
// with a newline: nothing scrolls, so no copy of it reaches the scrollback, and a resize (after
// which the terminal may have reflowed what was drawn at the old width) is answered by a full
// redraw from the top. When the sync ends the terminal's own screen comes back as it was, and the
// summary follows it.
import type { EventEmitter } from "node:events";
import type { Writable } from "node:stream";
import { renderProgress, type ProgressSnapshot } from "./progress.js";

export interface ProgressDisplay {
  stop(): void;
}

/** The stream to draw on: a terminal (tty.WriteStream) has isTTY, its size and a 'resize' event. */
type Screen = Writable & { isTTY?: boolean; columns?: number; rows?: number };

const ENTER = "\x1b[?1049h\x1b[?25l"; // alternate screen, cursor hidden
const LEAVE = "\x1b[?25h\x1b[?1049l"; // cursor shown, the terminal's own screen back

/** One frame: each line written at its row after clearing it, then the rest of the screen cleared. */
function frame(lines: readonly string[]): string {
  return `${lines.map((l, i) => `\x1b[${i + 1};1H\x1b[2K${l}`).join("")}\x1b[${lines.length + 1};1H\x1b[J`;
}

/**
 * `exits`: the process, whose 'exit' (say, on a second Ctrl-C, which exits at once) gives the
 * terminal its own screen and cursor back.
 */
export function startProgressDisplay(
  out: Screen,
  snapshot: () => ProgressSnapshot,
  exits?: EventEmitter,
  intervalMs = 500,
): ProgressDisplay {
  if (out.isTTY !== true) return { stop: () => undefined };
  // A terminal that does not tell its size is taken as the classic 80 x 24.
  const draw = (): void => {
    out.write(frame(renderProgress(snapshot(), out.columns ?? 80, out.rows ?? 24)));
  };
  // A terminal's writes are synchronous: this one is out before the process ends.
  const leave = (): void => {
    out.write(LEAVE);
  };
  out.write(ENTER);
  draw();
  const timer = setInterval(draw, intervalMs);
  out.on("resize", draw);
  exits?.once("exit", leave);
  return {
    stop() {
      clearInterval(timer);
      out.off("resize", draw);
      exits?.off("exit", leave);
      leave();
    },
  };
}

/**
 * While discover lists the log groups (a minute, against an endpoint that does not answer, before
 * the screen starts): one line on a terminal, saying what the sync waits for, cleared when it is
 * done; nothing elsewhere.
 */
export function showListing(out: Screen, region: string): ProgressDisplay {
  if (out.isTTY !== true) return { stop: () => undefined };
  const text = `Listing the log groups in ${region}... (Ctrl-C stops)`;
  // One column short of the width: a line that fills it moves the cursor to the next.
  out.write(text.slice(0, Math.max(0, (out.columns ?? 80) - 1)));
  return { stop: () => out.write("\r\x1b[2K") };
}
