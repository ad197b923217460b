// Turns API failures into messages a person can act on, with the right failure_type.
import { ConfigError, ConnectorError } from "../airbyte/errors.js";
import { LogsApiError, NO_ANSWER, NO_ENDPOINT, NOT_CLOUDWATCH_LOGS, PROFILE_CREDENTIALS } from "../aws/api-errors.js";

export interface FailureContext {
  readonly region: string;
  readonly endpointUrl: string | undefined;
  /** What was being done, e.g. `reading log group "/aws/lambda/x"`. */
  readonly doing: string;
}

const BAD_KEY_CODES = new Set([
  "InvalidClientTokenId",
  "UnrecognizedClientException",
  "SignatureDoesNotMatch",
  "InvalidSignatureException",
]);

/** The action AWS says was denied ("... is not authorized to perform: sts:AssumeRole ..."), else ours. */
function deniedAction(err: LogsApiError): string {
  return /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)/.exec(err.message)?.[1] ?? err.operation;
}

function explainApiError(err: LogsApiError, ctx: FailureContext): string {
  const aws = `AWS said: ${err.message}`;
  switch (err.kind) {
    case "denied": {
      if (BAD_KEY_CODES.has(err.code)) {
        return `AWS rejected the credentials while ${ctx.doing} (${err.code}): check aws_access_key_id and aws_secret_access_key (or the keys of the profile). ${aws}`;
      }
      if (err.code === "ExpiredTokenException" || err.code === "ExpiredToken") {
        return `The AWS session token expired while ${ctx.doing}: provide fresh temporary credentials or use role_arn. ${aws}`;
      }
      const action = deniedAction(err);
      const grant =
        action === "sts:AssumeRole"
          ? "Allow sts:AssumeRole for these credentials, and check the role's trust policy and role_external_id"
          : action === "logs:Unmask"
            ? "The unmask setting reads data protection policies' masked values in clear: grant logs:Unmask in the IAM policy, or turn unmask off to read them masked"
            : `Grant ${action} in the IAM policy`;
      return `Access denied while ${ctx.doing}: these credentials may not call ${action} (${err.code}). ${grant}. ${aws}`;
    }
    case "not_found":
      return `Not found while ${ctx.doing} in region ${ctx.region}. ${aws}`;
    case "unsupported":
      return `CloudWatch Logs does not support this while ${ctx.doing}. ${aws}`;
    case "invalid":
      if (err.code === NO_ENDPOINT) {
        // The settings named are those of the service whose endpoint the SDK could not make.
        const [service, variable] = err.operation.startsWith("sts:")
          ? ["STS", "AWS_ENDPOINT_URL_STS"]
          : ["CloudWatch Logs", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS"];
        return `The AWS SDK found no ${service} endpoint for region ${ctx.region} while ${ctx.doing}: ${err.message}. Check region_name and the endpoint settings of the profile (use_fips_endpoint, use_dualstack_endpoint, endpoint_url) and of the environment (AWS_USE_FIPS_ENDPOINT, AWS_USE_DUALSTACK_ENDPOINT, AWS_ENDPOINT_URL, ${variable}); endpoint_url in the configuration is used as it is, whatever they say.`;
      }
      return `CloudWatch Logs rejected ${err.operation} while ${ctx.doing} (${err.code}). ${aws}`;
    case "unreachable": {
      const where = ctx.endpointUrl ? ` at ${ctx.endpointUrl}` : ` in region ${ctx.region}`;
      if (err.code === NOT_CLOUDWATCH_LOGS)
        return `The endpoint${where} is not CloudWatch Logs: ${err.message} while ${ctx.doing}. Check endpoint_url (or a proxy in between).`;
      if (err.code === NO_ANSWER)
        return `CloudWatch Logs${where} did not answer while ${ctx.doing}: ${err.message}. Check endpoint_url, region_name and the network, or raise request_timeout_seconds.`;
      if (/^(EPROTO|ERR_SSL_|.*CERT)/.test(err.code))
        return `Cannot talk TLS to CloudWatch Logs${where} while ${ctx.doing} (${err.code}): if the endpoint serves plain HTTP, endpoint_url must start with http://. ${err.message}`;
      return `Cannot reach CloudWatch Logs${where} while ${ctx.doing}: check endpoint_url, region_name and the network. ${err.message}`;
    }
    case "no_credentials":
      if (err.code === PROFILE_CREDENTIALS)
        return `No usable AWS credentials from the profile while ${ctx.doing}: ${err.message.replace(/\.$/, "")}. Check the profile setting (sync: --profile) against the profiles in ~/.aws/config and ~/.aws/credentials (or AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE).`;
      return `No usable AWS credentials while ${ctx.doing}: set aws_access_key_id and aws_secret_access_key, or provide credentials to the default chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an existing AWS_PROFILE, web identity, container or instance role). ${err.message}`;
    case "invalid_response":
      return `${err.operation} kept getting answers that are not ${err.operation.startsWith("sts:") ? "STS" : "CloudWatch Logs"} answers while ${ctx.doing} (a proxy or endpoint in between may be failing); the sync can be retried. ${err.message}`;
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
    const transient = err.kind === "throttled" || err.kind === "transient" || err.kind === "invalid_response";
    return transient
      ? new ConnectorError(message, "transient_error", { cause: err, internalMessage: internal })
      : new ConfigError(message, { cause: err, internalMessage: internal });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ConnectorError(`Unexpected error while ${ctx.doing}: ${message}`, "system_error", { cause: err });
}
