// Expands a group set ("50 groups with power-law sizes") into individual group entries.
import type { GroupFile, GroupSetFile } from "./scenario-file.js";
import { splitTotal } from "./distribution.js";

export function makeGroups(set: GroupSetFile): GroupFile[] {
  const { count, namePrefix, totalEvents, distribution, alpha, ...template } = set;
  const counts = splitTotal(totalEvents, count, distribution ?? "uniform", alpha ?? 1);
  const width = String(Math.max(0, count - 1)).length;
  return counts.map((n, i) => ({
    ...template,
    name: `${namePrefix}${String(i).padStart(width, "0")}`,
    events: { count: n },
  }));
}
