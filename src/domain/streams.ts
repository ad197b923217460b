// Streams: what each stream of the catalog reads, a log group's events or a custom report's.
import { createHash } from "node:crypto";

/** A custom report: a stream of its own over a log group, optionally narrowed (custom_log_reports). */
export interface CustomReport {
  readonly name: string;
  /** A log group name, or a log group ARN (with or without `:*`). */
  readonly logGroupName: string;
  readonly logStreamNames: readonly string[];
  readonly filterPattern: string | undefined;
}

/**
 * What a report selects (its log group, log streams and filter pattern), in a few characters: kept
 * in its state, since a state only holds for the events it was read with (a report whose filter
 * was widened under the same name has events before its state that were never read).
 */
export function reportDefinition(report: CustomReport): string {
  const selected = [
    report.logGroupName.replace(/:\*$/, ""),
    [...new Set(report.logStreamNames)].sort(),
    report.filterPattern ?? "",
  ];
  return `sha256:${createHash("sha256").update(JSON.stringify(selected)).digest("hex").slice(0, 16)}`;
}

/** What one stream reads. */
export interface StreamSource {
  readonly name: string;
  readonly logGroupName: string;
  /** The group's ARN (without `:*`) when it is a linked source account's: read by ARN, not name. */
  readonly logGroupIdentifier: string | undefined;
  /** The account that holds the group, on every record; only with include_linked_accounts. */
  readonly accountId: string | undefined;
  readonly logStreamNames: readonly string[];
  readonly filterPattern: string | undefined;
  /** Present when the stream is a custom report. */
  readonly report: CustomReport | undefined;
}

/** The one stream of the single_stream layout: the events of every selected log group. */
export const ALL_GROUPS_STREAM = "log_events";
