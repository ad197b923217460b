// Builds the credential provider for AWS calls: static keys (with optional session token), a named
// profile or the default chain, and optionally an assumed role on top, refreshed before it expires.
import { fromIni, fromNodeProviderChain, fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { Config } from "../config/config.js";
import { AssumeRoleError, PROFILE_CREDENTIALS } from "./api-errors.js";
import { type Credentials, NAMED_ENDPOINT } from "./sdk-client.js";

/**
 * The named profile's credentials (keys, role, SSO, process, web identity: all a profile can say),
 * and nothing else: fromNodeProviderChain({ profile }) would go on to the container or instance
 * role when the profile is misspelt, and read another account without a word.
 */
function fromProfile(name: string): AwsCredentialIdentityProvider {
  const provider = fromIni({ profile: name });
  return async (props) => {
    try {
      return await provider(props);
    } catch (err) {
      // Whatever failed (a missing profile, its SSO token, its role), the profile is what to check.
      const failure = new Error(`profile ${JSON.stringify(name)}: ${profileFailure(err)}`, { cause: err });
      throw Object.assign(failure, { name: "CredentialsProviderError", code: PROFILE_CREDENTIALS });
    }
  };
}

/**
 * Why a profile gave no credentials, fit to print: a failed credential_process's message quotes
 * its command line and what it wrote on stderr, either of which may hold a secret (a token passed
 * as an argument), so only its exit code is told.
 */
function profileFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (!/^Command failed/.test(message)) return message;
  const code = (err as { code?: unknown }).code;
  return `its credential_process failed${typeof code === "number" ? ` with exit code ${code}` : ""} (its command line and output are not repeated here)`;
}

/** The shared-config profile the config names (its credentials, and the clients' other settings). */
export function sharedConfigProfile(config: Config): string | undefined {
  return config.credentials.kind === "profile" ? config.credentials.name : undefined;
}

function baseCredentials(config: Config): Credentials {
  const c = config.credentials;
  switch (c.kind) {
    case "static":
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      };
    case "profile":
      return fromProfile(c.name);
    case "default-chain":
      return fromNodeProviderChain();
  }
}

export function credentialsFor(config: Config): Credentials {
  const base = baseCredentials(config);
  if (!config.role) return base;
  // The logs client memoizes this provider and calls it again within 5 minutes of Expiration,
  // so a sync longer than session_duration keeps working.
  const profile = sharedConfigProfile(config);
  const assumed = fromTemporaryCredentials({
    params: {
      RoleArn: config.role.arn,
      RoleSessionName: `airbyte-source-cloudwatch-logs-${Date.now()}`,
      DurationSeconds: config.role.durationSeconds,
      ...(config.role.externalId ? { ExternalId: config.role.externalId } : {}),
    },
    masterCredentials: base,
    clientConfig: {
      region: config.region,
      ...(config.endpointUrl ? { endpoint: config.endpointUrl, ...NAMED_ENDPOINT } : {}),
      ...(profile !== undefined ? { profile } : {}),
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
  return async (props) => {
    try {
      return await assumed(props);
    } catch (err) {
      throw new AssumeRoleError(err);
    }
  };
}
