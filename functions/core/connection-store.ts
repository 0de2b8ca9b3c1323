/**
 * The connection store port: where the chat keeps who is connected and which
 * rooms they are in. The DynamoDB implementation lives in `aws/`.
 */

/** A connection as `$connect` records it. */
export interface NewConnection {
  readonly connectionId: string;
  /** When API Gateway accepted the connection, in ms since the epoch (`requestContext.connectedAt`). */
  readonly connectedAt: number;
  /** When the rooms were joined, in ms since the epoch. */
  readonly joinedAt: number;
  /** The rooms the connection joins straight away. */
  readonly rooms: readonly string[];
  /**
   * When the store may forget the connection on its own, in seconds since the
   * epoch. `$disconnect` is best-effort, so every item must expire by itself.
   */
  readonly expiresAt: number;
}

/** What {@link ConnectionStore.removeConnection} found and deleted. */
export interface RemovedConnection {
  readonly connectionId: string;
  /** Whether the connection record itself existed (false for an unknown or already removed id). */
  readonly hadConnection: boolean;
  /** The rooms whose membership was deleted. */
  readonly rooms: readonly string[];
}

export interface ConnectionStore {
  /** Stores the connection and its memberships. */
  addConnection(connection: NewConnection): Promise<void>;
  /** Deletes the connection and every membership it has; removing an unknown id is not an error. */
  removeConnection(connectionId: string): Promise<RemovedConnection>;
  /**
   * The connection ids in a room, one page at a time as the store reads them,
   * so a broadcast can start sending before the last page arrives. It reads
   * only the room's members, never the whole store.
   */
  roomMembers(room: string): AsyncIterable<readonly string[]>;
}
