import type { ConnectionStore, RemovedConnection } from "./connection-store.ts";
import type { FanOutDependencies, FanOutOptions } from "./fan-out.ts";
import { announcePresence } from "./presence.ts";

/**
 * `$disconnect`: forgets the connection, its memberships and its name, then
 * tells each of its rooms that it left, so a dropped connection looks the
 * same to the others as a `leaveRoom`. Best-effort on AWS, which is why every
 * record also carries a TTL.
 */
export async function disconnect(
  connectionId: string,
  dependencies: FanOutDependencies & { readonly store: ConnectionStore },
  settings: { readonly fanOut: FanOutOptions },
): Promise<RemovedConnection> {
  const removed = await dependencies.store.removeConnection(connectionId);
  const user = removed.userName;
  if (user !== undefined) {
    // One room after another: a connection is in a few rooms, and each broadcast is concurrent already.
    for (const room of removed.rooms) {
      await announcePresence({ room, user, event: "left", connectionId }, dependencies, settings.fanOut);
    }
  }
  return removed;
}
