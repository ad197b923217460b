// DescribeLogStreams: by name (prefix allowed) or by LastEventTime (prefix not allowed), 1..50.
import { json, type OpContext, type OpResult } from "./context.js";
import { groupRef, optBool, optInt, optString, type Input } from "../params.js";
import { groupNotFound, invalidParameter } from "../errors.js";
import { decodeToken, encodeToken, paramHash } from "../tokens.js";
import { streamView } from "./stream-view.js";
import type { LogStream } from "../account.js";

export function describeLogStreams(ctx: OpContext, input: Input): OpResult {
  const ref = groupRef(input);
  const prefix = optString(input, "logStreamNamePrefix", 512);
  const orderBy = optString(input, "orderBy", 32) ?? "LogStreamName";
  if (orderBy !== "LogStreamName" && orderBy !== "LastEventTime") {
    throw invalidParameter(
      `1 validation error detected: Value '${orderBy}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]`,
    );
  }
  if (orderBy === "LastEventTime" && prefix !== undefined) {
    throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
  }
  const descending = optBool(input, "descending") ?? false;
  const limit = optInt(input, "limit", 1, 50) ?? 50;
  const token = optString(input, "nextToken", 4096);
  const group = ctx.account.findGroup(ref);
  if (!group) throw groupNotFound();
  const bound = paramHash(["DS", group.arn, prefix ?? null, orderBy, descending]);
  const offset = token === undefined ? 0 : (decodeToken(token, bound, ctx.now).k as number);
  let streams = group
    .streamNames()
    .filter((n) => prefix === undefined || n.startsWith(prefix))
    .map((n) => group.streams.get(n) as LogStream);
  let views = orderBy === "LastEventTime" ? streams.map((s) => streamView(group, s, ctx.now)) : undefined;
  if (views)
    views = [...views].sort(
      (a, b) =>
        (a.lastEventTimestamp ?? 0) - (b.lastEventTimestamp ?? 0) || (a.logStreamName < b.logStreamName ? -1 : 1),
    );
  const total = streams.length;
  if (descending) {
    streams = [...streams].reverse();
    views = views?.reverse();
  }
  const page = views
    ? views.slice(offset, offset + limit)
    : streams.slice(offset, offset + limit).map((s) => streamView(group, s, ctx.now));
  return json({
    logStreams: page,
    ...(offset + limit < total ? { nextToken: encodeToken({ p: bound, t: ctx.now, k: offset + limit }) } : {}),
  });
}
