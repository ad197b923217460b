// `check`: can a read work with this configuration? Lists log groups and probes a read.
import {
  assertNoNameClash,
  GroupDirectory,
  groupIdentifierFor,
  groupStreamNames,
  isReadable,
  reportGroupMissing,
  selectionOf,
  selectionWords,
  withoutExcluded,
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
 * One tiny FilterLogEvents call proves logs:FilterLogEvents is granted on the group, and with
 * `unmask` on, logs:Unmask too (the read asks for unmasked events on every group, as this probe does).
 * A group of another account than the caller's (`own`) is read by its ARN, as read does.
 */
async function probeRead(
  ctx: CommandContext,
  group: LogGroup,
  own: string | undefined,
  streams: readonly string[],
  filterPattern?: string,
): Promise<void> {
  const now = ctx.now();
  const logGroupIdentifier = groupIdentifierFor(ctx.config, group, own);
  await ctx.api.filterEvents({
    logGroupName: group.name,
    ...(logGroupIdentifier === undefined ? {} : { logGroupIdentifier }),
    startTime: now - 60_000,
    endTime: now,
    logStreamNames: streams,
    // A report's pattern goes with the probe: one the endpoint refuses fails here, not in the read.
    ...(filterPattern === undefined ? {} : { filterPattern }),
    limit: 1,
    unmask: ctx.config.unmask,
  });
}

export async function check(ctx: CommandContext): Promise<CheckResult> {
  const { config } = ctx;
  const fail = (err: unknown, doing: string): CheckResult => ({
    ok: false,
    message: toConnectorError(err, { region: config.region, endpointUrl: config.endpointUrl, doing }).message,
  });
  const selection = selectionOf(config);
  const listing =
    selection.prefix !== undefined
      ? `listing log groups with prefix ${JSON.stringify(selection.prefix)}`
      : selection.pattern !== undefined
        ? `listing log groups with name pattern ${JSON.stringify(selection.pattern)}`
        : "listing log groups";
  const listed: LogGroup[] = [];
  const directory = new GroupDirectory(ctx.api, selection, config.linkedAccounts);
  let own: string | undefined;
  try {
    for await (const g of ctx.api.listLogGroups(selection, config.linkedAccounts)) listed.push(g);
    own = await directory.ownAccount();
  } catch (err) {
    return fail(err, listing);
  }
  const groups = withoutExcluded(config, listed);
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
    const selected = selectionWords(config);
    ctx.emitter.log(
      "WARN",
      `No readable log group found${selected ? ` ${selected}` : ""} in ${config.region}; a sync would have no streams.`,
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
      await probeRead(ctx, group, own, report.logStreamNames, report.filterPattern);
    } catch (err) {
      return fail(err, doing);
    }
  }
  return { ok: true };
}
