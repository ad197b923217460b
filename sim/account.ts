// The simulated account's log groups and streams: generated sources from the scenario plus
// seeded sources filled by PutLogEvents. Nothing here is per event except seeded events.
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
      ? new GeneratedEvents(name, ordinal * 2, spec.generated, streamKey(seed, group.name, name), group.key, corpus)
      : undefined;
  }
  sources(): EventSource[] {
    return this.generated ? [this.generated, this.seeded] : [this.seeded];
  }
}

export function streamKey(seed: number, group: string, stream: string): number {
  return hashString(stream, hashString(group, seed));
}

export class LogGroup {
  readonly key: number;
  readonly streams = new Map<string, LogStream>();
  private sortedNames: string[] | undefined;
  constructor(
    readonly name: string,
    readonly logClass: LogClass,
    readonly creationTime: number,
    readonly retentionInDays: number | undefined,
    readonly arn: string,
    /** The data protection policy's masking; undefined: the group has no policy. */
    readonly mask?: Masker,
  ) {
    this.key = hashString(name);
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
  readonly groups = new Map<string, LogGroup>();
  readonly corpus: string;
  private sortedNames: string[] | undefined;

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
    this.sortedNames = undefined;
    for (const g of scenario.groups) this.addGroupSpec(g);
  }

  groupArn(name: string): string {
    return `arn:aws:logs:${this.settings.region}:${this.settings.accountId}:log-group:${name}`;
  }

  createGroup(
    name: string,
    logClass: LogClass,
    creationTime: number,
    retentionInDays?: number,
    mask?: Masker,
  ): LogGroup {
    const group = new LogGroup(name, logClass, creationTime, retentionInDays, this.groupArn(name), mask);
    this.groups.set(name, group);
    this.sortedNames = undefined;
    return group;
  }

  deleteGroup(name: string): boolean {
    this.sortedNames = undefined;
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

  /** Finds a group by name or ARN (with or without the trailing ":*"). */
  findGroup(nameOrArn: string): LogGroup | undefined {
    const direct = this.groups.get(nameOrArn);
    if (direct) return direct;
    const m = /^arn:aws[a-z-]*:logs:[^:]*:[^:]*:log-group:(.+?)(?::\*)?$/.exec(nameOrArn);
    return m ? this.groups.get(m[1] as string) : undefined;
  }

  private addGroupSpec(spec: GroupSpec): void {
    const mask = spec.dataProtection ? makeMasker(spec.dataProtection) : undefined;
    const group = this.createGroup(spec.name, spec.logClass, spec.creationTime, spec.retentionInDays, mask);
    for (const s of spec.streams) this.createStream(group, s.name, s.creationTime, s);
  }
}
