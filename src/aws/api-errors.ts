// Classifies every failed CloudWatch Logs attempt (an SDK error, or an attempt past its deadline)
// into the few kinds the connector acts on, and reads the XML error bodies some AWS-compatible
// endpoints send, so no other module inspects SDK errors.
import { Readable } from "node:stream";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

export type ApiErrorKind =
  | "denied" // credentials rejected or action not allowed
  | "not_found"
  | "throttled"
  | "transient" // 5xx, network, timeout
  | "unsupported" // e.g. FilterLogEvents on an INFREQUENT_ACCESS group
  | "invalid" // the request itself is wrong
  | "invalid_response" // HTTP 200, but not the answer the operation documents (retried)
  | "no_credentials" // no usable credential source (keys, environment, profile)
  | "unreachable"; // the endpoint cannot be reached, or is not CloudWatch Logs

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

/** Code of the SDK's failure to make an endpoint of the region and endpoint settings. */
export const NO_ENDPOINT = "EndpointError";
/** Code of an HTTP 200 answer in HTML or XML: the endpoint is a web server, not CloudWatch Logs. */
export const NOT_CLOUDWATCH_LOGS = "NotCloudWatchLogs";
/**
 * Says what a successful answer in HTML or XML was (with the page's title, which often names the
 * server or proxy); undefined for any other body.
 */
export function notCloudWatchLogsAnswer(body: string, contentType = ""): string | undefined {
  if (!body.trimStart().startsWith("<")) return undefined;
  const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
  const kind = /html/i.test(contentType) || /<html/i.test(body) ? "HTML page" : "XML document";
  return `the endpoint answered with a ${kind}${title ? ` ("${title.slice(0, 80)}")` : ""}, not a CloudWatch Logs answer`;
}

/** Code of a request whose endpoint accepted the connection and never answered. */
export const NO_ANSWER = "NoAnswer";

/** Code of a failure of the named `profile` to give credentials (aws/credentials.ts). */
export const PROFILE_CREDENTIALS = "ProfileCredentials";

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
const THROTTLE_CODES = new Set([
  "ThrottlingException",
  "LimitExceededException",
  "Throttling",
  "TooManyRequestsException",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  // TLS spoken to a plain-HTTP port (an https:// endpoint_url for an http server), or a
  // certificate that cannot be trusted: retrying will not change either.
  "EPROTO",
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_HAS_EXPIRED",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  // Answers that are not CloudWatch Logs at all (see addXmlErrorMiddleware), and an endpoint that
  // accepts connections but never answers (see deadlineError).
  NOT_CLOUDWATCH_LOGS,
  NO_ANSWER,
]);
const TRANSIENT_NET_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "TimeoutError",
  "RequestTimeout",
  "ServiceUnavailableException",
]);

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

/**
 * A failure of the assumed role's STS call, which surfaces in the Logs call it held up: reported
 * as sts:AssumeRole's, not as DescribeLogGroups' or FilterLogEvents'.
 */
export class AssumeRoleError extends Error {
  constructor(readonly failure: unknown) {
    super(failure instanceof Error ? failure.message : String(failure), { cause: failure });
    this.name = "AssumeRoleError";
  }
}

export function classifyError(err: unknown, operation: string): LogsApiError {
  if (err instanceof LogsApiError) return err;
  if (err instanceof AssumeRoleError) return classifyError(err.failure, "sts:AssumeRole");
  const e = (err ?? {}) as SdkErrorShape;
  const status = e.$metadata?.httpStatusCode;
  const code = e.Code ?? e.code ?? e.name ?? "UnknownError";
  const message = e.message ?? String(err);
  const make = (kind: ApiErrorKind) => new LogsApiError(message, kind, code, operation, { cause: err });
  // Before the test below: a profile's name may hold "sts" ("tests").
  if (code === PROFILE_CREDENTIALS) return make("no_credentials");
  if (e.name === "CredentialsProviderError") {
    // An assumed role whose STS answer lacked credentials is a bad answer; anything else means no
    // credential source could be used at all (no keys, no profile, no role): a setup problem.
    if (/Invalid response from STS/i.test(message)) return make("invalid_response");
    if (!/sts|assume/i.test(message)) return make("no_credentials");
  }
  // A 2xx answer the SDK could not read (a cut XML or JSON body, e.g. STS's during a session
  // renewal) is a bad answer like any other: retried, not a rejected request.
  if (status !== undefined && status >= 200 && status < 300 && /Deserialization error/.test(message))
    return make("invalid_response");
  // The SDK could make no endpoint of the settings (dual-stack where the partition has none): nothing was sent.
  if (e.name === NO_ENDPOINT) return make("invalid");
  if (THROTTLE_CODES.has(code)) return make("throttled");
  if (DENIED_CODES.has(code) || status === 403) return make("denied");
  if (code === "ResourceNotFoundException") return make("not_found");
  if (code === "InvalidOperationException") return make("unsupported");
  if (NETWORK_CODES.has(code) || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message)) return make("unreachable");
  if (TRANSIENT_NET_CODES.has(code) || e.$fault === "server" || status === undefined || status >= 500)
    return make("transient");
  return make("invalid");
}

