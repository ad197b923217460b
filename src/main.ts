#!/usr/bin/env -S node --max-semi-space-size=8
// Entry point of the `source-cloudwatch-logs` command.
// The node flags above are the connector's launch flags (see heap.ts); the Dockerfile's
// ENTRYPOINT and the benchmark use the same ones (a test keeps them equal).
import { run } from "./cli.js";
import { limitHeapGrowth } from "./heap.js";

limitHeapGrowth(process.execArgv);

// A consumer that closes the pipe early must not turn into an uncaught EPIPE stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(1);
  throw err;
});

// The SDK version is pinned in the lockfile; its notice about future Node versions is not for users.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process });
// An interrupted sync has stored what it committed; the read still running in the background has nothing left to give.
if (code === 130) process.exit(code);
process.exitCode = code;
