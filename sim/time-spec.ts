// Times in scenario files: epoch milliseconds, ISO-8601, or relative to the clock's start
// ("now", "now-2d", "now+90m") so a scenario stays valid whatever day it is run.

export type TimeSpec = number | string;

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Returns epoch ms, or undefined when the spec is not understood. */
export function resolveTime(spec: TimeSpec, now: number): number | undefined {
  if (typeof spec === "number") return Number.isFinite(spec) ? Math.floor(spec) : undefined;
  const rel = /^now(?:([+-])(\d+(?:\.\d+)?)(ms|s|m|h|d))?$/.exec(spec.trim());
  if (rel) {
    if (!rel[1]) return now;
    const delta = Number(rel[2]) * (UNIT_MS[rel[3] as string] as number);
    return Math.floor(rel[1] === "+" ? now + delta : now - delta);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(spec)) return undefined;
  const ms = Date.parse(spec);
  return Number.isNaN(ms) ? undefined : ms;
}
