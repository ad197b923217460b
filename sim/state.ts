// Everything one running simulator owns; created per server, never shared between servers.
import { Account } from "./account.js";
import { createClock, type SimClock } from "./clock.js";
import { Counters } from "./counters.js";
import type { ApiName, Scenario } from "./model.js";
import { API_NAMES } from "./model.js";
import { SeededSequence } from "./prng.js";
import { TokenBucket } from "./quotas.js";
import { CredentialRegistry } from "./sts.js";

export interface SimState {
  readonly scenario: Scenario;
  readonly account: Account;
  readonly clock: SimClock;
  readonly counters: Counters;
  readonly credentials: CredentialRegistry;
  readonly buckets: ReadonlyMap<ApiName, TokenBucket>;
  /** Fault draws, one per Logs request. */
  readonly faultDraws: SeededSequence;
  /** Fault draws, one per AssumeRole request: its own sequence, so the n-th AssumeRole's fate does not depend on how Logs requests interleave. */
  readonly stsFaultDraws: SeededSequence;
  /** Page-shaping draws (short and empty pages). */
  readonly pageDraws: SeededSequence;
}

export function createState(scenario: Scenario): SimState {
  const { settings } = scenario;
  const buckets = new Map<ApiName, TokenBucket>();
  for (const api of API_NAMES) {
    const rate = settings.quotas[api];
    if (rate !== null) buckets.set(api, new TokenBucket(rate));
  }
  return {
    scenario,
    account: Account.fromScenario(scenario),
    clock: createClock(settings.clock),
    counters: new Counters(),
    credentials: new CredentialRegistry(settings.sts),
    buckets,
    faultDraws: new SeededSequence(settings.seed ^ 0xfa017),
    stsFaultDraws: new SeededSequence(settings.seed ^ 0x575fa),
    pageDraws: new SeededSequence(settings.seed ^ 0x9a9e5),
  };
}
