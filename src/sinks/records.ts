// Each event becomes a RECORD; optionally with its JSON message parsed.
import type { Emitter } from "../emitter.js";
import type { LogEvent } from "../logs-api.js";
import type { EventSink } from "./sink.js";

/** The message as an object when it is a JSON object, else null. */
export function parseJsonObject(message: string): object | null {
  const start = message.trimStart();
  if (!start.startsWith("{")) return null;
  try {
    const v: unknown = JSON.parse(message);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

export function recordSink(emitter: Emitter, stream: string, logGroupName: string, parseJsonMessages: boolean): EventSink {
  const toRecord = parseJsonMessages
    ? (e: LogEvent) => ({ logGroupName, logStreamName: e.logStreamName, timestamp: e.timestamp, ingestionTime: e.ingestionTime, message: e.message, eventId: e.eventId, message_json: parseJsonObject(e.message) })
    : (e: LogEvent) => ({ logGroupName, logStreamName: e.logStreamName, timestamp: e.timestamp, ingestionTime: e.ingestionTime, message: e.message, eventId: e.eventId });
  return {
    maxWindowsInFlight: Number.POSITIVE_INFINITY,
    deliver: (events) => emitter.records(stream, events.map(toRecord)),
    commit: (watermark) => watermark,
    close: (watermark) => watermark,
  };
}
