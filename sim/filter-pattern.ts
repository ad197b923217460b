// Unstructured filter patterns: terms (all must appear), "quoted phrases", -exclusions and
// ?alternatives (any may appear), and %regex%. Case sensitive substring matching, as moto does;
// JSON ({...}) and space-delimited ([...]) patterns are refused rather than silently matching all.
import { invalidParameter } from "./errors.js";

export type Matcher = (message: string) => boolean;

function tokens(pattern: string): string[] {
  const out: string[] = [];
  const re = /([-?]?)"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(pattern); m; m = re.exec(pattern)) {
    out.push(m[3] !== undefined ? m[3] : `${m[1] as string}\u0000${(m[2] as string).replace(/\\(.)/g, "$1")}`);
  }
  return out;
}

/** Returns undefined for an empty pattern (match everything). */
export function compileFilterPattern(pattern: string | undefined): Matcher | undefined {
  const p = (pattern ?? "").trim();
  if (p === "") return undefined;
  if (p.startsWith("{") || p.startsWith("[")) {
    throw invalidParameter(
      "The simulator supports terms, quoted phrases, -exclusions, ?alternatives and %regex% filter patterns only.",
    );
  }
  if (p.length > 1 && p.startsWith("%") && p.endsWith("%")) {
    let re: RegExp;
    try {
      re = new RegExp(p.slice(1, -1));
    } catch {
      throw invalidParameter("Invalid filter pattern.");
    }
    return (m) => re.test(m);
  }
  const required: string[] = [];
  const excluded: string[] = [];
  const anyOf: string[] = [];
  for (const raw of tokens(p)) {
    const quoted = raw.indexOf("\u0000");
    const sign = quoted >= 0 ? raw.slice(0, quoted) : raw[0] === "-" || raw[0] === "?" ? (raw[0] as string) : "";
    const text = quoted >= 0 ? raw.slice(quoted + 1) : sign ? raw.slice(1) : raw;
    if (text === "") continue;
    (sign === "-" ? excluded : sign === "?" ? anyOf : required).push(text);
  }
  return (m) =>
    required.every((t) => m.includes(t)) &&
    !excluded.some((t) => m.includes(t)) &&
    (anyOf.length === 0 || anyOf.some((t) => m.includes(t)));
}
