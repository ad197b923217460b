// eventIds shaped like AWS's (56 decimal digits), unique per (group, source, index) and stable.

const ZEROS = "0000000000000000";

/** Left-pads a non-negative integer's digits with zeros to `width`. */
function pad(n: number, width: number): string {
  const s = String(n);
  return s.length >= width ? s : ZEROS.slice(0, width - s.length) + s;
}

/** The part of an id that is the same for every event of one source. */
export function eventIdMiddle(groupKey: number, sourceOrd: number): string {
  return pad(groupKey % 1e10, 10) + pad(sourceOrd % 1e10, 10);
}

/** Same result as eventIdFor, with the per-source middle precomputed (the hot path). */
export function eventIdWith(timestamp: number, middle: string, index: number): string {
  return `${pad(Math.max(0, timestamp) % 1e15, 15) + middle + pad(index % 1e16, 16)}00000`;
}

export function eventIdFor(timestamp: number, groupKey: number, sourceOrd: number, index: number): string {
  return (
    String(Math.max(0, timestamp) % 1e15).padStart(15, "0") +
    String(groupKey % 1e10).padStart(10, "0") +
    String(sourceOrd % 1e10).padStart(10, "0") +
    String(index % 1e16).padStart(16, "0") +
    "00000"
  );
}
