import type { Clock } from "./clock.ts";
import { RateLimitedError } from "./client-errors.ts";
import type { ConnectionStore } from "./connection-store.ts";

/** How many messages one connection may send. */
export interface MessageRate {
  readonly maxPerMinute: number;
}

/**
 * Counts a message against its connection's budget of `maxPerMinute` per
 * clock minute, and throws RateLimitedError past it. The count lives on the
 * connection's item (one conditional write per message), so every Lambda
 * container sees the same count; a fixed window lets a client send up to
 * twice the budget across a minute's boundary, which bounds the flood and
 * costs one write instead of a read and a write.
 */
export async function checkMessageRate(
  connectionId: string,
  dependencies: { readonly store: Pick<ConnectionStore, "countMessage">; readonly clock: Clock },
  rate: MessageRate,
): Promise<void> {
  const window = Math.floor(dependencies.clock.now().getTime() / 60_000);
  if (!(await dependencies.store.countMessage(connectionId, { window, limit: rate.maxPerMinute }))) {
    throw new RateLimitedError(rate.maxPerMinute);
  }
}
