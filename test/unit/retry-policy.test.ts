import { test } from "node:test";
import assert from "node:assert/strict";
import {
  LogsApiError,
  NO_ANSWER,
  PROFILE_CREDENTIALS,
  type ApiErrorKind,
  classifyError,
  deadlineError,
  endpointAnswered,
} from "../../src/aws/api-errors.js";
import {
  DEFAULT_RETRY_LIMITS,
  FAULT_RETRY_COST,
  NOTHING_YET,
  type RetryDecision,
  type RetryLimits,
  type RetryTally,
  decideRetry,
} from "../../src/aws/retry-policy.js";

const OP = "logs:FilterLogEvents";
const FULL_BUDGET = 100;
const half = () => 0.5;
const error = (kind: ApiErrorKind, code: string) => new LogsApiError(`${code} happened`, kind, code, OP);
const tally = (t: Partial<RetryTally>): RetryTally => Object.freeze({ ...NOTHING_YET, ...t });

function decide(e: LogsApiError, t: RetryTally = NOTHING_YET, budget = FULL_BUDGET, limits = DEFAULT_RETRY_LIMITS) {
  return decideRetry(e, t, budget, limits, half);
}

function retried(d: RetryDecision): Extract<RetryDecision, { action: "retry" }> {
  assert.equal(d.action, "retry", `expected a retry, got ${JSON.stringify(d)}`);
  return d as Extract<RetryDecision, { action: "retry" }>;
}

/** Attempts one request makes when every attempt fails with `e` (a budget that never runs out). */
function attemptsUntilGivingUp(e: LogsApiError, limits: RetryLimits = DEFAULT_RETRY_LIMITS): number {
  let t = NOTHING_YET;
  for (let attempts = 1; attempts < 1000; attempts++) {
    const d = decideRetry(e, t, FULL_BUDGET, limits, half);
    if (d.action === "give_up") {
      assert.equal(d.error, e, "gives up with the attempt's own error");
      return attempts;
    }
    t = d.tally;
  }
  throw new Error("never gave up");
}

test("each kind of failure is attempted as often as today's limits say", () => {
  const cases: [LogsApiError, number][] = [
    [error("throttled", "ThrottlingException"), 30],
    [error("transient", "ServiceUnavailableException"), 8],
    [error("transient", "ECONNRESET"), 8],
    [error("invalid_response", "InvalidResponse"), 8],
    [error("unreachable", "ECONNREFUSED"), 3],
    [error("unreachable", "NotCloudWatchLogs"), 3],
    [error("unreachable", NO_ANSWER), 2],
    // Refreshed once, then the same answer is final.
    [error("denied", "ExpiredTokenException"), 2],
    [error("denied", "ExpiredToken"), 2],
    [error("denied", "AccessDeniedException"), 1],
    [error("not_found", "ResourceNotFoundException"), 1],
    [error("unsupported", "InvalidOperationException"), 1],
    [error("invalid", "ValidationException"), 1],
    [error("no_credentials", "CredentialsProviderError"), 1],
  ];
  for (const [e, attempts] of cases) assert.equal(attemptsUntilGivingUp(e), attempts, `${e.kind} ${e.code}`);
});

test("the limits passed in are the ones applied", () => {
  const limits: RetryLimits = {
    maxTransientAttempts: 3,
    maxThrottledAttempts: 5,
    maxUnreachableAttempts: 2,
    maxNoAnswerAttempts: 1,
  };
  assert.equal(attemptsUntilGivingUp(error("transient", "HTTP500"), limits), 3);
  assert.equal(attemptsUntilGivingUp(error("throttled", "ThrottlingException"), limits), 5);
  assert.equal(attemptsUntilGivingUp(error("unreachable", "ECONNREFUSED"), limits), 2);
  assert.equal(attemptsUntilGivingUp(error("unreachable", NO_ANSWER), limits), 1);
  // The transient limit also bounds an unreachable endpoint.
  assert.equal(attemptsUntilGivingUp(error("unreachable", "ECONNREFUSED"), { ...limits, maxTransientAttempts: 1 }), 1);
});

test("a throttle is retried after a growing, capped backoff, without spending the retry budget", () => {
  const e = error("throttled", "ThrottlingException");
  const delays = [0, 1, 2, 6, 7, 8, 20].map((throttles) => retried(decide(e, tally({ throttles }))).delayMs);
  // Half of min(20 s, 100 ms * 2^n), n the throttles so far including this one.
  assert.deepEqual(delays, [100, 200, 400, 6_400, 10_000, 10_000, 10_000]);
  const d = retried(decide(e, tally({ throttles: 3, faults: 2, refreshed: true }), 0));
  assert.equal(d.budgetCost, 0, "an empty budget does not stop throttle retries");
  assert.deepEqual(d.tally, { throttles: 4, faults: 2, refreshed: true });
});

test("the throttle that reaches maxThrottledAttempts gives up", () => {
  const e = error("throttled", "ThrottlingException");
  retried(decide(e, tally({ throttles: 28 })));
  assert.deepEqual(decide(e, tally({ throttles: 29 })), { action: "give_up", error: e });
});

test("throttles and faults have separate allowances", () => {
  const transient = error("transient", "HTTP503");
  retried(decide(transient, tally({ throttles: 29, faults: 6 })));
  retried(decide(error("throttled", "Throttling"), tally({ throttles: 28, faults: 7 })));
});

