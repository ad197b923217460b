// GetLogEvents: one stream, forward ("f/...") and backward ("b/...") tokens. At the end of the
// stream the forward token passed in is returned unchanged, which is how readers detect the end.
import type { OpContext, OpResult } from "./context.js";
import { groupRef, optBool, optInt, optString, type Input } from "../params.js";
import { groupNotFound, invalidParameter, streamNotFound } from "../errors.js";
import { decodeToken, encodeToken, paramHash } from "../tokens.js";
import { firstAfter, firstAtOrAfter, lowerBoundTime, type MergeKey } from "../event-source.js";
import { Merge, type Cursor, type Direction } from "../merge.js";
import { PageBuffer } from "../page-buffer.js";
import { fillPage, MAX_PAGE_BYTES, MAX_PAGE_EVENTS, type Render } from "../page.js";
import { readRender } from "../data-protection.js";

const renderStreamEvent: Render = (out, src, _i, ts, ingestion, message) => {
  out.text(`{"timestamp":${ts},"message":${src.messageJson(message)},"ingestionTime":${ingestion}}`, src.asciiOnly);
};

interface Position {
  readonly dir: Direction;
  readonly key: MergeKey | null; // forward: events after key; backward: events before key
}

export function getLogEvents(ctx: OpContext, input: Input): OpResult {
  const ref = groupRef(input);
  const streamName = optString(input, "logStreamName", 512);
  if (streamName === undefined)
    throw invalidParameter(
      "1 validation error detected: Value null at 'logStreamName' failed to satisfy constraint: Member must not be null",
    );
  const startTime = optInt(input, "startTime", 0, Number.MAX_SAFE_INTEGER);
  const endTime = optInt(input, "endTime", 0, Number.MAX_SAFE_INTEGER);
  const limit = optInt(input, "limit", 1, MAX_PAGE_EVENTS) ?? MAX_PAGE_EVENTS;
  const startFromHead = optBool(input, "startFromHead") ?? false;
  const token = optString(input, "nextToken", 8192);
  const unmask = optBool(input, "unmask") ?? false;
  const group = ctx.account.findGroup(ref);
  if (!group) throw groupNotFound();
  const stream = group.streams.get(streamName);
  if (!stream) throw streamNotFound();
  const render = readRender(ctx.settings, group, unmask, renderStreamEvent);
  const bound = paramHash(["G", group.arn, streamName]);
  const pos: Position =
    token === undefined ? { dir: startFromHead ? 1 : -1, key: null } : parsePosition(token, bound, ctx.now);
  const tokenFor = (dir: Direction, key: MergeKey | null): string =>
    (dir === 1 ? "f/" : "b/") + encodeToken({ p: bound, t: ctx.now, k: key });

  const upper = Math.min(endTime ?? Number.MAX_SAFE_INTEGER, ctx.now + 1);
  const cursors: Cursor[] = stream.sources().map((src) => {
    const lo = lowerBoundTime(src, startTime ?? 0);
    const hi = lowerBoundTime(src, upper);
    if (pos.dir === 1) return { src, i: Math.max(lo, pos.key ? firstAfter(src, pos.key) : 0), stop: hi, ts: 0 };
    return { src, i: Math.min(hi, pos.key ? firstAtOrAfter(src, pos.key) : hi) - 1, stop: lo, ts: 0 };
  });
  const merge = new Merge(cursors, pos.dir);
  const firstExamined = merge.topKey() ?? null;
  const limits = { maxEvents: limit, maxBytes: MAX_PAGE_BYTES - 1024, maxScan: Number.MAX_SAFE_INTEGER };
  const out = new PageBuffer(MAX_PAGE_BYTES + 64 * 1024);
  out.ascii('{"events":[');
  let result = fillPage(out, merge, limits, ctx.now, undefined, render);
  if (pos.dir === -1 && result.count > 0 && result.lastKey) {
    // Backward pages are returned oldest first: re-read the same events forward.
    const from = result.lastKey;
    const again: Cursor[] = stream.sources().map((src) => ({
      src,
      i: Math.max(lowerBoundTime(src, startTime ?? 0), firstAtOrAfter(src, from)),
      stop: lowerBoundTime(src, upper),
      ts: 0,
    }));
    out.truncate('{"events":['.length);
    const forwardPage = fillPage(
      out,
      new Merge(again, 1),
      { ...limits, maxEvents: result.count },
      ctx.now,
      undefined,
      render,
    );
    result = { ...forwardPage, lastKey: result.lastKey };
  }
  let forward: string;
  let backward: string;
  if (result.count === 0) {
    // Nothing more in this direction: hand the same token back (AWS's end-of-stream signal).
    forward = pos.dir === 1 && token !== undefined ? token : tokenFor(1, pos.key);
    backward = pos.dir === -1 && token !== undefined ? token : tokenFor(-1, pos.key);
  } else if (pos.dir === 1) {
    forward = tokenFor(1, result.lastKey ?? pos.key);
    backward = tokenFor(-1, firstExamined);
  } else {
    backward = tokenFor(-1, result.lastKey ?? pos.key);
    forward = tokenFor(1, firstExamined);
  }
  out.ascii(`],"nextForwardToken":"${forward}","nextBackwardToken":"${backward}"}`);
  return { body: out.bytes(), events: result.count };
}

function parsePosition(token: string, bound: string, now: number): Position {
  const dir = token.startsWith("f/") ? 1 : token.startsWith("b/") ? -1 : undefined;
  if (dir === undefined) throw invalidParameter("The specified nextToken is invalid.");
  return { dir, key: decodeToken(token.slice(2), bound, now).k as MergeKey | null };
}
