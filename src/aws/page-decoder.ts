// A faster deserializer for FilterLogEvents pages, plugged into the SDK client's middleware.
// Measured (npm run bench): the SDK's schema-driven deserializer walks and copies every event of
// a 1 MB page, which cost more CPU than everything else the connector does with it. Successful
// FilterLogEvents bodies are scanned once (page-scan.ts), or parsed with JSON.parse when the scan
// declines; errors and every other operation still go through the SDK untouched. A successful
// answer that is not a page of events is reported as a bad answer, never read as an empty page.
import { isAscii } from "node:buffer";
import { Readable } from "node:stream";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { hasControlAscii, scanFilterPage } from "./page-scan.js";
import { LogsApiError, NOT_CLOUDWATCH_LOGS, notCloudWatchLogsAnswer, pageToken } from "./api-errors.js";
import type { LogEvent } from "../domain/logs.js";

const PARSED = Symbol("filterLogEventsParsed");
const EMPTY_JSON = Buffer.from("{}");

interface RawResponse {
  statusCode?: number;
  body?: AsyncIterable<Uint8Array> | Readable;
}

type Context = Record<string | symbol, unknown> & { commandName?: string };

/** Where the unparsed body of a successful FilterLogEvents call is found on its output. */
const RAW_PAGE = Symbol("rawFilterLogEventsPage");

interface RawPage {
  readonly text: string;
  /**
   * The bytes were found ASCII and free of control characters (so the scan need not look again,
   * and its events' members can be copied as bytes).
   */
  readonly withoutControl: boolean;
}

/**
 * The events and next token of a FilterLogEvents output, from the raw body when the fast path took
 * it. Anything that is not a FilterLogEvents page (an error body or `{}` answered with HTTP 200, a
 * cut body, garbage after the JSON, an event without its fields) throws an `invalid_response`
 * error: taken as an empty last page, it would end the window with its events unread.
 */
export function decodeFilterPage(output: object): { events: LogEvent[]; nextToken: string | undefined } {
  const raw = (output as Record<symbol, unknown>)[RAW_PAGE] as RawPage | undefined;
  if (raw === undefined) return checkedPage(output);
  const { text, withoutControl } = raw;
  const scanned = scanFilterPage(text, withoutControl);
  if (scanned) return scanned;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    // This middleware reads FilterLogEvents bodies before addXmlErrorMiddleware can look at them.
    const notLogs = notCloudWatchLogsAnswer(text);
    if (notLogs) throw new LogsApiError(notLogs, "unreachable", NOT_CLOUDWATCH_LOGS, "logs:FilterLogEvents");
    throw invalidAnswer(`the body is not valid JSON (${(e as Error).message}; ${text.length} characters)`);
  }
  return checkedPage(parsed);
}

function invalidAnswer(why: string): LogsApiError {
  return new LogsApiError(
    `CloudWatch Logs answered FilterLogEvents with something that is not a page of events: ${why}`,
    "invalid_response",
    "InvalidResponse",
    "logs:FilterLogEvents",
  );
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The page as JSON.parse (or the SDK) read it, when it has the documented shape. */
function checkedPage(page: unknown): { events: LogEvent[]; nextToken: string | undefined } {
  if (!isObject(page)) throw invalidAnswer("not a JSON object");
  if (typeof page.__type === "string") throw invalidAnswer(`an error (${page.__type}) with HTTP status 200`);
  const { events, nextToken } = page;
  if (!Array.isArray(events)) throw invalidAnswer("no events array");
  const token = pageToken(nextToken, invalidAnswer);
  for (const [i, e] of events.entries()) {
    const ok =
      isObject(e) &&
      typeof e.logStreamName === "string" &&
      typeof e.message === "string" &&
      typeof e.eventId === "string" &&
      Number.isSafeInteger(e.timestamp) &&
      Number.isSafeInteger(e.ingestionTime);
    if (!ok) throw invalidAnswer(`event ${i} lacks logStreamName, timestamp, ingestionTime, message or eventId`);
  }
  return { events: events as LogEvent[], nextToken: token };
}

export function addFastFilterLogEvents(client: CloudWatchLogsClient): void {
  // Pages are joined in one reused buffer and decoded at once (no await in between), rather than
  // into a new 1 MB buffer each: those lived outside V8's heap until a full GC (measured: RSS).
  let scratch = Buffer.allocUnsafe(0);
  const join = (chunks: readonly Buffer[]): Buffer => {
    if (chunks.length === 1) return chunks[0]!;
    const length = chunks.reduce((n, c) => n + c.length, 0);
    if (scratch.length < length) scratch = Buffer.allocUnsafe(Math.max(length, 2 * scratch.length));
    let at = 0;
    for (const c of chunks) at += c.copy(scratch, at);
    return scratch.subarray(0, length);
  };
  // Innermost: sees the raw HTTP response before the SDK's deserializer.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const ctx = context as Context;
      const res = result.response as RawResponse;
      if (ctx.commandName !== "FilterLogEventsCommand" || res.statusCode !== 200 || !res.body) return result;
      const chunks: Buffer[] = [];
      for await (const c of res.body as AsyncIterable<Uint8Array>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
      const body = join(chunks);
      // Decoding is a plain copy for ASCII (most log pages); UTF-8 decoding measured 5x slower.
      // Parsed by the caller just before use: a parsed page then dies young, where parsing here
      // kept several pages alive across awaits and doubled the heap (measured).
      const ascii = isAscii(body);
      ctx[PARSED] = {
        text: body.toString(ascii ? "latin1" : "utf8"),
        withoutControl: ascii && !hasControlAscii(body),
      } satisfies RawPage;
      // The SDK's deserializer then reads an empty object: next to no work.
      res.body = Readable.from([EMPTY_JSON]);
      return result;
    },
    { step: "deserialize", priority: "low", name: "fastFilterLogEventsBody" },
  );
  // Outermost: puts the parsed page into the command's output.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const page = (context as Context)[PARSED] as RawPage | undefined;
      if (page === undefined) return result;
      return {
        ...result,
        output: { ...(result.output as object), [RAW_PAGE]: page } as unknown as typeof result.output,
      };
    },
    { step: "initialize", priority: "high", name: "fastFilterLogEventsOutput" },
  );
}
