// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// An explicit file list, because `node --test DIR` on Node 20 would also run helper modules under test/.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith(".test.js") ? [p] : [];
  });
}

const filter = process.argv.slice(2);
const files = find("dist/test").filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
const res = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(res.status ?? 1);
