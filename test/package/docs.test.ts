// The user documentation covers every setting of the spec and the current version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionSpecification } from "../../src/config/spec.js";
import { repoFile, repoJson } from "../support/repo.js";

const page = repoFile("docs/cloudwatch-logs.md");

test("docs/cloudwatch-logs.md documents every setting, the IAM and trust policies, and this version", () => {
  const props = connectionSpecification.properties as Record<
    string,
    { items?: { properties?: Record<string, unknown> } }
  >;
  const names = [...Object.keys(props), ...Object.keys(props.custom_log_reports?.items?.properties ?? {})];
  const missing = names.filter((n) => !page.includes(`\`${n}\``));
  assert.deepEqual(missing, [], "settings missing from the page");
  for (const action of ["logs:DescribeLogGroups", "logs:FilterLogEvents", "sts:AssumeRole", "sts:ExternalId"])
    assert.ok(page.includes(action), action);
  const version = repoJson<{ version: string }>("package.json").version;
  assert.match(
    page,
    new RegExp(`\\| ${version.replace(/\./g, "\\.")} \\| \\d{4}-\\d{2}-\\d{2} \\|`),
    "changelog has the package version",
  );
  assert.ok(repoFile("README.md").includes("docs/cloudwatch-logs.md"), "README links the page");
});
