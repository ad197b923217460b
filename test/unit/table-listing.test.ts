// `query --tables`' heading: counts with their nouns in the singular when there is one.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { type TableSummary, tableListing } from "../../src/local/table-listing.js";

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
});
