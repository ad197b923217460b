// `read`: every configured stream, oldest to newest, with checkpoints, several streams and time
// windows at once; a failing stream does not stop the others.
import { isCancelled, unlessCancelled } from "../engine/cancel.js";
import { isReadable } from "../engine/streams.js";
import { reportDefinition, stateBlob } from "../engine/checkpoint.js";
import { toConnectorError } from "./api-failures.js";
import { earliestEventTime, type SyncRange, syncRange } from "../engine/plan.js";
import type { ConfiguredStream } from "../airbyte/configured-catalog.js";
import type { StateInput } from "../airbyte/state.js";
import { StreamReader } from "../engine/reader.js";
import { runStreams, type StreamTask } from "../engine/scheduler.js";
import {
  allGroupsSource,
  cannotRead,
  notRead,
  GroupDirectory,
  resolveStream,
  selectionOf,
  withoutExcluded,
} from "../engine/streams.js";
import { GROUP_STATES_INTERVAL_MS, GroupStates, retainedWatermarks } from "../engine/group-states.js";
import { ConfigError } from "../airbyte/errors.js";
import { ALL_GROUPS_STREAM, type StreamSource } from "../domain/streams.js";
import type { LogGroup } from "../domain/logs.js";
import { DAY_MS } from "../domain/time.js";
import { sinkFor } from "../sinks/delivery.js";
import type { CommandContext } from "./context.js";

export interface ReadInput {
  readonly catalog: readonly ConfiguredStream[];
  readonly state: StateInput;
  /** Told each failing stream and its reason (already in a TRACE ERROR), e.g. for stderr. */
  readonly onStreamFailed?: (stream: string, message: string) => void;
  /** Cancellation (SIGTERM/SIGINT): stop starting requests, end with the states earned. */
  readonly signal?: AbortSignal;
  /** Told when a window of the stream starts being read (+1: its first request sent) and ends (-1); see StreamReadInput. */
  readonly onWindows?: (stream: string, change: 1 | -1) => void;
  /** The catalog was made moments ago by discover in this process (sync); see resolveStream. */
  readonly justDiscovered?: boolean;
}

/** An epoch-ms time for people; ISO when it is a date JavaScript can show. */
function shownTime(ms: number): string {
  return Math.abs(ms) <= 8.64e15 ? `${ms} (${new Date(ms).toISOString()})` : String(ms);
}

/** The range a log group is read over in this sync, from its stored watermark and the settings. */
function groupRange(
  ctx: CommandContext,
  stream: ConfiguredStream,
  group: LogGroup,
  stateTimestamp: number | undefined,
): SyncRange {
  return syncRange({
    syncMode: stream.syncMode,
    stateTimestamp,
    startDate: stateTimestamp !== undefined && ctx.config.startDateOnlyWithoutState ? undefined : ctx.config.startDate,
    groupCreationTime: group.creationTime,
    groupRetentionDays: group.retentionInDays,
    now: ctx.now(),
    ingestionDelayMs: ctx.config.ingestionDelayMs,
    lookbackMs: ctx.config.lookbackMs,
  });
}

/**
 * The stream's watermark in the state, for an incremental stream; none when the state was saved by
 * another stream of the same name (a custom report's by a log group's, or the other way round),
 * reading another region or account, or another log group of the same name (deleted and made
 * again), or by a custom report that selected other events (another log group, log streams or
 * filter pattern): its events from before that watermark were never read, so the stream reads from
 * its start again, and says why.
 */
