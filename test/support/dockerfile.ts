// A small Dockerfile reader: enough to check Airbyte's packaging rules, not a full parser.

interface Instruction {
  readonly keyword: string; // upper case
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Joins continuation lines, drops comments and blank lines, splits into stages at FROM. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = "";
  }
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l)!;
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === "FROM") {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2], instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) throw new Error(`Dockerfile: ${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** KEY=VALUE pairs of ENV or LABEL arguments (values may be double-quoted). */
function keyValues(args: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|\S+)/g;
  for (const m of args.matchAll(re)) {
    const v = m[2]!;
    out.set(m[1]!, v.startsWith('"') ? (JSON.parse(v) as string) : v);
  }
  return out;
}

/** The last value of an ENV or LABEL key in a stage. */
export function lastValue(stage: Stage, keyword: "ENV" | "LABEL", key: string): string | undefined {
  let value: string | undefined;
  for (const i of stage.instructions) if (i.keyword === keyword) value = keyValues(i.args).get(key) ?? value;
  return value;
}
