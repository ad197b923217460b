// `sync --follow`: an incremental sync, a wait, another sync, until Ctrl-C or SIGTERM. Each cycle
// is a whole `runSync` (discover again, so new log groups join; its own upper bound, now minus
// the ingestion delay), whose store commits states as always: stopping loses nothing. A failed
// cycle is reported and retried after a longer wait (follow-policy.ts); only a configuration
// error at the first cycle ends the loop.
import { asConnectorError, type FailureType } from "../airbyte/errors.js";
import type { Io } from "../commands/context.js";
import { CANCEL_EXIT_CODES, childCancellation, watchCancellation } from "../engine/cancel.js";
import {
  cycleLine,
  followSummary,
  followTitle,
  noCycles,
  stopsTheLoop,
  waitBeforeNextCycle,
  withCycle,
  type CycleEnd,
} from "./follow-policy.js";
import { inFlagTerms, type SettingFlags } from "./sync-flags.js";
import { failureText, fitted, widthFor } from "./terminal.js";
import { runSync, SyncError, type SyncCycle, type SyncOptions, type SyncOutcome } from "./sync.js";

/** Times in notes: ISO 8601, and epoch milliseconds (13 digits and more; an account id has 12). */
const TIMES = /\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?Z|\d{13,}/g;

/** What the loop does besides deciding: injectable, so that its policy is tested without waiting. */
export interface FollowSeams {
  /** One incremental sync. */
  readonly cycle: (cycle: SyncCycle) => Promise<SyncOutcome>;
  /** Resolves after `ms`, or at once when `signal` aborts; leaves no timer or listener behind. */
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    // Not aborted yet: the loop calls this only when no signal came, with no await in between.
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** A thrown cycle's reason and failure type (as syncCommand words it). */
/** Why a cycle failed, in the words of the command line (a setting given by a flag is named by it). */
function failureOf(err: unknown, flags: SettingFlags | undefined): { reason: string; type: FailureType } {
  // A ConfigError (from before the config is validated) holds no secret (see connect()).
  const failure = err instanceof SyncError ? err : asConnectorError(err);
  return { reason: inFlagTerms(failure.message, flags), type: failure.failureType };
}

/** Runs cycles until a signal; resolves to the exit code (130/143, or 1 when the first cycle cannot start). */
export async function followCommand(
  options: SyncOptions,
  intervalSeconds: number,
  io: Io,
  seams: Partial<FollowSeams> = {},
): Promise<number> {
  const clock = io.now ?? Date.now;
  const runCycle = seams.cycle ?? ((cycle: SyncCycle) => runSync(options, io, undefined, cycle));
  const wait = seams.sleep ?? sleep;
  const intervalMs = intervalSeconds * 1000;
  // One watcher for the whole loop: a signal between two cycles is not missed. Each cycle gets
  // a child of it, so that what a cycle's read leaves on its signal goes with the cycle.
  const loop = io.cancellation ?? watchCancellation(io.signals);
  try {
    let totals = noCycles(clock());
    let failures = 0;
    let lastNotes = "";
    for (let n = 1; loop.by === undefined; n++) {
      const startedAt = clock();
      const cancellation = childCancellation(loop);
      let end: CycleEnd;
      let notes: readonly string[] = [];
      try {
        const outcome = await runCycle({ cancellation, title: followTitle(n, startedAt, totals) });
        const { snapshot } = outcome;
        const failedStreams = snapshot.streams.filter((p) => p.status === "INCOMPLETE").length;
        end =
          loop.by !== undefined
            ? { kind: "interrupted", snapshot, by: loop.by }
            : { kind: "synced", snapshot, failedStreams };
        notes = outcome.warnings;
        const failed = outcome.code !== 0 && loop.by === undefined;
        failures = failed ? failures + 1 : 0;
        totals = withCycle(totals, snapshot, failed);
      } catch (err) {
        const failure = failureOf(err, options.settings);
        if (loop.by === undefined && stopsTheLoop(failure.type, n)) {
          io.stderr.write(failureText("sync", failure.reason, io.stderr));
          return 1;
        }
        end = { kind: "threw", reason: failure.reason };
        failures += 1;
        totals = withCycle(totals, undefined, true);
      } finally {
        cancellation.dispose();
      }
      const endedAt = clock();
      const nextAt = loop.by === undefined ? endedAt + waitBeforeNextCycle(intervalMs, failures) : undefined;
      io.stderr.write(fitted(cycleLine({ n, startedAt, endedAt, end, nextAt, failures }), io.stderr, "  "));
      // A failed cycle's notes say why; a good cycle's only when they changed (a skipped group is
      // told once), times aside (start_date ahead of now is said with each cycle's own time).
      // Compared with the last good cycle's: a failed cycle's notes hold its failure beside them.
      const noteText = notes.join("\n").replace(TIMES, "<time>");
      if (failures > 0 || noteText !== lastNotes)
        for (const note of notes) io.stderr.write(fitted(`  note: ${note}`, io.stderr, "    "));
      if (failures === 0) lastNotes = noteText;
      if (nextAt !== undefined) await wait(nextAt - endedAt, loop.signal);
    }
    const by = loop.by!;
    io.stdout.write(
      followSummary(totals, {
        location: options.target,
        format: options.format,
        by,
        now: clock(),
        width: widthFor(io.stdout),
      }),
    );
    return CANCEL_EXIT_CODES[by];
  } finally {
    if (loop !== io.cancellation) loop.dispose();
  }
}
