// Streams: which ones a configuration and its account offer (one per readable log group of the
// selection, prefix or name pattern minus exclusions, in every linked account too with
// include_linked_accounts, or log_events for all of them with the single stream; then one per custom report, whose names must not clash), what a
// configured stream reads, and the one sentence for a log group FilterLogEvents cannot read (check,
// discover and read say it).
import { ConfigError, ConnectorError } from "../airbyte/errors.js";
import { type Config, exclusionOf } from "../config/config.js";
import {
  accountOfGroup,
  groupIdentifier,
  type LinkedAccounts,
  type LogGroup,
  type LogGroupSelection,
  type LogsApi,
  originOfGroup,
  parseGroupArn,
  selects,
} from "../domain/logs.js";
import {
  ALL_GROUPS_STREAM,
  accountStreamName,
  type CustomReport,
  parseAccountStreamName,
  type StreamSource,
} from "../domain/streams.js";

/** FilterLogEvents cannot read these classes of log group. */
const UNREADABLE_CLASSES: ReadonlySet<string> = new Set(["INFREQUENT_ACCESS", "DELIVERY"]);

export function isReadable(group: LogGroup): boolean {
  return group.logGroupClass === undefined || !UNREADABLE_CLASSES.has(group.logGroupClass);
}

/**
 * Whose log groups the streams read: the caller's only, or with include_linked_accounts those of
 * linked source accounts too. `own` is the caller's account (undefined when it holds no group).
 */
interface Accounts {
  readonly linked: boolean;
  readonly own: string | undefined;
}

/** The group's account when it is another than the caller's (only with linked accounts). */
function sourceAccountOf(group: LogGroup, accounts: Accounts): string | undefined {
  const account = accounts.linked ? accountOfGroup(group) : undefined;
  return account !== undefined && account !== accounts.own ? account : undefined;
}

/** A group of the caller keeps its name; a source account's is `<account id>:<name>` (names have no ':'). */
function streamNameOf(group: LogGroup, accounts: Accounts): string {
  const account = sourceAccountOf(group, accounts);
  return account === undefined ? group.name : accountStreamName(account, group.name);
}

/** How a stream reads its group: by ARN in a source account, by name in the caller's. */
function groupReading(
  group: LogGroup,
  accounts: Accounts,
): Pick<StreamSource, "logGroupIdentifier" | "accountId" | "origin" | "groupCreationTime"> {
  const foreign = sourceAccountOf(group, accounts) !== undefined;
  return {
    logGroupIdentifier: foreign && group.arn !== undefined ? groupIdentifier(group.arn) : undefined,
    accountId: accounts.linked ? (accountOfGroup(group) ?? accounts.own) : undefined,
    origin: originOfGroup(group),
    groupCreationTime: group.creationTime,
  };
}

function groupSource(group: LogGroup, accounts: Accounts): StreamSource {
  return {
    name: streamNameOf(group, accounts),
    logGroupName: group.name,
    ...groupReading(group, accounts),
    logStreamNames: [],
    filterPattern: undefined,
    report: undefined,
  };
}

/** A report's stream; `group` is its log group once resolved (discover names streams only). */
function reportSource(report: CustomReport, group: LogGroup | undefined, accounts: Accounts): StreamSource {
  return {
    name: report.name,
    logGroupName: group?.name ?? report.logGroupName,
    ...(group === undefined
      ? { logGroupIdentifier: undefined, accountId: undefined, origin: undefined, groupCreationTime: undefined }
      : groupReading(group, accounts)),
    logStreamNames: report.logStreamNames,
    filterPattern: report.filterPattern,
    report,
  };
}

/**
 * What a log group's events are read as in the single stream (records name their log group, and
 * their account with linked accounts), and the group's key in the stream's state: its name in the
 * caller's account, its ARN (as read by) in a source account, whose groups may share a name.
 */
