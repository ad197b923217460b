// The CloudWatch Logs port (domain/logs.ts) over the AWS SDK: DescribeLogGroups and
// FilterLogEvents requests, each attempt paced by a rate limiter and bounded by a deadline, retried
// as retry-policy.ts decides, with counts of what happened (ApiStats). The SDK client comes from
// sdk-client.ts, failures are classified by api-errors.ts, pages are read by page-decoder.ts.
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type DescribeLogGroupsCommandInput,
  type DescribeLogGroupsCommandOutput,
  FilterLogEventsCommand,
  type LogGroup as SdkLogGroup,
} from "@aws-sdk/client-cloudwatch-logs";
import { RateLimiter, RetryBudget } from "./rate-limit.js";
import { decodeFilterPage } from "./page-decoder.js";
import { LogsApiError, classifyError, deadlineError, endpointAnswered, pageToken } from "./api-errors.js";
import { DEFAULT_RETRY_LIMITS, NOTHING_YET, type RetryLimits, decideRetry } from "./retry-policy.js";
import { type Credentials, RenewableSdkClient } from "./sdk-client.js";
import type { Config } from "../config/config.js";
import { sharedConfigProfile } from "./credentials.js";
import {
  accountOfGroup,
  groupIdentifier,
  type LinkedAccounts,
  type LogGroup,
  type LogGroupSelection,
  type LogsApi,
  selects,
} from "../domain/logs.js";

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
  /** Overrides of DEFAULT_RETRY_LIMITS. */
  readonly retryLimits?: Partial<RetryLimits>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** For the backoff's jitter. */
  readonly random?: () => number;
}

export interface ApiStats {
  requests: number;
  throttles: number;
  retries: number;
  credentialRefreshes: number;
}

const sleepMs = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
  return { logGroups, nextToken: pageToken(nextToken, invalid) };
}

/**
 * `makeCredentials` is called again when the service says the credentials expired (an assumed
 * role revoked or expired early): a fresh client assumes the role again.
 */
