// Where `sync` keeps what it read: a DuckDB file or JSON-lines files. Both commit a stream's
// records only together with the state that covers them (Airbyte's commit semantics).

/** One RECORD's data as the connector emits it in records mode, `message_json` as JSON text. */
export interface LogRecord {
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly timestamp: number;
  readonly ingestionTime: number;
  readonly message: string;
  readonly eventId: string;
  /** The record's `message_json` as the connector wrote it, null for JSON null; absent when not parsed. */
  readonly messageJsonText?: string | null;
}

/** What a commit stored other than as given (the records and the state are stored all the same). */
export interface CommitReport {
  /** Records stored with message_json NULL: the store cannot represent their JSON. */
  readonly messageJsonDropped: number;
  /** Records whose message has unpaired surrogates, stored with U+FFFD in their place. */
  readonly messagesReplaced: number;
}

export const CLEAN_COMMIT: CommitReport = { messageJsonDropped: 0, messagesReplaced: 0 };

export interface LocalStore {
  /** Where the data is, for people. */
  readonly location: string;
  /** The stream states committed by earlier syncs, as STATE messages' `stream` objects. */
  loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>>;
  /** Atomically: the records (upserted by primary key) and the stream's new state. */
  commit(stream: string, records: readonly LogRecord[], state: Record<string, unknown>): Promise<CommitReport>;
  close(): Promise<void>;
}
