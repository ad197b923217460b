// Opaque pagination tokens: base64url JSON carrying the resume position, a hash of the request
// parameters they belong to, and the simulator time they were issued (they expire after 24 h).
import { invalidParameter } from "./errors.js";
import { hashString } from "./prng.js";

export const TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

export interface TokenBody {
  /** Hash of the parameters the token is bound to. */
  readonly p: string;
  /** Issue time on the simulator clock. */
  readonly t: number;
  /** Resume position (meaning depends on the operation). */
  readonly k: unknown;
}

export function paramHash(params: unknown): string {
  const json = JSON.stringify(params);
  return hashString(json).toString(36) + hashString(json, 0x9747b28c).toString(36);
}

export function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

/** Decodes and checks a token; InvalidParameterException when foreign, malformed or expired. */
export function decodeToken(token: string, expectedHash: string, now: number): TokenBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw invalidParameter("The specified nextToken is invalid.");
  }
  const b = body as Partial<TokenBody> | null;
  if (!b || typeof b !== "object" || b.p !== expectedHash || typeof b.t !== "number") {
    throw invalidParameter("The specified nextToken is invalid.");
  }
  if (now - b.t > TOKEN_LIFETIME_MS) throw invalidParameter("The specified nextToken has expired.");
  return b as TokenBody;
}
