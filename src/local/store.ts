// Where `sync` keeps what it read: a DuckDB file or JSON-lines files. Both commit a stream's
// records only together with the state that covers them (Airbyte's commit semantics).

/** One RECORD's data as the connector emits it in records mode. */
export interface LogRecord {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
  readonly message_json?: unknown;
}

/**
 * Where a store's streams are read from. States of one source never apply to another: the same
 * log group name in another account, region or behind another endpoint is another stream.
 */
export interface SourceIdentity {
  /** From the log groups' ARNs; undefined when no group was listed. */
  readonly account: string | undefined;
  readonly region: string;
  /** undefined: the region's AWS endpoint. */
  readonly endpoint: string | undefined;
}

export function describeSource(source: SourceIdentity): string {
  const endpoint = source.endpoint === undefined ? "AWS endpoint" : `endpoint ${source.endpoint}`;
  return `${source.account === undefined ? "unknown account" : `account ${source.account}`}, region ${source.region}, ${endpoint}`;
}

/** The account of the first group whose ARN names one. */
export function accountOf(groups: readonly { readonly arn?: string }[]): string | undefined {
  for (const g of groups) {
    const account = g.arn?.split(":")[4];
    if (account) return account;
  }
  return undefined;
}

export interface LocalStore {
  /** Where the data is, for people. */
  readonly location: string;
  /** The stream states committed by earlier syncs, as STATE messages' `stream` objects. */
  loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>>;
  /** Atomically: the records (upserted by primary key) and the stream's new state. */
  commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
