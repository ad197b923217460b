// The benchmark scenarios (see README "Benchmarks"). Times are relative to the simulator's start.
import type { ScenarioFile } from "../sim/index.js";

export const DAY_MS = 86_400_000;

/** 1. Quota-bound: 50 groups with power-law sizes over 30 days, FilterLogEvents at 10 TPS. */
export function quotaBound(totalEvents: number): ScenarioFile {
  return {
    seed: 2026,
    region: "us-west-2",
    quotas: { FilterLogEvents: 10, DescribeLogGroups: 10 },
    latency: { fixedMs: 150, perKbMs: 0.25 },
    groupSets: [
      {
        namePrefix: "/bench/service-",
        count: 50,
        totalEvents,
        distribution: "power-law",
        alpha: 1.2,
        creationTime: "now-31d",
        streams: { count: 6, namePattern: "i-{index}" },
        timeRange: { start: "now-30d", end: "now-1h" },
        message: { shape: "access-log", size: 110 },
      },
    ],
  };
}

/** 5. Fault storm: the same account with and without 30% throttles, 5% 5xx, 2% resets, stalls. */
export function faultStorm(events: number, faulty: boolean): ScenarioFile {
  return {
    seed: 31,
    quotas: "none",
    latency: { fixedMs: 50, perKbMs: 0.1 },
    ...(faulty
      ? {
          faults: {
            throttleRate: 0.3,
            http500Rate: 0.03,
            http503Rate: 0.02,
            resetRate: 0.02,
            stallRate: 0.01,
            stallMs: 10_000,
          },
        }
      : {}),
    groupSets: [
      {
        namePrefix: "/storm/service-",
        count: 5,
        totalEvents: events,
        distribution: "power-law",
        creationTime: "now-3d",
        streams: { count: 4, namePattern: "s-{index}" },
        timeRange: { start: "now-2d", end: "now-1h" },
        message: { shape: "json", size: 300 },
      },
    ],
  };
}

/** 2. CPU-bound: one dense group, no quota, no latency. */
export function cpuBound(events: number): ScenarioFile {
  return {
    seed: 7,
    quotas: "none",
    logGroups: [
      {
        name: "/bench/dense",
        creationTime: "now-6d",
        streams: { count: 10, namePattern: "s-{index}" },
        timeRange: { start: "now-5d", end: "now-1h" },
        events: { count: events },
        message: { shape: "text", size: 120 },
      },
    ],
  };
}

/** Events of the big groups of scenario 7: from 10,000 (or `max`, if smaller) up to `max`. */
function bigGroupEvents(k: number, big: number, max: number): number {
  const min = Math.min(10_000, max);
  return big === 1 ? max : Math.round(min + ((max - min) * k) / (big - 1));
}

/**
 * 7. Many log groups, as an account full of Lambda functions has: `groups` log groups of which
 * `big` hold 10,000 to `bigEvents` events (spread through the name order), the rest 1 to 20 events
 * over the last week; us-east-1 quotas (FilterLogEvents 25 TPS, DescribeLogGroups 10 TPS).
 */
export function lambdaFleet(groups: number, big: number, bigEvents: number, latencyMs = 80): ScenarioFile {
  const bigAt = new Map<number, number>();
  for (let k = 0; k < Math.min(big, groups); k++)
    bigAt.set(Math.floor(((k + 0.5) * groups) / big), bigGroupEvents(k, big, bigEvents));
  const width = String(Math.max(0, groups - 1)).length;
  return {
    seed: 12,
    region: "us-east-1",
    quotas: { FilterLogEvents: 25, DescribeLogGroups: 10 },
    // 80 ms: in-region API latency; sequential DescribeLogGroups pages then stay under the 10 TPS quota.
    latency: { fixedMs: latencyMs, perKbMs: 0.25 },
    logGroups: Array.from({ length: groups }, (_, i) => {
      const events = bigAt.get(i);
      return {
        name: `/aws/lambda/function-${String(i).padStart(width, "0")}`,
        creationTime: "now-30d",
        streams: {
          count: events === undefined ? 1 + (i % 3) : 10,
          namePattern: "2026/11/30/[$LATEST]0f3c9a{index}",
        },
        timeRange: events === undefined ? { start: "now-7d", end: "now-1h" } : { start: "now-1d", end: "now-1h" },
        events: { count: events ?? 1 + ((i * 7) % 20) },
        message: { shape: "text", size: 100 },
      };
    }),
  };
}
