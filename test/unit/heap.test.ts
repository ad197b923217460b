import { test } from "node:test";
import assert from "node:assert/strict";
import { limitHeapGrowth } from "../../src/cli/heap.js";

test("heap growth is limited unless node's command line sets it", () => {
  assert.equal(limitHeapGrowth(["--heap-growing-percent=50"]), false);
  assert.equal(limitHeapGrowth(["--max-old-space-size=96", "--heap_growing_percent=10"]), false);
  assert.equal(limitHeapGrowth(["--max-old-space-size=96"]), true);
  assert.equal(limitHeapGrowth([]), true);
});
