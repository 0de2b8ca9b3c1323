import type { Clock } from "./clock.ts";
import type { ConnectionStore, NewConnection } from "./connection-store.ts";

export interface ConnectRequest {
  readonly connectionId: string;
  /** `requestContext.connectedAt`, ms since the epoch. */
  readonly connectedAt: number;
}

export interface ConnectSettings {
  /**
   * How long the records outlive a lost `$disconnect`. Longer than API
   * Gateway's 2-hour connection limit, so no live connection expires.
   */
  readonly connectionTtlSeconds: number;
  /** The room every new connection joins. */
  readonly room: string;
}

/** `$connect`: records the connection and its membership of the default room. */
export async function connect(
  request: ConnectRequest,
  dependencies: { readonly store: ConnectionStore; readonly clock: Clock },
  settings: ConnectSettings,
): Promise<NewConnection> {
  const now = dependencies.clock.now().getTime();
  const connection: NewConnection = {
    connectionId: request.connectionId,
    connectedAt: request.connectedAt,
    joinedAt: now,
    rooms: [settings.room],
    expiresAt: Math.floor(now / 1000) + settings.connectionTtlSeconds,
  };
  await dependencies.store.addConnection(connection);
  return connection;
}
