// Which streams a configuration and its account offer, and what each of them reads: one stream
// per readable log group, then one per custom report, whose names must not clash.
import { ConfigError } from "../airbyte/errors.js";
import type { Config } from "../config/config.js";
import type { LogGroup } from "../domain/logs.js";
import type { CustomReport, StreamSource } from "../domain/streams.js";

/** FilterLogEvents cannot read these classes of log group. */
export const UNREADABLE_CLASSES: ReadonlySet<string> = new Set(["INFREQUENT_ACCESS", "DELIVERY"]);

export function isReadable(group: LogGroup): boolean {
  return group.logGroupClass === undefined || !UNREADABLE_CLASSES.has(group.logGroupClass);
}

export function groupSource(group: LogGroup): StreamSource {
  return {
    name: group.name,
    logGroupName: group.name,
    logStreamNames: [],
    filterPattern: undefined,
    report: undefined,
  };
}

export function reportSource(report: CustomReport): StreamSource {
  return {
    name: report.name,
    logGroupName: report.logGroupName,
    logStreamNames: report.logStreamNames,
    filterPattern: report.filterPattern,
    report,
  };
}

export function reportNameClash(index: number, name: string): ConfigError {
  return new ConfigError(
    `custom_log_reports[${index}].name ${JSON.stringify(name)} is also the name of a log group stream; give the report another name`,
  );
}

export function reportGroupMissing(index: number, logGroupName: string, region: string): string {
  return `custom_log_reports[${index}].log_group_name: log group ${JSON.stringify(logGroupName)} does not exist in ${region} or is not visible to these credentials`;
}

/** Fails when a custom report would shadow a log group stream of the same name. */
export function assertNoNameClash(config: Config, groupNames: ReadonlySet<string>): void {
  config.reports.forEach((r, i) => {
    if (groupNames.has(r.name)) throw reportNameClash(i, r.name);
  });
}

/** The streams of a catalog: readable log groups first (in API order), then custom reports. */
export function buildSources(config: Config, groups: readonly LogGroup[]): StreamSource[] {
  assertNoNameClash(config, new Set(groups.map((g) => g.name)));
  return [...groups.filter(isReadable).map(groupSource), ...config.reports.map(reportSource)];
}
