import type { Clock } from "./clock.ts";
import type { ConnectionStore, RoomMember } from "./connection-store.ts";
import { forEachConcurrently } from "./for-each-concurrently.ts";
import type { Frame } from "../../contract/frames.ts";
import type { Logger } from "./logger.ts";
import { isGone } from "./send-failure.ts";
import type { Sender } from "./sender.ts";
import { DEFAULT_THROTTLE_RETRY, OutOfTimeError, retryTransient, retryTransientUntil, type ThrottleRetryPolicy } from "./throttle-retry.ts";

export interface FanOutDependencies {
  readonly store: Pick<ConnectionStore, "roomMembers" | "roomPage" | "removeStaleConnection">;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface FanOutOptions {
  /** Posts in flight at once. */
  readonly concurrency: number;
  /** @default DEFAULT_THROTTLE_RETRY */
  readonly throttleRetry?: ThrottleRetryPolicy;
  /**
   * When set (ms since the epoch), throttling loses nobody: no recipient is
   * started after it, and throttled posts (429) are retried (backoff and
   * jitter as `throttleRetry`, any number of attempts) for as long as the
   * wait ends before it. Recipients not served by then come back in
   * `leftover`, for another invocation to serve. A 5xx keeps
   * `throttleRetry.maxAttempts`. Without a deadline a recipient that keeps
   * failing after `throttleRetry.maxAttempts` counts as failed.
   */
  readonly deadline?: number;
  /**
   * Rooms with more members than this get nothing from {@link fanOut}: a
   * presence or typing frame is not worth a large room's fan-out (100,000
   * posts per join). `fan_out_shard_size`; unbounded when absent.
   */
  readonly largeRoomSize?: number;
}

/** What happened to each recipient; `recipients = delivered + pruned + connecting + failed` (and `leftover` were not served). */
export interface FanOutResult {
  readonly recipients: number;
  readonly delivered: number;
  /** Recipients whose connection was gone (410) and whose records were deleted. */
  readonly pruned: number;
  /**
   * Recipients that answered 410 while their `$connect` may still be running
   * (accepted less than {@link CONNECT_WINDOW_MS} ago): not open yet, so they
   * miss this frame, and their records are kept.
   */
  readonly connecting: number;
  /** Recipients whose post failed for another reason, or whose stale records could not be deleted. */
  readonly failed: number;
  /** With a `deadline`: recipients not served before it (not started, or still throttled), not counted above. */
  readonly leftover: readonly string[];
}

/** Which connections a frame goes to, and which of them to skip. */
export interface Audience {
  /** Pages of recipients, e.g. a room's members as the store reads them. */
  readonly recipients: AsyncIterable<readonly RoomMember[]> | Iterable<readonly RoomMember[]>;
  /** Skipped even when listed, e.g. the sender of a typing indicator. */
  readonly except?: string;
  /** Names the audience in logs, e.g. the room. */
  readonly label: string;
}

/**
 * How long after `requestContext.connectedAt` a connection may still be inside
 * `$connect`: API Gateway's integration timeout (at most 29 s) plus a second
 * of clock skew. Until then a 410 does not prove the connection is gone
 * (API Gateway answers 410 to posts made before a connection is established).
 */
export const CONNECT_WINDOW_MS = 30_000;

/**
 * Sends one frame to every member of a room (but `except`).
 *
 * One recipient's failure never stops the others: a gone connection is pruned
 * from the store (it would otherwise be posted to until its TTL), throttling is
 * retried, and anything else is logged and counted.
 */
export function fanOut(room: string, frame: Frame, dependencies: FanOutDependencies, options: FanOutOptions & { readonly except?: string }): Promise<FanOutResult> {
  return deliver({ recipients: dependencies.store.roomMembers(room), except: options.except, label: room }, frame, dependencies, options);
}

/**
 * {@link fanOut} for frames a large room does without (presence, typing):
 * a room with more than `options.largeRoomSize` members gets nothing, found
 * out from one page of the room; without the option every room is served.
 */
export async function fanOutToSmallRoom(room: string, frame: Frame, dependencies: FanOutDependencies, options: FanOutOptions & { readonly except?: string }): Promise<FanOutResult | LargeRoom> {
  if (options.largeRoomSize === undefined) return fanOut(room, frame, dependencies, options);
  // One more than the limit: DynamoDB gives a cursor whenever a page is full, even when nothing follows.
  const page = await dependencies.store.roomPage(room, { limit: options.largeRoomSize + 1 });
  if (page.connectionIds.length > options.largeRoomSize) return LARGE_ROOM;
  return deliver({ recipients: [page.connectionIds.map((connectionId) => ({ connectionId }))], except: options.except, label: room }, frame, dependencies, options);
}

/** What {@link fanOut} answers for a room larger than `largeRoomSize`: nothing was sent. */
export interface LargeRoom {
  readonly largeRoom: true;
}

const LARGE_ROOM: LargeRoom = Object.freeze({ largeRoom: true });

/** Sends one frame to every recipient of an audience, as {@link fanOut} does for a room. */
export async function deliver(audience: Audience, frame: Frame, dependencies: FanOutDependencies, options: FanOutOptions): Promise<FanOutResult> {
  const { store, sender, clock, logger } = dependencies;
  const retryPolicy = options.throttleRetry ?? DEFAULT_THROTTLE_RETRY;
  // Serialised once: every recipient gets the same bytes.
  const payload = new TextEncoder().encode(JSON.stringify(frame));
  const room = audience.label;
  let recipients = 0;
  let delivered = 0;
  let pruned = 0;
  let connecting = 0;
  let failed = 0;
  const leftover: string[] = [];
  const deadline = options.deadline;
  const post = (connectionId: string): Promise<void> =>
    deadline === undefined
      ? retryTransient(() => sender.post(connectionId, payload), retryPolicy, clock.sleep)
      : retryTransientUntil(() => sender.post(connectionId, payload), retryPolicy, deadline, clock);

  // Pruning takes a few store round trips; it runs beside the sends (a few
  // at a time) rather than in a send slot, so a stale id does not stall the
  // recipients behind it. The broadcast still waits for every prune.
  const prunes: Promise<void>[] = [];
  const pruneSlot = limiter(Math.max(1, Math.min(PRUNE_CONCURRENCY, Math.floor(options.concurrency))));
  const prune = async (connectionId: string): Promise<void> => {
    try {
      const removed = await pruneSlot(() => store.removeStaleConnection(connectionId, clock.now().getTime() - CONNECT_WINDOW_MS));
      if (removed === undefined) {
        connecting++;
        logger.debug("410 from a connection still connecting: kept", { room, recipient: connectionId });
      } else {
        pruned++;
        logger.info("pruned stale connection", { room, recipient: connectionId });
      }
    } catch (error) {
      failed++;
      logger.error("could not prune stale connection", { room, recipient: connectionId, error });
    }
  };

  try {
    await forEachConcurrently(connectionIds(audience), options.concurrency, async (connectionId) => {
      if (deadline !== undefined && clock.now().getTime() >= deadline) {
        leftover.push(connectionId);
        return;
      }
      recipients++;
      try {
        await post(connectionId);
        delivered++;
      } catch (error) {
        if (error instanceof OutOfTimeError) {
          recipients--;
          leftover.push(connectionId);
        } else if (isGone(error)) {
          prunes.push(prune(connectionId));
        } else {
          failed++;
          logger.warn("post to connection failed", { room, recipient: connectionId, error });
        }
      }
    });
  } finally {
    await Promise.all(prunes);
  }

  return { recipients, delivered, pruned, connecting, failed, leftover };
}

/** Prunes in flight at once: each is a few store calls, and 2% gone is typical. */
const PRUNE_CONCURRENCY = 8;

/** Runs tasks with at most `slots` of them in flight, in the order they were asked for. */
function limiter(slots: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finished task hands its slot straight to the next waiting one.
    if (running < slots) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

async function* connectionIds(audience: Audience): AsyncGenerator<string> {
  for await (const page of audience.recipients) {
    for (const member of page) {
      if (member.connectionId !== audience.except) yield member.connectionId;
    }
  }
}
