// `discover`: one stream per readable log group (by prefix or name pattern, minus exclusions) and
// one per custom report.
import { toAirbyteStream } from "../airbyte/catalog.js";
import { buildSources, isReadable, selectionOf, selectionWords, withoutExcluded } from "../engine/streams.js";
import type { Config } from "../config/config.js";
import type { LogGroup } from "../domain/logs.js";
import { cannotRead } from "../engine/streams.js";
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
  for (const g of groups.filter((x) => !isReadable(x))) {
    ctx.emitter.log("WARN", `${cannotRead(g)}; it is not offered as a stream.`);
  }
  const shape = {
    parseJsonMessages: ctx.config.parseJsonMessages,
    fileTransfer: ctx.config.deliveryType === "use_file_transfer",
    linkedAccounts: linkedAccounts !== undefined,
  };
  // Stream names of linked accounts depend on which account is the caller's.
  const own = linkedAccounts === undefined ? undefined : await ctx.api.ownAccount();
  const sources = buildSources(ctx.config, groups, own);
  if (sources.length === 0) ctx.emitter.log("WARN", noStreamsFound(ctx.config));
  return { catalog: { streams: sources.map((s) => toAirbyteStream(s, shape)) }, groups, own };
}

/** Why discover offers nothing, in words that point at the settings to check. */
export function noStreamsFound(config: Config): string {
  const selected = selectionWords(config);
  const where = `region ${config.region}${config.endpointUrl ? ` at ${config.endpointUrl}` : ""}`;
  const fields = [
    config.logGroupNamePattern === undefined ? "log_group_prefix" : "log_group_name_pattern",
    ...(config.excludedLogGroups.length > 0 ? ["excluded_log_groups"] : []),
  ];
  return `No stream found: no readable log group${selected ? ` ${selected}` : ""} in ${where}, and no custom_log_reports; check region_name${fields.length > 1 ? ", " : " and "}${fields.join(" and ")}.`;
}
