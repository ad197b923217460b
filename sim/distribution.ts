// Splits a total into parts (events over streams, events over groups) so the parts sum exactly.

export type Distribution = "uniform" | "power-law";

/** Largest-remainder split of `total` by weights; deterministic, sums exactly to total. */
export function splitTotal(total: number, parts: number, distribution: Distribution, alpha = 1): number[] {
  if (parts <= 0) return [];
  const weights = Array.from({ length: parts }, (_, i) => (distribution === "power-law" ? 1 / (i + 1) ** alpha : 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const out = exact.map(Math.floor);
  let rest = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; rest > 0; k = (k + 1) % parts, rest--) out[(order[k] as readonly [number, number])[1]]! += 1;
  return out;
}
