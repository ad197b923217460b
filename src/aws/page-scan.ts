// Reads a FilterLogEvents page without building an object per event. Each event keeps the offsets
// of its fields in the page text; a record reuses the event's JSON text as it came (it is already
// escaped), so no message is ever decoded and re-encoded on the hot path. Measured (npm run bench,
// scenarios 2 and 3): JSON.parse of whole pages plus JSON.stringify of every message was most of
// the connector's CPU and garbage. Pure: no I/O.
//
// The scan checks the structure of the page and the escapes of its strings. Anything it does not
// expect (another shape, a missing field, a fractional timestamp, whitespace with control
// characters) makes it return undefined, and the caller parses the page with JSON.parse instead:
// unusual pages are slower, never wrong.
import type { LogEvent } from "../domain/logs.js";

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const LBRACKET = 91;
const RBRACKET = 93;
const MINUS = 45;

/** An event read from the page text: string fields are decoded only when asked for. */
export class PageEvent implements LogEvent {
  constructor(
    private readonly text: string,
    /** text[start] is the event's "{", text[end - 1] its "}". */
    private readonly start: number,
    private readonly end: number,
    readonly timestamp: number,
    readonly ingestionTime: number,
    /** Offsets of the JSON string literals (quotes included) of the three string fields. */
    private readonly streamAt: number,
    private readonly streamEnd: number,
    private readonly messageAt: number,
    private readonly messageEnd: number,
    private readonly idAt: number,
    private readonly idEnd: number,
    /** The object has exactly the five fields of a filtered log event, each once. */
    readonly plain: boolean,
    /** The page text is ASCII. */
    private readonly ascii: boolean,
  ) {}

  get logStreamName(): string {
    return JSON.parse(this.text.slice(this.streamAt, this.streamEnd)) as string;
  }

  get message(): string {
    return JSON.parse(this.text.slice(this.messageAt, this.messageEnd)) as string;
  }

  get eventId(): string {
    return JSON.parse(this.text.slice(this.idAt, this.idEnd)) as string;
  }

  /** The event's members as JSON text, without the braces; undefined unless the event is plain. */
  jsonMembers(): string | undefined {
    return this.plain ? this.text.slice(this.start + 1, this.end - 1) : undefined;
  }

  asciiJsonMembers(): string | undefined {
    return this.ascii ? this.jsonMembers() : undefined;
  }
}

export interface ScannedPage {
  readonly events: PageEvent[];
  readonly nextToken: string | undefined;
}

// Characters JSON forbids unescaped in strings; between tokens only \t \n \r would be allowed,
// and AWS sends none, so any of them sends the page to JSON.parse.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this finds.
const CONTROL = /[\u0000-\u001f]/;
const HEX = /^[0-9a-fA-F]{4}$/;

/**
 * Whether ASCII bytes hold a control character (below 0x20), four bytes at a time: the bit trick
 * is exact for bytes below 0x80. Measured about twice as fast as CONTROL on the decoded text.
 */
export function hasControlAscii(bytes: Uint8Array): boolean {
  // Bytes before the first aligned word, one at a time (all of them when no whole word follows).
  let head = (4 - (bytes.byteOffset & 3)) & 3;
  if (bytes.length < head + 4) head = bytes.length;
  for (let i = 0; i < head; i++) if (bytes[i]! < 32) return true;
  const count = (bytes.length - head) >> 2;
  if (count > 0) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, count);
    for (let k = 0; k < count; k++) {
      const x = words[k]!;
      if (((x - 0x20202020) & ~x & 0x80808080) !== 0) return true;
    }
  }
  for (let i = head + count * 4; i < bytes.length; i++) if (bytes[i]! < 32) return true;
  return false;
}

function skipWs(t: string, i: number): number {
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c !== 32) break;
    i++;
  }
  return i;
}

