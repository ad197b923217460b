// Log groups and custom reports become streams: their descriptions and their record schema.
import type { Config, ReportConfig } from "../config/config.js";
import { ConfigError } from "./errors.js";
import type { LogGroup } from "../domain/logs.js";
import type { AirbyteStream } from "./protocol.js";

/** What one stream reads. */
export interface StreamSource {
  readonly name: string;
  readonly logGroupName: string;
  readonly logStreamNames: readonly string[];
  readonly filterPattern: string | undefined;
  /** Present when the stream is a custom report. */
  readonly report: ReportConfig | undefined;
}

/** FilterLogEvents cannot read these classes of log group. */
const UNREADABLE_CLASSES: ReadonlySet<string> = new Set(["INFREQUENT_ACCESS", "DELIVERY"]);

export function isReadable(group: LogGroup): boolean {
  return group.logGroupClass === undefined || !UNREADABLE_CLASSES.has(group.logGroupClass);
}

const eventProperties = {
  logGroupName: { type: "string", description: "The log group the event belongs to." },
  logStreamName: { type: "string", description: "The log stream the event belongs to." },
  timestamp: { type: "integer", description: "Event time, epoch milliseconds (UTC)." },
  ingestionTime: { type: "integer", description: "When CloudWatch ingested the event, epoch milliseconds (UTC)." },
  message: { type: "string", description: "The raw log message." },
  eventId: { type: "string", description: "CloudWatch's id of the event, unique within its log stream." },
} as const;

/** Schema of an event record; `message_json` is declared only when JSON messages are parsed. */
function recordSchema(parseJsonMessages: boolean): Record<string, unknown> {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: true,
    required: ["logGroupName", "logStreamName", "timestamp", "message", "eventId"],
    properties: parseJsonMessages
      ? {
          ...eventProperties,
          message_json: {
            type: ["null", "object"],
            additionalProperties: true,
            description: "The message parsed, when it is a JSON object; null otherwise.",
          },
        }
      : eventProperties,
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
const CURSOR_FIELD = "timestamp";
const PRIMARY_KEY: string[][] = [["logStreamName"], ["eventId"]];

export function groupSource(group: LogGroup): StreamSource {
  return {
    name: group.name,
    logGroupName: group.name,
    logStreamNames: [],
    filterPattern: undefined,
    report: undefined,
  };
}

export function reportSource(report: ReportConfig): StreamSource {
  return {
    name: report.name,
    logGroupName: report.logGroupName,
    logStreamNames: report.logStreamNames,
    filterPattern: report.filterPattern,
    report,
  };
}

export function reportNameClash(index: number, name: string): ConfigError {
  return new ConfigError(
    `custom_log_reports[${index}].name ${JSON.stringify(name)} is also the name of a log group stream; give the report another name`,
  );
}

export function reportGroupMissing(index: number, logGroupName: string, region: string): string {
  return `custom_log_reports[${index}].log_group_name: log group ${JSON.stringify(logGroupName)} does not exist in ${region} or is not visible to these credentials`;
}

/** Fails when a custom report would shadow a log group stream of the same name. */
export function assertNoNameClash(config: Config, groupNames: ReadonlySet<string>): void {
  config.reports.forEach((r, i) => {
    if (groupNames.has(r.name)) throw reportNameClash(i, r.name);
  });
}

/** The streams of a catalog: readable log groups first (in API order), then custom reports. */
export function buildSources(config: Config, groups: readonly LogGroup[]): StreamSource[] {
  assertNoNameClash(config, new Set(groups.map((g) => g.name)));
  return [...groups.filter(isReadable).map(groupSource), ...config.reports.map(reportSource)];
}

export interface StreamShape {
  readonly parseJsonMessages: boolean;
  readonly fileTransfer: boolean;
}

export function toAirbyteStream(source: StreamSource, shape: StreamShape): AirbyteStream {
  return {
    name: source.name,
    json_schema: shape.fileTransfer ? fileSchema : recordSchema(shape.parseJsonMessages),
    supported_sync_modes: ["full_refresh", "incremental"],
    source_defined_cursor: true,
    default_cursor_field: shape.fileTransfer ? [FILE_CURSOR_FIELD] : [CURSOR_FIELD],
    source_defined_primary_key: shape.fileTransfer ? FILE_PRIMARY_KEY : PRIMARY_KEY,
    is_resumable: true,
    ...(shape.fileTransfer ? { is_file_based: true } : {}),
  };
}
