// `query --tables`: counts with their nouns in the singular when there is one, and 80 columns kept
// with long table names.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { type TableSummary, tableListing } from "../../src/local/table-listing.js";
import { describeSource } from "../../src/local/store.js";

const SOURCE = "account 123456789012, region eu-west-1, endpoint default";
const summary = (stream: string, table: string, rows: number, groups: readonly string[] = [stream]): TableSummary => ({
  source: SOURCE,
  stream,
  table,
  rows,
  first: rows > 0 ? "2026-12-01 10:00" : undefined,
  last: rows > 0 ? "2026-12-01 11:00" : undefined,
  logGroups: rows > 0 ? groups.length : 0,
  logGroup: rows > 0 ? groups[0] : undefined,
});

describe("tableListing", () => {
  it("says '1 table' and '1 event' for one, the plural otherwise", () => {
    assert.equal(tableListing("x.duckdb", [summary("/a", "a", 1)])[0], "1 table, 1 event in x.duckdb:");
    assert.equal(
      tableListing("x.duckdb", [summary("/a", "a", 0), summary("/b", "b", 2)])[0],
      "2 tables, 2 events in x.duckdb:",
    );
    assert.equal(tableListing("x.duckdb", [])[0], "0 tables, 0 events in x.duckdb:");
  });

  it("says where each table's rows come from: its log group, a report's group, the single stream's groups", () => {
    const lines = tableListing("x.duckdb", [
      summary("/app/a", "app_a", 5),
      summary("a_err", "a_err", 2, ["/app/a"]),
      summary("log_events", "log_events", 9, ["/app/a", "/app/b", "/app/c"]),
      summary("/app/new", "app_new", 0),
      summary("222233334444:/app/a", "s_222233334444_app_a", 4, ["/app/a"]),
    ]);
    assert.deepEqual(
      lines.filter((l) => l.startsWith("      ")),
      [
        "      log group /app/a",
        "      stream a_err: log group /app/a",
        "      stream log_events: 3 log groups",
        "      stream /app/new",
        "      log group 222233334444:/app/a",
      ],
    );
  });

  it("keeps 80 columns with a long table name: each name on a line of its own, whole", () => {
    const long = "aws_lambda_orders_service_production_eu_west_1_handler";
    const lines = tableListing("x.duckdb", [
      summary("/aws/lambda/orders-service-production-eu-west-1-handler", long, 1234),
      summary("/b", "b", 0),
    ]);
    for (const l of lines) assert.ok(l.length <= 80, `${l.length}: ${l}`);
    assert.deepEqual(lines.slice(2), [
      `  ${long}`,
      "      1234 events, 2026-12-01 10:00 to 2026-12-01 11:00 (UTC)",
      "      log group /aws/lambda/orders-service-production-eu-west-1-handler",
      "  b",
      "      0 events",
      "      stream /b",
    ]);
    // Short names keep the columns.
    assert.match(
      tableListing("x.duckdb", [summary("/a", "a", 3)])[2]!,
      /^ {2}table\s+events\s+first \(UTC\)\s+last \(UTC\)$/,
    );
  });

  it("names a source whose endpoint an earlier version stored with a user and password without them", () => {
    assert.equal(
      describeSource({
        account: "123456789012",
        region: "eu-west-1",
        endpoint: "http://admin:Sup3rSecret@127.0.0.1:1",
      }),
      "account 123456789012, region eu-west-1, endpoint http://…@127.0.0.1:1",
    );
  });
});
