// eventIds shaped like AWS's (56 decimal digits), unique per (group, source, index) and stable.

export function eventIdFor(timestamp: number, groupKey: number, sourceOrd: number, index: number): string {
  return (
    String(Math.max(0, timestamp) % 1e15).padStart(15, "0") +
    String(groupKey % 1e10).padStart(10, "0") +
    String(sourceOrd % 1e10).padStart(10, "0") +
    String(index % 1e16).padStart(16, "0") +
    "00000"
  );
}
