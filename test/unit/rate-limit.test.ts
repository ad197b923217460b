import { test } from "node:test";
import assert from "node:assert/strict";
import { RateLimiter, RetryBudget, backoffMs } from "../../src/aws/rate-limit.js";
import { filterLogEventsTps } from "../../src/aws/service-quotas.js";

function fakeClock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

test("the limiter admits requests at the configured rate after the initial burst", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ ratePerSecond: 10, burst: 5, ...clock });
  for (let i = 0; i < 105; i++) await limiter.acquire();
  // 5 at once, then 100 at 10 per second.
  assert.ok(clock.now() >= 9_900 && clock.now() <= 10_100, `took ${clock.now()} ms`);
});

test("throttles slow the limiter down once per second; successes bring it back to the maximum", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ ratePerSecond: 10, ...clock });
  for (let i = 0; i < 5; i++) limiter.throttled();
  assert.equal(limiter.currentRate(), 7, "a burst of throttles within one second counts once");
  for (let i = 0; i < 30; i++) {
    await clock.sleep(1000);
    limiter.throttled();
  }
  assert.equal(limiter.currentRate(), 0.5, "never below a twentieth of the maximum");
  for (let i = 0; i < 200; i++) limiter.succeeded();
  assert.equal(limiter.currentRate(), 10);
  assert.equal(limiter.throttleCount(), 35);
});

test("a quota lower than configured is found: throttles become rare", async () => {
  // The service admits 3 requests per second; the limiter starts at 25.
  const clock = fakeClock();
  const limiter = new RateLimiter({ ratePerSecond: 25, ...clock });
  let serviceTokens = 3;
  let last = 0;
  let throttles = 0;
  let requests = 0;
  for (let i = 0; i < 600; i++) {
    await limiter.acquire();
    serviceTokens = Math.min(3, serviceTokens + ((clock.now() - last) / 1000) * 3);
    last = clock.now();
    requests++;
    if (serviceTokens >= 1) {
      serviceTokens -= 1;
      limiter.succeeded();
    } else {
      throttles++;
      limiter.throttled();
    }
  }
  assert.ok(throttles / requests < 0.2, `throttled ${throttles} of ${requests}`);
});

test("concurrent waiters are served in arrival order without exceeding the rate", async () => {
  const clock = fakeClock();
  const limiter = new RateLimiter({ ratePerSecond: 4, burst: 1, ...clock });
  const order: number[] = [];
  await Promise.all(Array.from({ length: 9 }, (_, i) => limiter.acquire().then(() => order.push(i))));
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  assert.ok(clock.now() >= 2_000, `8 requests after the first take 2 s at 4/s (took ${clock.now()})`);
});

test("the retry budget drains on failures and refills on successes", () => {
  const budget = new RetryBudget(10);
  assert.equal(budget.trySpend(5), true);
  assert.equal(budget.trySpend(5), true);
  assert.equal(budget.trySpend(5), false);
  budget.earn(3);
  assert.equal(budget.remaining(), 3);
  budget.earn(100);
  assert.equal(budget.remaining(), 10);
});

test("backoff is jittered below an exponential cap", () => {
  assert.equal(
    backoffMs(3, 100, 20_000, () => 0.999999),
    799,
  );
  assert.equal(
    backoffMs(30, 100, 20_000, () => 0.5),
    10_000,
  );
  assert.equal(
    backoffMs(1, 100, 20_000, () => 0),
    0,
  );
});

test("regional FilterLogEvents quotas", () => {
  assert.equal(filterLogEventsTps("us-east-1"), 25);
  assert.equal(filterLogEventsTps("eu-central-1"), 5);
  assert.equal(filterLogEventsTps("eu-west-1"), 10);
});
