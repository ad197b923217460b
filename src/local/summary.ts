// The human summary `sync` prints on stdout when it ends (completed, failed or interrupted).
import type { ProgressSnapshot } from "./progress.js";
import { WIDTH, wrap } from "./terminal.js";

/** After a stop: what is kept, and how to go on (sync's and --follow's summaries). */
export const STORED_UP_TO = "Stored up to each stream's time above; run the same command again to continue.";

export interface SummaryInput {
  readonly snapshot: ProgressSnapshot;
  readonly location: string;
  readonly format: "duckdb" | "jsonl";
  readonly interrupted: boolean;
  readonly warnings: readonly string[];
}

function reached(ms: number | undefined): string {
  return ms === undefined ? "nothing stored yet" : new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Records committed, as "N new" plus the re-read ones (already in the store) when there are any. */
function counted(committed: number, reread: number): string {
  return `${committed - reread} new${reread > 0 ? `, ${reread} re-read` : ""}`;
}

export function syncSummary(s: SummaryInput): string {
  const { snapshot } = s;
  const seconds = Math.max((snapshot.now - snapshot.startedAt) / 1000, 0.001);
  const committed = snapshot.streams.reduce((n, p) => n + p.committed, 0);
  const reread = snapshot.streams.reduce((n, p) => n + p.reread, 0);
  const lines = wrap(
    `${s.interrupted ? "Interrupted" : "Synced"}: ${committed} records committed (${counted(committed, reread)}) to ${s.location} (${s.format}) ` +
      `in ${seconds.toFixed(1)} s (${Math.round(committed / seconds)} records/s), ${snapshot.throttles} throttled requests.`,
    WIDTH,
  );
  // A stream that stored nothing and did not end is not listed (an interrupted sync of many
  // streams would print a line for each): one line counts them.
  const notStarted = (p: (typeof snapshot.streams)[number]): boolean =>
    p.watermark === undefined &&
    p.committed === 0 &&
    (p.status === "PENDING" || (s.interrupted && p.status !== "COMPLETE"));
  const listed = snapshot.streams.filter((p) => !notStarted(p));
  const width = Math.min(40, Math.max(...listed.map((p) => p.stream.length), 6));
  // The re-read column only when some rows were re-read: most syncs have none.
  const rereads = listed.some((p) => p.reread > 0);
  const row = (name: string, status: string, fresh: string, again: string, upTo: string): string =>
    `  ${name.padEnd(width)}  ${status.padEnd(11)} ${fresh.padStart(9)}${rereads ? `  ${again.padStart(9)}` : ""}  ${upTo}`;
  if (listed.length > 0) lines.push(row("stream", "status", "new", "re-read", "complete up to (UTC)"));
  for (const p of listed) {
    const status = s.interrupted && p.status !== "COMPLETE" && p.status !== "INCOMPLETE" ? "INTERRUPTED" : p.status;
    lines.push(row(p.stream, status, String(p.committed - p.reread), String(p.reread), reached(p.watermark)));
  }
  const unstarted = snapshot.streams.length - listed.length;
  if (unstarted > 0)
    lines.push(
      `  ${unstarted} ${unstarted === 1 ? "stream" : "streams"} not started${s.interrupted ? "; run the same command again to continue" : ""}`,
    );
  // Words to the width, under the note's first word (a note names a log group, often long).
  for (const w of s.warnings)
    lines.push(...wrap(`note: ${w}`, WIDTH - 4).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`)));
  if (s.interrupted) lines.push(STORED_UP_TO);
  else if (snapshot.streams.some((p) => p.status === "INCOMPLETE"))
    lines.push("Some streams failed (see notes); the next sync retries them from their state.");
  return `${lines.join("\n")}\n`;
}
