// What the connector knows of CloudWatch Logs: log groups, their events, and the narrow port the
// engine reads them through (implemented by src/aws/logs-api.ts, faked in engine unit tests).

export interface LogGroup {
  readonly name: string;
  readonly creationTime: number | undefined;
  readonly retentionInDays: number | undefined;
  /** STANDARD, INFREQUENT_ACCESS or DELIVERY; FilterLogEvents reads STANDARD only. */
  readonly logGroupClass: string | undefined;
  readonly storedBytes: number | undefined;
  /** arn:aws:logs:<region>:<account>:log-group:<name>:* (when the service says). */
  readonly arn?: string;
}

export interface LogEvent {
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
  /**
   * The event's fields as the members of a JSON object, without the braces: already escaped, in
   * any order. Given (not undefined) only by an event that has exactly these five fields, read
   * straight from the page text; a record then reuses them instead of encoding the fields again.
   */
  jsonMembers?(): string | undefined;
  /** jsonMembers() when it is ASCII (read from a page of ASCII bytes), so it can be copied as bytes. */
  asciiJsonMembers?(): string | undefined;
}

export interface FilterRequest {
  readonly logGroupName: string;
  /**
   * The group's ARN without the trailing `:*`, sent instead of logGroupName: a group of a linked
   * source account is found only by its ARN (by name FilterLogEvents looks in the caller's account).
   */
  readonly logGroupIdentifier?: string;
  /** Inclusive, epoch ms. */
  readonly startTime: number;
  /** Sent as is; callers drop events at or after it (AWS's end bound is ambiguous). */
  readonly endTime: number;
  readonly logStreamNames?: readonly string[];
  readonly filterPattern?: string;
  readonly nextToken?: string;
  /** At most this many events on the page (AWS default and maximum: 10,000). */
  readonly limit?: number;
  /** Sensitive values of a data protection policy in clear, not masked (needs logs:Unmask). */
  readonly unmask?: boolean;
  /** Cancels the request (and its retries): it then rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Told as each attempt is sent: after its turn under the rate limit, which may be long. */
  readonly onSend?: () => void;
}

export interface EventPage {
  readonly events: LogEvent[];
  readonly nextToken: string | undefined;
}

/**
 * Which log groups DescribeLogGroups lists, filtered by the service: names starting with `prefix`,
 * or names containing `pattern` (case-sensitive). AWS refuses both at once.
 */
export type LogGroupSelection =
  | { readonly prefix?: string; readonly pattern?: undefined }
  | { readonly prefix?: undefined; readonly pattern?: string };

/** Whether a log group's name is one the selection lists. */
export function selects(selection: LogGroupSelection, name: string): boolean {
  if (selection.prefix !== undefined) return name.startsWith(selection.prefix);
  if (selection.pattern !== undefined) return name.includes(selection.pattern);
  return true;
}

/** Cross-account observability: list the groups of the linked source accounts too. */
export interface LinkedAccounts {
  /** Only these accounts (12-digit ids); empty: the monitoring account and every linked account. */
  readonly accountIdentifiers: readonly string[];
}

export interface LogsApi {
  /**
   * The caller's log groups of the selection (all when it is empty); with `linked`, those of linked
   * source accounts too.
   */
  listLogGroups(selection?: LogGroupSelection, linked?: LinkedAccounts): AsyncGenerator<LogGroup>;
  /** The caller's log group with exactly this name, or undefined. */
  findLogGroup(name: string): Promise<LogGroup | undefined>;
  /** The caller's account, from the ARN of one of its own log groups; undefined when it has none. */
  ownAccount(): Promise<string | undefined>;
  filterEvents(request: FilterRequest): Promise<EventPage>;
  close(): void;
}

/** arn:aws:logs:<region>:<account>:log-group:<name>[:*] */
const GROUP_ARN = /^arn:aws[a-z-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(?::\*)?$/;

/** The region, account and name in a log group ARN, or undefined when `text` is no log group ARN. */
export function parseGroupArn(
  text: string,
): { readonly region: string; readonly account: string; readonly name: string } | undefined {
  const m = GROUP_ARN.exec(text);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : undefined;
}

/** arn:<partition>:logs:<region>:<account> */
const ORIGIN = "arn:aws[a-z-]*:logs:[a-z0-9-]*:\\d{12}";
/** A log group ARN's origin (its first five fields). */
const ORIGIN_OF_ARN = new RegExp(`^(${ORIGIN}):log-group:`);
const WHOLE_ORIGIN = new RegExp(`^${ORIGIN}$`);

/**
 * Where a log group's events come from, `arn:<partition>:logs:<region>:<account>` (the start of its
 * ARN): a state holds only for the events of this origin (the same group names in another region
 * or account are other events). Undefined when the service gave no ARN.
 */
export function originOfGroup(group: LogGroup): string | undefined {
  return group.arn === undefined ? undefined : ORIGIN_OF_ARN.exec(group.arn)?.[1];
}

/** Whether `text` is an origin as originOfGroup gives it. */
export function isOrigin(text: string): boolean {
  return WHOLE_ORIGIN.test(text);
}

/** The account that holds the group, from its ARN. */
export function accountOfGroup(group: LogGroup): string | undefined {
  return group.arn === undefined ? undefined : parseGroupArn(group.arn)?.account;
}

/** The group's ARN as FilterLogEvents takes it in logGroupIdentifier: without the trailing `:*`. */
export function groupIdentifier(arn: string): string {
  return arn.endsWith(":*") ? arn.slice(0, -2) : arn;
}
