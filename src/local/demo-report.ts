// What the demo prints after its sync: the tables with their row counts and time ranges, and a
// sample query with its result, read back from the DuckDB file.
import { DuckDBInstance } from "@duckdb/node-api";
import { STREAMS_TABLE } from "./duckdb-store.js";
import { textTable } from "./text-table.js";

export const SAMPLE_QUERY = `SELECT message_json->>'component' AS component,
       count(*) AS errors,
       round(avg((message_json->>'latencyMs')::INTEGER)) AS avg_latency_ms
FROM ecs_checkout
WHERE message_json->>'level' = 'ERROR'
GROUP BY component ORDER BY errors DESC LIMIT 5`;

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

export async function demoReport(database: string): Promise<string> {
  const instance = await DuckDBInstance.create(database);
  const db = await instance.connect();
  try {
    const mapping = (await db.runAndReadAll(`SELECT stream, table_name FROM ${STREAMS_TABLE} ORDER BY stream`)).getRowObjectsJS();
    const rows: unknown[][] = [];
    let total = 0;
    for (const m of mapping) {
      const table = String(m.table_name);
      const r = (
        await db.runAndReadAll(
          `SELECT count(*)::INTEGER AS n, strftime(min(event_time), '%Y-%m-%d %H:%M') AS first, strftime(max(event_time), '%Y-%m-%d %H:%M') AS last FROM ${quote(table)}`,
        )
      ).getRowObjectsJS()[0]!;
      total += Number(r.n);
      rows.push([String(m.stream), table, Number(r.n), r.first ?? "", r.last ?? ""]);
    }
    const lines = [`${mapping.length} log groups, ${total} events in ${database}:`, ...textTable(["log group", "table", "events", "first (UTC)", "last (UTC)"], rows).map((l) => `  ${l}`)];
    if (mapping.some((m) => m.table_name === "ecs_checkout")) {
      const result = await db.runAndReadAll(SAMPLE_QUERY);
      const columns = result.columnNames();
      const values = result.getRowsJS().map((r) => r.map((v) => (typeof v === "bigint" ? Number(v) : v)));
      lines.push("", "Sample query (errors per component in the ECS service's JSON logs):", "", ...SAMPLE_QUERY.split("\n").map((l) => `  ${l}`), "", ...textTable(columns, values).map((l) => `  ${l}`));
    }
    lines.push("", `Explore it: duckdb ${database}   (or any DuckDB client; one table per log group, state in _source_cloudwatch_logs_state)`);
    return lines.join("\n") + "\n";
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
