#!/usr/bin/env node
// Entry point of the `source-cloudwatch-logs` command.
import { run } from "./cli.js";

// A consumer that closes the pipe early must not turn into an uncaught EPIPE stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(1);
  throw err;
});

const code = await run(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr });
process.exitCode = code;
