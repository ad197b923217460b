// Turns API failures into messages a person can act on, with the right failure_type.
import { ConfigError, ConnectorError } from "./errors.js";
import { LogsApiError } from "./logs-api.js";

export interface FailureContext {
  readonly region: string;
  readonly endpointUrl: string | undefined;
  /** What was being done, e.g. `reading log group "/aws/lambda/x"`. */
  readonly doing: string;
}

export function explainApiError(err: LogsApiError, ctx: FailureContext): string {
  switch (err.kind) {
    case "denied":
      if (["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException"].includes(err.code)) {
        return `AWS rejected the credentials while ${ctx.doing} (${err.code}): check aws_access_key_id and aws_secret_access_key. ${err.message}`;
      }
      if (err.code === "ExpiredTokenException" || err.code === "ExpiredToken") {
        return `The AWS session token has expired while ${ctx.doing}: provide fresh temporary credentials or use role_arn. ${err.message}`;
      }
      return `Access denied while ${ctx.doing}: the credentials are not allowed to call ${err.operation} (${err.code}). Grant ${err.operation} in the IAM policy. ${err.message}`;
    case "not_found":
      return `Not found while ${ctx.doing} in region ${ctx.region}: ${err.message}`;
    case "unsupported":
      return `CloudWatch Logs cannot do this while ${ctx.doing}: ${err.message}`;
    case "invalid":
      return `CloudWatch Logs rejected the request while ${ctx.doing} (${err.code}): ${err.message}`;
    case "unreachable":
      return `Cannot reach CloudWatch Logs${ctx.endpointUrl ? ` at ${ctx.endpointUrl}` : ` in region ${ctx.region}`} while ${ctx.doing}: ${err.message}`;
    case "throttled":
      return `CloudWatch Logs kept throttling requests while ${ctx.doing}; retry later or lower the request rate. ${err.message}`;
    case "transient":
      return `CloudWatch Logs failed temporarily while ${ctx.doing}: ${err.message}`;
  }
}

export function toConnectorError(err: unknown, ctx: FailureContext): ConnectorError {
  if (err instanceof ConnectorError) return err;
  if (err instanceof LogsApiError) {
    const message = explainApiError(err, ctx);
    const internal = `${err.operation} ${err.code}: ${err.message}`;
    const transient = err.kind === "throttled" || err.kind === "transient";
    return transient
      ? new ConnectorError(message, "transient_error", { cause: err, internalMessage: internal })
      : new ConfigError(message, { cause: err, internalMessage: internal });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError(`Unexpected error while ${ctx.doing}: ${message}`, "system_error", { cause: err });
}
