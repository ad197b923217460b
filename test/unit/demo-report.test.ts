// The demo's closing lines: how to explore the file, within 80 columns where the path allows.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { exploreLines } from "../../src/local/demo-report.js";

describe("exploreLines", () => {
  it("keeps the default's two lines as they were", () => {
    assert.deepEqual(exploreLines("./demo.duckdb"), [
      "Explore it: npx source-cloudwatch-logs query --tables --database ./demo.duckdb",
      '  (then query "SQL" --database ./demo.duckdb; any DuckDB client reads it too)',
    ]);
  });

  it("puts a long path's command on a line of its own, whole, and breaks the sentence at its '; '", () => {
    const path = "/tmp/p32/d.duckdb"; // 81 columns on one line, as seen in an 80-column tmux
    const lines = exploreLines(path);
    assert.deepEqual(lines, [
      "Explore it:",
      `  npx source-cloudwatch-logs query --tables --database ${path}`,
      `  (then query "SQL" --database ${path};`,
      "  any DuckDB client reads it too)",
    ]);
    for (const line of lines) assert.ok(line.length <= 80, line);
  });

  it("quotes a path with a space as one shell word, never split across lines", () => {
    const lines = exploreLines("/tmp/my logs/a long directory name here/demo.duckdb");
    assert.equal(
      lines[1],
      "  npx source-cloudwatch-logs query --tables --database '/tmp/my logs/a long directory name here/demo.duckdb'",
    );
  });
});
