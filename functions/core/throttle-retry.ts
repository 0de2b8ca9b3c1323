import { isThrottled } from "./send-failure.ts";

export interface ThrottleRetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** The backoff ceiling before the first retry; it doubles for each further retry. */
  readonly baseDelayMs: number;
  /** No single wait is longer than this. */
  readonly maxDelayMs: number;
}

/**
 * Small on purpose: a broadcast runs inside an API Gateway request that times
 * out at 29 s, so a throttled recipient may cost at most a few hundred ms.
 */
export const DEFAULT_THROTTLE_RETRY: ThrottleRetryPolicy = Object.freeze({ maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 800 });

/**
 * Runs `attempt`, retrying only when it fails with throttling, with capped
 * exponential backoff and full jitter (so throttled posts of one broadcast
 * do not all retry in the same instant). Other failures, and the last
 * throttling failure, are rethrown as they are.
 */
export async function retryWhenThrottled<T>(
  attempt: () => Promise<T>,
  policy: ThrottleRetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number = Math.random,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isThrottled(error) || attemptNumber >= policy.maxAttempts) {
        throw error;
      }
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}
