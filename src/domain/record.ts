// The event record: what one log event becomes in records mode (a RECORD's data), in the
// discovered schema and in the local stores. Its fields are listed here once, in the order the
// connector writes them; the schema, the serializer, the stores' record type and the DuckDB
// columns are derived from this list.

export interface RecordField {
  readonly name: string;
  /** JSON Schema type in the discovered catalog. */
  readonly type: "string" | "integer";
  /** Column type in the local DuckDB store. */
  readonly column: "VARCHAR" | "BIGINT";
  /** Listed in the schema's `required`. None of these fields is ever null. */
  readonly required: boolean;
  readonly description: string;
}

export const EVENT_RECORD_FIELDS = [
  {
    name: "logGroupName",
    type: "string",
    column: "VARCHAR",
    required: true,
    description: "The log group the event belongs to.",
  },
  {
    name: "logStreamName",
    type: "string",
    column: "VARCHAR",
    required: true,
    description: "The log stream the event belongs to.",
  },
  {
    name: "timestamp",
    type: "integer",
    column: "BIGINT",
    required: true,
    description: "Event time, epoch milliseconds (UTC).",
  },
  {
    name: "ingestionTime",
    type: "integer",
    column: "BIGINT",
    required: false,
    description: "When CloudWatch ingested the event, epoch milliseconds (UTC).",
  },
  { name: "message", type: "string", column: "VARCHAR", required: true, description: "The raw log message." },
  {
    name: "eventId",
    type: "string",
    column: "VARCHAR",
    required: true,
    description: "CloudWatch's id of the event, unique within its log stream.",
  },
] as const satisfies readonly RecordField[];

/**
 * An optional field, present only when linked accounts are read (include_linked_accounts): the
 * 12-digit id of the account that holds the log group. Written right after logGroupName, as the
 * same for every record of a stream (see sinks/records.ts).
 */
export const ACCOUNT_ID_FIELD = {
  name: "accountId",
  type: "string",
  column: "VARCHAR",
  required: false,
  description: "The AWS account that holds the log group (with include_linked_accounts only).",
} as const satisfies RecordField;

/**
 * The optional last field, present only when JSON messages are parsed: the message as a JSON
 * object, or null. Written as the message's own JSON text (see sinks/records.ts).
 */
export const MESSAGE_JSON_FIELD = {
  name: "message_json",
  /** JSON Schema type: null or an object (with any members). */
  type: ["null", "object"],
  column: "JSON",
  description: "The message parsed, when it is a JSON object; null otherwise.",
} as const;

type EventRecordField = (typeof EVENT_RECORD_FIELDS)[number];
export type EventRecordFieldName = EventRecordField["name"];

/** A record's primary key: an event id is unique only within its log stream. */
export const EVENT_RECORD_KEY = ["logStreamName", "eventId"] as const satisfies readonly EventRecordField["name"][];

/** The key of a stream holding several log groups (single_stream layout, local tables). */
export const ALL_GROUPS_RECORD_KEY = [
  "logGroupName",
  ...EVENT_RECORD_KEY,
] as const satisfies readonly EventRecordField["name"][];

/** The single stream's key with linked accounts: two accounts may hold log groups of the same name. */
export const ALL_GROUPS_LINKED_RECORD_KEY = [...ALL_GROUPS_RECORD_KEY, ACCOUNT_ID_FIELD.name] as const;

/** The cursor of incremental syncs. */
export const EVENT_RECORD_CURSOR = "timestamp" satisfies EventRecordField["name"];

/** The fields of an event record as a TypeScript type (without message_json). */
export type EventRecord = {
  readonly [F in EventRecordField as F["name"]]: F["type"] extends "integer" ? number : string;
} & { readonly [ACCOUNT_ID_FIELD.name]?: string };
