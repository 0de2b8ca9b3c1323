/**
 * API Gateway's account-level request limit, as a token bucket: `perSecond`
 * tokens a second, holding at most `burst` (and starting full). The
 * @connections stand-in answers 429 LimitExceededException to a POST that
 * finds the bucket empty. Apart from stand-in.ts so the parent can name the
 * limit without starting a server.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export interface RateLimit {
  readonly perSecond: number;
  /** Tokens the bucket holds at most (and starts with). */
  readonly burst: number;
}

/** API Gateway's default account limit: 10,000 requests a second, bursts of 5,000. */
export const ACCOUNT_RATE_LIMIT: RateLimit = { perSecond: 10_000, burst: 5_000 };

export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.at = now;
  }

  /** Takes a token at `now` (ms); false when the bucket is empty. */
  take(now: number): boolean {
    this.tokens = Math.min(this.limit.burst, this.tokens + (Math.max(0, now - this.at) / 1000) * this.limit.perSecond);
    this.at = Math.max(this.at, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
