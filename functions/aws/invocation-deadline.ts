/** The part of Lambda's context that tells how long the invocation has left. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/**
 * The share of an invocation's time a broadcast may use before handing the
 * rest on: well under half, so the posts already in flight, the hand-off and
 * the history write still finish far from the timeout.
 */
export const BROADCAST_TIME_SHARE = 0.4;

/** Used when the runtime gives no context (a handler called directly, as tests do): a 10 s timeout's share. */
const FALLBACK_REMAINING_MS = 10_000;

/** When a broadcast in this invocation stops taking on recipients, in ms since the epoch. */
export function invocationDeadline(context: Partial<RemainingTime> | undefined, now: number = Date.now()): number {
  const remaining = typeof context?.getRemainingTimeInMillis === "function" ? context.getRemainingTimeInMillis() : FALLBACK_REMAINING_MS;
  return now + Math.floor(BROADCAST_TIME_SHARE * remaining);
}
