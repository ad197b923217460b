// Builds the credential provider for AWS calls: static keys (with optional session token) or the
// default chain, and optionally an assumed role on top, refreshed before it expires.
import { fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Config } from "../config/config.js";

export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export function credentialsFor(config: Config): Credentials {
  const base: Credentials =
    config.credentials.kind === "static"
      ? {
          accessKeyId: config.credentials.accessKeyId,
          secretAccessKey: config.credentials.secretAccessKey,
          ...(config.credentials.sessionToken ? { sessionToken: config.credentials.sessionToken } : {}),
        }
      : fromNodeProviderChain();
  if (!config.role) return base;
  // The logs client memoizes this provider and calls it again within 5 minutes of Expiration,
  // so a sync longer than session_duration keeps working.
  return fromTemporaryCredentials({
    params: {
      RoleArn: config.role.arn,
      RoleSessionName: `airbyte-source-cloudwatch-logs-${Date.now()}`,
      DurationSeconds: config.role.durationSeconds,
      ...(config.role.externalId ? { ExternalId: config.role.externalId } : {}),
    },
    masterCredentials: base,
    clientConfig: {
      region: config.region,
      ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
      // Its own handler with a deadline: otherwise STS would share the logs client's handler,
      // whose deadline is per Logs request, and a silent STS endpoint would hang the session.
      requestHandler: new NodeHttpHandler({
        connectionTimeout: Math.min(10_000, config.requestTimeoutMs),
        requestTimeout: config.requestTimeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: config.requestTimeoutMs,
      }),
    },
  });
}
