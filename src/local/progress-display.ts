// Redraws the progress table on a terminal every ~500 ms; draws nothing elsewhere (logs and
// pipes get only the final summary).
import type { Writable } from "node:stream";
import { renderProgress, type ProgressSnapshot } from "./progress.js";

export interface ProgressDisplay {
  stop(): void;
}

export function startProgressDisplay(
  out: Writable & { isTTY?: boolean },
  snapshot: () => ProgressSnapshot,
  intervalMs = 500,
): ProgressDisplay {
  if (out.isTTY !== true) return { stop: () => undefined };
  let drawn = 0;
  const draw = (): void => {
    const lines = renderProgress(snapshot());
    // Up to the first line of the previous table, then rewrite it (clearing each line).
    const up = drawn > 0 ? `\x1b[${drawn}F` : "";
    out.write(`${up + lines.map((l) => `\x1b[2K${l}`).join("\n")}\n`);
    drawn = lines.length;
  };
  draw();
  const timer = setInterval(draw, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      draw();
    },
  };
}