function storedWatermark(
  ctx: CommandContext,
  stream: ConfiguredStream,
  state: StateInput,
  source: StreamSource,
): number | undefined {
  const stored = state.get(stream.name);
  if (stored === undefined || stream.syncMode !== "incremental") return undefined;
  const name = JSON.stringify(stream.name);
  const readAgain = (why: string) => {
    ctx.emitter.log("WARN", why);
    return undefined;
  };
  const origin = state.origins.get(stream.name);
  const saved = state.reportDefinitions.get(stream.name);
  // A report's state has its definition, since the version that wrote origin too: a state with an
  // origin and no definition is a log group stream's, one without either an earlier version's.
  if (source.report === undefined && saved !== undefined)
    return readAgain(
      `The state of stream ${name} was saved by a custom report of that name, which read other events: it does not cover the log group's, so they are read from their start.`,
    );
  if (source.report !== undefined && saved === undefined && origin !== undefined)
    return readAgain(
      `The state of custom report ${name} was saved by a log group's stream of that name, which read other events: it does not cover the report's, so they are read from their start.`,
    );
  if (origin !== undefined && source.origin !== undefined && origin !== source.origin)
    return readAgain(otherOrigin(`The state of stream ${name}`, origin, source.origin));
  if (source.report !== undefined && saved !== undefined && saved !== reportDefinition(source))
    return readAgain(
      `Custom report ${name} selects other events than when its state was saved (its log group, log streams or filter pattern changed): that state does not cover them, so the report is read again from its start.`,
    );
  const created = state.creationTimes.get(stream.name);
  const made = source.groupCreationTime;
  if (created !== undefined && madeAgain(created, made, stored))
    return readAgain(madeAgainWarning(source.logGroupName, made, created, `the state of stream ${name}`));
  return stored;
}

/**
 * Whether a log group made at `made` is not the one a state saved at `created` (and `stored`) read;
 * `created` undefined: the state read its group past its creation (see GROUP_STATES_VERSION).
 * Made again only after the sync that saved the state, so after its watermark: another creation
 * time before it is not another group (a simulator restarted, whose groups date from its start).
 */
function madeAgain(created: number | undefined, made: number | undefined, stored: number): made is number {
  return made !== undefined && created !== made && made > stored;
}

function madeAgainWarning(group: string, made: number, created: number | undefined, state: string): string {
  const when =
    created === undefined ? `after ${state} was saved` : `not at ${shownTime(created)} as when ${state} was saved`;
  return (
    `Log group ${JSON.stringify(group)} was created at ${shownTime(made)}, ${when}: deleted and made again. ` +
    "That state does not cover the new group's events, so they are read from their start."
  );
}

/** The warning for a state saved reading another origin (see originOfGroup) than this read's. */
function otherOrigin(whose: string, saved: string, now: string): string {
  return (
    `${whose} was saved reading ${saved}, but this read reads ${now} (another region or account): ` +
    "that state does not cover these events, so they are read from their start."
  );
}

/** Beyond this after now a state's timestamp is no clock's skew but a mistake (microseconds, a hand edit). */
const MAX_STATE_AHEAD_MS = DAY_MS;

/**
 * A state far after now is kept as it is and nothing is read: counted as now (as a state a little
 * ahead is, see syncRange) and written back so, it would mark every event up to now as delivered for
 * good (a timestamp in microseconds). Kept, correcting it later loses nothing. Airbyte's acceptance
 * tests send such a state and expect no records.
 */
function isFarAhead(ctx: CommandContext, stored: number | undefined): stored is number {
  return stored !== undefined && stored > ctx.now() + MAX_STATE_AHEAD_MS;
}

/** The warning for states far ahead (isFarAhead); `subject` names them and the first's timestamp. */
function farAheadWarning(ctx: CommandContext, subject: string, many = false): string {
  return (
    `${subject} ${many ? "are" : "is"} more than a day after this machine's clock (${shownTime(ctx.now())}): ` +
    `nothing is read and ${many ? "those states are" : "the state is"} kept as ${many ? "they are" : "it is"}, so no event is skipped for good. ` +
    "If it is a mistake (a timestamp in microseconds, not epoch milliseconds), pass the state corrected, or no state to read from start_date."
  );
}

/** Log groups named in one warning about the single stream's entries; the rest are counted. */
const MAX_NAMED_GROUPS = 5;

/** One warning for the single stream's entries far ahead, however many (a state of 200,000 groups). */
function warnFarAheadGroups(ctx: CommandContext, stream: string, ahead: readonly [string, number][]): void {
  if (ahead.length === 0) return;
  const [first, stored] = ahead[0]!;
  const whose = `in stream ${JSON.stringify(stream)}`;
  if (ahead.length === 1) {
    const subject = `The state of log group ${JSON.stringify(first)} ${whose}, timestamp ${shownTime(stored)},`;
    ctx.emitter.log("WARN", farAheadWarning(ctx, subject));
    return;
  }
  const named = ahead.slice(1, MAX_NAMED_GROUPS).map(([g]) => `, ${JSON.stringify(g)}`);
  const more = ahead.length > MAX_NAMED_GROUPS ? ` and ${ahead.length - MAX_NAMED_GROUPS} more` : "";
  const subject = `The states of ${ahead.length} log groups ${whose} (${JSON.stringify(first)} at timestamp ${shownTime(stored)}${named.join("")}${more})`;
  ctx.emitter.log("WARN", farAheadWarning(ctx, subject, true));
}

