// The human summary `sync` prints on stdout when it ends (completed, failed or interrupted).
import type { ProgressSnapshot } from "./progress.js";
import { WIDTH, wrap } from "./terminal.js";

/** After a stop: what is kept, and how to go on (sync's and --follow's summaries). */
export const STORED_UP_TO = "Stored up to each stream's time above; run the same command again to continue.";

/** The summary of a sync stopped before discover had listed the log groups (no store was opened). */
export function discoverInterruptedSummary(width = WIDTH): string {
  const text =
    "Interrupted while discover listed the log groups: nothing was read or stored; run the same command again to start.";
  return `${wrap(text, width).join("\n")}\n`;
}

export interface SummaryInput {
  readonly snapshot: ProgressSnapshot;
  readonly location: string;
  readonly format: "duckdb" | "jsonl";
  readonly interrupted: boolean;
  readonly warnings: readonly string[];
  /** The width the text fits (see widthFor); WIDTH by default. */
  readonly width?: number;
}

/**
 * How far a stream is stored, for people: a UTC time to the second. Records but no time: the
 * single stream, some of whose log groups have nothing stored yet (see watermarkOf in progress.ts).
 */
export function reached(ms: number | undefined, committed = 0): string {
  if (ms === undefined) return committed > 0 ? "some log groups only" : "nothing stored yet";
  return new Date(ms).toISOString().slice(0, 19).replace("T", " ");
}

/** Records committed, as "N new" plus the re-read ones (already in the store) when there are any. */
function counted(committed: number, reread: number): string {
  return `${committed - reread} new${reread > 0 ? `, ${reread} re-read` : ""}`;
}

/** The text in `width` characters: when longer, "…" and its end. */
export function cutStart(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

/** Words to the width, two spaces in, and the lines after the first under its second word. */
function indented(text: string, width = WIDTH): string[] {
  return wrap(text, width - 4).map((l, i) => (i === 0 ? `  ${l}` : `    ${l}`));
}

/** Streams a summary lists before it counts the complete ones that committed nothing. */
const ROWS_BEFORE_COUNTING = 20;

export function syncSummary(s: SummaryInput): string {
  const { snapshot } = s;
  const width = s.width ?? WIDTH;
  const seconds = Math.max((snapshot.now - snapshot.startedAt) / 1000, 0.001);
  const committed = snapshot.streams.reduce((n, p) => n + p.committed, 0);
  const reread = snapshot.streams.reduce((n, p) => n + p.reread, 0);
  const lines = wrap(
    `${s.interrupted ? "Interrupted" : "Synced"}: ${committed} records committed (${counted(committed, reread)}) to ${s.location} (${s.format}) ` +
      `in ${seconds.toFixed(1)} s (${Math.round(committed / seconds)} records/s), ${snapshot.throttles} throttled requests.`,
    width,
  );
  // Streams that got nowhere are not listed (an interrupted sync of many streams would print a
  // line for each): one line counts them (a state equal to where a stream started is no progress
  // either). A failed one is listed.
  const pending = (p: (typeof snapshot.streams)[number]): boolean =>
    p.status === "PENDING" && p.committed === 0 && p.watermark === undefined;
  const stopped = (p: (typeof snapshot.streams)[number]): boolean =>
    s.interrupted &&
    !p.failed &&
    p.status !== "PENDING" &&
    p.status !== "COMPLETE" &&
    p.committed === 0 &&
    (p.watermark === undefined || p.watermark === p.start);
  const shown = snapshot.streams.filter((p) => !pending(p) && !stopped(p));
  // Many streams (an incremental sync of 3,000 log groups, a few of them changed): a complete one
  // that committed nothing is counted, not listed. A few are all listed, with their times.
  const unchanged = (p: (typeof snapshot.streams)[number]): boolean =>
    shown.length > ROWS_BEFORE_COUNTING && p.status === "COMPLETE" && p.committed === 0 && !p.failed;
  const listed = shown.filter((p) => !unchanged(p));
  // The re-read column only when some rows were re-read: most syncs have none.
  const rereads = listed.some((p) => p.reread > 0);
  const rowOf =
    (width: number) =>
    (name: string, status: string, fresh: string, again: string, upTo: string): string =>
      `  ${cutStart(name, width).padEnd(width)}  ${status.padEnd(11)} ${fresh.padStart(9)}${rereads ? `  ${again.padStart(9)}` : ""}  ${upTo}`;
  // A row fits the width: the name column takes what the others leave, a longer name loses its
  // start (log group names differ at their end). `query --tables` shows them whole.
  const others = rowOf(0)("", "", "", "", "complete up to (UTC)").length;
  const row = rowOf(Math.max(6, Math.min(Math.max(...listed.map((p) => p.stream.length), 6), width - others)));
  if (listed.length > 0) lines.push(row("stream", "status", "new", "re-read", "complete up to (UTC)"));
  for (const p of listed) {
    // A stop ends every stream left INCOMPLETE; only a failed one is.
    const status = s.interrupted && p.status !== "COMPLETE" && !p.failed ? "INTERRUPTED" : p.status;
    lines.push(
      row(
        p.stream,
        status,
        String(p.committed - p.reread),
        String(p.reread),
        reached(p.watermark ?? p.storedUpTo, p.committed),
      ),
    );
  }
  const notStarted = snapshot.streams.filter(pending).length;
  const noProgress = snapshot.streams.filter(stopped).length;
  const quiet = shown.filter(unchanged).length;
  const counts = [
    ...(quiet > 0 ? [`${quiet} ${quiet === 1 ? "stream" : "streams"} complete with no new records`] : []),
    ...(notStarted > 0 ? [`${notStarted} ${notStarted === 1 ? "stream" : "streams"} not started`] : []),
    ...(noProgress > 0
      ? [`${noProgress}${notStarted > 0 ? "" : noProgress === 1 ? " stream" : " streams"} stopped before any progress`]
      : []),
  ];
  if (counts.length > 0)
    lines.push(
      ...indented(`${counts.join(", ")}${s.interrupted ? "; run the same command again to continue" : ""}`, width),
    );
  for (const w of s.warnings) lines.push(...indented(`note: ${w}`, width));
  // With no stream listed, nothing is "above"; the count line says to run again.
  if (s.interrupted) {
    if (listed.length > 0) lines.push(...wrap(STORED_UP_TO, width));
  } else if (snapshot.streams.some((p) => p.status === "INCOMPLETE"))
    lines.push(...wrap("Some streams failed (see notes); the next sync retries them from their state.", width));
  return `${lines.join("\n")}\n`;
}
