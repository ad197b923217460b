// The human summary `sync` prints on stdout when it ends (completed, failed or interrupted).
import type { ProgressSnapshot } from "./progress.js";

export interface SummaryInput {
  readonly snapshot: ProgressSnapshot;
  readonly location: string;
  readonly format: "duckdb" | "jsonl";
  readonly interrupted: boolean;
  readonly warnings: readonly string[];
}

function reached(ms: number | undefined): string {
  return ms === undefined ? "nothing stored yet" : `complete up to ${new Date(ms).toISOString()}`;
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
  const lines = [
    `${s.interrupted ? "Interrupted" : "Synced"}: ${committed} records committed (${counted(committed, reread)}) to ${s.location} (${s.format}) ` +
      `in ${seconds.toFixed(1)} s (${Math.round(committed / seconds)} records/s), ${snapshot.throttles} throttled requests.`,
  ];
  // A stream that stored nothing and did not end is not listed (an interrupted sync of many
  // streams would print a line for each): one line counts them.
  const notStarted = (p: (typeof snapshot.streams)[number]): boolean =>
    p.watermark === undefined &&
    p.committed === 0 &&
    (p.status === "PENDING" || (s.interrupted && p.status !== "COMPLETE"));
  const listed = snapshot.streams.filter((p) => !notStarted(p));
  const width = Math.min(40, Math.max(...listed.map((p) => p.stream.length), 6));
  for (const p of listed) {
    const status = s.interrupted && p.status !== "COMPLETE" && p.status !== "INCOMPLETE" ? "INTERRUPTED" : p.status;
    lines.push(
      `  ${p.stream.padEnd(width)}  ${status.padEnd(11)} ${String(p.committed - p.reread).padStart(9)} new records` +
        `${p.reread > 0 ? ` (${p.reread} re-read)` : ""}, ${reached(p.watermark)}`,
    );
  }
  const unstarted = snapshot.streams.length - listed.length;
  if (unstarted > 0)
    lines.push(
      `  ${unstarted} ${unstarted === 1 ? "stream" : "streams"} not started${s.interrupted ? "; run the same command again to continue" : ""}`,
    );
  for (const w of s.warnings) lines.push(`  note: ${w}`);
  if (s.interrupted)
    lines.push(
      "Everything up to each stream's time above is stored; run the same command again to continue from there.",
    );
  else if (snapshot.streams.some((p) => p.status === "INCOMPLETE"))
    lines.push("Some streams failed (see notes); the next sync retries them from their stored state.");
  return `${lines.join("\n")}\n`;
}
