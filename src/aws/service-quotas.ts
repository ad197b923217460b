// Default CloudWatch Logs read quotas per account and region (requests per second), from the
// "CloudWatch Logs quotas" page. An account's Service Quotas console is the authority.

const FILTER_LOG_EVENTS_LOW = new Set([
  "eu-central-1",
  "ap-northeast-3",
  "ap-southeast-3",
  "ca-west-1",
  "il-central-1",
]);

export function filterLogEventsTps(region: string): number {
  if (region === "us-east-1") return 25;
  if (FILTER_LOG_EVENTS_LOW.has(region)) return 5;
  return 10;
}

export const DESCRIBE_LOG_GROUPS_TPS = 10;
