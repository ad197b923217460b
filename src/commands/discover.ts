// `discover`: one stream per readable log group (optionally by prefix) and one per custom report.
import { toAirbyteStream } from "../airbyte/catalog.js";
import { buildSources, isReadable } from "../engine/streams.js";
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
  const groups: LogGroup[] = [];
  const { linkedAccounts } = ctx.config;
  for await (const g of ctx.api.listLogGroups(ctx.config.logGroupPrefix, linkedAccounts)) groups.push(g);
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
  const prefix =
    config.logGroupPrefix === undefined
      ? ""
      : ` whose name starts with log_group_prefix ${JSON.stringify(config.logGroupPrefix)}`;
  const where = `region ${config.region}${config.endpointUrl ? ` at ${config.endpointUrl}` : ""}`;
  return `No stream found: no readable log group${prefix} in ${where}, and no custom_log_reports; check region_name and log_group_prefix.`;
}
