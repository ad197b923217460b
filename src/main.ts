#!/usr/bin/env -S node --max-semi-space-size=4 --single-threaded
// Entry point of the `source-cloudwatch-logs` command.
// The node flags above are the connector's launch flags (see cli/heap.ts); the Dockerfile's
// ENTRYPOINT and the benchmark use the same ones (a test keeps them equal).
import { CANCEL_EXIT_CODES } from "./engine/cancel.js";
import { run } from "./cli/run.js";
import { limitHeapGrowth, paceFullCollections } from "./cli/heap.js";

limitHeapGrowth(process.execArgv);
paceFullCollections(process.execArgv);

// A consumer that closes the pipe early must not turn into an uncaught EPIPE stack trace. For
// `read` that is a destination gone, a failure; a person's `query ... | head` got what it wanted.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.argv[2] === "query" ? 0 : 1);
  throw err;
});

// SIGTERM (Airbyte's cancel) or Ctrl-C: `read`, `sync` and `demo` stop gracefully (see cancel.ts);
// on a second signal, or for the other commands, the process exits now.
const command = process.argv[2] ?? "";
// Airbyte kills a source that outstays its grace period: `read` leaves before, come what may.
const READ_GRACE_MS = 1800;
/** The first stop signal, once one came. */
let cancelledBy: string | undefined;
/** What a second signal leaves, said to the person at `sync` or `demo` (who otherwise saw nothing). */
const STOPPED_AT_ONCE = [
  "Commits made so far are kept, the one in progress is not (jsonl: its records",
  "may be appended again). The next sync continues from the stored state.",
].join("\n");
for (const [name, exitCode] of Object.entries(CANCEL_EXIT_CODES)) {
  process.on(name, () => {
    if (!["read", "sync", "demo"].includes(command)) process.exit(exitCode);
    if (cancelledBy !== undefined) {
      const which = cancelledBy === name ? `${name} again` : `${name} after ${cancelledBy}`;
      // After the progress screen's own 'exit' listener, which gives the terminal its screen back.
      if (command !== "read")
        process.once("exit", () =>
          process.stderr.write(`\nsource-cloudwatch-logs ${command}: ${which}, stopped at once.\n${STOPPED_AT_ONCE}\n`),
        );
      process.exit(exitCode);
    }
    cancelledBy = name;
    if (command === "read") setTimeout(() => process.exit(exitCode), READ_GRACE_MS).unref();
  });
}

// The SDK version is pinned in the lockfile; its notice about future Node versions is not for users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process });
// Cancelled: the states earned are out (or stored); abandoned requests have nothing left to give.
if (new Set<number>(Object.values(CANCEL_EXIT_CODES)).has(code)) process.exit(code);
process.exitCode = code;
