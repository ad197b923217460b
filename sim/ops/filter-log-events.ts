// FilterLogEvents: k-way merge of the selected streams by (timestamp, stream), half-open time
// window [startTime, endTime), page caps, token = last examined position bound to the request.
import type { OpContext, OpResult } from "./context.js";
import { groupRef, optBool, optInt, optString, optStringList, type Input } from "../params.js";
import { groupNotFound, invalidParameter, SimError } from "../errors.js";
import { compileFilterPattern } from "../filter-pattern.js";
import { decodeToken, encodeToken, paramHash } from "../tokens.js";
import { firstAfter, lowerBoundTime, type EventSource, type MergeKey } from "../event-source.js";
import { Merge, type Cursor } from "../merge.js";
import { fillPage, MAX_PAGE_BYTES, MAX_PAGE_EVENTS, type Render } from "../page.js";
import type { LogGroup } from "../account.js";
import { PageBuffer } from "../page-buffer.js";
import { readRender } from "../data-protection.js";

// One string and one buffer write per event: per-call overhead dominates otherwise.
const renderFilterEvent: Render = (out, src, i, ts, ingestion, message) => {
  out.text(
    '{"logStreamName":' +
      src.streamNameJson +
      ',"timestamp":' +
      ts +
      ',"message":' +
      src.messageJson(message) +
      ',"ingestionTime":' +
      ingestion +
      ',"eventId":"' +
      src.eventIdAt(i) +
      '"}',
    src.asciiOnly,
  );
};

function selectStreams(group: LogGroup, names: string[] | undefined, prefix: string | undefined): EventSource[] {
  const chosen = names
    ? [...new Set(names)].flatMap((n) => group.streams.get(n) ?? [])
    : group
        .streamNames()
        .filter((n) => !prefix || n.startsWith(prefix))
        .map((n) => group.streams.get(n)!);
  return chosen.flatMap((s) => s.sources());
}

export function filterLogEvents(ctx: OpContext, input: Input): OpResult {
  const ref = groupRef(input);
  const names = optStringList(input, "logStreamNames", 100);
  const prefix = optString(input, "logStreamNamePrefix", 512);
  if (names && prefix !== undefined)
    throw invalidParameter("Cannot specify both logStreamNames and logStreamNamePrefix.");
  const startTime = optInt(input, "startTime", 0, Number.MAX_SAFE_INTEGER);
  const endTime = optInt(input, "endTime", 0, Number.MAX_SAFE_INTEGER);
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    throw invalidParameter("startTime must be less than or equal to endTime.");
  }
  const limit = optInt(input, "limit", 1, MAX_PAGE_EVENTS) ?? MAX_PAGE_EVENTS;
  const pattern = optString(input, "filterPattern", 1024);
  const token = optString(input, "nextToken", 8192);
  const unmask = optBool(input, "unmask") ?? false;
  const group = ctx.account.findGroup(ref);
  if (!group) throw groupNotFound();
  if (group.logClass === "INFREQUENT_ACCESS") {
    throw new SimError("InvalidOperationException", "FilterLogEvents is not supported for this log class");
  }
  const render = readRender(ctx.settings, group, unmask, renderFilterEvent);
  const matches = compileFilterPattern(pattern);
  const bound = paramHash([
    "F",
    group.arn,
    names ?? null,
    prefix ?? null,
    startTime ?? null,
    endTime ?? null,
    pattern ?? "",
  ]);
  const resume = token === undefined ? null : (decodeToken(token, bound, ctx.now).k as MergeKey | null);

  // Events stamped after "now" cannot have been ingested yet, so the window also ends at now.
  const upper = Math.min(endTime ?? Number.MAX_SAFE_INTEGER, ctx.now + 1);
  const cursors: Cursor[] = selectStreams(group, names, prefix).map((src) => ({
    src,
    i: Math.max(lowerBoundTime(src, startTime ?? 0), resume ? firstAfter(src, resume) : 0),
    stop: lowerBoundTime(src, upper),
    ts: 0,
  }));
  const merge = new Merge(cursors, 1);
  const { pages } = ctx.settings;
  const tokenFor = (k: MergeKey | null): string => encodeToken({ p: bound, t: ctx.now, k });

  const out = new PageBuffer(MAX_PAGE_BYTES + 64 * 1024);
  out.ascii('{"events":[');
  const empty = merge.top() !== undefined && pages.emptyPageRate > 0 && ctx.decide() < pages.emptyPageRate;
  if (empty) return finish(out, 0, token ?? tokenFor(resume));
  const short = pages.shortPageRate > 0 && ctx.decide() < pages.shortPageRate;
  const maxEvents = short ? Math.max(1, Math.floor(limit * ctx.decide())) : limit;
  const result = fillPage(
    out,
    merge,
    { maxEvents, maxBytes: MAX_PAGE_BYTES - 1024, maxScan: pages.maxScanPerPage },
    ctx.now,
    matches,
    render,
  );
  return finish(out, result.count, result.exhausted ? undefined : tokenFor(result.lastKey ?? resume));
}

function finish(out: PageBuffer, events: number, nextToken: string | undefined): OpResult {
  out.ascii(`],"searchedLogStreams":[]${nextToken === undefined ? "" : `,"nextToken":"${nextToken}"`}}`);
  return { body: out.bytes(), events };
}