/** Every backslash starts one of JSON's escapes. */
function escapesValid(t: string): boolean {
  for (let i = t.indexOf("\\"); i >= 0; i = t.indexOf("\\", i)) {
    switch (t.charCodeAt(i + 1)) {
      case QUOTE:
      case BACKSLASH:
      case 47:
      case 98:
      case 102:
      case 110:
      case 114:
      case 116: // " \ / b f n r t
        i += 2;
        break;
      case 117: // u
        if (!HEX.test(t.slice(i + 2, i + 6))) return false;
        i += 6;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** Index just past the closing quote of the string literal opening at i; -1 if unterminated. */
function stringEnd(t: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const q = t.indexOf('"', from);
    if (q < 0) return -1;
    let backslashes = 0;
    for (let k = q - 1; t.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return q + 1;
    from = q + 1;
  }
}

/** Index just past the value starting at i (a value this scan ignores); -1 if malformed. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i);
  if (c === QUOTE) return stringEnd(t, i);
  if (c === LBRACE || c === LBRACKET) {
    let depth = 0;
    while (i < t.length) {
      const d = t.charCodeAt(i);
      if (d === QUOTE) {
        i = stringEnd(t, i);
        if (i < 0) return -1;
        continue;
      }
      if (d === LBRACE || d === LBRACKET) depth++;
      else if (d === RBRACE || d === RBRACKET) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return -1;
  }
  let j = i;
  while (j < t.length) {
    const d = t.charCodeAt(j);
    if (d === COMMA || d === RBRACE || d === RBRACKET || d === 32) break;
    j++;
  }
  return j > i ? j : -1;
}

/** A non-negative or negative integer of at most 15 digits at i: [value, end]; undefined otherwise. */
function integerAt(t: string, i: number): [number, number] | undefined {
  const negative = t.charCodeAt(i) === MINUS;
  let j = negative ? i + 1 : i;
  let n = 0;
  const first = j;
  while (j < t.length) {
    const d = t.charCodeAt(j) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    j++;
  }
  const digits = j - first;
  if (digits === 0 || digits > 15 || (digits > 1 && t.charCodeAt(first) === 48)) return undefined;
  const next = t.charCodeAt(j);
  if (next === 46 || next === 101 || next === 69) return undefined; // . e E
  return [negative ? -n : n, j];
}

const STREAM = 1;
const TIMESTAMP = 2;
const INGESTION = 4;
const MESSAGE = 8;
const EVENT_ID = 16;
const ALL = STREAM | TIMESTAMP | INGESTION | MESSAGE | EVENT_ID;

/** Index past the key literal starting at t[i]; -1 unless t[i] starts a string. */
function keyEndAt(t: string, i: number): number {
  return t.charCodeAt(i) === QUOTE ? stringEnd(t, i) : -1;
}

/** Index of the value after the colon that follows a key ending at keyEnd; -1 without a colon. */
function valueAfterKey(t: string, keyEnd: number): number {
  const colon = skipWs(t, keyEnd);
  return t.charCodeAt(colon) === COLON ? skipWs(t, colon + 1) : -1;
}

/**
 * After a value ending at i, inside an object or array closed by `close`: the index past the
 * separator (a comma, then spaces; or `close` itself, which the caller tells by the character
 * before it); -1 for anything else.
 */
function separatorAt(t: string, i: number, close: number): number {
  i = skipWs(t, i);
  const c = t.charCodeAt(i);
  if (c === COMMA) return skipWs(t, i + 1);
  return c === close ? i + 1 : -1;
}

/** Which of the five fields the key literal t[i..keyEnd) names; 0 for any other key. */
function fieldAt(t: string, i: number, keyEnd: number): number {
  switch (keyEnd - i) {
    case 9:
      return t.startsWith('"message"', i) ? MESSAGE : t.startsWith('"eventId"', i) ? EVENT_ID : 0;
    case 11:
      return t.startsWith('"timestamp"', i) ? TIMESTAMP : 0;
    case 15:
      return t.startsWith('"logStreamName"', i) ? STREAM : t.startsWith('"ingestionTime"', i) ? INGESTION : 0;
    default:
      return 0;
  }
}

/** The event object starting at t[start] === "{": the event and the index past it. */
function scanEvent(t: string, start: number, ascii: boolean): [PageEvent, number] | undefined {
  let i = skipWs(t, start + 1);
  let seen = 0;
  let plain = true;
  let timestamp = 0;
  let ingestionTime = 0;
  let streamAt = 0,
    streamEnd = 0,
    messageAt = 0,
    messageEnd = 0,
    idAt = 0,
    idEnd = 0;
  for (;;) {
    const keyEnd = keyEndAt(t, i);
    if (keyEnd < 0) return undefined;
    const field = fieldAt(t, i, keyEnd);
    i = valueAfterKey(t, keyEnd);
    if (i < 0) return undefined;
    if (field === 0 || (seen & field) !== 0) plain = false;
    seen |= field;
    if (field === TIMESTAMP || field === INGESTION) {
      const n = integerAt(t, i);
      if (!n) return undefined;
      if (field === TIMESTAMP) timestamp = n[0];
      else ingestionTime = n[0];
      i = n[1];
    } else if (field !== 0) {
      if (t.charCodeAt(i) !== QUOTE) return undefined;
      const end = stringEnd(t, i);
      if (end < 0) return undefined;
      if (field === STREAM) {
        streamAt = i;
        streamEnd = end;
      } else if (field === MESSAGE) {
        messageAt = i;
        messageEnd = end;
      } else {
        idAt = i;
        idEnd = end;
      }
      i = end;
    } else {
      i = skipValue(t, i);
      if (i < 0) return undefined;
    }
    i = separatorAt(t, i, RBRACE);
    if (i < 0) return undefined;
    if (t.charCodeAt(i - 1) === RBRACE) break;
  }
  if (seen !== ALL) return undefined;
  const end = i;
  return [
    new PageEvent(
      t,
      start,
      end,
      timestamp,
      ingestionTime,
      streamAt,
      streamEnd,
      messageAt,
      messageEnd,
      idAt,
      idEnd,
      plain,
      ascii,
    ),
    end,
  ];
}

/** The events array starting at t[i] === "[": its events and the index past it. */
function scanEvents(t: string, i: number, ascii: boolean): [PageEvent[], number] | undefined {
  if (t.charCodeAt(i) !== LBRACKET) return undefined;
  const events: PageEvent[] = [];
  i = skipWs(t, i + 1);
  if (t.charCodeAt(i) === RBRACKET) return [events, i + 1];
  for (;;) {
    if (t.charCodeAt(i) !== LBRACE) return undefined;
    const scanned = scanEvent(t, i, ascii);
    if (!scanned) return undefined;
    events.push(scanned[0]);
    i = separatorAt(t, scanned[1], RBRACKET);
    if (i < 0) return undefined;
    if (t.charCodeAt(i - 1) === RBRACKET) return [events, i];
  }
}

const PAGE_KEYS = new Set(['"events"', '"nextToken"', '"searchedLogStreams"']);

/**
 * The events and next token of a FilterLogEvents response body; undefined when not as expected,
 * including a body without an events array (such as `{}`, which is no page at all).
 * `withoutControl`: the caller checked the bytes for control characters already (hasControlAscii),
 * and found them ASCII: the text is then ASCII too.
 */
export function scanFilterPage(t: string, withoutControl = false): ScannedPage | undefined {
  if ((!withoutControl && CONTROL.test(t)) || !escapesValid(t)) return undefined;
  let i = skipWs(t, 0);
  if (t.charCodeAt(i) !== LBRACE) return undefined;
  i = skipWs(t, i + 1);
  let events: PageEvent[] | undefined;
  let nextToken: string | undefined;
  if (t.charCodeAt(i) !== RBRACE) {
    for (;;) {
      const keyEnd = keyEndAt(t, i);
      if (keyEnd < 0) return undefined;
      const key = t.slice(i, keyEnd);
      // Only the members of a FilterLogEvents answer: anything else (an error's "__type", say)
      // is for the validating parser to report.
      if (!PAGE_KEYS.has(key)) return undefined;
      i = valueAfterKey(t, keyEnd);
      if (i < 0) return undefined;
      if (key === '"events"') {
        if (events) return undefined;
        const scanned = scanEvents(t, i, withoutControl);
        if (!scanned) return undefined;
        [events, i] = scanned;
      } else {
        const end = skipValue(t, i);
        if (end < 0) return undefined;
        if (key === '"nextToken"') {
          if (t.charCodeAt(i) === QUOTE) {
            nextToken = JSON.parse(t.slice(i, end)) as string;
            // An empty token is not AWS's: JSON.parse's path reports it (see decodeFilterPage).
            if (nextToken === "") return undefined;
          } else if (!t.startsWith("null", i)) return undefined;
          else nextToken = undefined;
        }
        i = end;
      }
      i = separatorAt(t, i, RBRACE);
      if (i < 0) return undefined;
      if (t.charCodeAt(i - 1) === RBRACE) break;
    }
  } else {
    i++;
  }
  if (skipWs(t, i) !== t.length || !events) return undefined;
  return { events, nextToken };
}
