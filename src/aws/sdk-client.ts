// Builds the SDK client every CloudWatch Logs request is sent with: one connection pool for the
// process, the middlewares that read XML errors and FilterLogEvents pages, and a new client on
// fresh credentials when the service says the old ones expired.
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { addFastFilterLogEvents } from "./page-decoder.js";
import { addXmlErrorMiddleware } from "./api-errors.js";

/** What a client signs with: keys, or a provider of them (see credentials.ts). */
export type Credentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

export interface SdkClientOptions {
  readonly region: string;
  readonly endpointUrl?: string | undefined;
  /**
   * The shared-config profile the config names, if any: the SDK takes its settings
   * (use_fips_endpoint, use_dualstack_endpoint) as it does AWS_PROFILE's. Not its endpoint_url:
   * the SDK reads that from AWS_PROFILE's profile only (docs/local.md says so).
   */
  readonly profile?: string | undefined;
  /** Sockets kept open to the endpoint; at least the read concurrency. */
  readonly maxSockets: number;
  /** Called for every new client: a fresh client assumes the role again. */
  readonly makeCredentials: () => Credentials;
}

/**
 * Whether requests to this URL reach the region's CloudWatch Logs as its default endpoint does:
 * AWS's own hosts of the service in that region (regional, FIPS, dual-stack, China, the European
 * Sovereign Cloud, VPC endpoints), over https on its port. Any other host, an AWS domain included
 * (an EC2 or load balancer name in front of something else), is another endpoint.
 */
export function isRegionEndpoint(region: string, protocol: unknown, hostname: string, port: unknown): boolean {
  if (protocol !== "https:" || (port !== undefined && port !== 443)) return false;
  const inRegion = region.replace(/[^a-z0-9-]/g, "");
  return new RegExp(
    `^(?:[a-z0-9-]+\\.)?logs(?:-fips)?\\.${inRegion}\\.(?:amazonaws\\.com(?:\\.cn)?|amazonaws\\.eu|api\\.aws|vpce\\.amazonaws\\.com)$`,
  ).test(hostname);
}

/**
 * Whether an endpoint URL is the region's own CloudWatch Logs endpoint: the same source as no
 * endpoint_url at all (a local store keys its streams by it).
 */
export function isRegionEndpointUrl(region: string, url: string): boolean {
  const u = new URL(url);
  const port = u.port === "" ? undefined : Number(u.port);
  return (u.pathname === "/" || u.pathname === "") && isRegionEndpoint(region, u.protocol, u.hostname, port);
}

/**
 * For a client given endpoint_url: that endpoint, as it is. use_fips_endpoint and
 * use_dualstack_endpoint (a profile's, or AWS_USE_FIPS_ENDPOINT's) choose among AWS's own hosts,
 * and the SDK refuses them beside an endpoint of ours ("FIPS and custom endpoint are not supported").
 */
export const NAMED_ENDPOINT = { useFipsEndpoint: false, useDualstackEndpoint: false } as const;

export class RenewableSdkClient {
  private readonly handler: NodeHttpHandler;
  private sdkClient: CloudWatchLogsClient;
  private gen = 0;
  private sentTo: string | undefined;
  /** The first request was looked at: a client's endpoint is the same for all of them. */
  private endpointSeen = false;

  constructor(private readonly options: SdkClientOptions) {
    this.handler = new NodeHttpHandler({
      // Each attempt's deadline covers the whole exchange (see logs-api.ts).
      connectionTimeout: 10_000,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
    });
    this.sdkClient = this.newClient();
  }

  /** The client to send the next request with. */
  get client(): CloudWatchLogsClient {
    return this.sdkClient;
  }

  /**
   * Where requests went when that is not one of AWS's own endpoints (an endpoint set outside the
   * config: AWS_ENDPOINT_URL, a profile's endpoint_url, which the SDK reads itself), as
   * protocol://host[:port][path], without a user or password; undefined before the first request.
   */
  get otherEndpoint(): string | undefined {
    return this.sentTo;
  }

  /** Bumped on every new client, so concurrent requests that hit one expiry renew it once. */
  get generation(): number {
    return this.gen;
  }

  /**
   * Replaces the client with one on fresh credentials, unless it was already replaced since
   * `seenGeneration` (the generation the failed request was sent with). True when it replaced it.
   */
  renew(seenGeneration: number): boolean {
    if (seenGeneration !== this.gen) return false;
    this.sdkClient.destroy();
    this.sdkClient = this.newClient();
    this.gen++;
    return true;
  }

  close(): void {
    this.sdkClient.destroy();
    this.handler.destroy();
  }

  private newClient(): CloudWatchLogsClient {
    const { region, endpointUrl, profile, makeCredentials } = this.options;
    const c = new CloudWatchLogsClient({
      region,
      credentials: makeCredentials(),
      ...(endpointUrl ? { endpoint: endpointUrl, ...NAMED_ENDPOINT } : {}),
      ...(profile !== undefined ? { profile } : {}),
      // Retries are ours (logs-api.ts): one budget and one rate limiter for every request of the process.
      maxAttempts: 1,
      requestHandler: this.handler,
    });
    addXmlErrorMiddleware(c);
    addFastFilterLogEvents(c);
    c.middlewareStack.add(
      (next) => async (args) => {
        if (!this.endpointSeen) {
          this.endpointSeen = true;
          // An HttpRequest, by then resolved to the endpoint it is sent to.
          const { protocol, hostname, port, path } = args.request as Partial<Record<string, unknown>>;
          if (typeof hostname === "string" && !isRegionEndpoint(this.options.region, protocol, hostname, port))
            this.sentTo =
              `${String(protocol)}//${hostname}${typeof port === "number" ? `:${port}` : ""}` +
              `${typeof path === "string" && path !== "/" ? path.replace(/\/$/, "") : ""}`;
        }
        return next(args);
      },
      { step: "finalizeRequest", name: "recordOtherEndpoint" },
    );
    return c;
  }
}
