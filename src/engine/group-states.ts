// The single stream's state: one watermark per log group, all in one STATE. Each group's reader
// moves only its own entry (its watermark, as StreamCheckpoint computes it); a STATE that lists
// thousands of log groups is written at most once per interval of the injected clock, and once at
// the end, not after every window.
import { GROUP_STATES_VERSION } from "../airbyte/state.js";
import { DAY_MS } from "../domain/time.js";
import { type StreamState, stateBlob } from "./checkpoint.js";
import { RETENTION_SLACK_MS } from "./plan.js";

/** CloudWatch's longest retention (3653 days): no event older than this (and AWS's slack) remains. */
const LONGEST_RETENTION_MS = 3653 * DAY_MS + RETENTION_SLACK_MS;

/** How often, at most, the single stream's state is written during a sync. */
export const GROUP_STATES_INTERVAL_MS = 5_000;

interface GroupStatesBlob {
  readonly version: number;
  readonly log_groups: Readonly<Record<string, StreamState>>;
  /** The region and account of the groups keyed by name (the caller's), when known. */
  readonly origin?: string;
}

/**
 * The stored watermarks a sync carries on: every listed log group's, and a vanished group's until
 * no event it covers can still exist. Its retention is unknown once it is gone, so the longest
 * CloudWatch offers counts: a group that only left the listing (a permission, a deletion AWS has
 * not finished) and comes back is not read again from the start.
 */
export function retainedWatermarks(
  stored: ReadonlyMap<string, number>,
  listed: ReadonlySet<string>,
  now: number,
): Map<string, number> {
  return new Map(
    [...stored].filter(([group, watermark]) => listed.has(group) || watermark >= now - LONGEST_RETENTION_MS),
  );
}

export interface GroupStatesOptions {
  readonly now: () => number;
  readonly intervalMs: number;
  /** The initial entries' creation times, as their state gave them (see set). */
  readonly creationTimes?: ReadonlyMap<string, number>;
  /**
   * Entries of an earlier version's state that this version cannot read as its own: before their
   * group's creation and without saying when that was (a first read cut short, or a group made
   * again). Until each is set, it is written with `earlier_version`, so the next read still takes
   * it so, and every other entry as this version's.
   */
  readonly earlierEntries?: ReadonlySet<string>;
  /** Written with the watermarks: see GroupStatesBlob. */
  readonly origin?: string | undefined;
  readonly emit: (blob: GroupStatesBlob) => void;
}

export class GroupStates {
  private readonly watermarks: Map<string, number>;
  private readonly creationTimes: Map<string, number>;
  private readonly earlierEntries: Set<string>;
  private readonly remade = new Set<string>();
  private lastEmitted: number;

  constructor(
    initial: ReadonlyMap<string, number>,
    private readonly options: GroupStatesOptions,
  ) {
    this.watermarks = new Map(initial);
    this.creationTimes = new Map([...(options.creationTimes ?? [])].filter(([group]) => initial.has(group)));
    this.earlierEntries = new Set([...(options.earlierEntries ?? [])].filter((group) => initial.has(group)));
    // The first STATE comes an interval after the start, or at the end of a shorter sync.
    this.lastEmitted = options.now();
  }

  /**
   * A log group's watermark moved (or was first reported); written when the interval has passed.
   * `creationTime`, when its group was made, is written with an entry only while the watermark is
   * before it (a first read cut short in a group holding older events): there a group made again
   * can otherwise not be told from that read (see read.ts), and every other entry stays 40 bytes
   * shorter (a state of thousands of groups). Without `creationTime` (a listing that did not say),
   * the entry keeps the one it had.
   */
  set(group: string, watermark: number, creationTime?: number): void {
    this.earlierEntries.delete(group);
    const created = creationTime ?? this.creationTimes.get(group);
    if (this.watermarks.get(group) === watermark && this.creationTimes.get(group) === created) return;
    this.watermarks.set(group, watermark);
    if (created !== undefined) this.creationTimes.set(group, created);
    const now = this.options.now();
    if (now - this.lastEmitted >= this.options.intervalMs) this.emit(now);
  }

  /**
   * A log group found made again: its entry says when it was made in this sync's STATEs, so that
   * a store can tell the new group's events from those it holds (jsonl-store's remadeGroups).
   */
  madeAgain(group: string): void {
    this.remade.add(group);
  }

  /** The last STATE of the sync: always written, so a sync without progress still states where it stands. */
  finish(): void {
    this.emit(this.options.now());
  }

  private emit(now: number): void {
    this.lastEmitted = now;
    // Own properties, whatever the names: an assignment to a group named "__proto__" would set
    // the object's prototype, and the group's watermark would be lost from the STATE.
    const log_groups: Record<string, StreamState> = Object.fromEntries(
      [...this.watermarks].map(([group, watermark]) => {
        const created = this.creationTimes.get(group);
        const blob = stateBlob(watermark);
        if (created !== undefined && (watermark < created || this.remade.has(group)))
          return [group, { ...blob, log_group_creation_time: created }];
        return [group, this.earlierEntries.has(group) ? { ...blob, earlier_version: true } : blob];
      }),
    );
    const { origin } = this.options;
    const version = GROUP_STATES_VERSION;
    this.options.emit(origin === undefined ? { version, log_groups } : { version, log_groups, origin });
  }
}