export function allGroupsSource(
  config: Config,
  group: LogGroup,
  own: string | undefined,
): { readonly source: StreamSource; readonly stateKey: string } {
  const source = {
    ...groupSource(group, { linked: config.linkedAccounts !== undefined, own }),
    name: ALL_GROUPS_STREAM,
  };
  return { source, stateKey: source.logGroupIdentifier ?? group.name };
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

/**
 * The listed log groups minus those excluded_log_groups names (in every account, with linked
 * accounts): these are never offered nor read.
 */
export function withoutExcluded(config: Config, groups: readonly LogGroup[]): LogGroup[] {
  return groups.filter((g) => exclusionOf(config.excludedLogGroups, g.name) === undefined);
}

/** How check probes a group as read would read it: by ARN when it is a source account's. */
export function groupIdentifierFor(config: Config, group: LogGroup, own: string | undefined): string | undefined {
  return groupReading(group, { linked: config.linkedAccounts !== undefined, own }).logGroupIdentifier;
}

/** The stream names of these groups, as discover offers them. */
export function groupStreamNames(config: Config, groups: readonly LogGroup[], own: string | undefined): Set<string> {
  const accounts = { linked: config.linkedAccounts !== undefined, own };
  return new Set(groups.map((g) => streamNameOf(g, accounts)));
}

/**
 * Fails when a custom report would shadow a log group stream of the same name (with the single
 * stream log groups are no streams; parseConfig keeps reports off its name).
 */
export function assertNoNameClash(config: Config, streamNames: ReadonlySet<string>): void {
  if (singleStream(config)) return;
  config.reports.forEach((r, i) => {
    if (streamNames.has(r.name)) throw reportNameClash(i, r.name);
  });
}

/**
 * The streams of a catalog made of sources: readable log groups first (in API order), then custom
 * reports; with the single stream, only the reports (log_events is no one log group's). `own` is
 * the caller's account (see GroupDirectory.ownAccount), used with linked accounts only.
 */
export function buildSources(config: Config, groups: readonly LogGroup[], own?: string): StreamSource[] {
  const accounts = { linked: config.linkedAccounts !== undefined, own };
  assertNoNameClash(config, groupStreamNames(config, groups, own));
  const reports = config.reports.map((r) => reportSource(r, undefined, accounts));
  if (singleStream(config)) return reports;
  return [...groups.filter(isReadable).map((g) => groupSource(g, accounts)), ...reports];
}

export interface ResolvedStream {
  readonly source: StreamSource;
  readonly group: LogGroup;
}

/**

 * What a stream name or a log group ARN refers to: a group name, and its account when named
 * (`<account id>:<name>` names a source account's group only when linked accounts are read).
 */
function parseGroupRef(ref: string, linked: boolean): { readonly account: string | undefined; readonly name: string } {
  const arn = parseGroupArn(ref);
  if (arn !== undefined) return arn;
  const named = linked ? parseAccountStreamName(ref) : undefined;
  return named ? { account: named.account, name: named.logGroupName } : { account: undefined, name: ref };
}

/**
 * The excluded_log_groups entry that covers the log group a stream name or ARN refers to, if any.
 * Entries match log group names, in every account: `<account id>:<name>` is matched by its name.
 */
function exclusionOfRef(config: Config, ref: string): string | undefined {
  return exclusionOf(config.excludedLogGroups, parseGroupRef(ref, config.linkedAccounts !== undefined).name);
}

/**
 * The log groups of the configured selection, listed once for all streams (50 per call) rather
 * than looked up one by one: DescribeLogGroups has a quota of its own. With linked accounts, the
 * groups of the linked source accounts too, keyed by stream name.
 */
export class GroupDirectory {
  private groups: Promise<Map<string, LogGroup>> | undefined;
  private own: Promise<string | undefined> | undefined;

  constructor(
    private readonly api: LogsApi,
    private readonly selection: LogGroupSelection,
    private readonly linked?: LinkedAccounts,
  ) {}

  /**
   * The caller's account, which stream names depend on: asked once, and only with linked accounts
   * (one DescribeLogGroups request, rather than an STS call and its permission).
   */
  ownAccount(): Promise<string | undefined> {
    if (this.linked === undefined) return Promise.resolve(undefined);
    this.own ??= this.api.ownAccount().catch((err: unknown) => {
      this.own = undefined;
      throw err;
    });
    return this.own;
  }

  /** The log group of a stream name (see streamNameOf) or of a log group ARN, or undefined. */
  async get(ref: string): Promise<LogGroup | undefined> {
    const { account, name } = parseGroupRef(ref, this.linked !== undefined);
    const own = await this.ownAccount();
    // An account named by a ref must be the group's; an unnamed one is the caller's. An ARN names
    // its region and partition too: another region's group of that name is not this one.
    const arn = parseGroupArn(ref) === undefined ? undefined : groupIdentifier(ref);
    const holds = (g: LogGroup) =>
      arn !== undefined && g.arn !== undefined
        ? groupIdentifier(g.arn) === arn
        : account === undefined || (accountOfGroup(g) ?? own) === account;
    const key = account === undefined || account === own ? name : accountStreamName(account, name);
    if (!selects(this.selection, name)) {
      if (this.linked === undefined || key === name) {
        const g = await this.api.findLogGroup(name);
        return g !== undefined && holds(g) ? g : undefined;
      }
      for await (const g of this.api.listLogGroups({ prefix: name }, { accountIdentifiers: [account!] }))
        if (g.name === name && holds(g)) return g;
      return undefined;
    }
    const g = (await this.listing()).get(this.linked === undefined ? name : key);
    return g !== undefined && holds(g) ? g : undefined;
  }

  /**
   * Every log group of the selection, in API order (the single stream's, listed at each read);
   * exclusions are the caller's to apply (withoutExcluded).
   */
  async all(): Promise<LogGroup[]> {
    return [...(await this.listing()).values()];
  }

  private async listing(): Promise<Map<string, LogGroup>> {
    const accounts = { linked: this.linked !== undefined, own: await this.ownAccount() };
    this.groups ??= (async () => {
      const map = new Map<string, LogGroup>();
      for await (const g of this.api.listLogGroups(this.selection, this.linked)) map.set(streamNameOf(g, accounts), g);
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

/**
 * Finds what a configured stream reads: a custom report, else a log group of that name.
 * `justDiscovered`: the catalog was made moments ago by this process's own discover (sync), so
 * a log group stream not found now was deleted since, and discovering again is no advice.
 */
export async function resolveStream(
  config: Config,
  directory: GroupDirectory,
  name: string,
  justDiscovered = false,
): Promise<ResolvedStream> {
  const reportIndex = config.reports.findIndex((r) => r.name === name);
  const accounts = { linked: config.linkedAccounts !== undefined, own: await directory.ownAccount() };
  if (reportIndex >= 0) {
    const report = config.reports[reportIndex]!;
    // An excluded log group is no stream, so no clash, and it is never requested; with the single
    // stream no log group is a stream.
    if (
      !singleStream(config) &&
      exclusionOfRef(config, report.name) === undefined &&
      (await directory.get(report.name))
    ) {
      throw reportNameClash(reportIndex, report.name);
    }
    const group = await directory.get(report.logGroupName);
    if (!group) {
      throw new ConfigError(reportGroupMissing(reportIndex, report.logGroupName, config.region));
    }
    return { source: reportSource(report, group, accounts), group };
  }
  if (singleStream(config)) {
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but is neither a custom report nor ${JSON.stringify(ALL_GROUPS_STREAM)}, the one stream of every log group with stream_layout single_stream; run discover again and update the catalog`,
    );
  }
  const { account, name: groupName } = parseGroupRef(name, accounts.linked);
  const excludedBy = exclusionOf(config.excludedLogGroups, groupName);
  if (excludedBy !== undefined) {
    // Not even looked up: an excluded log group is never requested.
    throw new ConfigError(
      `Stream ${JSON.stringify(name)} is in the catalog but log group ${JSON.stringify(groupName)} is excluded by excluded_log_groups entry ${JSON.stringify(excludedBy)}; remove the stream from the catalog (run discover again) or the entry from excluded_log_groups`,
    );
  }
  const selection = selectionOf(config);
  const group = selects(selection, groupName) ? await directory.get(name) : undefined;
  if (!group && justDiscovered) {
    // Not the user's to fix: the stream ends INCOMPLETE, and the next sync lists log groups again.
    throw new ConnectorError(
      `Log group ${JSON.stringify(groupName)}${account === undefined ? "" : ` of account ${account}`} was listed when this sync started but is no longer in ${config.region} (deleted since); the next sync lists the log groups again`,
      "transient_error",
    );
  }
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
  // Named as the catalog names it (a log group ARN, say), as its records are: its state too.
  return { source: { ...groupSource(group, accounts), name }, group };
}

/**
 * Why a log group is not read (see isReadable), as a sentence of its own or after `field`, the
 * setting that names the group (a custom report's log_group_name).
 */
export function cannotRead(group: LogGroup, field?: string): string {
  const subject = field === undefined ? "Log group" : `${field}: log group`;
  return `${subject} ${JSON.stringify(group.name)} is of class ${group.logGroupClass}, which FilterLogEvents cannot read`;
}

/** The warning of a log group the single stream leaves out as unreadable (its read's, and discover's). */
export function notRead(group: LogGroup): string {
  return `${cannotRead(group)}; it is not read.`;
}
