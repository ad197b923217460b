// What an operation handler gets: the account, the simulator time of the request, the settings,
// and a seeded sequence for page-shaping decisions.
import type { Account } from "../account.js";
import type { Settings } from "../model.js";
import type { Input } from "../params.js";

export interface OpContext {
  readonly account: Account;
  readonly now: number;
  readonly settings: Settings;
  /** Next value in [0, 1) of the run's seeded decision sequence. */
  decide(): number;
}

export interface OpResult {
  readonly body: string | Buffer;
  /** Log events in the body, for the counters. */
  readonly events: number;
}

export type Operation = (ctx: OpContext, input: Input) => OpResult;

export const json = (value: unknown): OpResult => ({ body: JSON.stringify(value), events: 0 });
