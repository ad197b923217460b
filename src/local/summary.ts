// The human summary `sync` prints on stdout when it ends (completed, failed or interrupted).
import type { ProgressSnapshot } from "./progress.js";

export interface SummaryInput {
  readonly snapshot: ProgressSnapshot;
  readonly location: string;
  readonly format: "duckdb" | "jsonl";
  readonly interrupted: boolean;
  readonly warnings: readonly string[];
}

function iso(ms: number | undefined): string {
  return ms === undefined ? "not started" : new Date(ms).toISOString();
}

export function syncSummary(s: SummaryInput): string {
  const { snapshot } = s;
  const seconds = Math.max((snapshot.now - snapshot.startedAt) / 1000, 0.001);
  const committed = snapshot.streams.reduce((n, p) => n + p.committed, 0);
  const lines = [
    `${s.interrupted ? "Interrupted" : "Synced"}: ${committed} records committed to ${s.location} (${s.format}) in ${seconds.toFixed(1)} s ` +
      `(${Math.round(committed / seconds)} records/s), ${snapshot.throttles} throttled requests.`,
  ];
  const width = Math.min(40, Math.max(...snapshot.streams.map((p) => p.stream.length), 6));
  for (const p of snapshot.streams) {
    const status = s.interrupted && p.status !== "COMPLETE" && p.status !== "INCOMPLETE" ? "INTERRUPTED" : p.status;
    lines.push(
      `  ${p.stream.padEnd(width)}  ${status.padEnd(11)} ${String(p.committed - p.reread).padStart(9)} new records, ` +
        `${p.reread > 0 ? `${p.reread} re-read, ` : ""}complete up to ${iso(p.watermark)}`,
    );
  }
  for (const w of s.warnings) lines.push(`  note: ${w}`);
  if (s.interrupted)
    lines.push(
      "Everything up to each stream's time above is stored; run the same command again to continue from there.",
    );
  else if (snapshot.streams.some((p) => p.status === "INCOMPLETE"))
    lines.push("Some streams failed (see notes); the next sync retries them from their stored state.");
  return `${lines.join("\n")}\n`;
}
