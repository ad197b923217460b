// Pacing of CloudWatch Logs requests: a token bucket shared by every request to one API, that
// slows down when the service throttles and recovers gradually, so throttles stay rare while the
// quota is used; the retry budget shared by all requests; the backoff between retries.

export interface RateLimiterOptions {
  /** Requests per second at most (the configured or regional quota). */
  readonly ratePerSecond: number;
  /** Bucket size: how many requests may start at once after idling. */
  readonly burst?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class RateLimiter {
  private readonly maxRate: number;
  private rate: number;
  private tokens: number;
  private readonly burst: number;
  private last: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Serializes waiters so tokens are handed out in arrival order. */
  private queue: Promise<void> = Promise.resolve();
  private throttles = 0;
  private lastSlowdown = Number.NEGATIVE_INFINITY;

  constructor(options: RateLimiterOptions) {
    this.maxRate = options.ratePerSecond;
    this.rate = options.ratePerSecond;
    this.burst = options.burst ?? Math.max(1, Math.ceil(options.ratePerSecond / 2));
    this.tokens = this.burst;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.last = this.now();
  }

  /** Resolves when a request may start. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.takeToken());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /**
   * The service throttled a request: slow down, at most once per second however many requests
   * were throttled meanwhile (they answer the same excess). A quota truly lower than configured
   * is found within seconds; throttles that slowing down does not cure (other callers sharing
   * the quota) are outweighed by the successes around them, so the rate stays near the maximum.
   */
  throttled(): void {
    this.throttles++;
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    const t = this.now();
    if (t - this.lastSlowdown < 1000) return;
    this.lastSlowdown = t;
    this.rate = Math.max(this.maxRate * 0.05, this.rate * 0.7);
  }

  /** A request succeeded: recover by 2% per success, towards the maximum rate. */
  succeeded(): void {
    if (this.rate < this.maxRate) this.rate = Math.min(this.maxRate, this.rate * 1.02);
  }

  currentRate(): number {
    return this.rate;
  }

  throttleCount(): number {
    return this.throttles;
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) / this.rate) * 1000));
    }
  }
}

/**
 * A retry allowance shared by all requests: failures spend it, successes earn it back, so a
 * flaky service is retried patiently while a broken one stops being hammered.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly capacity = 100) {
    this.tokens = capacity;
  }

  /** Spends `cost` if available; false means stop retrying. */
  trySpend(cost = 1): boolean {
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  earn(amount = 1): void {
    this.tokens = Math.min(this.capacity, this.tokens + amount);
  }

  remaining(): number {
    return this.tokens;
  }
}

/** Exponential backoff with full jitter: random in [0, min(cap, base * 2^attempt)). */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}
