import type { ConnectionStore, RemovedConnection } from "./connection-store.ts";

/**
 * `$disconnect`: forgets the connection and all its memberships. Best-effort
 * on AWS, which is why every record also carries a TTL.
 */
export function disconnect(connectionId: string, dependencies: { readonly store: ConnectionStore }): Promise<RemovedConnection> {
  return dependencies.store.removeConnection(connectionId);
}