/** Whether the endpoint answered the failed attempt (with any HTTP status): it is alive. */
export function endpointAnswered(err: unknown): boolean {
  const failure = err instanceof AssumeRoleError ? err.failure : err;
  return typeof (failure as SdkErrorShape | undefined)?.$metadata?.httpStatusCode === "number";
}

/**
 * An attempt that ran out of its `ms`: a slow answer if the endpoint has answered before, else an
 * endpoint that accepts connections and says nothing. `attempts`: the request's failed attempts,
 * this one included (said when more than one: "within 30 s" alone read wrongly after a minute).
 */
export function deadlineError(operation: string, ms: number, answeredBefore: boolean, attempts = 1): LogsApiError {
  const within = `within ${ms / 1000} s (request_timeout_seconds)${attempts > 1 ? `; gave up after ${attempts} attempts` : ""}`;
  return answeredBefore
    ? new LogsApiError(`no complete answer ${within}`, "transient", "TimeoutError", operation)
    : new LogsApiError(
        `the endpoint accepted the connection but sent no answer ${within}`,
        "unreachable",
        NO_ANSWER,
        operation,
      );
}

interface RawResponse {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array>;
}

/**
 * Some AWS-compatible endpoints (moto with IAM enforced, proxies) answer a JSON-protocol call with
 * an XML error. The SDK then only reports a parse failure; this reads the XML's Code and Message
 * first and throws them as the error, so a denied action is reported as such. A successful status
 * with an HTML or XML body comes from a web server that is not CloudWatch Logs (a wrong
 * endpoint_url, a captive proxy): that is reported as such rather than as an empty answer.
 */
export function addXmlErrorMiddleware(client: CloudWatchLogsClient): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      const res = result.response as RawResponse;
      const status = res.statusCode ?? 200;
      // AWS's own answers are application/x-amz-json-1.1 and are left alone (moto sends JSON
      // bodies as text/html, so those are looked at).
      const type = res.headers?.["content-type"] ?? "";
      if (/json/i.test(type) || !res.body || (status >= 300 && status < 400)) return result;
      const chunks: Uint8Array[] = [];
      for await (const c of res.body) chunks.push(c);
      const bytes = Buffer.concat(chunks);
      const text = bytes.toString("utf8");
      if (!text.trimStart().startsWith("<")) {
        res.body = Readable.from([bytes]);
        return result;
      }
      if (status < 300) {
        const error = new Error(notCloudWatchLogsAnswer(text, type)) as Error & SdkErrorShape;
        error.name = NOT_CLOUDWATCH_LOGS;
        error.$metadata = { httpStatusCode: status };
        throw error;
      }
      const error = new Error(xmlField(text, "Message") ?? `HTTP ${status}`) as Error & SdkErrorShape;
      error.name = xmlField(text, "Code") ?? `HTTP${status}`;
      error.$metadata = { httpStatusCode: status };
      throw error;
    },
    { step: "deserialize", priority: "low", name: "xmlErrorBodyMiddleware" },
  );
}

/**
 * A page's nextToken as the next request takes it (undefined: the last page), or `invalid`'s
 * error: a token that is not a string, or an empty one (AWS's have at least one character; ""
 * read as "no more pages" would end a scan early, hiding events or log groups).
 */
export function pageToken(token: unknown, invalid: (why: string) => LogsApiError): string | undefined {
  if (token === undefined || token === null) return undefined;
  if (typeof token !== "string") throw invalid("nextToken is not a string");
  if (token === "") throw invalid("an empty nextToken");
  return token;
}