test("a transient fault or bad answer is retried after a backoff that spends the retry budget", () => {
  for (const e of [error("transient", "HTTP500"), error("invalid_response", "InvalidResponse")]) {
    const d = retried(decide(e, tally({ throttles: 4 })));
    assert.deepEqual(d, {
      action: "retry",
      delayMs: 100, // half of 100 ms * 2^1
      budgetCost: FAULT_RETRY_COST,
      tally: { throttles: 4, faults: 1, refreshed: false },
    });
    assert.equal(retried(decide(e, tally({ faults: 3 }))).delayMs, 800);
    assert.equal(retried(decide(e, tally({ faults: 6 }))).delayMs, 6_400);
  }
});

test("the jitter comes from the random source given", () => {
  const e = error("transient", "HTTP500");
  assert.equal(retried(decideRetry(e, NOTHING_YET, FULL_BUDGET, DEFAULT_RETRY_LIMITS, () => 0)).delayMs, 0);
  assert.equal(retried(decideRetry(e, NOTHING_YET, FULL_BUDGET, DEFAULT_RETRY_LIMITS, () => 0.999)).delayMs, 199);
});

test("the fault that reaches maxTransientAttempts gives up", () => {
  const e = error("transient", "HTTP500");
  retried(decide(e, tally({ faults: 6 })));
  assert.deepEqual(decide(e, tally({ faults: 7 })), { action: "give_up", error: e });
});

test("a fault is not retried when the shared retry budget cannot pay for it", () => {
  const e = error("transient", "HTTP500");
  assert.equal(retried(decide(e, NOTHING_YET, FAULT_RETRY_COST)).budgetCost, FAULT_RETRY_COST);
  assert.deepEqual(decide(e, NOTHING_YET, FAULT_RETRY_COST - 1), { action: "give_up", error: e });
  assert.equal(decide(error("unreachable", "ECONNREFUSED"), NOTHING_YET, 0).action, "give_up");
});

test("an unreachable endpoint gets quick retries, counted with the request's other faults", () => {
  const refused = error("unreachable", "ECONNREFUSED");
  assert.equal(retried(decide(refused, tally({ faults: 1 }))).tally.faults, 2);
  // Two failed attempts of any fault kind (say two 5xx answers) before: a refusal is then final.
  assert.deepEqual(decide(refused, tally({ faults: 2 })), { action: "give_up", error: refused });
  const silent = error("unreachable", NO_ANSWER);
  retried(decide(silent));
  assert.deepEqual(decide(silent, tally({ faults: 1 })), { action: "give_up", error: silent });
});

test("expired credentials rebuild the client once per request, at once and for free", () => {
  for (const code of ["ExpiredTokenException", "ExpiredToken"]) {
    const e = error("denied", code);
    assert.deepEqual(decide(e, tally({ throttles: 2, faults: 1 }), 0), {
      action: "refresh_credentials",
      tally: { throttles: 2, faults: 1, refreshed: true },
    });
    assert.deepEqual(decide(e, tally({ refreshed: true })), { action: "give_up", error: e });
  }
  // Other refusals are final, refreshed or not.
  const denied = error("denied", "AccessDeniedException");
  assert.deepEqual(decide(denied), { action: "give_up", error: denied });
});

test("a silent endpoint is a dead one until it has answered once, then a slow one", () => {
  const neverAnswered = deadlineError(OP, 5_000, false);
  assert.equal(neverAnswered.code, NO_ANSWER);
  assert.equal(attemptsUntilGivingUp(neverAnswered), 2);
  const answeredBefore = deadlineError(OP, 5_000, true);
  assert.equal(answeredBefore.kind, "transient");
  assert.equal(attemptsUntilGivingUp(answeredBefore), 8);
});

test("what the SDK throws reaches the policy classified", () => {
  const sdkError = (name: string, status?: number) =>
    Object.assign(new Error(`${name}!`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
  const expired = classifyError(sdkError("ExpiredTokenException", 400), OP);
  assert.equal(decide(expired).action, "refresh_credentials");
  assert.equal(retried(decide(classifyError(sdkError("ThrottlingException", 400), OP))).budgetCost, 0);
  assert.equal(retried(decide(classifyError(sdkError("InternalFailure", 500), OP))).budgetCost, FAULT_RETRY_COST);
  assert.equal(decide(classifyError(sdkError("ValidationException", 400), OP)).action, "give_up");
  assert.equal(endpointAnswered(sdkError("InternalFailure", 500)), true);
  assert.equal(endpointAnswered(Object.assign(new Error("refused"), { code: "ECONNREFUSED" })), false);
  assert.equal(endpointAnswered(undefined), false);
});

test("a profile that gives no credentials is no usable credentials, given up, whatever the profile is called", () => {
  // "tests" holds "sts", which would otherwise read as a failed role session.
  const failure = Object.assign(new Error('profile "tests": Could not resolve credentials using profile: [tests]'), {
    name: "CredentialsProviderError",
    code: PROFILE_CREDENTIALS,
  });
  const classified = classifyError(failure, OP);
  assert.equal(classified.kind, "no_credentials");
  assert.equal(classified.code, PROFILE_CREDENTIALS);
  assert.equal(decide(classified).action, "give_up");
});