export function createLogsApi(
  config: Config,
  makeCredentials: () => Credentials,
  options: LogsApiOptions,
): LogsApi & { readonly stats: ApiStats; otherEndpoint(): string | undefined } {
  const sleep = options.sleep ?? sleepMs;
  const random = options.random ?? Math.random;
  const sdk = new RenewableSdkClient({
    region: config.region,
    endpointUrl: config.endpointUrl,
    profile: sharedConfigProfile(config),
    maxSockets: options.maxSockets,
    makeCredentials,
  });
  const stats: ApiStats = { requests: 0, throttles: 0, retries: 0, credentialRefreshes: 0 };
  const budget = new RetryBudget(100);
  const limiters = {
    "logs:FilterLogEvents": new RateLimiter({ ratePerSecond: options.filterRequestsPerSecond }),
    "logs:DescribeLogGroups": new RateLimiter({ ratePerSecond: options.describeRequestsPerSecond }),
  };
  const limits: RetryLimits = { ...DEFAULT_RETRY_LIMITS, ...options.retryLimits };
  /** The endpoint has answered at least once: a later silence is a slow request, not a dead endpoint. */
  let answered = false;

  /**
   * One request, retried as retry-policy.ts decides. Each attempt has `requestTimeoutMs` for the
   * whole exchange, body included: the SDK's own request timeout stops at the headers, so a
   * response that stalls mid-body would otherwise hang the window forever.
   */
  async function call<T>(
    operation: keyof typeof limiters,
    send: (c: CloudWatchLogsClient, abortSignal: AbortSignal) => Promise<T>,
    signal?: AbortSignal,
    onSend?: () => void,
  ): Promise<T> {
    const limiter = limiters[operation];
    let tally = NOTHING_YET;
    for (;;) {
      signal?.throwIfAborted();
      await limiter.acquire();
      stats.requests++;
      onSend?.();
      const used = sdk.generation;
      const attempt = attemptDeadline(options.requestTimeoutMs, signal);
      try {
        const out = await Promise.race([send(sdk.client, attempt.signal), attempt.expired]);
        answered = true;
        limiter.succeeded();
        budget.earn(1);
        return out;
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        const e = attempt.timedOut()
          ? deadlineError(operation, options.requestTimeoutMs, answered, tally.faults + 1)
          : classifyError(err, operation);
        if (endpointAnswered(err)) answered = true;
        if (e.kind === "throttled") {
          // Pacing reacts to every throttle, whether or not this request is tried again.
          stats.throttles++;
          limiter.throttled();
        }
        const next = decideRetry(e, tally, budget.remaining(), limits, random);
        if (next.action === "give_up") throw next.error;
        tally = next.tally;
        if (next.action === "refresh_credentials") {
          if (sdk.renew(used)) stats.credentialRefreshes++;
          continue;
        }
        budget.trySpend(next.budgetCost);
        stats.retries++;
        await sleep(next.delayMs);
      } finally {
        attempt.clear();
      }
    }
  }

  function describe(input: DescribeLogGroupsCommandInput) {
    return call("logs:DescribeLogGroups", async (c, abortSignal) =>
      checkedGroupsPage(await c.send(new DescribeLogGroupsCommand(input), { abortSignal })),
    );
  }

  /** The caller's account (see LogsApi.ownAccount). */
  async function ownAccount(): Promise<string | undefined> {
    // Without includeLinkedAccounts every group listed is the caller's: one is enough.
    const first = (await describe({ limit: 1 })).logGroups[0];
    return first === undefined ? undefined : accountOfGroup(toLogGroup(first));
  }

  /**
   * Asked with logGroupNamePattern, AWS answers only each group's name, ARN and creation time. The
   * class (can FilterLogEvents read it?) and the retention (where its events start) come from one
   * more request naming those groups (at most 50: one page). Matched by ARN, so a group of another
   * account never takes the details of a same-named group of this one. A name resolves in the
   * caller's account only: with linked accounts a source account's group is named by its ARN (telling
   * the accounts apart takes `callerAccount`), and the request includes linked accounts.
   */
  async function withDetails(
    groups: SdkLogGroup[],
    linked: LinkedAccounts | undefined,
    callerAccount: () => Promise<string | undefined>,
  ): Promise<SdkLogGroup[]> {
    const partial = groups.filter((g) => g.logGroupClass === undefined);
    if (partial.length === 0) return groups;
    const key = (g: SdkLogGroup) => g.arn ?? g.logGroupName;
    const caller = linked ? await callerAccount() : undefined;
    const identifierOf = (g: SdkLogGroup): string => {
      const group = toLogGroup(g);
      const account = accountOfGroup(group);
      return linked && group.arn !== undefined && account !== caller ? groupIdentifier(group.arn) : group.name;
    };
    const page = await describe({
      logGroupIdentifiers: partial.map(identifierOf),
      ...(linked ? { includeLinkedAccounts: true } : {}),
    });
    const full = new Map(page.logGroups.map((g) => [key(g), g]));
    return groups.map((g) => full.get(key(g)) ?? g);
  }

  async function* listLogGroups(selection: LogGroupSelection = {}, linked?: LinkedAccounts): AsyncGenerator<LogGroup> {
    const { prefix, pattern } = selection;
    const scope = linked
      ? {
          includeLinkedAccounts: true,
          ...(linked.accountIdentifiers.length > 0 ? { accountIdentifiers: [...linked.accountIdentifiers] } : {}),
        }
      : {};
    // Asked at most once per listing, and only when a pattern's details name linked groups.
    let caller: Promise<string | undefined> | undefined;
    const callerAccount = () => (caller ??= ownAccount());
    let nextToken: string | undefined;
    do {
      const page = await describe({
        ...(prefix ? { logGroupNamePrefix: prefix } : {}),
        ...(pattern ? { logGroupNamePattern: pattern } : {}),
        ...scope,
        limit: 50,
        nextToken,
      });
      // A server that ignores a filter (moto ignores the pattern) must not widen the selection.
      const chosen = page.logGroups.filter((g) => selects(selection, g.logGroupName ?? ""));
      for (const g of pattern ? await withDetails(chosen, linked, callerAccount) : chosen) yield toLogGroup(g);
      nextToken = page.nextToken;
    } while (nextToken);
  }

  return {
    stats,
    listLogGroups,
    async findLogGroup(name) {
      for await (const g of listLogGroups({ prefix: name })) if (g.name === name) return g;
      return undefined;
    },
    ownAccount,
    otherEndpoint: () => sdk.otherEndpoint,
    async filterEvents(req) {
      return call(
        "logs:FilterLogEvents",
        async (c, abortSignal) =>
          decodeFilterPage(
            await c.send(
              new FilterLogEventsCommand({
                ...(req.logGroupIdentifier
                  ? { logGroupIdentifier: req.logGroupIdentifier }
                  : { logGroupName: req.logGroupName }),
                startTime: req.startTime,
                endTime: req.endTime,
                ...(req.logStreamNames && req.logStreamNames.length > 0
                  ? { logStreamNames: [...req.logStreamNames] }
                  : {}),
                ...(req.filterPattern ? { filterPattern: req.filterPattern } : {}),
                ...(req.nextToken ? { nextToken: req.nextToken } : {}),
                ...(req.limit ? { limit: req.limit } : {}),
                // Sent only when asked: without it no logs:Unmask permission is needed.
                ...(req.unmask ? { unmask: true } : {}),
                // Ignored by AWS (always interleaved) but moto needs it to sort across streams.
                interleaved: true,
              }),
              { abortSignal },
            ),
          ),
        req.signal,
        req.onSend,
      );
    },
    close: () => sdk.close(),
  };
}
