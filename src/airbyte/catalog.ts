// Streams as Airbyte describes them: their record schema, cursor and primary key.
import {
  ACCOUNT_ID_FIELD,
  ALL_GROUPS_LINKED_RECORD_KEY,
  ALL_GROUPS_RECORD_KEY,
  EVENT_RECORD_CURSOR,
  EVENT_RECORD_FIELDS,
  EVENT_RECORD_KEY,
  MESSAGE_JSON_FIELD,
} from "../domain/record.js";
import { ALL_GROUPS_STREAM, type StreamSource } from "../domain/streams.js";
import type { AirbyteStream } from "./protocol.js";

const eventProperties = Object.fromEntries(
  EVENT_RECORD_FIELDS.map((f) => [f.name, { type: f.type, description: f.description }]),
);

const eventRequired = EVENT_RECORD_FIELDS.filter((f) => f.required).map((f) => f.name);

const accountProperty = {
  [ACCOUNT_ID_FIELD.name]: { type: ACCOUNT_ID_FIELD.type, description: ACCOUNT_ID_FIELD.description },
};

/**
 * Schema of an event record; `accountId` is declared only when linked accounts are read,
 * `message_json` only when JSON messages are parsed.
 */
function recordSchema(shape: StreamShape): Record<string, unknown> {
  const fields = shape.linkedAccounts ? { ...eventProperties, ...accountProperty } : eventProperties;
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: true,
    required: [...eventRequired],
    properties: shape.parseJsonMessages
      ? {
          ...fields,
          [MESSAGE_JSON_FIELD.name]: {
            type: [...MESSAGE_JSON_FIELD.type],
            additionalProperties: true,
            description: MESSAGE_JSON_FIELD.description,
          },
        }
      : fields,
  };
}

/** Schema of a file record (file transfer): the metadata of one staged raw log file. */
const fileSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: true,
  required: ["file_relative_path", "file_size_bytes", "logGroupName", "logStreamName", "date"],
  properties: {
    file_relative_path: {
      type: "string",
      description: "Path of the file: <log stream>/<YYYY-MM-DD>/<first ms covered>.log",
    },
    file_size_bytes: { type: "integer" },
    logGroupName: { type: "string" },
    logStreamName: { type: "string" },
    date: { type: "string", description: "UTC day of the events in the file, YYYY-MM-DD." },
    event_count: { type: "integer" },
    first_event_timestamp: { type: "integer", description: "Epoch ms of the file's oldest event." },
    last_event_timestamp: { type: "integer", description: "Epoch ms of the file's newest event." },
  },
} as const;

const FILE_CURSOR_FIELD = "last_event_timestamp";
const FILE_PRIMARY_KEY: string[][] = [["file_relative_path"]];
const CURSOR_FIELD = EVENT_RECORD_CURSOR;
const PRIMARY_KEY: string[][] = EVENT_RECORD_KEY.map((field) => [field]);
const ALL_GROUPS_PRIMARY_KEY: string[][] = ALL_GROUPS_RECORD_KEY.map((field) => [field]);
const ALL_GROUPS_LINKED_PRIMARY_KEY: string[][] = ALL_GROUPS_LINKED_RECORD_KEY.map((field) => [field]);

export interface StreamShape {
  readonly parseJsonMessages: boolean;
  readonly fileTransfer: boolean;
  /** include_linked_accounts: records carry accountId. */
  readonly linkedAccounts?: boolean;
}

export function toAirbyteStream(source: StreamSource, shape: StreamShape): AirbyteStream {
  return airbyteStream(source.name, shape, PRIMARY_KEY);
}

/**
 * The single stream (stream_layout single_stream): event records of every log group, never files;
 * with linked accounts, keyed by account too.
 */
export function allGroupsStream(shape: StreamShape): AirbyteStream {
  return airbyteStream(
    ALL_GROUPS_STREAM,
    { ...shape, fileTransfer: false },
    shape.linkedAccounts === true ? ALL_GROUPS_LINKED_PRIMARY_KEY : ALL_GROUPS_PRIMARY_KEY,
  );
}

function airbyteStream(name: string, shape: StreamShape, primaryKey: string[][]): AirbyteStream {
  return {
    name,
    json_schema: shape.fileTransfer ? fileSchema : recordSchema(shape),
    supported_sync_modes: ["full_refresh", "incremental"],
    source_defined_cursor: true,
    default_cursor_field: shape.fileTransfer ? [FILE_CURSOR_FIELD] : [CURSOR_FIELD],
    source_defined_primary_key: shape.fileTransfer ? FILE_PRIMARY_KEY : primaryKey,
    is_resumable: true,
    ...(shape.fileTransfer ? { is_file_based: true } : {}),
  };
}
