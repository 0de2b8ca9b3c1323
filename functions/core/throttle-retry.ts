import { isThrottled, isTransient } from "./send-failure.ts";

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
 * out at 29 s, so a recipient that keeps failing may cost at most a few
 * hundred ms (waits of at most 50 + 100 + 200 ms), and then counts as failed.
 */
export const DEFAULT_THROTTLE_RETRY: ThrottleRetryPolicy = Object.freeze({ maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 800 });

/**
 * Runs `attempt`, retrying only when it fails transiently (throttling, 429,
 * or a server fault, 5xx: see send-failure.ts), with capped exponential
 * backoff and full jitter (so the failed posts of one broadcast do not all
 * retry in the same instant). Other failures (410 Gone, 403, a timeout), and
 * the last transient failure, are rethrown as they are.
 *
 * A 5xx does not prove the post was not delivered, so a retry may deliver a
 * frame twice; clients drop repeats by the frame's `id`.
 */
export async function retryTransient<T>(
  attempt: () => Promise<T>,
  policy: ThrottleRetryPolicy,
  sleep: (ms: number) => Promise<void>,
  random: () => number = Math.random,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error) || attemptNumber >= policy.maxAttempts) {
        throw error;
      }
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      await sleep(Math.floor(random() * ceiling));
    }
  }
}

/** The next wait for a transient failure would end past the deadline: the caller hands the work on. */
export class OutOfTimeError extends Error {
  override readonly name = "OutOfTimeError";
  constructor(readonly lastError: unknown) {
    super("no time left for another attempt");
  }
}

/**
 * Like {@link retryTransient}, but throttling (429) is bounded by a deadline
 * instead of a number of attempts: it is retried with the policy's capped
 * exponential backoff and full jitter for as long as the wait ends before
 * `deadline` (ms since the epoch). When it would not, rejects with
 * OutOfTimeError, so a fan-out piece can give the recipient to the next
 * invocation instead of losing it: API Gateway's account rate slows a
 * broadcast down but never drops a member. A server fault (5xx) keeps the
 * policy's `maxAttempts`, so a recipient that always fails costs a few
 * hundred ms, not the piece's whole share. Other failures are rethrown.
 */
export async function retryTransientUntil<T>(
  attempt: () => Promise<T>,
  policy: ThrottleRetryPolicy,
  deadline: number,
  clock: { now(): Date; sleep(ms: number): Promise<void> },
  random: () => number = Math.random,
): Promise<T> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isTransient(error)) throw error;
      if (!isThrottled(error) && attemptNumber >= policy.maxAttempts) throw error;
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attemptNumber - 1, 30));
      const wait = Math.floor(random() * ceiling);
      if (clock.now().getTime() + wait >= deadline) throw new OutOfTimeError(error);
      await clock.sleep(wait);
    }
  }
}
