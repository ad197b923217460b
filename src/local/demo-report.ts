// What the demo prints after its sync: the tables with their row counts and time ranges, and a
// sample query with its result, read back from the DuckDB file.
import { PROGRAM, WIDTH } from "./terminal.js";
import { tableLines } from "./query-output.js";
import { openReadOnly } from "./read-only-database.js";
import { tableListing, tableSummaries } from "./table-listing.js";

const SAMPLE_QUERY = `SELECT message_json->>'component' AS component,
       count(*) AS errors,
       round(avg((message_json->>'latencyMs')::INTEGER)) AS avg_latency_ms
FROM ecs_checkout
WHERE message_json->>'level' = 'ERROR'
GROUP BY component ORDER BY errors DESC LIMIT 5`;

/** A path as one shell word. */
function shellWord(text: string): string {
  return /^[\w./:=@+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * How to explore the file. `npx` runs the package's bin both in a source checkout (npm resolves
 * the project's own bin) and where the package is installed. A line that would pass WIDTH breaks
 * before the command and at the sentence's "; ", never inside the command (it is to be copied).
 */
export function exploreLines(database: string): string[] {
  const path = shellWord(database);
  const command = `npx ${PROGRAM} query --tables --database ${path}`;
  const then = `(then query "SQL" --database ${path}; any DuckDB client reads it too)`;
  return [
    ...(`Explore it: ${command}`.length <= WIDTH ? [`Explore it: ${command}`] : ["Explore it:", `  ${command}`]),
    ...(then.length + 2 <= WIDTH
      ? [`  ${then}`]
      : [`  (then query "SQL" --database ${path};`, "  any DuckDB client reads it too)"]),
  ];
}

export async function demoReport(database: string): Promise<string> {
  const db = await openReadOnly(database);
  try {
    const summaries = (await tableSummaries(db.connection, database)) ?? [];
    const lines = tableListing(database, summaries).map((l, i) => (i === 0 ? l : `  ${l}`));
    if (summaries.some((s) => s.table === "ecs_checkout")) {
      const result = await db.connection.stream(SAMPLE_QUERY);
      const table = await tableLines(result, { maxWidth: undefined });
      lines.push(
        "",
        "Sample query (errors per component in the ECS service's JSON logs):",
        "",
        ...SAMPLE_QUERY.split("\n").map((l) => `  ${l}`),
        "",
        ...table.map((l) => `  ${l}`),
      );
    }
    lines.push("", ...exploreLines(database));
    return `${lines.join("\n")}\n`;
  } finally {
    db.close();
  }
}
