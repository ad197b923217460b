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
 * log group name in another region or behind another endpoint is another stream.
 */
export interface SourceIdentity {
  readonly region: string;
  /** undefined: the region's AWS endpoint. */
  readonly endpoint: string | undefined;
}

export function describeSource(source: SourceIdentity): string {
  return `region ${source.region}, ${source.endpoint === undefined ? "AWS endpoint" : `endpoint ${source.endpoint}`}`;
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
