// `discover`: one stream per readable log group (by prefix or name pattern, minus exclusions) and
// one per custom report; with stream_layout single_stream, log_events for all of those log groups.
import { allGroupsStream, toAirbyteStream } from "../airbyte/catalog.js";
import { buildSources, isReadable, selectionOf, selectionWords, withoutExcluded } from "../engine/streams.js";
import type { Config } from "../config/config.js";
import type { LogGroup } from "../domain/logs.js";
import { cannotRead, notRead } from "../engine/streams.js";
import type { AirbyteCatalog } from "../airbyte/protocol.js";
import type { CommandContext } from "./context.js";

export async function discover(ctx: CommandContext): Promise<AirbyteCatalog> {
  return (await discoverSources(ctx)).catalog;
}

/** The catalog and the log groups it was made from. */
export async function discoverSources(
  ctx: CommandContext,
): Promise<{ catalog: AirbyteCatalog; groups: readonly LogGroup[]; own: string | undefined }> {
  const listed: LogGroup[] = [];
  const { linkedAccounts } = ctx.config;
  for await (const g of ctx.api.listLogGroups(selectionOf(ctx.config), linkedAccounts)) listed.push(g);
  const groups = withoutExcluded(ctx.config, listed);
  // The single stream's read says the same of each such group (notRead): one sentence, which a
  // local sync, that shows discover's notes and the read's, shows once.
  const single = ctx.config.streamLayout === "single_stream";
  for (const g of groups.filter((x) => !isReadable(x))) {
    ctx.emitter.log("WARN", single ? notRead(g) : `${cannotRead(g)}; it is not offered as a stream.`);
  }
  const shape = {
    parseJsonMessages: ctx.config.parseJsonMessages,
    fileTransfer: ctx.config.deliveryType === "use_file_transfer",
    linkedAccounts: linkedAccounts !== undefined,
  };
  // Stream names of linked accounts depend on which account is the caller's.
  const own = linkedAccounts === undefined ? undefined : await ctx.api.ownAccount();
  const sources = buildSources(ctx.config, groups, own);
  const streams = sources.map((s) => toAirbyteStream(s, shape));
  if (ctx.config.streamLayout === "single_stream") {
    // Offered even before any log group exists: groups that appear later are read without a catalog change.
    if (!groups.some(isReadable)) ctx.emitter.log("WARN", noGroupsFound(ctx.config));
    return { catalog: { streams: [allGroupsStream(shape), ...streams] }, groups, own };
  }
  if (sources.length === 0) ctx.emitter.log("WARN", noStreamsFound(ctx.config));
  return { catalog: { streams }, groups, own };
}

/** The selected log groups and where they were looked for, in words: " whose name ... in region ...". */
function groupsWhere(config: Config): string {
  const selected = selectionWords(config);
  return `${selected ? ` ${selected}` : ""} in region ${config.region}${config.endpointUrl ? ` at ${config.endpointUrl}` : ""}`;
}

/** The settings that select log groups, to check when none is found. */
function settingsToCheck(config: Config): string {
  const fields = [
    config.logGroupNamePattern === undefined ? "log_group_prefix" : "log_group_name_pattern",
    ...(config.excludedLogGroups.length > 0 ? ["excluded_log_groups"] : []),
  ];
  return `check region_name${fields.length > 1 ? ", " : " and "}${fields.join(" and ")}`;
}

/** Why discover offers nothing, in words that point at the settings to check. */
export function noStreamsFound(config: Config): string {
  return `No stream found: no readable log group${groupsWhere(config)}, and no custom_log_reports; ${settingsToCheck(config)}.`;
}

/** The single stream is offered without log groups: say it reads nothing yet. */
function noGroupsFound(config: Config): string {
  return `No readable log group${groupsWhere(config)}: stream log_events reads nothing until one appears; ${settingsToCheck(config)}.`;
}
