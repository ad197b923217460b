// `query --tables`: counts with their nouns in the singular when there is one, and 80 columns kept
// with long table names.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { type TableSummary, tableListing } from "../../src/local/table-listing.js";
import { describeSource } from "../../src/local/store.js";

const SOURCE = "account 123456789012, region eu-west-1, endpoint default";
const summary = (stream: string, table: string, rows: number): TableSummary => ({
  source: SOURCE,
  stream,
  table,
  rows,
  first: rows > 0 ? "2026-12-01 10:00" : undefined,
  last: rows > 0 ? "2026-12-01 11:00" : undefined,
});

describe("tableListing", () => {
  it("says '1 log group' and '1 event' for one, the plural otherwise", () => {
    assert.equal(tableListing("x.duckdb", [summary("/a", "a", 1)])[0], "1 log group, 1 event in x.duckdb:");
    assert.equal(
      tableListing("x.duckdb", [summary("/a", "a", 0), summary("/b", "b", 2)])[0],
      "2 log groups, 2 events in x.duckdb:",
    );
    assert.equal(tableListing("x.duckdb", [])[0], "0 log groups, 0 events in x.duckdb:");
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
      "      log group /b",
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
