import type { Clock } from "./clock.ts";
import type { ConnectionStore } from "./connection-store.ts";
import { forEachConcurrently } from "./for-each-concurrently.ts";
import type { Frame } from "./frames.ts";
import type { Logger } from "./logger.ts";
import { isGone } from "./send-failure.ts";
import type { Sender } from "./sender.ts";
import { DEFAULT_THROTTLE_RETRY, retryWhenThrottled, type ThrottleRetryPolicy } from "./throttle-retry.ts";

export interface FanOutDependencies {
  readonly store: ConnectionStore;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface FanOutOptions {
  /** Posts in flight at once. */
  readonly concurrency: number;
  /** @default DEFAULT_THROTTLE_RETRY */
  readonly throttleRetry?: ThrottleRetryPolicy;
}

/** What happened to each member of the room; `recipients = delivered + pruned + failed`. */
export interface FanOutResult {
  readonly recipients: number;
  readonly delivered: number;
  /** Members whose connection was gone (410) and whose records were deleted. */
  readonly pruned: number;
  /** Members whose post failed for another reason, or whose stale records could not be deleted. */
  readonly failed: number;
}

/**
 * Sends one frame to every member of a room.
 *
 * One recipient's failure never stops the others: a gone connection is pruned
 * from the store (it would otherwise be posted to until its TTL), throttling is
 * retried, and anything else is logged and counted.
 */
export async function fanOut(room: string, frame: Frame, dependencies: FanOutDependencies, options: FanOutOptions): Promise<FanOutResult> {
  const { store, sender, clock, logger } = dependencies;
  const retryPolicy = options.throttleRetry ?? DEFAULT_THROTTLE_RETRY;
  // Serialised once: every recipient gets the same bytes.
  const payload = new TextEncoder().encode(JSON.stringify(frame));
  let recipients = 0;
  let delivered = 0;
  let pruned = 0;
  let failed = 0;

  await forEachConcurrently(members(store.roomMembers(room)), options.concurrency, async (connectionId) => {
    recipients++;
    try {
      await retryWhenThrottled(() => sender.post(connectionId, payload), retryPolicy, clock.sleep);
      delivered++;
      return;
    } catch (error) {
      if (!isGone(error)) {
        failed++;
        logger.warn("post to connection failed", { room, recipient: connectionId, error });
        return;
      }
    }
    try {
      await store.removeConnection(connectionId);
      pruned++;
      logger.info("pruned stale connection", { room, recipient: connectionId });
    } catch (error) {
      failed++;
      logger.error("could not prune stale connection", { room, recipient: connectionId, error });
    }
  });

  return { recipients, delivered, pruned, failed };
}

async function* members(pages: AsyncIterable<readonly string[]>): AsyncGenerator<string> {
  for await (const page of pages) {
    yield* page;
  }
}
