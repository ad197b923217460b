// The only module that talks to CloudWatch Logs. A narrow interface over the SDK client, and the
// classification of every failure into the few kinds the rest of the connector acts on.
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandOutput,
  FilterLogEventsCommand,
  type LogGroup as SdkLogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { RateLimiter, RetryBudget, backoffMs } from "./rate-limit.js";
import { addFastFilterLogEvents, decodeFilterPage } from "./page-decoder.js";
import { LogsApiError, NO_ANSWER, addXmlErrorMiddleware, classifyError } from "./api-errors.js";

export { LogsApiError } from "./api-errors.js";
import type { Config } from "../config/config.js";
import type { Credentials } from "./credentials.js";
import type { LogGroup, LogsApi } from "../domain/logs.js";

function toLogGroup(g: SdkLogGroup): LogGroup {
  return {
    name: g.logGroupName ?? "",
    creationTime: g.creationTime,
    retentionInDays: g.retentionInDays,
    logGroupClass: g.logGroupClass,
    storedBytes: g.storedBytes,
    arn: g.arn,
  };
}

export interface LogsApiOptions {
  /** FilterLogEvents requests per second at most (shared by every reader). */
  readonly filterRequestsPerSecond: number;
  /** DescribeLogGroups requests per second at most. */
  readonly describeRequestsPerSecond: number;
  readonly requestTimeoutMs: number;
  /** Sockets kept open to the endpoint; at least the read concurrency. */
  readonly maxSockets: number;
  /** Attempts per request for transient faults (5xx, resets, timeouts). */
  readonly maxTransientAttempts?: number;
  /** Attempts per request while throttled. */
  readonly maxThrottledAttempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ApiStats {
  requests: number;
  throttles: number;
  retries: number;
  credentialRefreshes: number;
}

const EXPIRED_CODES = new Set(["ExpiredTokenException", "ExpiredToken"]);

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const hasHttpStatus = (err: unknown): boolean =>
  typeof (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode === "number";

/** One attempt's deadline: aborts the request and settles `expired` when the time is up. */
function attemptDeadline(ms: number, outer: AbortSignal | undefined) {
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
      reject(new Error("deadline"));
    }, ms);
  });
  // Rejections of `expired` are read through timedOut(); this keeps an unawaited one quiet.
  expired.catch(() => undefined);
  return {
    signal: outer ? AbortSignal.any([outer, controller.signal]) : controller.signal,
    expired,
    timedOut: () => timedOut,
    clear: () => clearTimeout(timer),
  };
}

function timeoutError(operation: string, ms: number, answeredBefore: boolean): LogsApiError {
  const s = ms / 1000;
  return answeredBefore
    ? new LogsApiError(
        `no complete answer within ${s} s (request_timeout_seconds)`,
        "transient",
        "TimeoutError",
        operation,
      )
    : new LogsApiError(
        `the endpoint accepted the connection but sent no answer within ${s} s (request_timeout_seconds)`,
        "unreachable",
        NO_ANSWER,
        operation,
      );
}

/** A DescribeLogGroups answer of the documented shape; anything else would hide log groups. */
function checkedGroupsPage(page: DescribeLogGroupsCommandOutput): {
  logGroups: SdkLogGroup[];
  nextToken: string | undefined;
} {
  const { logGroups, nextToken } = page;
  const invalid = (why: string) =>
    new LogsApiError(
      `CloudWatch Logs answered DescribeLogGroups with something that is not a page of log groups: ${why}`,
      "invalid_response",
      "InvalidResponse",
      "logs:DescribeLogGroups",
    );
  if (!Array.isArray(logGroups)) throw invalid("no logGroups array");
  if (logGroups.some((g) => typeof g?.logGroupName !== "string" || g.logGroupName === ""))
    throw invalid("a log group without a name");
  if (nextToken !== undefined && nextToken !== null && typeof nextToken !== "string")
    throw invalid("nextToken is not a string");
  return { logGroups, nextToken: nextToken || undefined };
}

/**
 * `makeCredentials` is called again when the service says the credentials expired (an assumed
 * role revoked or expired early): a fresh client assumes the role again.
 */
