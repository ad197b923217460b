// Each event becomes a RECORD; optionally with its JSON message parsed. Records are serialized
// straight from the events (no intermediate objects): this is the connector's hot path.
import type { Emitter } from "../airbyte/emitter.js";
import type { LogEvent } from "../domain/logs.js";
import { PageEvent } from "../aws/page-scan.js";
import type { EventSink } from "./sink.js";

/** The message as an object when it is a JSON object, else null. */
function parseJsonObject(message: string): object | null {
  if (!message.trimStart().startsWith("{")) return null;
  try {
    const v: unknown = JSON.parse(message);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The JSON text of `message_json` for a message that is a JSON object: the message's own text,
 * not a JS round trip (which would round big numbers, drop duplicate keys). Only what a record
 * line cannot carry is rewritten, keeping the JSON value exact: line breaks (whitespace between
 * tokens, as raw ones cannot be inside strings) become spaces, and unpaired surrogates (inside
 * strings; UTF-8 output would turn them into U+FFFD) are escaped.
 */
export function messageJsonText(message: string): string {
  const text = message.trim();
  // A cheap test first (any surrogate, paired or not): most messages need no rewriting.
  if (!/[\n\r\ud800-\udfff]/.test(text)) return text;
  return text.replace(/[\n\r]|\p{Cs}/gu, (c) =>
    c === "\n" || c === "\r" ? " " : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** JSON text of `message_json`: see messageJsonText; null when the message is no JSON object. */
function messageJson(message: string): string {
  return parseJsonObject(message) === null ? "null" : messageJsonText(message);
}

export function recordSink(
  emitter: Emitter,
  stream: string,
  logGroupName: string,
  parseJsonMessages: boolean,
): EventSink {
  const groupOpen = `{"logGroupName":${JSON.stringify(logGroupName)},`;
  // Log stream names repeat on every event of a page: escape each once.
  const streamJson = new Map<string, string>();
  /** The event's fields as JSON members, without braces. */
  const members = (e: LogEvent): string => {
    // A plain event's members are reused as they came: already escaped, in any order.
    if (e instanceof PageEvent && e.plain) return e.members();
    let s = streamJson.get(e.logStreamName);
    if (s === undefined) {
      s = JSON.stringify(e.logStreamName);
      streamJson.set(e.logStreamName, s);
    }
    return (
      `"logStreamName":${s},"timestamp":${e.timestamp},"ingestionTime":${e.ingestionTime},` +
      `"message":${JSON.stringify(e.message)},"eventId":${JSON.stringify(e.eventId)}`
    );
  };
  const serialize = (e: LogEvent): string =>
    parseJsonMessages
      ? `${groupOpen}${members(e)},"message_json":${messageJson(e.message)}}`
      : `${groupOpen}${members(e)}}`;
  return {
    maxWindowsInFlight: Number.POSITIVE_INFINITY,
    deliver: (events, signal) => emitter.serializedRecords(stream, events.map(serialize), signal),
    commit: (watermark) => watermark,
    close: (watermark) => watermark,
  };
}
