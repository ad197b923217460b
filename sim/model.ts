// Resolved (validated, absolute-time) description of a simulated account.

export type LogClass = "STANDARD" | "INFREQUENT_ACCESS";
export type MessageShape = "text" | "json" | "access-log";

export const API_NAMES = [
  "DescribeLogGroups",
  "DescribeLogStreams",
  "FilterLogEvents",
  "GetLogEvents",
  "CreateLogGroup",
  "CreateLogStream",
  "DeleteLogGroup",
  "PutLogEvents",
  "AssumeRole",
] as const;
export type ApiName = (typeof API_NAMES)[number];

/** Events of one stream produced on demand; nothing per event is stored. */
export interface GeneratedStreamSpec {
  readonly count: number;
  readonly start: number; // first possible timestamp, epoch ms
  readonly end: number; // exclusive
  readonly shape: MessageShape;
  readonly size: number; // target message length in characters (ASCII)
  readonly minDelayMs: number; // ingestion delay range for ordinary events
  readonly maxDelayMs: number;
  readonly lateFraction: number; // fraction of events ingested lateDelayMs after their timestamp
  readonly lateDelayMs: number;
}

export interface StreamSpec {
  readonly name: string;
  readonly creationTime: number;
  readonly generated?: GeneratedStreamSpec;
}

/** Managed data identifiers a policy may name (their AWS names; patterns in sim/data-protection.ts). */
export const DATA_IDENTIFIERS = ["EmailAddress", "IpAddress", "AwsSecretKey", "CreditCardNumber"] as const;
export type DataIdentifier = (typeof DATA_IDENTIFIERS)[number];

/** A log group's data protection policy: what its events show masked unless read with unmask. */
export interface DataProtectionSpec {
  /** Managed data identifiers, e.g. "EmailAddress". */
  readonly identifiers: readonly DataIdentifier[];
  /** Regular expressions (custom data identifiers). */
  readonly customPatterns: readonly string[];
}

export interface GroupSpec {
  readonly name: string;
  /** A linked source account that holds the group; absent: the caller's account (settings.accountId). */
  readonly accountId?: string;
  readonly logClass: LogClass;
  readonly creationTime: number;
  readonly retentionInDays?: number;
  readonly dataProtection?: DataProtectionSpec;
  readonly streams: readonly StreamSpec[];
}

/** An IAM action denied on every log group, or on these only. */
export interface Denial {
  /** e.g. "logs:Unmask", "logs:FilterLogEvents". */
  readonly action: string;
  readonly logGroups?: readonly string[];
}

export interface Settings {
  readonly seed: number;
  readonly region: string;
  readonly accountId: string;
  readonly clock: { readonly start?: number; readonly speed: number };
  /** Requests per second per API; null = unlimited. */
  readonly quotas: Readonly<Record<ApiName, number | null>>;
  readonly latency: { readonly fixedMs: number; readonly perKbMs: number };
  readonly faults: {
    /** ThrottlingException regardless of the quota: other callers sharing the account's quota. */
    readonly throttleRate: number;
    readonly http500Rate: number;
    readonly http503Rate: number;
    readonly resetRate: number;
    readonly stallRate: number;
    readonly stallMs: number;
    // Faults in a successful (HTTP 200) answer, as proxies and middleboxes produce them.
    /** 200 with an AWS error body: {"__type":"ServiceUnavailableException",...}. */
    readonly errorBodyRate: number;
    /** 200 with `{}`. */
    readonly emptyBodyRate: number;
    /** 200 whose body is cut short (Content-Length matches the cut body). */
    readonly truncatedBodyRate: number;
    /** 200 whose valid body is followed by garbage. */
    readonly garbageTailRate: number;
    /** 200 with an HTML page (text/html). */
    readonly htmlBodyRate: number;
    /** Headers and half the body, then a stall of `stallMs`, then the connection is closed. */
    readonly bodyStallRate: number;
    /** Headers and half the body, then a TCP reset. */
    readonly bodyResetRate: number;
    /** The operations faults hit; undefined: every Logs operation. */
    readonly operations?: readonly ApiName[];
  };
  readonly pages: { readonly shortPageRate: number; readonly emptyPageRate: number; readonly maxScanPerPage: number };
  readonly sts: { readonly actualLifetimeSeconds?: number; readonly allowedStaticKeys?: readonly string[] };
  /** IAM actions callers are denied (AccessDeniedException). */
  readonly deniedActions: readonly Denial[];
}

export interface Scenario {
  readonly settings: Settings;
  readonly groups: readonly GroupSpec[];
}
