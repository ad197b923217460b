// DescribeLogGroups: name order, prefix or case-sensitive substring pattern, 1..50 per page; or up
// to 50 groups named by logGroupIdentifiers. Asked by pattern, AWS answers only each group's name,
// creation time and ARN (as documented, and as AWS does).
import { json, type OpContext, type OpResult } from "./context.js";
import { optInt, optString, optStringList, type Input } from "../params.js";
import { constraintViolation, invalidParameter } from "../errors.js";
import { decodeToken, encodeToken, paramHash } from "../tokens.js";
import type { LogGroup } from "../account.js";
import { groupStoredBytes } from "./stream-view.js";

export function describeLogGroups(ctx: OpContext, input: Input): OpResult {
  const prefix = optString(input, "logGroupNamePrefix", 512);
  const pattern = optString(input, "logGroupNamePattern", 512);
  if (pattern !== undefined && !/^[.\-_/#A-Za-z0-9]*$/.test(pattern)) {
    throw constraintViolation(
      "logGroupNamePattern",
      pattern,
      "Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]*",
    );
  }
  if (prefix !== undefined && pattern !== undefined) {
    throw invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
  }
  const logClass = optString(input, "logGroupClass", 32);
  const identifiers = optStringList(input, "logGroupIdentifiers", 50);
  if (identifiers !== undefined) {
    if (prefix !== undefined || pattern !== undefined || logClass !== undefined)
      throw invalidParameter(
        "logGroupIdentifiers cannot be combined with logGroupNamePrefix, logGroupNamePattern or logGroupClass.",
      );
    const named = new Set(identifiers.flatMap((id) => ctx.account.findGroup(id) ?? []));
    return json({ logGroups: [...named].sort((a, b) => (a.name < b.name ? -1 : 1)).map((g) => described(g, ctx)) });
  }
  const limit = optInt(input, "limit", 1, 50) ?? 50;
  const token = optString(input, "nextToken", 4096);
  const bound = paramHash(["DG", prefix ?? null, pattern ?? null, logClass ?? null]);
  const after = token === undefined ? undefined : (decodeToken(token, bound, ctx.now).k as string);
  const names = ctx.account
    .groupNames()
    .filter((n) => (prefix === undefined || n.startsWith(prefix)) && (pattern === undefined || n.includes(pattern)))
    .filter((n) => after === undefined || n > after);
  const groups = names
    .map((n) => ctx.account.groups.get(n) as LogGroup)
    .filter((g) => !logClass || g.logClass === logClass);
  const page = groups.slice(0, limit);
  const last = page[page.length - 1];
  return json({
    logGroups: page.map((g) =>
      pattern === undefined
        ? described(g, ctx)
        : { logGroupName: g.name, creationTime: g.creationTime, metricFilterCount: 0, arn: `${g.arn}:*` },
    ),
    ...(groups.length > limit && last ? { nextToken: encodeToken({ p: bound, t: ctx.now, k: last.name }) } : {}),
  });
}

function described(g: LogGroup, ctx: OpContext) {
  return {
    logGroupName: g.name,
    creationTime: g.creationTime,
    ...(g.retentionInDays !== undefined ? { retentionInDays: g.retentionInDays } : {}),
    metricFilterCount: 0,
    arn: `${g.arn}:*`,
    storedBytes: groupStoredBytes(g, ctx.now),
    logGroupClass: g.logClass,
    logGroupArn: g.arn,
    ...(g.mask ? { dataProtectionStatus: "ACTIVATED" } : {}),
  };
}
