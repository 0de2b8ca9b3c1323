/**
 * How long to wait before reconnect attempt `attempt` (0 for the first retry).
 *
 * Exponential with "equal jitter": half the capped delay is fixed, half
 * random. The fixed half keeps a crashed server from being hammered; the
 * random half spreads the clients of one restart so they do not all arrive
 * in the same second (and hit API Gateway's new-connection rate at once).
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export interface BackoffOptions {
  /** Delay cap of the first retry. @default 500 */
  readonly initialMs: number;
  /** No retry waits longer than this. @default 30_000 */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30_000 };

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const cap = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(cap / 2 + (random() * cap) / 2);
}
