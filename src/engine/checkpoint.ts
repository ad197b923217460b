// Pure checkpoint logic: a stream's watermark advances only over the contiguous prefix of
// completed windows, never backwards.
import { createHash } from "node:crypto";
import type { StreamSource } from "../domain/streams.js";
import type { Window } from "./plan.js";

export interface StreamState {
  /** Every event with a timestamp below this (epoch ms) has been delivered. */
  readonly timestamp: number;
  /** A custom report's: what it selected when read (see reportDefinition). */
  readonly report_definition?: string;
  /** The region and account the events were read from (see originOfGroup), when known. */
  readonly origin?: string;
  /** When its log group was made, when known: a group deleted and made again is told apart. */
  readonly log_group_creation_time?: number;
}

export class StreamCheckpoint {
  private readonly open = new Set<Window>();
  private last: number;

  constructor(initialWatermark: number) {
    this.last = initialWatermark;
  }

  begin(w: Window): void {
    this.open.add(w);
  }

  /** The window was read through. */
  finish(w: Window): void {
    this.open.delete(w);
  }

  /** The window was given up (split); its range is back with the planner. */
  drop(w: Window): void {
    this.open.delete(w);
  }

  /**
   * The watermark given the planner's frontier (the start of what it has not handed out yet).
   * Everything before the earliest open window and before the frontier is complete.
   */
  watermark(frontier: number): number {
    let low = frontier;
    for (const w of this.open) low = Math.min(low, w.start);
    this.last = Math.max(this.last, low);
    return this.last;
  }
}

/**
 * A stream's state; a custom report's also says what the report selected, and a stream's whose log
 * group is known where its events came from and when the group was made.
 */
export function stateBlob(watermark: number, source?: StreamSource): StreamState {
  return {
    timestamp: watermark,
    ...(source?.report === undefined ? {} : { report_definition: reportDefinition(source) }),
    ...(source?.origin === undefined ? {} : { origin: source.origin }),
    ...(source?.groupCreationTime === undefined ? {} : { log_group_creation_time: source.groupCreationTime }),
  };
}

/**
 * What a custom report's stream selects (its log group as read, its log streams and filter
 * pattern), in a few characters: kept in its state, since a state only holds for the events it was
 * read with (a report whose filter was widened under the same name has events before its state
 * that were never read). The group as read: a group of the caller's by its name, however the
 * report names it (name or ARN), a source account's by its ARN.
 */
export function reportDefinition(source: StreamSource): string {
  const selected = [
    source.logGroupIdentifier ?? source.logGroupName,
    [...new Set(source.logStreamNames)].sort(),
    source.filterPattern ?? "",
  ];
  return `sha256:${createHash("sha256").update(JSON.stringify(selected)).digest("hex").slice(0, 16)}`;
}
