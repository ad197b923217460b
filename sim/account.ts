// The simulated account's log groups and streams: generated sources from the scenario plus
// seeded sources filled by PutLogEvents. Nothing here is per event except seeded events. The
// caller's account may be a cross-account observability monitoring account: groups of other
// accounts in the scenario belong to its linked source accounts.
import type { EventSource } from "./event-source.js";
import type { GroupSpec, LogClass, Scenario, Settings, StreamSpec } from "./model.js";
import { GeneratedEvents } from "./generated-events.js";
import { SeededEvents } from "./seeded-events.js";
import { hashString } from "./prng.js";
import { makeCorpus } from "./messages.js";
import { makeMasker, type Masker } from "./data-protection.js";

export class LogStream {
  readonly seeded: SeededEvents;
  readonly generated: GeneratedEvents | undefined;
  constructor(
    readonly name: string,
    readonly ordinal: number,
    readonly creationTime: number,
    group: LogGroup,
    spec: StreamSpec | undefined,
    corpus: string,
    seed: number,
  ) {
    this.seeded = new SeededEvents(name, ordinal * 2 + 1, group.key);
    this.generated = spec?.generated
      ? new GeneratedEvents(name, ordinal * 2, spec.generated, streamKey(seed, group.keyName, name), group.key, corpus)
      : undefined;
  }
  sources(): EventSource[] {
    return this.generated ? [this.generated, this.seeded] : [this.seeded];
  }
}

export function streamKey(seed: number, group: string, stream: string): number {
  return hashString(stream, hashString(group, seed));
}

/**
 * What a group's events are derived from: its name in the caller's account (as before accounts
 * were modelled), `<account>:<name>` in a source account, so that groups of the same name in two
 * accounts hold different events.
 */
export function groupKeyName(name: string, account: string | undefined): string {
  return account === undefined ? name : `${account}:${name}`;
}

export class LogGroup {
  readonly key: number;
  readonly keyName: string;
  readonly streams = new Map<string, LogStream>();
  private sortedNames: string[] | undefined;
  constructor(
    readonly name: string,
    readonly logClass: LogClass,
    readonly creationTime: number,
    readonly retentionInDays: number | undefined,
    readonly arn: string,
    /** The holder: the caller's account or a linked source account. */
    readonly accountId: string,
    /** Whether accountId is a linked source account rather than the caller's. */
    readonly linked: boolean,
    /** The data protection policy's masking; undefined: the group has no policy. */
    readonly mask?: Masker,
  ) {
    this.keyName = groupKeyName(name, linked ? accountId : undefined);
    this.key = hashString(this.keyName);
  }
  addStream(stream: LogStream): void {
    this.streams.set(stream.name, stream);
    this.sortedNames = undefined;
  }
  /** Stream names in AWS's default (lexicographic) order; cached until a stream is added. */
  streamNames(): readonly string[] {
    this.sortedNames ??= [...this.streams.keys()].sort();
    return this.sortedNames;
  }
}

export class Account {
  /** The caller's groups, by name. */
  readonly groups = new Map<string, LogGroup>();
  /** The linked source accounts' groups: account id -> name -> group. */
  private readonly linked = new Map<string, Map<string, LogGroup>>();
  readonly corpus: string;
  private sortedNames: string[] | undefined;
  private sortedAll: LogGroup[] | undefined;

  constructor(readonly settings: Settings) {
    this.corpus = makeCorpus(settings.seed);
  }

  static fromScenario(scenario: Scenario): Account {
    const account = new Account(scenario.settings);
    account.restore(scenario);
    return account;
  }

  /** Back to the scenario's groups only: seeded groups and events are dropped. */
  restore(scenario: Scenario): void {
    this.groups.clear();
    this.linked.clear();
    this.sortedNames = undefined;
    this.sortedAll = undefined;
    for (const g of scenario.groups) this.addGroupSpec(g);
  }

  groupArn(name: string, account: string = this.settings.accountId): string {
    return `arn:aws:logs:${this.settings.region}:${account}:log-group:${name}`;
  }

  createGroup(
    name: string,
    logClass: LogClass,
    creationTime: number,
    retentionInDays?: number,
    account: string = this.settings.accountId,
    mask?: Masker,
  ): LogGroup {
    const linked = account !== this.settings.accountId;
    const group = new LogGroup(
      name,
      logClass,
      creationTime,
      retentionInDays,
      this.groupArn(name, account),
      account,
      linked,
      mask,
    );
    if (linked) {
      const groups = this.linked.get(account) ?? new Map<string, LogGroup>();
      this.linked.set(account, groups);
      groups.set(name, group);
    } else {
      this.groups.set(name, group);
    }
    this.sortedNames = undefined;
    this.sortedAll = undefined;
    return group;
  }

  deleteGroup(name: string): boolean {
    this.sortedNames = undefined;
    this.sortedAll = undefined;
    return this.groups.delete(name);
  }

  createStream(group: LogGroup, name: string, creationTime: number, spec?: StreamSpec): LogStream {
    const stream = new LogStream(name, group.streams.size, creationTime, group, spec, this.corpus, this.settings.seed);
    group.addStream(stream);
    return stream;
  }

  groupNames(): readonly string[] {
    this.sortedNames ??= [...this.groups.keys()].sort();
    return this.sortedNames;
  }

  /**
   * The caller's groups and every linked account's, ordered by name, then account: groups of the
   * same name in several accounts are listed together.
   */
  allGroups(): readonly LogGroup[] {
    this.sortedAll ??= [...this.groups.values(), ...[...this.linked.values()].flatMap((m) => [...m.values()])].sort(
      byNameThenAccount,
    );
    return this.sortedAll;
  }

  /**
   * Finds a group by name (the caller's account only) or by ARN (with or without the trailing ":*";
   * in the caller's account or a linked source account; the region must be this one).
   */
  findGroup(nameOrArn: string): LogGroup | undefined {
    const direct = this.groups.get(nameOrArn);
    if (direct) return direct;
    const m = /^arn:aws[a-z-]*:logs:([^:]*):([^:]*):log-group:(.+?)(?::\*)?$/.exec(nameOrArn);
    if (!m || m[1] !== this.settings.region) return undefined;
    const account = m[2] as string;
    const name = m[3] as string;
    if (account === this.settings.accountId) return this.groups.get(name);
    return this.linked.get(account)?.get(name);
  }

  private addGroupSpec(spec: GroupSpec): void {
    const mask = spec.dataProtection ? makeMasker(spec.dataProtection) : undefined;
    const group = this.createGroup(
      spec.name,
      spec.logClass,
      spec.creationTime,
      spec.retentionInDays,
      spec.accountId ?? this.settings.accountId,
      mask,
    );
    for (const s of spec.streams) this.createStream(group, s.name, s.creationTime, s);
  }
}

/** DescribeLogGroups' order: by name, then account (groups of one name in several accounts together). */
export function byNameThenAccount(a: LogGroup, b: LogGroup): number {
  return compare(a.name, b.name) || compare(a.accountId, b.accountId);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
