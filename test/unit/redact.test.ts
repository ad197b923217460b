import { test } from "node:test";
import assert from "node:assert/strict";
import { secretValues } from "../../src/config/config.js";
import { redactor } from "../../src/airbyte/redact.js";
import { assertNoSecrets, registerSecrets } from "../support/connector.js";

/** Secrets with every character that changes between representations. */
const SECRETS = [
  "back\\slash\\Secret",
  'quote"d\'Secret"',
  "unicode-ключ-秘密-🔑",
  "per%cent%20Secret",
  "plus+slash/Secret+=",
  "space and\ttab Secret",
  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/** Each way a text may carry the secret, with how to read the secret back out of it. */
const CARRIERS: [string, (s: string) => string, (text: string) => string][] = [
  ["raw", (s) => `AWS said: bad key ${s} here`, (t) => t],
  ["JSON", (s) => JSON.stringify({ key: s }), (t) => String((JSON.parse(t) as { key: string }).key)],
  [
    "JSON in JSON",
    (s) => JSON.stringify(JSON.stringify({ key: s })),
    (t) => String((JSON.parse(JSON.parse(t) as string) as { key: string }).key),
  ],
  [
    "ASCII-only JSON (Python's json.dumps)",
    (s) => JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    (t) => JSON.parse(t) as string,
  ],
  ["URL-encoded", (s) => `https://x/?key=${encodeURIComponent(s)}&b=1`, (t) => decodeURIComponent(t)],
  [
    "URL-encoded, lower-case hex",
    (s) => encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    (t) => decodeURIComponent(t),
  ],
  [
    "form-encoded",
    (s) => new URLSearchParams({ key: s, b: "1" }).toString(),
    (t) => new URLSearchParams(t).get("key") ?? "",
  ],
  ...[0, 1, 2].flatMap((pad): [string, (s: string) => string, (t: string) => string][] => [
    [
      `base64 after ${pad} bytes`,
      (s) => Buffer.from(`${"u:".slice(0, pad)}${s}:tail`).toString("base64"),
      (t) => Buffer.from(t, "base64").toString("utf8"),
    ],
    [
      `base64url after ${pad} bytes`,
      (s) => Buffer.from(`${"u:".slice(0, pad)}${s}:tail`).toString("base64url"),
      (t) => Buffer.from(t, "base64url").toString("utf8"),
    ],
  ]),
];

test("every representation of a secret is removed from messages", () => {
  const redact = redactor(SECRETS);
  for (const secret of SECRETS) {
    for (const [name, carry, decode] of CARRIERS) {
      const text = carry(secret);
      assert.ok(decode(text).includes(secret), `${name}: the carrier holds ${secret}`);
      const redacted = redact(text);
      assert.notEqual(redacted, text, `${name}: ${JSON.stringify(secret)} is redacted`);
      let decoded = "";
      try {
        decoded = decode(redacted);
      } catch {
        // Redaction broke the encoding: nothing to read back.
      }
      assert.ok(!decoded.includes(secret), `${name}: ${JSON.stringify(secret)} can be read back from ${redacted}`);
    }
  }
});

test("the trimmed value a padded secret is used as is redacted too; ordinary text is left alone", () => {
  const redact = redactor(
    secretValues({ aws_secret_access_key: "  padded-secret-value  ", aws_access_key_id: "AKIAPADDEDEXAMPLE" }),
  );
  assert.equal(redact("the key padded-secret-value was rejected"), "the key **** was rejected");
  const plain =
    'Stream "/aws/lambda/orders" failed: AWS said: Rate exceeded (ThrottlingException) at 2026-01-01T00:00:00Z';
  assert.equal(redact(plain), plain);
  assert.equal(redactor([])(plain), plain);
});

test("an endpoint_url's password (a proxy's basic auth) is a secret, as written and decoded; its user is not", () => {
  const config = { endpoint_url: "http://proxy-user:p%40ss-w0rd-long@127.0.0.1:8080" };
  assert.deepEqual(secretValues(config), ["p%40ss-w0rd-long", "p@ss-w0rd-long"]);
  const redact = redactor(secretValues(config));
  assert.equal(
    redact("Cannot reach CloudWatch Logs at http://proxy-user:p%40ss-w0rd-long@127.0.0.1:8080 (p@ss-w0rd-long)"),
    "Cannot reach CloudWatch Logs at http://proxy-user:****@127.0.0.1:8080 (****)",
  );
  assert.deepEqual(secretValues({ endpoint_url: "http://127.0.0.1:8080" }), []);
  assert.deepEqual(secretValues({ endpoint_url: "not a url" }), []);
});

test("the test harness finds each representation of a registered secret in any output", () => {
  registerSecrets(...SECRETS);
  for (const secret of SECRETS) {
    for (const [name, carry] of CARRIERS) {
      assert.throws(
        () => assertNoSecrets("a unit test", "clean output", `{"log":${JSON.stringify(carry(secret))}}`),
        /leaked/,
        `${name} of ${JSON.stringify(secret)}`,
      );
    }
  }
  assert.doesNotThrow(() =>
    assertNoSecrets(
      "a unit test",
      redactor(SECRETS)(CARRIERS.map(([, carry]) => SECRETS.map(carry).join(" ")).join("\n")),
    ),
  );
});
