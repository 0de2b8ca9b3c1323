import type { Frame } from "../../contract/frames.ts";
import { deliver, type FanOutDependencies, type FanOutResult } from "./fan-out.ts";
import { MAX_DISPATCH_GENERATION, MAX_GENERATION, type DeliveryPiece, type DispatchPiece, type FanOutPiece } from "./fan-out-piece.ts";
import type { PieceInvoker } from "./piece-invoker.ts";
import type { ThrottleRetryPolicy } from "./throttle-retry.ts";

export interface FanOutPieceDependencies extends FanOutDependencies {
  readonly invoker: PieceInvoker;
}

export interface FanOutPieceSettings {
  /** Posts in flight at once. */
  readonly concurrency: number;
  /** Connection ids per page of the room, and so per delivery piece (`fan_out_shard_size`). */
  readonly shardSize: number;
  /**
   * When this invocation stops taking on work (ms since the epoch): a share
   * of its timeout, so no invocation runs near it. What is left is handed on.
   */
  readonly deadline: number;
  /** @default DEFAULT_THROTTLE_RETRY (its delays; the deadline bounds the attempts) */
  readonly throttleRetry?: ThrottleRetryPolicy;
}

/** What one piece did: a dispatcher invokes pieces, a delivery piece posts. */
export type FanOutPieceResult =
  | { readonly kind: "dispatch"; readonly pages: number; readonly piecesInvoked: number; readonly handedOn: boolean }
  | ({ readonly kind: "deliver"; readonly handedOn: number } & Omit<FanOutResult, "leftover">);

/** Pieces a dispatcher has in flight to Lambda at once while it reads the next page. */
const INVOKE_CONCURRENCY = 4;

/**
 * The fan-out function's core: serves one piece of a large room's broadcast
 * (see fan-out-piece.ts).
 *
 * A dispatcher reads the room from its cursor, one page of `shardSize` ids
 * at a time, and invokes one delivery piece per page while it reads the
 * next: the room is read once, and no piece reads it again. A delivery piece
 * posts to its ids until its deadline, retrying 429s with backoff and jitter
 * for as long as the deadline allows (5xx a few times, as any broadcast), and
 * hands whoever it did not serve to one more invocation: throttling slows a
 * broadcast down but never loses a recipient.
 *
 * A failure to hand work on is thrown, so Lambda retries the whole piece:
 * recipients already served get the frame again, and clients drop a frame
 * whose `id` they have shown (PROTOCOL.md).
 */
export async function serveFanOutPiece(piece: FanOutPiece, dependencies: FanOutPieceDependencies, settings: FanOutPieceSettings): Promise<FanOutPieceResult> {
  return piece.kind === "dispatch" ? dispatch(piece, dependencies, settings) : deliverPiece(piece, dependencies, settings);
}

async function dispatch(piece: DispatchPiece, dependencies: FanOutPieceDependencies, settings: FanOutPieceSettings): Promise<FanOutPieceResult> {
  const { store, clock, invoker, logger } = dependencies;
  const next = { fanOutId: piece.fanOutId, room: piece.room, frame: piece.frame, callback: piece.callback, generation: piece.generation + 1 };
  const inFlight = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  const invoke = async (ids: readonly string[]): Promise<void> => {
    while (inFlight.size >= INVOKE_CONCURRENCY) await Promise.race(inFlight);
    const call = invoker.invoke({ ...next, kind: "deliver", connectionIds: ids }).catch((error: unknown) => void (failure ??= { error }));
    inFlight.add(call);
    void call.finally(() => inFlight.delete(call));
  };
  let cursor: string | undefined = piece.cursor;
  let pages = 0;
  let piecesInvoked = 0;
  let handedOn = false;
  while (cursor !== undefined && failure === undefined) {
    if (clock.now().getTime() >= settings.deadline && piece.generation < MAX_DISPATCH_GENERATION) {
      // A room too large to read in one invocation's share: the next dispatcher reads on from here.
      await invoker.invoke({ ...next, kind: "dispatch", cursor });
      handedOn = true;
      break;
    }
    const page = await store.roomPage(piece.room, { limit: settings.shardSize, cursor });
    pages++;
    // A full last page still has a cursor: the page after it may be empty.
    if (page.connectionIds.length > 0) {
      await invoke(page.connectionIds);
      piecesInvoked++;
    }
    cursor = page.cursor;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure.error;
  const result = { kind: "dispatch" as const, pages, piecesInvoked, handedOn };
  logger.info("fan-out dispatched", { fanOutId: piece.fanOutId, room: piece.room, generation: piece.generation, ...result });
  return result;
}

async function deliverPiece(piece: DeliveryPiece, dependencies: FanOutPieceDependencies, settings: FanOutPieceSettings): Promise<FanOutPieceResult> {
  const { invoker, logger } = dependencies;
  const frame = JSON.parse(piece.frame) as Frame;
  const result = await deliver(
    { recipients: [piece.connectionIds.map((connectionId) => ({ connectionId }))], label: piece.room },
    frame,
    dependencies,
    { concurrency: settings.concurrency, deadline: settings.deadline, ...(settings.throttleRetry ? { throttleRetry: settings.throttleRetry } : {}) },
  );
  const { leftover, ...counts } = result;
  let failed = counts.failed;
  let handedOn = 0;
  if (leftover.length > 0) {
    if (piece.generation < MAX_GENERATION) {
      await invoker.invoke({ fanOutId: piece.fanOutId, room: piece.room, frame: piece.frame, callback: piece.callback, generation: piece.generation + 1, kind: "deliver", connectionIds: leftover });
      handedOn = leftover.length;
    } else {
      failed += leftover.length;
      logger.error("fan-out gave up: too many generations", { fanOutId: piece.fanOutId, room: piece.room, generation: piece.generation, recipients: leftover.length });
    }
  }
  const summary = { kind: "deliver" as const, ...counts, recipients: counts.recipients + (handedOn === 0 ? leftover.length : 0), failed, handedOn };
  logger.info("fan-out piece delivered", { fanOutId: piece.fanOutId, room: piece.room, generation: piece.generation, ...summary });
  return summary;
}
