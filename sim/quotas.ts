// Default request rates from the CloudWatch Logs quota table (docs: cloudwatch-logs-api.md),
// and a token bucket that enforces them.
import type { ApiName } from "./model.js";

const FILTER_5 = ["eu-central-1", "ap-northeast-3", "ap-southeast-3", "ca-west-1", "il-central-1"];
const GET_10 = [
  "us-west-2",
  "eu-west-1",
  "eu-central-1",
  "ap-northeast-3",
  "ap-southeast-3",
  "ca-west-1",
  "il-central-1",
];

export function defaultQuotas(region: string): Record<ApiName, number | null> {
  return {
    FilterLogEvents: region === "us-east-1" ? 25 : FILTER_5.includes(region) ? 5 : 10,
    GetLogEvents: region === "eu-west-3" ? 30 : GET_10.includes(region) ? 10 : 25,
    DescribeLogGroups: 10,
    DescribeLogStreams: 25,
    // Seeding APIs are unlimited by default so tests can seed quickly (AWS: 5, 50, 5, 5000 TPS);
    // a scenario may set them.
    CreateLogGroup: null,
    CreateLogStream: null,
    DeleteLogGroup: null,
    PutLogEvents: null,
    AssumeRole: null, // an STS quota, not a Logs one; not modelled
  };
}

/** Bucket of `rate` tokens refilled continuously; capacity one second's worth (AWS allows small bursts). */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly rate: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = rate;
    this.last = clock();
  }
  tryTake(): boolean {
    const t = this.clock();
    this.tokens = Math.min(this.rate, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
