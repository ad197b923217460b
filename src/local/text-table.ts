// Rows as an aligned text table (numbers right-aligned), for the demo's printed results.

export function textTable(columns: readonly string[], rows: readonly (readonly unknown[])[]): string[] {
  const cells = rows.map((r) => r.map((v) => (v === null || v === undefined ? "" : String(v))));
  const numeric = columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || typeof r[i] === "bigint"));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]): string => r.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join("  ").trimEnd();
  return [fmt(columns), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(fmt)];
}
