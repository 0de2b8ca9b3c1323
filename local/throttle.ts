/**
 * Stage throttling as API Gateway applies it to a WebSocket API: one token
 * bucket per route key, holding at most `burstLimit` tokens and refilled at
 * `rateLimit` tokens per second; a `$connect` or a message takes one token,
 * and finds none when it is over the limit. A route's `route_settings` set its
 * bucket, the stage's `default_route_settings` every other route's; a route
 * with neither is not throttled (AWS's account-level limits are not modelled).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-protect.html
 */

export interface ThrottleLimits {
  /** Bucket size: how many requests may arrive at once. */
  readonly burstLimit: number;
  /** Tokens added per second (may be fractional). */
  readonly rateLimit: number;
}

export interface StageThrottleSettings {
  /** `default_route_settings`: every route without its own settings. */
  readonly defaultLimits?: ThrottleLimits;
  /** `route_settings`, by route key. */
  readonly routeLimits: ReadonlyMap<string, ThrottleLimits>;
}

/** A clock in milliseconds; only differences matter. */
export type Clock = () => number;

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly limits: ThrottleLimits,
    private readonly now: Clock,
  ) {
    this.tokens = Math.max(0, limits.burstLimit);
    this.last = now();
  }

  /** Takes one token; false when none is left (the request is throttled). */
  take(): boolean {
    const now = this.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(Math.max(0, this.limits.burstLimit), this.tokens + (elapsed / 1000) * Math.max(0, this.limits.rateLimit));
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class StageThrottle {
  private readonly buckets = new Map<string, TokenBucket | null>();

  constructor(
    private readonly settings: StageThrottleSettings,
    private readonly now: Clock = () => performance.now(),
  ) {}

  /** The limits a route key is held to, or undefined when it is not throttled. */
  limitsFor(routeKey: string): ThrottleLimits | undefined {
    return this.settings.routeLimits.get(routeKey) ?? this.settings.defaultLimits;
  }

  /** Takes a token from the route's bucket; false when the request is over the limit. */
  take(routeKey: string): boolean {
    let bucket = this.buckets.get(routeKey);
    if (bucket === undefined) {
      const limits = this.limitsFor(routeKey);
      bucket = limits === undefined ? null : new TokenBucket(limits, this.now);
      this.buckets.set(routeKey, bucket);
    }
    return bucket === null || bucket.take();
  }
}
