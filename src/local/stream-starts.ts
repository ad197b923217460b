// Where each stream starts in a sync, and what a ms of its log time weighs, for the progress
// screen's overall time left (the log time left of the streams not begun yet, weighted).
import type { Config } from "../config/config.js";
import { ALL_GROUPS_STREAM } from "../domain/streams.js";
import type { LogGroup } from "../domain/logs.js";
import { type SyncRange, syncRange } from "../engine/plan.js";
import { allGroupsSource, isReadable } from "../engine/streams.js";

/** A stream's range in an incremental sync, as the read computes it. */
function rangeOf(
  config: Config,
  group: LogGroup | undefined,
  stateTimestamp: number | undefined,
  startDate: number | undefined,
  now: number,
): SyncRange {
  return syncRange({
    syncMode: "incremental",
    stateTimestamp,
    startDate,
    groupCreationTime: group?.creationTime,
    groupRetentionDays: group?.retentionInDays,
    now,
    ingestionDelayMs: config.ingestionDelayMs,
    lookbackMs: config.lookbackMs,
  });
}

/**
 * Where each stream's watermark starts in this sync, as the read will compute it (its stored
 * state, start_date, or its group's earliest event), for the screen's overall time left. The
 * single stream has no one watermark, and a stream whose group is not known by name is left out.
 */
export function streamStarts(
  names: readonly string[],
  stored: ReadonlyMap<string, Record<string, unknown>>,
  config: Config,
  groups: readonly LogGroup[],
  now: number,
): Map<string, number> {
  const starts = new Map<string, number>();
  for (const name of names) {
    const state = stored.get(name)?.timestamp;
    const group = groups.find((g) => g.name === name);
    if (config.streamLayout === "single_stream" && name === ALL_GROUPS_STREAM) continue;
    if (typeof state !== "number" && config.startDate === undefined && group === undefined) continue;
    starts.set(
      name,
      rangeOf(config, group, typeof state === "number" ? state : undefined, config.startDate, now).initialWatermark,
    );
  }
  return starts;
}

/**
 * Each stream's weight in the overall time left (see StreamProgress.weight): its log group's
 * stored bytes over the log time they span, from the group's earliest event as a first sync
 * would start it to the read's end. Empty (every weight 1) unless every stream counted has a
 * group with stored bytes: the weights of some streams would not compare with the others' 1.
 */
export function streamWeights(
  names: readonly string[],
  config: Config,
  groups: readonly LogGroup[],
  now: number,
): Map<string, number> {
  const byName = new Map(groups.map((g) => [g.name, g]));
  const weights = new Map<string, number>();
  for (const name of names) {
    if (config.streamLayout === "single_stream" && name === ALL_GROUPS_STREAM) continue;
    const group = byName.get(name);
    if (group?.storedBytes === undefined || group.storedBytes <= 0) return new Map();
    // Without state or start_date: from the group's earliest event to the read's end.
    const { initialWatermark, end } = rangeOf(config, group, undefined, undefined, now);
    weights.set(name, group.storedBytes / Math.max(1, end - initialWatermark));
  }
  return weights;
}

/**
 * The single stream's log groups, by their keys in its state (name, or ARN for a linked source
 * account's group), as its read will take them: the readable ones discover listed.
 */
export function groupStateKeys(
  names: readonly string[],
  config: Config,
  groups: readonly LogGroup[],
  own: string | undefined,
): Map<string, readonly string[]> {
  if (config.streamLayout !== "single_stream" || !names.includes(ALL_GROUPS_STREAM)) return new Map();
  const keys = groups.filter(isReadable).map((g) => allGroupsSource(config, g, own).stateKey);
  return new Map([[ALL_GROUPS_STREAM, keys]]);
}
