// Stream names ("/aws/lambda/orders-api") as table or file names ("aws_lambda_orders_api").
// The readable form is lossy ("/a/b", "/a_b" and "/a-b" all read "a_b"), so the stores persist
// the mapping and never give a name that was ever used to another stream.

/** Readable names stay short enough for any file system (255 bytes) with a suffix added. */
const MAX_LENGTH = 100;

/** A lower-case identifier of letters, digits and underscores that does not start with a digit. */
function safeName(stream: string): string {
  const base = stream
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/_+/g, "_")
    .slice(0, MAX_LENGTH);
  const name = base === "" ? "stream" : base;
  // Leading digits and our own "_" prefix (internal tables) are kept out of user table names.
  return /^[0-9]/.test(name) ? `s_${name}` : name;
}

/**
 * Names for new streams that collide neither with each other nor with names already taken.
 * `taken` maps stream -> name (kept as is); `reserved` are names in use for anything else (other
 * sources' streams, tables or files not made by us). Names compare case-insensitively, as DuckDB
 * identifiers and some file systems do.
 */
export function assignNames(
  streams: readonly string[],
  taken: ReadonlyMap<string, string>,
  reserved: Iterable<string> = [],
): Map<string, string> {
  const out = new Map(taken);
  const used = new Set([...taken.values(), ...reserved].map((n) => n.toLowerCase()));
  for (const stream of streams) {
    if (out.has(stream)) continue;
    const base = safeName(stream);
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    out.set(stream, name);
  }
  return out;
}
