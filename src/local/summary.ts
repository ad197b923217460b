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

/** Words to the width, two spaces in, and the lines after the first under its second word. */
function indented(text: string): string[] {
  return wrap(text, WIDTH - 4).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`));
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
  // Streams that got nowhere are not listed (an interrupted sync of many streams would print a
  // line for each): one line counts them. Stopped at its start, a stream may have committed the
  // state it started from (its start_date): that is no progress either. A failed one is listed.
  const pending = (p: (typeof snapshot.streams)[number]): boolean =>
    p.status === "PENDING" && p.committed === 0 && p.watermark === undefined;
  const stopped = (p: (typeof snapshot.streams)[number]): boolean =>
    s.interrupted &&
    !p.failed &&
    p.status !== "PENDING" &&
    p.status !== "COMPLETE" &&
    p.committed === 0 &&
    (p.watermark === undefined || p.watermark === p.start);
  const listed = snapshot.streams.filter((p) => !pending(p) && !stopped(p));
  const width = Math.min(40, Math.max(...listed.map((p) => p.stream.length), 6));
  // The re-read column only when some rows were re-read: most syncs have none.
  const rereads = listed.some((p) => p.reread > 0);
  const row = (name: string, status: string, fresh: string, again: string, upTo: string): string =>
    `  ${name.padEnd(width)}  ${status.padEnd(11)} ${fresh.padStart(9)}${rereads ? `  ${again.padStart(9)}` : ""}  ${upTo}`;
  if (listed.length > 0) lines.push(row("stream", "status", "new", "re-read", "complete up to (UTC)"));
  for (const p of listed) {
    // A stop ends every stream left INCOMPLETE; only a failed one is.
    const status = s.interrupted && p.status !== "COMPLETE" && !p.failed ? "INTERRUPTED" : p.status;
    lines.push(row(p.stream, status, String(p.committed - p.reread), String(p.reread), reached(p.watermark)));
  }
  const notStarted = snapshot.streams.filter(pending).length;
  const noProgress = snapshot.streams.filter(stopped).length;
  const counts = [
    ...(notStarted > 0 ? [`${notStarted} ${notStarted === 1 ? "stream" : "streams"} not started`] : []),
    ...(noProgress > 0
      ? [`${noProgress}${notStarted > 0 ? "" : noProgress === 1 ? " stream" : " streams"} stopped before any progress`]
      : []),
  ];
  if (counts.length > 0)
    lines.push(...indented(`${counts.join(", ")}${s.interrupted ? "; run the same command again to continue" : ""}`));
  for (const w of s.warnings) lines.push(...indented(`note: ${w}`));
  if (s.interrupted) lines.push(STORED_UP_TO);
  else if (snapshot.streams.some((p) => p.status === "INCOMPLETE"))
    lines.push("Some streams failed (see notes); the next sync retries them from their state.");
  return `${lines.join("\n")}\n`;
}
