// Which access key signed a request: from the SigV4 Authorization header (or a presigned URL).
// Signatures are not verified: the simulator tests credential lifetimes, not cryptography.
import type { IncomingHttpHeaders } from "node:http";

export function signingAccessKey(headers: IncomingHttpHeaders, url: string | undefined): string | undefined {
  const auth = headers.authorization;
  const m = typeof auth === "string" ? /Credential=([^/,\s]+)\//.exec(auth) : null;
  if (m) return m[1];
  const q = url ? /[?&]X-Amz-Credential=([^%/&]+)/.exec(url) : null;
  return q ? decodeURIComponent(q[1] as string) : undefined;
}