export function createLogsApi(
  config: Config,
  makeCredentials: () => Credentials,
  options: LogsApiOptions,
): LogsApi & { readonly stats: ApiStats } {
  const sleep = options.sleep ?? sleepMs;
  const handler = new NodeHttpHandler({
    // Each attempt's deadline covers the whole exchange (see call()).
    connectionTimeout: 10_000,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: options.maxSockets }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: options.maxSockets }),
  });
  const newClient = () => {
    const c = new CloudWatchLogsClient({
      region: config.region,
      credentials: makeCredentials(),
      ...(config.endpointUrl ? { endpoint: config.endpointUrl } : {}),
      // Retries are ours: one budget and one rate limiter for every request of the process.
      maxAttempts: 1,
      requestHandler: handler,
    });
    addXmlErrorMiddleware(c);
    addFastFilterLogEvents(c);
    return c;
  };
  let client = newClient();
  /** Bumped on every new client, so concurrent requests that hit one expiry refresh it once. */
  let generation = 0;
  const stats: ApiStats = { requests: 0, throttles: 0, retries: 0, credentialRefreshes: 0 };
  const budget = new RetryBudget(100);
  const limiters = {
    "logs:FilterLogEvents": new RateLimiter({ ratePerSecond: options.filterRequestsPerSecond }),
    "logs:DescribeLogGroups": new RateLimiter({ ratePerSecond: options.describeRequestsPerSecond }),
  };
  const maxTransient = options.maxTransientAttempts ?? 8;
  const maxThrottled = options.maxThrottledAttempts ?? 30;
  /** The endpoint has answered at least once: a later silence is a slow request, not a dead endpoint. */
  let answered = false;

  /**
   * One request, retried as its failures deserve. Each attempt has `requestTimeoutMs` for the
   * whole exchange, body included: the SDK's own request timeout stops at the headers, so a
   * response that stalls mid-body would otherwise hang the window forever.
   */
  async function call<T>(
    operation: keyof typeof limiters,
    send: (c: CloudWatchLogsClient, abortSignal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const limiter = limiters[operation];
    let transientFailures = 0;
    let throttles = 0;
    let refreshed = false;
    for (;;) {
      signal?.throwIfAborted();
      await limiter.acquire();
      stats.requests++;
      const used = generation;
      const attempt = attemptDeadline(options.requestTimeoutMs, signal);
      try {
        const out = await Promise.race([send(client, attempt.signal), attempt.expired]);
        answered = true;
        limiter.succeeded();
        budget.earn(1);
        return out;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const e = attempt.timedOut()
          ? timeoutError(operation, options.requestTimeoutMs, answered)
          : classifyError(err, operation);
        if (hasHttpStatus(err)) answered = true;
        if (e.kind === "throttled") {
          stats.throttles++;
          limiter.throttled();
          if (++throttles >= maxThrottled) throw e;
          stats.retries++;
          await sleep(backoffMs(Math.min(throttles, 8), 100, 20_000));
          continue;
        }
        if (e.kind === "denied" && EXPIRED_CODES.has(e.code) && !refreshed) {
          // Credentials expired before the SDK's own refresh: start over with a fresh session.
          refreshed = true;
          if (used === generation) {
            stats.credentialRefreshes++;
            client.destroy();
            client = newClient();
            generation++;
          }
          continue;
        }
        // A refused connection may be a blip: a few quick retries, then it is reported as such. A
        // silent endpoint is tried twice, so `check` fails within about two request timeouts.
        const quickRetries = e.code === NO_ANSWER ? 1 : 2;
        const retryable =
          e.kind === "transient" ||
          e.kind === "invalid_response" ||
          (e.kind === "unreachable" && transientFailures < quickRetries);
        if (retryable && ++transientFailures < maxTransient && budget.trySpend(5)) {
          stats.retries++;
          await sleep(backoffMs(transientFailures, 100, 20_000));
          continue;
        }
        throw e;
      } finally {
        attempt.clear();
      }
    }
  }

  async function* listLogGroups(prefix?: string): AsyncGenerator<LogGroup> {
    let nextToken: string | undefined;
    do {
      const page = await call("logs:DescribeLogGroups", async (c, abortSignal) =>
        checkedGroupsPage(
          await c.send(
            new DescribeLogGroupsCommand({ ...(prefix ? { logGroupNamePrefix: prefix } : {}), limit: 50, nextToken }),
            { abortSignal },
          ),
        ),
      );
      for (const g of page.logGroups) yield toLogGroup(g);
      nextToken = page.nextToken;
    } while (nextToken);
  }

  return {
    stats,
    listLogGroups,
    async findLogGroup(name) {
      for await (const g of listLogGroups(name)) if (g.name === name) return g;
      return undefined;
    },
    async filterEvents(req) {
      return call(
        "logs:FilterLogEvents",
        async (c, abortSignal) =>
          decodeFilterPage(
            await c.send(
              new FilterLogEventsCommand({
                logGroupName: req.logGroupName,
                startTime: req.startTime,
                endTime: req.endTime,
                ...(req.logStreamNames && req.logStreamNames.length > 0
                  ? { logStreamNames: [...req.logStreamNames] }
                  : {}),
                ...(req.filterPattern ? { filterPattern: req.filterPattern } : {}),
                ...(req.nextToken ? { nextToken: req.nextToken } : {}),
                ...(req.limit ? { limit: req.limit } : {}),
                // Ignored by AWS (always interleaved) but moto needs it to sort across streams.
                interleaved: true,
              }),
              { abortSignal },
            ),
          ),
        req.signal,
      );
    },
    close: () => {
      client.destroy();
      handler.destroy();
    },
  };
}
