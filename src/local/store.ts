// Where `sync` keeps what it read: a DuckDB file or JSON-lines files. Both commit a stream's
// records only together with the state that covers them (Airbyte's commit semantics).
import { withoutUserinfo } from "../config/config.js";
import type { RecordBatch } from "./record-batch.js";

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
  // An earlier version stored endpoint_url as given, a user and password included.
  const endpoint = source.endpoint === undefined ? "AWS endpoint" : `endpoint ${withoutUserinfo(source.endpoint)}`;
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

/** What a commit stored other than as given (the records and the state are stored all the same). */
export interface CommitReport {
  /** Records stored with message_json NULL: the store cannot represent their JSON. */
  readonly messageJsonDropped: number;
  /** Records whose message has unpaired surrogates, stored with U+FFFD in their place. */
  readonly messagesReplaced: number;
  /**
   * Of the committed records, those that are not new: the store held them before (lookback,
   * resumed windows), or the batch held them already (an event repeated in an answer).
   */
  readonly reread: number;
  /**
   * How many records this commit stored, when not the batch's: a store may keep records past the
   * state's watermark for the commit whose state covers them (see JsonlStore).
   */
  readonly stored?: number;
}

export const CLEAN_COMMIT: CommitReport = { messageJsonDropped: 0, messagesReplaced: 0, reread: 0 };

export interface LocalStore {
  /** Where the data is, for people. */
  readonly location: string;
  /** What opening the store found and put right (a table dropped by hand), for the summary's notes. */
  readonly notes: readonly string[];
  /** The stream states committed by earlier syncs, as STATE messages' `stream` objects. */
  loadStates(): Promise<ReadonlyMap<string, Record<string, unknown>>>;
  /**
   * Atomically: the records (an event already stored is replaced, never repeated) and the stream's
   * new state. The records are RECORD lines of the stream as the connector wrote them (each data
   * one JSON object's text without line breaks, `message_json` (when present) its last member).
   */
  commit(stream: string, records: RecordBatch, state: Record<string, unknown>): Promise<CommitReport>;
  close(): Promise<void>;
}
