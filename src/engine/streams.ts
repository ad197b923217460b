// Streams: which ones a configuration and its account offer (one per readable log group of the
// selection, prefix or name pattern minus exclusions, or log_events for all of them with the
// single stream; then one per custom report, whose names must not clash), what a configured stream
// reads, and the one sentence for a log group FilterLogEvents cannot read (check, discover and read
// say it).
import { ConfigError } from "../airbyte/errors.js";
import { type Config, exclusionOf } from "../config/config.js";
import { type LogGroup, type LogGroupSelection, type LogsApi, selects } from "../domain/logs.js";
import { ALL_GROUPS_STREAM, type CustomReport, type StreamSource } from "../domain/streams.js";

/** FilterLogEvents cannot read these classes of log group. */
const UNREADABLE_CLASSES: ReadonlySet<string> = new Set(["INFREQUENT_ACCESS", "DELIVERY"]);

export function isReadable(group: LogGroup): boolean {
  return group.logGroupClass === undefined || !UNREADABLE_CLASSES.has(group.logGroupClass);
}

function groupSource(group: LogGroup, stream = group.name): StreamSource {
  return {
    name: stream,
    logGroupName: group.name,
    logStreamNames: [],
    filterPattern: undefined,
    report: undefined,
  };
}

function reportSource(report: CustomReport): StreamSource {
  return {
    name: report.name,
    logGroupName: report.logGroupName,
    logStreamNames: report.logStreamNames,
    filterPattern: report.filterPattern,
    report,
  };
}

/** What a log group's events are read as in the single stream (records name their log group). */
export function allGroupsSource(group: LogGroup): StreamSource {
  return groupSource(group, ALL_GROUPS_STREAM);
}

function singleStream(config: Config): boolean {
  return config.streamLayout === "single_stream";
}

function reportNameClash(index: number, name: string): ConfigError {
  return new ConfigError(
    `custom_log_reports[${index}].name ${JSON.stringify(name)} is also the name of a log group stream; give the report another name`,
  );
}

export function reportGroupMissing(index: number, logGroupName: string, region: string): string {
  return `custom_log_reports[${index}].log_group_name: log group ${JSON.stringify(logGroupName)} does not exist in ${region} or is not visible to these credentials`;
}

/** What DescribeLogGroups is asked for: the configured prefix or pattern (exclusions are applied after). */
export function selectionOf(config: Config): LogGroupSelection {
  if (config.logGroupNamePattern !== undefined) return { pattern: config.logGroupNamePattern };
  return config.logGroupPrefix === undefined ? {} : { prefix: config.logGroupPrefix };
}

/** The selection in words, for messages: "" when every log group is selected. */
export function selectionWords(config: Config): string {
  const parts = [
    ...(config.logGroupPrefix === undefined
      ? []
      : [`whose name starts with log_group_prefix ${JSON.stringify(config.logGroupPrefix)}`]),
    ...(config.logGroupNamePattern === undefined
      ? []
      : [`whose name contains log_group_name_pattern ${JSON.stringify(config.logGroupNamePattern)}`]),
    ...(config.excludedLogGroups.length === 0 ? [] : ["not in excluded_log_groups"]),
  ];
  return parts.join(" and ");
}

/** The listed log groups minus those excluded_log_groups names: these are never offered nor read. */
export function withoutExcluded(config: Config, groups: readonly LogGroup[]): LogGroup[] {
  return groups.filter((g) => exclusionOf(config.excludedLogGroups, g.name) === undefined);
}

/**
 * Fails when a custom report would shadow a log group stream of the same name (with the single
 * stream log groups are no streams; parseConfig keeps reports off its name).
 */
export function assertNoNameClash(config: Config, groupNames: ReadonlySet<string>): void {
  if (singleStream(config)) return;
  config.reports.forEach((r, i) => {
    if (groupNames.has(r.name)) throw reportNameClash(i, r.name);
  });
}

/**
 * The streams of a catalog made of sources: readable log groups first (in API order), then
 * custom reports; with the single stream, only the reports (log_events is no one log group's).
 */
