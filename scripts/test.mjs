// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// An explicit file list, because `node --test DIR` on Node 20 would also run helper modules under test/.
import { accessSync, constants, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { spawnSync } from "node:child_process";

const MOTO_MISSING =
  "moto_server is not on the PATH: the integration tests start it; install it with pip install 'moto[server]' (Python 3)";

function onPath(command) {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || ".", command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return find(p);
    return e.name.endsWith(".test.js") ? [p] : [];
  });
}

const filter = process.argv.slice(2);
// The whole suite cannot pass without moto_server; a selection may not need it.
if (!onPath("moto_server")) {
  console.error(filter.length === 0 ? MOTO_MISSING : `warning: ${MOTO_MISSING}`);
  if (filter.length === 0) process.exit(1);
}
const files = find("dist/test").filter((f) => filter.length === 0 || filter.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error("no test files found");
  process.exit(1);
}
// --enable-source-maps: stack traces name the .ts lines (the test runner passes it on to each file's process).
const res = spawnSync(process.execPath, ["--enable-source-maps", "--test", "--test-concurrency=2", ...files], {
  stdio: "inherit",
});
process.exit(res.status ?? 1);
