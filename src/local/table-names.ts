// Stream names ("/aws/lambda/orders-api") as table or file names ("aws_lambda_orders_api").

/** A lower-case identifier of letters, digits and underscores that does not start with a digit. */
export function safeName(stream: string): string {
  const base = stream
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .replace(/_+/g, "_");
  const name = base === "" ? "stream" : base;
  // Leading digits and our own "_" prefix (internal tables) are kept out of user table names.
  return /^[0-9]/.test(name) ? `s_${name}` : name;
}

/**
 * Names for new streams that collide neither with each other nor with names already taken
 * (two streams like "/a/b" and "/a_b" would both be "a_b"). `taken` maps stream -> name.
 */
export function assignNames(streams: readonly string[], taken: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map(taken);
  const used = new Set(taken.values());
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
