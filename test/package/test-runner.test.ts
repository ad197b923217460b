// `npm test` without moto_server says in one line what is missing and how to get it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../support/connector.js";
import { REPO_ROOT } from "../support/repo.js";

test("the test runner names moto_server and how to install it when it is not on the PATH", () => {
  // An empty PATH; and a folder without dist/test, so that nothing would run even if the check were gone.
  const empty = tempDir();
  try {
    const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts", "test.mjs")], {
      cwd: empty,
      env: { ...process.env, PATH: empty },
      encoding: "utf8",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^moto_server is not on the PATH: .*pip install 'moto\[server\]'/);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line");
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
