// Decides what follows a failed CloudWatch Logs attempt: try again after a backoff, try again on a
// client with fresh credentials, or give up with the error. Pure: the call loop in logs-api.ts
// executes the decisions (sleeps, rebuilds the client, spends the retry budget, counts).
import { NO_ANSWER, type LogsApiError } from "./api-errors.js";
import { backoffMs } from "./rate-limit.js";

export interface RetryLimits {
  /** Attempts per request for transient faults (5xx, resets, timeouts, bad answers). */
  readonly maxTransientAttempts: number;
  /** Attempts per request while throttled. */
  readonly maxThrottledAttempts: number;
  /** Attempts per request while the endpoint cannot be reached: a refused connection may be a blip. */
  readonly maxUnreachableAttempts: number;
  /**
   * Attempts per request while the endpoint accepts connections and never answers, so `check`
   * fails within about two request timeouts.
   */
  readonly maxNoAnswerAttempts: number;
}

export const DEFAULT_RETRY_LIMITS: RetryLimits = {
  maxTransientAttempts: 8,
  maxThrottledAttempts: 30,
  maxUnreachableAttempts: 3,
  maxNoAnswerAttempts: 2,
};

/**
 * Retry budget (see RetryBudget) spent by each retry of a fault; retries of throttles cost none,
 * the rate limiter paces them.
 */
export const FAULT_RETRY_COST = 5;

/** What one request has met so far. */
export interface RetryTally {
  readonly throttles: number;
  /** Failed attempts that were retried as faults (transient, bad answer, unreachable). */
  readonly faults: number;
  /** Whether the client was already rebuilt for expired credentials during this request. */
  readonly refreshed: boolean;
}

export const NOTHING_YET: RetryTally = { throttles: 0, faults: 0, refreshed: false };

export type RetryDecision =
  | {
      readonly action: "retry";
      readonly delayMs: number;
      /** Tokens to take from the retry budget (its `remaining` was at least this). */
      readonly budgetCost: number;
      readonly tally: RetryTally;
    }
  /** Credentials expired before the SDK's own refresh: start over on a client with a fresh session, at once. */
  | { readonly action: "refresh_credentials"; readonly tally: RetryTally }
  | { readonly action: "give_up"; readonly error: LogsApiError };

const EXPIRED_CODES = new Set(["ExpiredTokenException", "ExpiredToken"]);
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 20_000;
/** Throttle backoff stops growing after this many throttles (the cap is reached by then anyway). */
const THROTTLE_BACKOFF_MAX_EXPONENT = 8;

/**
 * The next step after `error`, the classified failure of one attempt of a request whose earlier
 * attempts are summed up in `tally`. `budgetRemaining` is the shared retry budget left now.
 */
export function decideRetry(
  error: LogsApiError,
  tally: RetryTally,
  budgetRemaining: number,
  limits: RetryLimits,
  random: () => number = Math.random,
): RetryDecision {
  if (error.kind === "throttled") {
    const throttles = tally.throttles + 1;
    if (throttles >= limits.maxThrottledAttempts) return { action: "give_up", error };
    return {
      action: "retry",
      delayMs: backoffMs(Math.min(throttles, THROTTLE_BACKOFF_MAX_EXPONENT), BACKOFF_BASE_MS, BACKOFF_CAP_MS, random),
      budgetCost: 0,
      tally: { ...tally, throttles },
    };
  }
  if (error.kind === "denied" && EXPIRED_CODES.has(error.code) && !tally.refreshed)
    return { action: "refresh_credentials", tally: { ...tally, refreshed: true } };
  const faults = tally.faults + 1;
  const unreachableAttempts = error.code === NO_ANSWER ? limits.maxNoAnswerAttempts : limits.maxUnreachableAttempts;
  const retryable =
    error.kind === "transient" ||
    error.kind === "invalid_response" ||
    (error.kind === "unreachable" && faults < unreachableAttempts);
  if (!retryable || faults >= limits.maxTransientAttempts || budgetRemaining < FAULT_RETRY_COST)
    return { action: "give_up", error };
  return {
    action: "retry",
    delayMs: backoffMs(faults, BACKOFF_BASE_MS, BACKOFF_CAP_MS, random),
    budgetCost: FAULT_RETRY_COST,
    tally: { ...tally, faults },
  };
}
