// Where each stream starts in a sync, for the progress screen's overall time left (the log time
// left of the streams not begun yet).
import type { Config } from "../config/config.js";
import { ALL_GROUPS_STREAM } from "../domain/streams.js";
import type { LogGroup } from "../domain/logs.js";
import { syncRange } from "../engine/plan.js";

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
    const range = syncRange({
      syncMode: "incremental",
      stateTimestamp: typeof state === "number" ? state : undefined,
      startDate: config.startDate,
      groupCreationTime: group?.creationTime,
      groupRetentionDays: group?.retentionInDays,
      now,
      ingestionDelayMs: config.ingestionDelayMs,
      lookbackMs: config.lookbackMs,
    });
    starts.set(name, range.initialWatermark);
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
    const { initialWatermark } = syncRange({
      syncMode: "incremental",
      stateTimestamp: undefined,
      startDate: undefined,
      groupCreationTime: group.creationTime,
      groupRetentionDays: group.retentionInDays,
      now,
      ingestionDelayMs: config.ingestionDelayMs,
      lookbackMs: config.lookbackMs,
    });
    weights.set(name, group.storedBytes / Math.max(1, now - config.ingestionDelayMs - initialWatermark));
  }
  return weights;
}
