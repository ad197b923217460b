// Turns API failures into messages a person can act on, with the right failure_type.
import { ConfigError, ConnectorError } from "./errors.js";
import { LogsApiError } from "./logs-api.js";

export interface FailureContext {
  readonly region: string;
  readonly endpointUrl: string | undefined;
  /** What was being done, e.g. `reading log group "/aws/lambda/x"`. */
  readonly doing: string;
}

const BAD_KEY_CODES = new Set(["InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException"]);

/** The action AWS says was denied ("... is not authorized to perform: sts:AssumeRole ..."), else ours. */
function deniedAction(err: LogsApiError): string {
  return /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)/.exec(err.message)?.[1] ?? err.operation;
}

export function explainApiError(err: LogsApiError, ctx: FailureContext): string {
  const aws = `AWS said: ${err.message}`;
  switch (err.kind) {
    case "denied": {
      if (BAD_KEY_CODES.has(err.code)) {
        return `AWS rejected the credentials while ${ctx.doing} (${err.code}): check aws_access_key_id and aws_secret_access_key. ${aws}`;
      }
      if (err.code === "ExpiredTokenException" || err.code === "ExpiredToken") {
        return `The AWS session token expired while ${ctx.doing}: provide fresh temporary credentials or use role_arn. ${aws}`;
      }
      const action = deniedAction(err);
      const grant =
        action === "sts:AssumeRole"
          ? "Allow sts:AssumeRole for these credentials, and check the role's trust policy and role_external_id"
          : `Grant ${action} in the IAM policy`;
      return `Access denied while ${ctx.doing}: these credentials may not call ${action} (${err.code}). ${grant}. ${aws}`;
    }
    case "not_found":
      return `Not found while ${ctx.doing} in region ${ctx.region}. ${aws}`;
    case "unsupported":
      return `CloudWatch Logs does not support this while ${ctx.doing}. ${aws}`;
    case "invalid":
      return `CloudWatch Logs rejected ${err.operation} while ${ctx.doing} (${err.code}). ${aws}`;
    case "unreachable":
      return `Cannot reach CloudWatch Logs${ctx.endpointUrl ? ` at ${ctx.endpointUrl}` : ` in region ${ctx.region}`} while ${ctx.doing}: check endpoint_url, region_name and the network. ${err.message}`;
    case "throttled":
      return `CloudWatch Logs kept throttling ${err.operation} while ${ctx.doing}; the sync can be retried later. ${aws}`;
    case "transient":
      return `${err.operation} failed temporarily while ${ctx.doing}; the sync can be retried. ${err.message}`;
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
