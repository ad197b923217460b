// `read`: every configured stream, oldest to newest, with checkpoints, several streams and time
// windows at once; a failing stream does not stop the others.
import { isCancelled } from "../engine/cancel.js";
import { isReadable } from "../engine/streams.js";
import { stateBlob } from "../engine/checkpoint.js";
import { toConnectorError } from "./api-failures.js";
import { syncRange } from "../engine/plan.js";
import type { ConfiguredStream } from "../airbyte/configured-catalog.js";
import type { StateInput } from "../airbyte/state.js";
import { StreamReader } from "../engine/reader.js";
import { runStreams, type StreamTask } from "../engine/scheduler.js";
import { cannotRead, GroupDirectory, resolveStream, selectionOf } from "../engine/streams.js";
import { sinkFor } from "../sinks/delivery.js";
import type { CommandContext } from "./context.js";

export interface ReadInput {
  readonly catalog: readonly ConfiguredStream[];
  readonly state: StateInput;
  /** Told each failing stream and its reason (already in a TRACE ERROR), e.g. for stderr. */
  readonly onStreamFailed?: (stream: string, message: string) => void;
  /** Cancellation (SIGTERM/SIGINT): stop starting requests, end with the states earned. */
  readonly signal?: AbortSignal;
}

/** An epoch-ms time for people; ISO when it is a date JavaScript can show. */
function shownTime(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? `${ms} (${new Date(ms).toISOString()})` : String(ms);
}

function streamTask(
  ctx: CommandContext,
  directory: GroupDirectory,
  stream: ConfiguredStream,
  input: ReadInput,
  outcome: (ok: boolean) => void,
): StreamTask {
  const { signal } = input;
  const { emitter, config } = ctx;
  const name = JSON.stringify(stream.name);
  return {
    name: stream.name,
    async start() {
      if (stream.cursorField && stream.cursorField.length > 0 && stream.cursorField.join(".") !== "timestamp") {
        emitter.log(
          "WARN",
          `Stream ${JSON.stringify(stream.name)}: the cursor is always "timestamp"; cursor_field ${JSON.stringify(stream.cursorField)} is ignored.`,
        );
      }
      emitter.status(stream.name, "STARTED");
      const { source, group } = await resolveStream(config, directory, stream.name);
      const range = syncRange({
        syncMode: stream.syncMode,
        stateTimestamp: input.state.get(stream.name),
        startDate: config.startDate,
        groupCreationTime: group.creationTime,
        groupRetentionDays: group.retentionInDays,
        now: ctx.now(),
        ingestionDelayMs: config.ingestionDelayMs,
        lookbackMs: config.lookbackMs,
      });
      const limit = `now minus ingestion_delay_seconds, ${shownTime(range.end)}`;
      if (range.stateClamped) {
        emitter.log(
          "WARN",
          `The state of stream ${name}, timestamp ${shownTime(input.state.get(stream.name)!)}, is later than ${limit}; it counts as that time.`,
        );
      }
      if (range.startDateAhead) {
        // No state from start_date: once it is corrected, the stream reads from the corrected date.
        emitter.log(
          "WARN",
          `start_date ${shownTime(config.startDate!)} is later than ${limit}: stream ${name} has nothing to read yet and its state is not moved.`,
        );
        if (range.storedState !== undefined) emitter.state(stream.name, stateBlob(range.storedState));
        return undefined;
      }
      if (!isReadable(group)) {
        emitter.log("WARN", `${cannotRead(group)}; stream ${name} is skipped.`);
        emitter.state(stream.name, stateBlob(range.initialWatermark));
        return undefined;
      }
      const sink = sinkFor({
        config,
        emitter,
        stagingDirectory: ctx.stagingDirectory,
        stream: stream.name,
        logGroupName: group.name,
        accountId: source.accountId,
        rangeStart: range.start,
        now: ctx.now,
      });
      return new StreamReader({ api: ctx.api, emitter, sink, source, range, signal, unmask: config.unmask });
    },
    end(reader, failure) {
      if (isCancelled(failure)) {
        // Cut short, not failed: no error, and not COMPLETE (its range was not read through).
        reader?.stop();
        emitter.status(stream.name, "INCOMPLETE");
        outcome(false);
        return;
      }
      reader?.finish();
      if (failure === undefined) {
        emitter.status(stream.name, "COMPLETE");
        outcome(true);
        return;
      }
      const error = toConnectorError(failure, {
        region: config.region,
        endpointUrl: config.endpointUrl,
        doing: `reading stream ${JSON.stringify(stream.name)}`,
      });
      emitter.error(error, stream.name);
      emitter.status(stream.name, "INCOMPLETE");
      input.onStreamFailed?.(stream.name, error.message);
      outcome(false);
    },
  };
}

/** Returns true when every stream completed. */
export async function read(ctx: CommandContext, input: ReadInput): Promise<boolean> {
  let allOk = true;
  const directory = new GroupDirectory(ctx.api, selectionOf(ctx.config), ctx.config.linkedAccounts);
  if (input.catalog.length === 0)
    ctx.emitter.log(
      "WARN",
      "The catalog has no streams: nothing is read. Run discover and select streams in the catalog.",
    );
  const tasks = input.catalog.map((s) => streamTask(ctx, directory, s, input, (ok) => (allOk &&= ok)));
  await runStreams(tasks, ctx.config.maxConcurrency, input.signal);
  await ctx.emitter.flush();
  return allOk;
}