export function buildSources(config: Config, groups: readonly LogGroup[]): StreamSource[] {
  assertNoNameClash(config, new Set(groups.map((g) => g.name)));
  const reports = config.reports.map(reportSource);
  if (singleStream(config)) return reports;
  return [...groups.filter(isReadable).map((g) => groupSource(g)), ...reports];
}

export interface ResolvedStream {
  readonly source: StreamSource;
  readonly group: LogGroup;
}

/**
 * The log groups of the configured selection, listed once for all streams (50 per call) rather
 * than looked up one by one: DescribeLogGroups has a quota of its own.
 */
export class GroupDirectory {
  private groups: Promise<Map<string, LogGroup>> | undefined;

  constructor(
    private readonly api: LogsApi,
    private readonly selection: LogGroupSelection,
  ) {}

  async get(name: string): Promise<LogGroup | undefined> {
    if (!selects(this.selection, name)) return this.api.findLogGroup(name);
    return (await this.listing()).get(name);
  }

  /**
   * Every log group of the selection, in API order (the single stream's, listed at each read);
   * exclusions are the caller's to apply (withoutExcluded).
   */
  async all(): Promise<LogGroup[]> {
    return [...(await this.listing()).values()];
  }

  private async listing(): Promise<Map<string, LogGroup>> {
    this.groups ??= (async () => {
      const map = new Map<string, LogGroup>();
      for await (const g of this.api.listLogGroups(this.selection)) map.set(g.name, g);
      return map;
    })();
    try {
      return await this.groups;
    } catch (err) {
      // Let the next stream try again rather than inherit this failure.
      this.groups = undefined;
      throw err;
    }
  }
}

/** Finds what a configured stream reads: a custom report, else a log group of that name. */
export async function resolveStream(config: Config, directory: GroupDirectory, name: string): Promise<ResolvedStream> {
  const reportIndex = config.reports.findIndex((r) => r.name === name);
  if (reportIndex >= 0) {
    const report = config.reports[reportIndex]!;
    // An excluded log group is no stream, so no clash, and it is never requested; with the single
    // stream no log group is a stream.
    if (
      !singleStream(config) &&
      exclusionOf(config.excludedLogGroups, report.name) === undefined &&
      (await directory.get(report.name))
    ) {
      throw reportNameClash(reportIndex, report.name);
    }
    const group = await directory.get(report.logGroupName);
    if (!group) {
      throw new ConfigError(reportGroupMissing(reportIndex, report.logGroupName, config.region));
    }
    return { source: reportSource(report), group };
  }
  if (singleStream(config)) {
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but is neither a custom report nor ${JSON.stringify(ALL_GROUPS_STREAM)}, the one stream of every log group with stream_layout single_stream; run discover again and update the catalog`,
    );
  }
  const excludedBy = exclusionOf(config.excludedLogGroups, name);
  if (excludedBy !== undefined) {
    // Not even looked up: an excluded log group is never requested.
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but log group ${JSON.stringify(name)} is excluded by excluded_log_groups entry ${JSON.stringify(excludedBy)}; remove the stream from the catalog (run discover again) or the entry from excluded_log_groups`,
    );
  }
  const selection = selectionOf(config);
  const group = selects(selection, name) ? await directory.get(name) : undefined;
  if (!group) {
    const selected =
      selection.prefix !== undefined
        ? ` with prefix ${JSON.stringify(selection.prefix)}`
        : selection.pattern !== undefined
          ? ` with name pattern ${JSON.stringify(selection.pattern)}`
          : "";
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but is neither a custom report nor a log group${selected} in ${config.region}; run discover again and update the catalog`,
    );
  }
  return { source: groupSource(group), group };
}

/**
 * Why a log group is not read (see isReadable), as a sentence of its own or after `field`, the
 * setting that names the group (a custom report's log_group_name).
 */
export function cannotRead(group: LogGroup, field?: string): string {
  const subject = field === undefined ? "Log group" : `${field}: log group`;
  return `${subject} ${JSON.stringify(group.name)} is of class ${group.logGroupClass}, which FilterLogEvents cannot read`;
}
