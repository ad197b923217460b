// The names that become files or tables: raw-file segments are injective without stored state;
// readable table names avoid every name already taken or reserved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileSegment } from "../../src/sinks/file-names.js";
import { assignNames } from "../../src/local/table-names.js";

/** Inverse of fileSegment for names short enough to be encoded without a hash. */
function decode(segment: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "%") {
      bytes.push(parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c === "_" ? 0x2f : c.charCodeAt(0));
  }
  return Buffer.from(bytes).toString("utf8");
}

test("fileSegment: readable for ordinary names, reversible, and distinct for names that read alike", () => {
  assert.equal(fileSegment("/aws/lambda/orders-api"), "_aws_lambda_orders-api");
  assert.equal(fileSegment("2024/01/01/[$LATEST]abc"), "2024_01_01_%5B%24LATEST%5Dabc");
  const names = [
    "app/1",
    "app_1",
    "app%2F1",
    "app%5F1",
    "app\\1",
    ".",
    "..",
    "...",
    "%2E",
    "_",
    "/",
    "",
    "%",
    "~",
    "é",
    "e\u0301",
    "App/1",
    "a b",
    "a+b",
  ];
  const segments = names.map(fileSegment);
  assert.equal(new Set(segments).size, names.length, segments.join(" "));
  for (const [i, s] of segments.entries()) {
    assert.match(s, /^[A-Za-z0-9._%-]+$/, s);
    assert.ok(s !== "." && s !== "..", s);
    if (names[i] !== "" && names[i] !== "." && names[i] !== "..") assert.equal(decode(s), names[i]);
  }
});

test("fileSegment: long names fit a file system segment and stay distinct when they share a start", () => {
  const a = fileSegment(`${"é".repeat(200)}a`);
  const b = fileSegment(`${"é".repeat(200)}b`);
  assert.notEqual(a, b);
  for (const s of [a, b, fileSegment("x".repeat(512))])
    assert.ok(Buffer.byteLength(s) <= 255 && /~[0-9a-f]{16}$/.test(s), s);
  // A short name can never look like a hashed one: "~" is always escaped.
  assert.equal(fileSegment("x~0123456789abcdef"), "x%7E0123456789abcdef");
  assert.equal(fileSegment("x".repeat(512)), fileSegment("x".repeat(512)), "stable");
});

test("assignNames: keeps taken names, never reuses a taken or reserved name (case-insensitively)", () => {
  const taken = new Map([["/k/a/b", "k_a_b"]]);
  const names = assignNames(["/k/a-b", "/k/a/b", "/K/A_B", "/k/a_b"], taken, ["K_A_B_2", "other"]);
  assert.equal(names.get("/k/a/b"), "k_a_b");
  assert.deepEqual(
    ["/k/a-b", "/K/A_B", "/k/a_b"].map((s) => names.get(s)),
    ["k_a_b_3", "k_a_b_4", "k_a_b_5"],
  );
  assert.equal(assignNames(["x".repeat(600)], new Map()).get("x".repeat(600))!.length, 100);
});
