// `read`: every configured stream, oldest to newest, with checkpoints, several streams and time
// windows at once; a failing stream does not stop the others.
import { join } from "node:path";
import { isCancelled } from "../engine/cancel.js";
import { isReadable, reportGroupMissing, reportNameClash, reportSource, groupSource } from "../engine/sources.js";
import type { StreamSource } from "../domain/streams.js";
import { stateBlob } from "../engine/checkpoint.js";
import { ConfigError } from "../airbyte/errors.js";
import { toConnectorError } from "./api-failures.js";
import type { LogGroup } from "../domain/logs.js";
import { syncRange } from "../engine/plan.js";
import type { ConfiguredStream } from "../airbyte/configured-catalog.js";
import type { StateInput } from "../airbyte/state.js";
import { StreamReader } from "../engine/reader.js";
import { runStreams, type StreamTask } from "../engine/scheduler.js";
import { fileSegment } from "../sinks/file-names.js";
import { fileSink } from "../sinks/files.js";
import { recordSink } from "../sinks/records.js";
import type { CommandContext } from "./context.js";

export interface ReadInput {
  readonly catalog: readonly ConfiguredStream[];
  readonly state: StateInput;
  /** Told each failing stream and its reason (already in a TRACE ERROR), e.g. for stderr. */
  readonly onStreamFailed?: (stream: string, message: string) => void;
  /** Cancellation (SIGTERM/SIGINT): stop starting requests, end with the states earned. */
  readonly signal?: AbortSignal;
}

interface Resolved {
  readonly source: StreamSource;
  readonly group: LogGroup;
}

/**
 * The log groups under the configured prefix, listed once for all streams (50 per call) rather
 * than looked up one by one: DescribeLogGroups has a quota of its own.
 */
export class GroupDirectory {
  private groups: Promise<Map<string, LogGroup>> | undefined;

  constructor(private readonly ctx: CommandContext) {}

  async get(name: string): Promise<LogGroup | undefined> {
    const prefix = this.ctx.config.logGroupPrefix;
    if (prefix !== undefined && !name.startsWith(prefix)) return this.ctx.api.findLogGroup(name);
    this.groups ??= (async () => {
      const map = new Map<string, LogGroup>();
      for await (const g of this.ctx.api.listLogGroups(prefix)) map.set(g.name, g);
      return map;
    })();
    try {
      return (await this.groups).get(name);
    } catch (err) {
      // Let the next stream try again rather than inherit this failure.
      this.groups = undefined;
      throw err;
    }
  }
}

/** Finds what a configured stream reads: a custom report, else a log group of that name. */
async function resolve(ctx: CommandContext, directory: GroupDirectory, name: string): Promise<Resolved> {
  const { config } = ctx;
  const reportIndex = config.reports.findIndex((r) => r.name === name);
  if (reportIndex >= 0) {
    const report = config.reports[reportIndex]!;
    if (await directory.get(report.name)) {
      throw reportNameClash(reportIndex, report.name);
    }
    const group = await directory.get(report.logGroupName);
    if (!group) {
      throw new ConfigError(reportGroupMissing(reportIndex, report.logGroupName, config.region));
    }
    return { source: reportSource(report), group };
  }
  const prefix = config.logGroupPrefix;
  const group = prefix === undefined || name.startsWith(prefix) ? await directory.get(name) : undefined;
  if (!group) {
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but is neither a custom report nor a log group${prefix ? ` with prefix ${JSON.stringify(prefix)}` : ""} in ${config.region}; run discover again and update the catalog`,
    );
  }
  return { source: groupSource(group), group };
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
      const { source, group } = await resolve(ctx, directory, stream.name);
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
        emitter.log(
          "WARN",
          `Log group ${JSON.stringify(group.name)} is of class ${group.logGroupClass}, which FilterLogEvents cannot read; stream ${JSON.stringify(stream.name)} is skipped.`,
        );
        emitter.state(stream.name, stateBlob(range.initialWatermark));
        return undefined;
      }
      const sink =
        config.deliveryType === "use_file_transfer"
          ? fileSink({
              emitter,
              stream: stream.name,
              logGroupName: group.name,
              directory: join(ctx.stagingDirectory, fileSegment(stream.name)),
              rangeStart: range.start,
              now: ctx.now,
            })
          : recordSink(emitter, stream.name, group.name, config.parseJsonMessages);
      return new StreamReader({ api: ctx.api, emitter, sink, source, range, signal });
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
  const directory = new GroupDirectory(ctx);
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
