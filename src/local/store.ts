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

export interface LocalStore {
  /** Where the data is, for people. */
  readonly location: string;
  /** The stream states committed by earlier syncs, as STATE messages' `stream` objects. */
  loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>>;
  /** Atomically: the records (upserted by primary key) and the stream's new state. */
  commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}
