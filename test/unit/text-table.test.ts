// The text table of `query` and the demo: alignment, escapes, and fitting a terminal's width.
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import { displayWidth, textTable } from "../../src/local/text-table.js";

describe("textTable", () => {
  it("aligns numbers right, text left, and keeps every value whole without a width", () => {
    assert.deepEqual(
      textTable(
        ["name", "n"],
        [
          ["a", 5],
          ["long name", 12345],
        ],
      ),
      ["name           n", "---------  -----", "a              5", "long name  12345"],
    );
    const long = "x".repeat(500);
    assert.equal(textTable(["v"], [[long]])[2], long);
  });

  it("shows control characters escaped, so that a row is one line", () => {
    assert.deepEqual(textTable(["m"], [["a\nb\tc\u0007"]]).slice(2), ["a\\nb\\tc\\x07"]);
    // A right-to-left override would show the rest of the line (the next columns too) reversed.
    assert.deepEqual(textTable(["m", "n"], [["a\u202eb\u2066c\u2028d\u061c", "e"]]).slice(2), [
      "a\\u202eb\\u2066c\\u2028d\\u061c  e",
    ]);
  });

  it("counts wide characters as two columns", () => {
    assert.equal(displayWidth("日本語"), 6);
    assert.deepEqual(
      textTable(
        ["w", "n"],
        [
          ["日本語", 1],
          ["abc", 2],
        ],
      ),
      ["w       n", "------  -", "日本語  1", "abc     2"],
    );
  });

  it("within a width: cuts the widest text columns with …, never a number", () => {
    const rows = [["/aws/lambda/orders-api", 1796018331302, "INFO ".repeat(40)]];
    const lines = textTable(["group", "timestamp", "message"], rows, { maxWidth: 70 });
    assert.deepEqual(
      lines.filter((l) => displayWidth(l) > 70),
      [],
    );
    assert.equal(lines[2], `/aws/lambda/orders-api  1796018331302  ${"INFO ".repeat(6)}…`);
    // Narrower: both text columns are cut to the same width; the number stays whole.
    assert.equal(
      textTable(["group", "timestamp", "message"], rows, { maxWidth: 50 })[2],
      `/aws/lambda/ord…  1796018331302  ${"INFO ".repeat(3)}…`,
    );
    // The same rows on a wider terminal: nothing to cut.
    assert.equal(
      textTable(["group", "timestamp", "message"], rows, { maxWidth: 1000 })[2],
      textTable(["group", "timestamp", "message"], rows)[2],
    );
  });

  it("leaves out the last columns, and says which, when they cannot fit even cut", () => {
    const columns = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const lines = textTable(columns, [columns.map((c) => c.repeat(30))], { maxWidth: 40 });
    assert.deepEqual(
      lines.filter((l) => displayWidth(l) > 40),
      [],
    );
    assert.equal(lines[2], `${"a".repeat(11)}…  ${"b".repeat(11)}…  ${"c".repeat(11)}…`);
    assert.match(lines[3]!, /^\(5 more columns: d, e, f, g, h; /);
  });
});
