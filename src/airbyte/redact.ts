// Removes secret values from text meant for people, in every form a message may carry them:
// a config value can reach a message raw, quoted as JSON, URL-encoded (in a request URL or form
// body the SDK or a proxy echoes) or base64-encoded (in an Authorization header or token).

/** Shorter values (and forms) are not replaced: they would garble ordinary words. */
const MIN_LENGTH = 4;

/** JSON string escaping (without the quotes), optionally with \uXXXX for non-ASCII as Python writes it. */
function jsonEscaped(value: string, asciiOnly: boolean): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return asciiOnly
    ? escaped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    : escaped;
}

/**
 * The secret's base64 text at each of the three byte alignments it can have inside a longer
 * encoded value, without the characters it shares with its neighbours.
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  const out: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const core = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
    out.push(core, core.replace(/\+/g, "-").replace(/\//g, "_"));
  }
  // Aligned and whole, padding included.
  const whole = bytes.toString("base64");
  out.push(whole, bytes.toString("base64url"));
  return out;
}

/** Every representation of a secret value that the redactor removes. */
function secretForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const value of new Set([secret, secret.trim()])) {
    if (value.length < MIN_LENGTH) continue;
    const json = jsonEscaped(value, false);
    const uri = encodeURIComponent(value);
    const urlEncodings = [
      uri,
      // RFC 3986 strict, as the AWS SDK encodes query strings.
      uri.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
      // application/x-www-form-urlencoded: spaces as "+", more reserved characters escaped.
      new URLSearchParams({ v: value }).toString().slice(2),
    ];
    const candidates = [
      value,
      json,
      jsonEscaped(value, true),
      // A JSON text quoted in another JSON string (a message that embeds a request body).
      jsonEscaped(json, false),
      ...urlEncodings,
      ...urlEncodings.map((u) => u.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase())),
      ...base64Cores(value),
    ];
    for (const c of candidates) if (c.length >= MIN_LENGTH) forms.add(c);
  }
  return [...forms];
}

/** A function replacing every form of each secret value with asterisks. */
export function redactor(secrets: readonly string[]): (text: string) => string {
  // Longest first, so a form that contains another is replaced whole.
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (t) => t;
  const pattern = new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  return (text) => text.replace(pattern, "****");
}
