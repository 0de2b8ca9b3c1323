import type { ConnectionStore, RemovedConnection } from "./connection-store.ts";
import type { FanOutDependencies, FanOutOptions } from "./fan-out.ts";
import { forEachConcurrently } from "./for-each-concurrently.ts";
import { announcePresence } from "./presence.ts";

/**
 * Rooms told about a disconnect at once. Each broadcast keeps its own posts
 * in flight already; a few rooms side by side keep `$disconnect` of a
 * connection in the most rooms allowed inside its timeout (docs/security.md).
 */
const ROOMS_AT_ONCE = 4;

/**
 * `$disconnect`: forgets the connection, its memberships and its name (a
 * signed-in user's bound name stays theirs), then tells each of its rooms
 * that it left, so a dropped connection looks the same to the others as a
 * `leaveRoom`. Best-effort on AWS, which is why every record also carries a
 * TTL.
 */
export async function disconnect(
  connectionId: string,
  dependencies: FanOutDependencies & { readonly store: ConnectionStore },
  settings: { readonly fanOut: FanOutOptions },
): Promise<RemovedConnection> {
  const removed = await dependencies.store.removeConnection(connectionId);
  const { userName: user, userId } = removed;
  if (user !== undefined && userId !== undefined) {
    // announcePresence never throws: one room's failure is logged and the others are still told.
    await forEachConcurrently(inOrder(removed.roomNames), ROOMS_AT_ONCE, async (room) => {
      await announcePresence({ room, user, userId, event: "left", connectionId }, dependencies, settings.fanOut);
    });
  }
  return removed;
}

async function* inOrder<T>(items: readonly T[]): AsyncIterable<T> {
  yield* items;
}
