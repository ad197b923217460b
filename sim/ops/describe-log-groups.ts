// DescribeLogGroups: name order, prefix or case-sensitive substring pattern, 1..50 per page; or up
// to 50 groups named by logGroupIdentifiers. Asked by pattern, AWS answers only each group's name,
// creation time and ARN (as documented, and as AWS does). With includeLinkedAccounts (a monitoring
// account), the linked source accounts' groups too, in name then account order, optionally only
// those of accountIdentifiers; this holds for logGroupIdentifiers as well (a source account's group
// is named by its ARN: a name resolves in the caller's account only).
import { json, type OpContext, type OpResult } from "./context.js";
import { optBool, optInt, optString, optStringList, type Input } from "../params.js";
import { constraintViolation, invalidParameter, SimError } from "../errors.js";
import { decodeToken, encodeToken, paramHash } from "../tokens.js";
import { byNameThenAccount, type LogGroup } from "../account.js";
import { groupStoredBytes } from "./stream-view.js";

/** accountIdentifiers: 0 to 20 ids of 12 digits, as in AWS's model. */
function accountIdentifiers(input: Input): string[] | undefined {
  const v = input.accountIdentifiers;
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string"))
    throw new SimError("SerializationException", "Unexpected value type for member accountIdentifiers");
  if (v.length > 20)
    throw constraintViolation("accountIdentifiers", v, "Member must have length less than or equal to 20");
  for (const [i, id] of (v as string[]).entries()) {
    if (!/^\d{12}$/.test(id))
      throw constraintViolation(
        `accountIdentifiers.${i + 1}.member`,
        id,
        "Member must satisfy regular expression pattern: ^\\d{12}$",
      );
  }
  return v as string[];
}

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
  const includeLinked = optBool(input, "includeLinkedAccounts") ?? false;
  const accounts = accountIdentifiers(input);
  // AWS documents accountIdentifiers for includeLinkedAccounts only; the simulator refuses it alone
  // rather than guess whether AWS ignores it.
  if (accounts !== undefined && accounts.length > 0 && !includeLinked)
    throw invalidParameter("accountIdentifiers can only be used when includeLinkedAccounts is true.");
  const logClass = optString(input, "logGroupClass", 32);
  const chosen = accounts !== undefined && accounts.length > 0 ? new Set(accounts) : undefined;
  // Which accounts' groups the request may list: linked source accounts only with includeLinkedAccounts.
  const inScope = (g: LogGroup) => (!g.linked || includeLinked) && (chosen === undefined || chosen.has(g.accountId));
  const identifiers = optStringList(input, "logGroupIdentifiers", 50);
  if (identifiers !== undefined) {
    if (prefix !== undefined || pattern !== undefined || logClass !== undefined)
      throw invalidParameter(
        "logGroupIdentifiers cannot be combined with logGroupNamePrefix, logGroupNamePattern or logGroupClass.",
      );
    const named = new Set(identifiers.flatMap((id) => ctx.account.findGroup(id) ?? []).filter(inScope));
    return json({ logGroups: [...named].sort(byNameThenAccount).map((g) => described(g, ctx)) });
  }
  const limit = optInt(input, "limit", 1, 50) ?? 50;
  const token = optString(input, "nextToken", 4096);
  const bound = paramHash([
    "DG",
    prefix ?? null,
    pattern ?? null,
    logClass ?? null,
    includeLinked,
    accounts?.join(",") ?? null,
  ]);
  // The position: the last group listed, as [name, account].
  const after = token === undefined ? undefined : (decodeToken(token, bound, ctx.now).k as [string, string]);
  const listed: readonly LogGroup[] = includeLinked
    ? ctx.account.allGroups()
    : ctx.account.groupNames().map((n) => ctx.account.groups.get(n) as LogGroup);
  const groups = listed
    .filter(
      (g) => (prefix === undefined || g.name.startsWith(prefix)) && (pattern === undefined || g.name.includes(pattern)),
    )
    .filter(inScope)
    .filter((g) => after === undefined || g.name > after[0] || (g.name === after[0] && g.accountId > after[1]))
    .filter((g) => !logClass || g.logClass === logClass);
  const page = groups.slice(0, limit);
  const last = page[page.length - 1];
  return json({
    logGroups: page.map((g) =>
      pattern === undefined
        ? described(g, ctx)
        : { logGroupName: g.name, creationTime: g.creationTime, metricFilterCount: 0, arn: `${g.arn}:*` },
    ),
    ...(groups.length > limit && last
      ? { nextToken: encodeToken({ p: bound, t: ctx.now, k: [last.name, last.accountId] }) }
      : {}),
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
