// Writes integration_tests/spec.json (the spec CAT compares against) from the built connector's
// `spec` output, so the file is regenerated, never edited by hand.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";

const out = execFileSync(process.execPath, ["dist/src/main.js", "spec"], { encoding: "utf8" });
const message = JSON.parse(out.trim().split("\n")[0]);
writeFileSync("integration_tests/spec.json", `${JSON.stringify(message.spec, null, 2)}\n`);
