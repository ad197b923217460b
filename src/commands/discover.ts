// `discover`: one stream per readable log group (optionally by prefix) and one per custom report.
import { allGroupsStream, toAirbyteStream } from "../airbyte/catalog.js";
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
): Promise<{ catalog: AirbyteCatalog; groups: readonly LogGroup[] }> {
  const groups: LogGroup[] = [];
  for await (const g of ctx.api.listLogGroups(ctx.config.logGroupPrefix)) groups.push(g);
  for (const g of groups.filter((x) => !isReadable(x))) {
    ctx.emitter.log("WARN", `${cannotRead(g)}; it is not offered as a stream.`);
  }
  const shape = {
    parseJsonMessages: ctx.config.parseJsonMessages,
    fileTransfer: ctx.config.deliveryType === "use_file_transfer",
  };
  const sources = buildSources(ctx.config, groups);
  const streams = sources.map((s) => toAirbyteStream(s, shape));
  if (ctx.config.streamLayout === "single_stream") {
    // Offered even before any log group exists: groups that appear later are read without a catalog change.
    if (!groups.some(isReadable)) ctx.emitter.log("WARN", noGroupsFound(ctx.config));
    return { catalog: { streams: [allGroupsStream(shape.parseJsonMessages), ...streams] }, groups };
  }
  if (sources.length === 0) ctx.emitter.log("WARN", noStreamsFound(ctx.config));
  return { catalog: { streams }, groups };
}

function groupsWhere(config: Config): string {
  const prefix =
    config.logGroupPrefix === undefined
      ? ""
      : ` whose name starts with log_group_prefix ${JSON.stringify(config.logGroupPrefix)}`;
  return `${prefix} in region ${config.region}${config.endpointUrl ? ` at ${config.endpointUrl}` : ""}`;
}

/** Why discover offers nothing, in words that point at the settings to check. */
export function noStreamsFound(config: Config): string {
  return `No stream found: no readable log group${groupsWhere(config)}, and no custom_log_reports; check region_name and log_group_prefix.`;
}

/** The single stream is offered without log groups: say it reads nothing yet. */
function noGroupsFound(config: Config): string {
  return `No readable log group${groupsWhere(config)}: stream log_events reads nothing until one appears; check region_name and log_group_prefix.`;
}
