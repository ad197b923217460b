// Names (log groups, custom reports, log streams) as single path segments of staged raw files.
// The mapping is injective and needs no stored state, so two names never share a file and a
// crash-resumed sync re-writes exactly the same paths: "/" becomes "_", and every other byte
// outside [A-Za-z0-9.-] (so "_", "%" and "~" too) becomes %XX. "." and ".." are escaped whole.
import { createHash } from "node:crypto";
import { join } from "node:path";

/** Longest segment kept readable; file systems allow 255 bytes per segment. */
const MAX_SEGMENT = 200;
const HASHED_PREFIX = 180;

const PLAIN = /^[A-Za-z0-9.-]$/;

function percentEncode(name: string): string {
  let out = "";
  for (const byte of Buffer.from(name, "utf8")) {
    const char = String.fromCharCode(byte);
    if (char === "/") out += "_";
    else out += PLAIN.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The one path segment for `name`: readable for ordinary names, distinct for distinct names. */
export function fileSegment(name: string): string {
  // "%" alone is never an encoding of a non-empty name (an escape always has two hex digits).
  if (name === "") return "%";
  if (name === "." || name === "..") return name.replace(/\./g, "%2E");
  const encoded = percentEncode(name);
  if (encoded.length <= MAX_SEGMENT) return encoded;
  // Too long: a readable head plus a hash of the whole name. A literal "~" is always escaped
  // above, so a segment with "~" is always of this form and cannot equal a short one.
  const head = encoded.slice(0, HASHED_PREFIX).replace(/%[0-9A-F]?$/, "");
  return `${head}~${createHash("sha256").update(name, "utf8").digest("hex").slice(0, 16)}`;
}

/** The folder of a stream's staged files inside the staging directory. */
export function streamFolder(stagingDirectory: string, stream: string): string {
  return join(stagingDirectory, fileSegment(stream));
}
