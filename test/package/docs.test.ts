// The user documentation covers every setting of the spec (with its default), the record's fields
// and the current version; README's mentions of defaults agree with the spec.
import { test } from "node:test";
import assert from "node:assert/strict";
import { connectionSpecification } from "../../src/config/spec.js";
import { EVENT_RECORD_FIELDS, MESSAGE_JSON_FIELD } from "../../src/domain/record.js";
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

/** The cells of the table row that starts with the given backquoted name. */
function rowOf(text: string, name: string): string[] | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`| \`${name}\``));
  return line
    ?.split("|")
    .slice(1, -1)
    .map((c) => c.trim());
}

test("the settings table shows each default the spec has", () => {
  const props = connectionSpecification.properties as Record<
    string,
    { default?: unknown; oneOf?: readonly { title: string; properties: { delivery_type: { const: string } } }[] }
  >;
  const withDefault = Object.entries(props).filter(([, p]) => p.default !== undefined);
  assert.ok(withDefault.length >= 7, "the spec has defaults");
  for (const [name, p] of withDefault) {
    const shown =
      p.oneOf === undefined
        ? String(p.default)
        : p.oneOf.find(
            (o) => o.properties.delivery_type.const === (p.default as { delivery_type: string }).delivery_type,
          )?.title;
    assert.equal(rowOf(page, name)?.[1], shown, `${name}: its default in the settings table`);
  }
});

test("README states a setting's default only as the spec has it", () => {
  const props = connectionSpecification.properties as Record<string, { default?: unknown }>;
  for (const m of repoFile("README.md").matchAll(/`([a-z_]+)` \(default ([^)]+)\)/g)) {
    const [, name = "", said = ""] = m;
    const value = props[name]?.default;
    const accepted = [String(value)];
    if (typeof value === "number" && name.endsWith("_seconds") && value % 60 === 0)
      accepted.push(`${value / 60} minutes`);
    assert.ok(accepted.includes(said), `README: ${name} (default ${said}), the spec says ${String(value)}`);
  }
});

test("the records table lists the record's fields with their types", () => {
  for (const f of EVENT_RECORD_FIELDS) assert.equal(rowOf(page, f.name)?.[1], f.type, f.name);
  assert.equal(rowOf(page, MESSAGE_JSON_FIELD.name)?.[1], "object", MESSAGE_JSON_FIELD.name);
});
