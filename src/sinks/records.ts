// Each event becomes a RECORD; optionally with its JSON message parsed. Records are serialized
// straight from the events (no intermediate objects): this is the connector's hot path.
import type { Emitter, EncodedRecords } from "../airbyte/emitter.js";
import type { LogEvent } from "../domain/logs.js";
import {
  ACCOUNT_ID_FIELD,
  EVENT_RECORD_FIELDS,
  type EventRecordFieldName,
  MESSAGE_JSON_FIELD,
} from "../domain/record.js";
import type { EventSink } from "./sink.js";

/**
 * The deepest message_json written: deeper JSON (a hostile or broken log line) would make the
 * record line one that common JSON readers refuse (jq 1.6 reads 256 levels, Jackson 1,000, Python's
 * json about 1,000), and the record sits 4 levels deep in its line.
 */
const MAX_MESSAGE_JSON_DEPTH = 100;

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
 * Whether the JSON text nests objects and arrays deeper than `levels`. Counted in the text, which
 * is what message_json carries: a parsed value keeps only the last of repeated keys.
 */
function deeperThan(json: string, levels: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > levels) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
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

/**
 * JSON text of `message_json`: see messageJsonText; null when the message is no JSON object, and
 * undefined when it is one nested deeper than MAX_MESSAGE_JSON_DEPTH.
 */
function messageJson(message: string): string | undefined {
  if (parseJsonObject(message) === null) return "null";
  return deeperThan(message, MAX_MESSAGE_JSON_DEPTH) ? undefined : messageJsonText(message);
}

const GROUP = "logGroupName" satisfies EventRecordFieldName;

/** The record's fields in order, each with its key as JSON and the comma before it (none before the first). */
const FIELDS = EVENT_RECORD_FIELDS.map((f, i) => ({
  name: f.name,
  key: `${i === 0 ? "" : ","}${JSON.stringify(f.name)}:`,
}));
const MESSAGE_JSON_KEY = `,${JSON.stringify(MESSAGE_JSON_FIELD.name)}:`;

/**
 * `accountId` (linked accounts only) is the same on every record of the stream: it is written once
 * into the text that follows the group, so an event costs nothing more.
 */
export function recordSink(
  emitter: Emitter,
  stream: string,
  logGroupName: string,
  parseJsonMessages: boolean,
  accountId?: string,
): EventSink {
  const groupJson =
    JSON.stringify(logGroupName) +
    (accountId === undefined ? "" : `,${JSON.stringify(ACCOUNT_ID_FIELD.name)}:${JSON.stringify(accountId)}`);
  const groupOpen = `{${JSON.stringify(GROUP)}:${groupJson},`;
  // Log stream names repeat on every event of a page: escape each once.
  const streamJson = new Map<string, string>();
  const stringJson = (name: EventRecordFieldName, value: string): string => {
    if (name !== "logStreamName") return JSON.stringify(value);
    let s = streamJson.get(value);
    if (s === undefined) {
      s = JSON.stringify(value);
      streamJson.set(value, s);
    }
    return s;
  };
  let warnedTooDeep = false;
  // A stream of several log groups (single_stream) has a sink per group: the WARN names the group.
  const from = stream === logGroupName ? "" : ` from log group ${JSON.stringify(logGroupName)}`;
  /** message_json's text, null for a message nested too deep (said once per stream and log group). */
  const jsonOf = (message: string): string => {
    const json = messageJson(message);
    if (json !== undefined) return json;
    if (!warnedTooDeep) {
      warnedTooDeep = true;
      emitter.log(
        "WARN",
        `Stream ${JSON.stringify(stream)} has a message${from} of JSON nested deeper than ${MAX_MESSAGE_JSON_DEPTH} levels: its message_json is null, ` +
          "as for such messages from now on (the message keeps the text), since many JSON readers refuse that depth.",
      );
    }
    return "null";
  };
  /** The record's fields as JSON members, without braces, in the record's field order. */
  const fields = (e: LogEvent): string => {
    let s = "";
    for (const { name, key } of FIELDS) {
      if (name === GROUP) {
        s += key + groupJson;
        continue;
      }
      const value = e[name];
      s += key + (typeof value === "number" ? String(value) : stringJson(name, value));
    }
    return s;
  };
  // A plain event's members are reused as they came (already escaped, in any order), after its
  // group; each record is built by one template, as this runs for every event.
  const serialize = parseJsonMessages
    ? (e: LogEvent): string => {
        const given = e.jsonMembers?.();
        const json = `${MESSAGE_JSON_KEY}${jsonOf(e.message)}}`;
        return given === undefined ? `{${fields(e)}${json}` : `${groupOpen}${given}${json}`;
      }
    : (e: LogEvent): string => {
        const given = e.jsonMembers?.();
        return given === undefined ? `{${fields(e)}}` : `${groupOpen}${given}}`;
      };
  // Events read from an ASCII page: written as bytes, group and members copied (the same lines).
  const head = Buffer.from(groupOpen);
  const close = Buffer.from("}");
  const encoded = (events: readonly LogEvent[]): EncodedRecords | undefined => {
    const middles: string[] = [];
    for (const e of events) {
      const m = e.asciiJsonMembers?.();
      if (m === undefined) return undefined;
      middles.push(m);
    }
    const tails = parseJsonMessages ? events.map((e) => `${MESSAGE_JSON_KEY}${jsonOf(e.message)}}`) : close;
    return { head, middles, tails };
  };
  return {
    maxWindowsInFlight: Number.POSITIVE_INFINITY,
    deliver: (events, signal) => {
      const bytes = encoded(events);
      return bytes === undefined
        ? emitter.serializedRecords(stream, events.map(serialize), signal)
        : emitter.encodedRecords(stream, bytes, signal);
    },
    commit: (watermark) => watermark,
    close: (watermark) => watermark,
  };
}
