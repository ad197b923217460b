// Classifies every failed CloudWatch Logs call into the few kinds the connector acts on, and
// reads the XML error bodies some AWS-compatible endpoints send, so no other module inspects
// SDK errors.
import { Readable } from "node:stream";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

export type ApiErrorKind =
  | "denied" // credentials rejected or action not allowed
  | "not_found"
  | "throttled"
  | "transient" // 5xx, network, timeout
  | "unsupported" // e.g. FilterLogEvents on an INFREQUENT_ACCESS group
  | "invalid" // the request itself is wrong
  | "unreachable"; // the endpoint cannot be reached at all

/** A failed call; `message` is what AWS (or the network) said. */
export class LogsApiError extends Error {
  constructor(
    message: string,
    readonly kind: ApiErrorKind,
    readonly code: string,
    readonly operation: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = "LogsApiError";
  }
}

const DENIED_CODES = new Set([
  "AccessDeniedException",
  "AccessDenied",
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
  "ExpiredTokenException",
  "ExpiredToken",
  "MissingAuthenticationToken",
]);
const THROTTLE_CODES = new Set(["ThrottlingException", "LimitExceededException", "Throttling", "TooManyRequestsException"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
const TRANSIENT_NET_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "TimeoutError", "RequestTimeout", "ServiceUnavailableException"]);

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $fault?: string;
  Code?: string;
}

/** Extracts <Code> or <Message> from an XML error body. */
function xmlField(body: string | undefined, tag: string): string | undefined {
  const m = body ? new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(body) : null;
  return m?.[1];
}

export function classifyError(err: unknown, operation: string): LogsApiError {
  if (err instanceof LogsApiError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.code ?? e.name ?? "UnknownError";
  const message = e.message ?? String(err);
  const make = (kind: ApiErrorKind) => new LogsApiError(message, kind, code, operation, { cause: err });
  if (THROTTLE_CODES.has(code)) return make("throttled");
  if (DENIED_CODES.has(code) || status === 403) return make("denied");
  if (code === "ResourceNotFoundException") return make("not_found");
  if (code === "InvalidOperationException") return make("unsupported");
  if (NETWORK_CODES.has(code) || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) return make("unreachable");
  if (TRANSIENT_NET_CODES.has(code) || e.$fault === "server" || status === undefined || status >= 500) return make("transient");
  return make("invalid");
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array>;
}

/**
 * Some AWS-compatible endpoints (moto with IAM enforced, proxies) answer a JSON-protocol call with
 * an XML error. The SDK then only reports a parse failure; this reads the XML's Code and Message
 * first and throws them as the error, so a denied action is reported as such.
 */
export function addXmlErrorMiddleware(client: CloudWatchLogsClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const res = result.response as RawResponse;
      // Such answers come as text/xml or even text/html; JSON errors are left to the SDK.
      const type = res.headers?.["content-type"] ?? "";
      if ((res.statusCode ?? 200) < 400 || /json/i.test(type) || !res.body) return result;
      const chunks: Uint8Array[] = [];
      for await (const c of res.body) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString("utf8");
      if (!text.trimStart().startsWith("<")) {
        res.body = Readable.from([bytes]);
        return result;
      }
      const error = new Error(xmlField(text, "Message") ?? `HTTP ${res.statusCode}`) as Error & SdkErrorShape;
      error.name = xmlField(text, "Code") ?? `HTTP${res.statusCode}`;
      error.$metadata = { httpStatusCode: res.statusCode };
      throw error;
    },
    { step: "deserialize", priority: "low", name: "xmlErrorBodyMiddleware" },
  );
}