/** The end of a range in words, for the warnings about a state or start_date past it. */
function ingestionLimit(range: SyncRange): string {
  return `now minus ingestion_delay_seconds, ${shownTime(range.end)}`;
}

/**
 * Made after the sync that saved its state (which ran at least the ingestion delay after the
 * state's time): a log group of the same name, deleted and made again. Its state still holds, so
 * its events from before the state's time are not read: said, since nothing else would show it.
 * Only when the new group can hold events from before that time (AWS takes events up to 14 days
 * old, within the retention): a state older than that loses nothing. A state is only saved once
 * its stream's watermark moved (see StreamReader), so a stream stopped at its start_date does not
 * look like one of an older group. A guess, for a state of an earlier version, which does not say
 * when its group was made: a first read cut short in a group holding events older than the group
 * looks the same. `key` names the group (its key in the single stream's state).
 */
function warnIfRecreated(
  ctx: CommandContext,
  group: LogGroup,
  stored: number | undefined,
  state: string,
  key = group.name,
): void {
  if (stored === undefined || group.creationTime === undefined) return;
  if (group.creationTime <= stored + ctx.config.ingestionDelayMs) return;
  if (stored <= earliestEventTime(group.creationTime, group.retentionInDays, ctx.now())) return;
  const before = ctx.config.lookbackMs > 0 ? "that timestamp less lookback_window_minutes" : "that timestamp";
  ctx.emitter.log(
    "WARN",
    `Log group ${JSON.stringify(key)} was created at ${shownTime(group.creationTime)}, after ${state} was saved ` +
      `(timestamp ${shownTime(stored)}): deleted and made again? If so, its events from before ${before} are not read; ` +
      "to read them, read the stream without its state (Airbyte: clear the stream's data; sync: another --database or --output). " +
      "If not (a first read cut short in a group holding events older than itself), nothing is missed.",
  );
}

