// The CloudWatch Logs port for a validated config: its credentials, request rates (the region's
// default quotas unless configured), request timeout and connection pool size.
import type { Config } from "../config/config.js";
import { credentialsFor } from "./credentials.js";
import { createLogsApi } from "./logs-api.js";
import { DESCRIBE_LOG_GROUPS_TPS, filterLogEventsTps } from "./service-quotas.js";

export function logsApiFor(config: Config): ReturnType<typeof createLogsApi> {
  return createLogsApi(config, () => credentialsFor(config), {
    filterRequestsPerSecond: config.maxRequestsPerSecond ?? filterLogEventsTps(config.region),
    describeRequestsPerSecond: DESCRIBE_LOG_GROUPS_TPS,
    requestTimeoutMs: config.requestTimeoutMs,
    maxSockets: config.maxConcurrency + 2,
  });
}
