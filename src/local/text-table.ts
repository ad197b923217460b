// Rows as an aligned text table (numbers right-aligned), for the demo's printed results and
// `query`. One row is one line: control characters are shown escaped (\n). Given a width (a
// terminal's), the widest columns are cut, with "…", until a row fits.

export interface TextTableOptions {
  /** Right-aligned columns; by default those whose values are all numbers. */
  readonly numeric?: readonly boolean[];
  /** The most columns a line may take (a terminal's width); undefined: values are never cut. */
  readonly maxWidth?: number;
}

const GAP = 2;
/** A cut column keeps at least this many columns, so that a few characters show. */
const MIN_CUT_WIDTH = 10;

// Approximate East Asian Wide/Fullwidth and emoji ranges: two columns on a terminal.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200f\ufeff]/u;

function charWidth(ch: string): number {
  return ZERO_WIDTH.test(ch) ? 0 : WIDE.test(ch) ? 2 : 1;
}

/** The columns a string takes on a terminal (approximately, for wide characters). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

const NAMED_CONTROLS: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * Control characters, line and paragraph separators, and the bidirectional controls (which
 * reorder what follows them on the line, so a value could show as another: "Trojan Source") as
 * escapes: a value stays on its line, in its column, and cannot move the cursor.
 */
const SHOWN_ESCAPED = /[\p{Cc}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

export function escapeControls(text: string): string {
  return text.replace(SHOWN_ESCAPED, (ch) => {
    const code = ch.charCodeAt(0);
    return (
      NAMED_CONTROLS[ch] ??
      (code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`)
    );
  });
}

/** The text cut to `width` columns, ending in "…" when cut. */
function cut(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

function pad(text: string, width: number, right: boolean): string {
  const fill = " ".repeat(Math.max(0, width - displayWidth(text)));
  return right ? fill + text : text + fill;
}

interface Fit {
  readonly widths: number[];
  /** The first `shown` columns fit; the rest are left out. */
  readonly shown: number;
}

/**
 * Widths within `maxWidth`: numbers are never cut (a cut number misleads); the text columns are
 * cut to the largest common width that fits (narrower ones stay whole), but to no less than
 * MIN_CUT_WIDTH: when that cannot fit, the last columns are left out.
 */
function fitWidths(natural: readonly number[], numeric: readonly boolean[], maxWidth: number | undefined): Fit {
  const total = (count: number, cap: number): number =>
    natural.slice(0, count).reduce((n, w, i) => n + (numeric[i] ? w : Math.min(w, cap)), GAP * Math.max(0, count - 1));
  const widest = Math.max(0, ...natural);
  if (maxWidth === undefined || total(natural.length, widest) <= maxWidth)
    return { widths: [...natural], shown: natural.length };
  let shown = natural.length;
  while (shown > 1 && total(shown, MIN_CUT_WIDTH) > maxWidth) shown--;
  // Binary search: the widest value may be a megabyte of log message.
  let fits = MIN_CUT_WIDTH;
  let tooWide = widest;
  while (tooWide - fits > 1) {
    const mid = Math.floor((fits + tooWide) / 2);
    if (total(shown, mid) <= maxWidth) fits = mid;
    else tooWide = mid;
  }
  return { widths: natural.slice(0, shown).map((w, i) => (numeric[i] ? w : Math.min(w, fits))), shown };
}

export function textTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
  options: TextTableOptions = {},
): string[] {
  const text = (v: unknown): string => escapeControls(v === null || v === undefined ? "" : String(v));
  const header = columns.map(text);
  const cells = rows.map((r) => r.map(text));
  const numeric =
    options.numeric ??
    columns.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === "number" || typeof r[i] === "bigint"));
  const natural = header.map((c, i) => Math.max(displayWidth(c), ...cells.map((r) => displayWidth(r[i]!))));
  const { widths, shown } = fitWidths(
    natural,
    numeric.map((n) => n === true),
    options.maxWidth,
  );
  const fmt = (r: readonly string[]): string =>
    r
      .slice(0, shown)
      .map((v, i) => pad(cut(v, widths[i]!), widths[i]!, numeric[i] === true))
      .join(" ".repeat(GAP))
      .trimEnd();
  const lines = [fmt(header), widths.map((w) => "-".repeat(w)).join(" ".repeat(GAP)), ...cells.map(fmt)];
  if (shown < columns.length) {
    lines.push(
      cut(
        `(${columns.length - shown} more columns: ${header.slice(shown).join(", ")}; select fewer, or use --format csv or json)`,
        options.maxWidth ?? Infinity,
      ),
    );
  }
  return lines;
}
