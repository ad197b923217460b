// Streams: what each stream of the catalog reads, a log group's events or a custom report's.

/** A custom report: a stream of its own over a log group, optionally narrowed (custom_log_reports). */
export interface CustomReport {
  readonly name: string;
  /** A log group name, or a log group ARN (with or without `:*`). */
  readonly logGroupName: string;
  readonly logStreamNames: readonly string[];
  readonly filterPattern: string | undefined;
}

/** What one stream reads. */
export interface StreamSource {
  readonly name: string;
  readonly logGroupName: string;
  /** The group's ARN (without `:*`) when it is a linked source account's: read by ARN, not name. */
  readonly logGroupIdentifier: string | undefined;
  /** The account that holds the group, on every record; only with include_linked_accounts. */
  readonly accountId: string | undefined;
  /** The group's region and account (see originOfGroup); undefined until the group is resolved. */
  readonly origin: string | undefined;
  /** When the group was made (epoch ms), if the service says: a group of the same name made again differs. */
  readonly groupCreationTime: number | undefined;
  readonly logStreamNames: readonly string[];
  readonly filterPattern: string | undefined;
  /** Present when the stream is a custom report. */
  readonly report: CustomReport | undefined;
}

/** The one stream of the single_stream layout: the events of every selected log group. */
export const ALL_GROUPS_STREAM = "log_events";

/** A linked source account's log group as a stream: `<account id>:<name>` (log group names have no ':'). */
export function accountStreamName(account: string, logGroupName: string): string {
  return `${account}:${logGroupName}`;
}

/** The account and log group name of a stream named as accountStreamName names it; undefined for any other name. */
export function parseAccountStreamName(
  stream: string,
): { readonly account: string; readonly logGroupName: string } | undefined {
  const m = /^(\d{12}):(.+)$/.exec(stream);
  return m ? { account: m[1]!, logGroupName: m[2]! } : undefined;
}