function warnIgnoredCursor(ctx: CommandContext, stream: ConfiguredStream): void {
  if (stream.cursorField && stream.cursorField.length > 0 && stream.cursorField.join(".") !== "timestamp") {
    ctx.emitter.log(
      "WARN",
      `Stream ${JSON.stringify(stream.name)}: the cursor is always "timestamp"; cursor_field ${JSON.stringify(stream.cursorField)} is ignored.`,
    );
  }
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
      warnIgnoredCursor(ctx, stream);
      emitter.status(stream.name, "STARTED");
      const { source, group } = await resolveStream(config, directory, stream.name, input.justDiscovered);
      const stored = storedWatermark(ctx, stream, input.state, source);
      if (isFarAhead(ctx, stored)) {
        emitter.log("WARN", farAheadWarning(ctx, `The state of stream ${name}, timestamp ${shownTime(stored)},`));
        emitter.state(stream.name, stateBlob(stored, source));
        return undefined;
      }
      const range = groupRange(ctx, stream, group, stored);
      const limit = ingestionLimit(range);
      // A state that says when its group was made was checked against it (storedWatermark).
      if (!input.state.creationTimes.has(stream.name))
        warnIfRecreated(ctx, group, stored, `the state of stream ${name}`);
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
        if (range.storedState !== undefined) emitter.state(stream.name, stateBlob(range.storedState, source));
        return undefined;
      }
      if (!isReadable(group)) {
        emitter.log("WARN", `${cannotRead(group)}; stream ${name} is skipped.`);
        emitter.state(stream.name, stateBlob(range.initialWatermark, source));
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
      const onWindows = (change: 1 | -1) => input.onWindows?.(stream.name, change);
      return new StreamReader({ api: ctx.api, emitter, sink, source, range, signal, unmask: config.unmask, onWindows });
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

/** A stream's state has the other layout's shape (a layout change, or someone else's state). */
function notItsState(stream: string, layout: string): ConfigError {
  const shape =
    layout === "single_stream" ? `{"log_groups": {"<log group name or ARN>": {"timestamp": T}}}` : `{"timestamp": T}`;
  return new ConfigError(
    `The state of stream ${JSON.stringify(stream)} does not fit stream_layout ${layout}, whose state is ${shape}; pass the state this layout wrote, or no state to read from start_date`,
  );
}

/**
 * The single stream's stored watermarks, and the origin of its groups keyed by name (the caller's).
 * Saved reading another region or account, those entries are others' events and are dropped (the
 * groups are read from their start); a source account's entry is keyed by its ARN, which says its
 * own origin. Without a group of the caller's this read cannot tell, and the saved origin stays.
 */
function storedGroupWatermarks(
  ctx: CommandContext,
  stream: ConfiguredStream,
  state: StateInput,
  listed: readonly { readonly source: StreamSource; readonly stateKey: string }[],
): { readonly stored: ReadonlyMap<string, number>; readonly origin: string | undefined } {
  const saved = stream.syncMode === "incremental" ? state.groupWatermarks.get(stream.name) : undefined;
  const savedOrigin = state.origins.get(stream.name);
  const origin = listed.find((g) => g.stateKey === g.source.logGroupName && g.source.origin)?.source.origin;
  if (saved === undefined) return { stored: new Map(), origin };
  if (savedOrigin === undefined || origin === undefined || savedOrigin === origin)
    return { stored: saved, origin: origin ?? savedOrigin };
  // Log group names have no ':'; ARNs do.
  const kept = new Map([...saved].filter(([key]) => key.includes(":")));
  const note =
    kept.size > 0
      ? " Entries keyed by ARN (source accounts' log groups) name their own region and account, and are kept."
      : "";
  ctx.emitter.log(
    "WARN",
    otherOrigin(`The state of stream ${JSON.stringify(stream.name)}`, savedOrigin, origin) + note,
  );
  return { stored: kept, origin };
}

/** Failed log groups named one by one in TRACE errors; beyond these a LOG counts the rest. */
const MAX_GROUP_ERRORS = 20;

/** The single stream being read: a task per log group, all ending in one status at finish(). */
interface AllGroupsRead {
  readonly tasks: readonly StreamTask[];
  /** After every task ran (or the read was cancelled): the last STATE and the stream's status. */
  finish(): boolean;
}

/**
 * The single stream (stream_layout single_stream): the log groups of the selection (prefix or
 * name pattern, minus exclusions) are listed at every read, and each readable one is read as a stream of its own would be (its range from its own watermark,
 * its windows, its checkpoint), its records and its watermark going to log_events.
 */
async function allGroupsRead(
  ctx: CommandContext,
  directory: GroupDirectory,
  stream: ConfiguredStream,
  input: ReadInput,
): Promise<AllGroupsRead> {
  const { emitter, config } = ctx;
  const name = stream.name;
  const failed = (failure: unknown): AllGroupsRead => {
    const error = toConnectorError(failure, {
      region: config.region,
      endpointUrl: config.endpointUrl,
      doing: `listing the log groups of stream ${JSON.stringify(name)}`,
    });
    emitter.error(error, name);
    emitter.status(name, "INCOMPLETE");
    input.onStreamFailed?.(name, error.message);
    return { tasks: [], finish: () => false };
  };
  warnIgnoredCursor(ctx, stream);
  emitter.status(name, "STARTED");
  let everyGroup: LogGroup[];
  let groups: LogGroup[];
  let own: string | undefined;
  try {
    // Thousands of log groups take many DescribeLogGroups pages: a cancelled read does not wait.
    // An excluded group is not read; its stored watermark is kept as a vanished group's is.
    everyGroup = await unlessCancelled(directory.all(), input.signal);
    groups = withoutExcluded(config, everyGroup);
    // Asked by the listing already (with linked accounts only): no request of its own.
    own = await directory.ownAccount();
  } catch (err) {
    if (!isCancelled(err)) return failed(err);
    // Cut short before any group was read: not failed, not COMPLETE, and the stored state stands.
    emitter.status(name, "INCOMPLETE");
    return { tasks: [], finish: () => false };
  }
  for (const g of groups.filter((x) => !isReadable(x))) emitter.log("WARN", notRead(g));
  // Each group's source and its key in the state (its name, or its ARN in a source account).
  const sourceOf = (g: LogGroup) => allGroupsSource(config, g, own);
  const readable = groups.filter(isReadable).map((group) => ({ group, ...sourceOf(group) }));
  const listed = groups.map(sourceOf);
  const { stored, origin } = storedGroupWatermarks(ctx, stream, input.state, listed);
  const created = input.state.groupCreationTimes.get(name);
  const versioned = input.state.groupStatesVersioned.has(name);
  // An earlier version's entry before its listed group's creation, without it (cut short, or made
  // again?), excluded and unreadable groups' too: marked so until read (see GroupStatesOptions).
  const earlier = versioned
    ? (input.state.groupEarlierEntries.get(name) ?? new Set<string>())
    : new Set(
        everyGroup.flatMap((group) => {
          const { stateKey } = sourceOf(group);
          const t = stored.get(stateKey);
          const made = group.creationTime;
          return t !== undefined && !created?.has(stateKey) && made !== undefined && made > t ? [stateKey] : [];
        }),
      );
  const states = new GroupStates(retainedWatermarks(stored, new Set(listed.map((l) => l.stateKey)), ctx.now()), {
    now: ctx.now,
    intervalMs: GROUP_STATES_INTERVAL_MS,
    origin,
    creationTimes: created,
    earlierEntries: earlier,
    emit: (blob) => emitter.state(name, blob),
  });
  // Decided once, with the warning: a group's task may start minutes later.
  const ahead = readable.flatMap(({ stateKey }) => {
    const t = stored.get(stateKey);
    return isFarAhead(ctx, t) ? [[stateKey, t] as [string, number]] : [];
  });
  warnFarAheadGroups(ctx, name, ahead);
  const keptAhead = new Set(ahead.map(([stateKey]) => stateKey));
  const failures: { group: string; failure: unknown }[] = [];
  let ended = 0;
  let cancelled = false;
  let startDateWarned = false;
  const groupTask = ({ group, source, stateKey }: (typeof readable)[number]): StreamTask => ({
    name: stateKey,
    async start() {
      let stateTimestamp = stored.get(stateKey);
      // Its entry stays in the state as it is (warned of with the others, above).
      if (keptAhead.has(stateKey)) return undefined;
      const entry = `its entry in the state of stream ${JSON.stringify(name)}`;
      // An entry whose watermark is before its group's creation says when the group was made (see
      // GroupStates.set); an earlier version's without it may only be guessed at.
      const savedCreation = created?.get(stateKey);
      if (stateTimestamp !== undefined && (savedCreation !== undefined || (versioned && !earlier.has(stateKey)))) {
        if (madeAgain(savedCreation, group.creationTime, stateTimestamp)) {
          // Named by its key: a source account's group may share its name with one of the caller's.
          emitter.log("WARN", madeAgainWarning(stateKey, group.creationTime, savedCreation, entry));
          states.madeAgain(stateKey);
          stateTimestamp = undefined;
        }
      } else warnIfRecreated(ctx, group, stateTimestamp, entry, stateKey);
      const range = groupRange(ctx, stream, group, stateTimestamp);
      const limit = ingestionLimit(range);
      if (range.stateClamped) {
        emitter.log(
          "WARN",
          `The state of log group ${JSON.stringify(stateKey)} in stream ${JSON.stringify(name)}, timestamp ${shownTime(stateTimestamp!)}, is later than ${limit}; it counts as that time.`,
        );
      }
      if (range.startDateAhead) {
        // No state from start_date (see streamTask): the group's entry stays as it was.
        if (!startDateWarned)
          emitter.log(
            "WARN",
            `start_date ${shownTime(config.startDate!)} is later than ${limit}: stream ${JSON.stringify(name)} has nothing to read yet and its state is not moved.`,
          );
        startDateWarned = true;
        return undefined;
      }
      const sink = sinkFor({
        config,
        emitter,
        stagingDirectory: ctx.stagingDirectory,
        stream: name,
        logGroupName: group.name,
        accountId: source.accountId,
        rangeStart: range.start,
        now: ctx.now,
      });
      const onCheckpoint = (watermark: number) => states.set(stateKey, watermark, group.creationTime);
      // Every group's windows count for the single stream.
      const onWindows = (change: 1 | -1) => input.onWindows?.(name, change);
      return new StreamReader({
        api: ctx.api,
        emitter,
        sink,
        source,
        range,
        signal: input.signal,
        unmask: config.unmask,
        onCheckpoint,
        onWindows,
      });
    },
    end(reader, failure) {
      ended++;
      if (isCancelled(failure)) {
        reader?.stop();
        cancelled = true;
        return;
      }
      // A failed group keeps the state of its completed windows; the others are not held back.
      reader?.finish();
      if (failure !== undefined) failures.push({ group: stateKey, failure });
    },
  });
  // The groups furthest behind first (new ones, then the oldest watermarks): after a crash the
  // read goes on where it stopped instead of spending the next checkpoint's interval on groups
  // that are up to date. The sort is stable: API order among equals.
  const behind = (g: (typeof readable)[number]) => stored.get(g.stateKey) ?? Number.NEGATIVE_INFINITY;
  const tasks = [...readable].sort((a, b) => behind(a) - behind(b)).map(groupTask);
  return {
    tasks,
    finish() {
      states.finish();
      for (const { group, failure } of failures.slice(0, MAX_GROUP_ERRORS)) {
        const error = toConnectorError(failure, {
          region: config.region,
          endpointUrl: config.endpointUrl,
          doing: `reading log group ${JSON.stringify(group)} of stream ${JSON.stringify(name)}`,
        });
        emitter.error(error, name);
        input.onStreamFailed?.(name, error.message);
      }
      if (failures.length > MAX_GROUP_ERRORS)
        emitter.log(
          "ERROR",
          `Stream ${JSON.stringify(name)}: ${failures.length - MAX_GROUP_ERRORS} more log groups failed (${failures.length} in all); each keeps the state of what it read.`,
        );
      // Not COMPLETE unless every group's range was read: none failed, none cut short, none left unstarted.
      const complete = failures.length === 0 && !cancelled && ended === tasks.length;
      emitter.status(name, complete ? "COMPLETE" : "INCOMPLETE");
      return complete;
    },
  };
}

/** Returns true when every stream completed. */
/** Whether the stream is the single stream of stream_layout single_stream (else a log group's or a report's). */
function isAllGroups(ctx: CommandContext, stream: ConfiguredStream): boolean {
  return ctx.config.streamLayout === "single_stream" && stream.name === ALL_GROUPS_STREAM;
}

/** A state of the other layout's shape is invalid input: refused before any AWS call, as the others are. */
function assertStatesFit(ctx: CommandContext, input: ReadInput): void {
  for (const s of input.catalog) {
    if (isAllGroups(ctx, s) ? input.state.has(s.name) : input.state.groupWatermarks.has(s.name))
      throw notItsState(s.name, isAllGroups(ctx, s) ? "single_stream" : "per_log_group");
  }
}

export async function read(ctx: CommandContext, input: ReadInput): Promise<boolean> {
  assertStatesFit(ctx, input);
  let allOk = true;
  const directory = new GroupDirectory(ctx.api, selectionOf(ctx.config), ctx.config.linkedAccounts);
  if (input.catalog.length === 0)
    ctx.emitter.log(
      "WARN",
      "The catalog has no streams: nothing is read. Run discover and select streams in the catalog.",
    );
  const tasks: StreamTask[] = [];
  const singles: AllGroupsRead[] = [];
  for (const s of input.catalog) {
    if (isAllGroups(ctx, s)) {
      const all = await allGroupsRead(ctx, directory, s, input);
      tasks.push(...all.tasks);
      singles.push(all);
    } else {
      tasks.push(streamTask(ctx, directory, s, input, (ok) => (allOk &&= ok)));
    }
  }
  await runStreams(tasks, ctx.config.maxConcurrency, input.signal);
  for (const s of singles) allOk = s.finish() && allOk;
  await ctx.emitter.flush();
  return allOk;
}
