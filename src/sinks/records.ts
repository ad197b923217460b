// Each event becomes a RECORD; optionally with its JSON message parsed. Records are serialized
// straight from the events (no intermediate objects): this is the connector's hot path.
import type { Emitter } from "../emitter.js";
import type { LogEvent } from "../logs-api.js";
import { PageEvent } from "../page-scan.js";
import type { EventSink } from "./sink.js";

/** The message as an object when it is a JSON object, else null. */
export function parseJsonObject(message: string): object | null {
  if (!message.trimStart().startsWith("{")) return null;
  try {
    const v: unknown = JSON.parse(message);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** JSON text of `message_json`: the message itself when it is a JSON object (it is valid JSON). */
function messageJson(message: string): string {
  return parseJsonObject(message) === null ? "null" : message.trim();
}

export function recordSink(emitter: Emitter, stream: string, logGroupName: string, parseJsonMessages: boolean): EventSink {
  const groupJson = `{"logGroupName":${JSON.stringify(logGroupName)},"logStreamName":`;
  // Log stream names repeat on every event of a page: escape each once.
  const streamJson = new Map<string, string>();
  // A plain event's JSON members are reused as they came: already escaped, in any order.
  const groupOpen = `{"logGroupName":${JSON.stringify(logGroupName)},`;
  const serialize = (e: LogEvent): string => {
    if (e instanceof PageEvent && e.plain) {
      const base = groupOpen + e.members();
      return parseJsonMessages ? `${base},"message_json":${messageJson(e.message)}}` : `${base}}`;
    }
    let s = streamJson.get(e.logStreamName);
    if (s === undefined) {
      s = JSON.stringify(e.logStreamName);
      streamJson.set(e.logStreamName, s);
    }
    const base =
      `${groupJson}${s},"timestamp":${e.timestamp},"ingestionTime":${e.ingestionTime},` +
      `"message":${JSON.stringify(e.message)},"eventId":${JSON.stringify(e.eventId)}`;
    return parseJsonMessages ? `${base},"message_json":${messageJson(e.message)}}` : `${base}}`;
  };
  return {
    maxWindowsInFlight: Number.POSITIVE_INFINITY,
    deliver: (events) => emitter.serializedRecords(stream, events.map(serialize)),
    commit: (watermark) => watermark,
    close: (watermark) => watermark,
  };
}
