// `check`: can a read work with this configuration? Lists log groups and probes a read.
import {
  assertNoNameClash,
  GroupDirectory,
  groupIdentifierFor,
  groupStreamNames,
  isReadable,
  reportGroupMissing,
} from "../engine/streams.js";
import { toConnectorError } from "./api-failures.js";
import type { LogGroup } from "../domain/logs.js";
import { cannotRead } from "../engine/streams.js";
import type { CommandContext } from "./context.js";

export interface CheckResult {
  readonly ok: boolean;
  readonly message?: string;
}

/**
 * One tiny FilterLogEvents call proves logs:FilterLogEvents is granted on the group. A group of
 * another account than the caller's (`own`) is read by its ARN, as read does.
 */
async function probeRead(
  ctx: CommandContext,
  group: LogGroup,
  own: string | undefined,
  streams: readonly string[],
): Promise<void> {
  const now = ctx.now();
  const logGroupIdentifier = groupIdentifierFor(ctx.config, group, own);
  await ctx.api.filterEvents({
    logGroupName: group.name,
    ...(logGroupIdentifier === undefined ? {} : { logGroupIdentifier }),
    startTime: now - 60_000,
    endTime: now,
    logStreamNames: streams,
    limit: 1,
  });
}

export async function check(ctx: CommandContext): Promise<CheckResult> {
  const { config } = ctx;
  const fail = (err: unknown, doing: string): CheckResult => ({
    ok: false,
    message: toConnectorError(err, { region: config.region, endpointUrl: config.endpointUrl, doing }).message,
  });
  const listing = config.logGroupPrefix
    ? `listing log groups with prefix ${JSON.stringify(config.logGroupPrefix)}`
    : "listing log groups";
  const groups: LogGroup[] = [];
  const directory = new GroupDirectory(ctx.api, config.logGroupPrefix, config.linkedAccounts);
  let own: string | undefined;
  try {
    for await (const g of ctx.api.listLogGroups(config.logGroupPrefix, config.linkedAccounts)) groups.push(g);
    own = await directory.ownAccount();
  } catch (err) {
    return fail(err, listing);
  }
  try {
    assertNoNameClash(config, groupStreamNames(config, groups, own));
  } catch (err) {
    return fail(err, "checking custom report names");
  }
  const firstReadable = groups.find(isReadable);
  if (firstReadable) {
    try {
      await probeRead(ctx, firstReadable, own, []);
    } catch (err) {
      return fail(err, `reading log group ${JSON.stringify(firstReadable.name)}`);
    }
  } else if (config.reports.length === 0) {
    ctx.emitter.log(
      "WARN",
      `No readable log group found${config.logGroupPrefix ? ` with prefix ${JSON.stringify(config.logGroupPrefix)}` : ""} in ${config.region}; a sync would have no streams.`,
    );
  }
  for (const [i, report] of config.reports.entries()) {
    const doing = `checking custom_log_reports[${i}] (${JSON.stringify(report.name)})`;
    try {
      const group = await directory.get(report.logGroupName);
      if (!group) {
        return {
          ok: false,
          message: reportGroupMissing(i, report.logGroupName, config.region),
        };
      }
      if (!isReadable(group)) {
        return { ok: false, message: cannotRead(group, `custom_log_reports[${i}].log_group_name`) };
      }
      await probeRead(ctx, group, own, report.logStreamNames);
    } catch (err) {
      return fail(err, doing);
    }
  }
  return { ok: true };
}
