import type { Clock } from "./clock.ts";
import { NameTakenError } from "./client-errors.ts";
import type { ConnectionStore, NameClaims, NewConnection } from "./connection-store.ts";
import type { FanOutOptions } from "./fan-out.ts";
import { anonymousUserId, guestName, isValidName, type Identity } from "./identity.ts";
import type { Logger } from "./logger.ts";
import { announcePresence } from "./presence.ts";
import type { Random } from "./random.ts";
import type { Sender } from "./sender.ts";

export interface ConnectRequest {
  readonly connectionId: string;
  /** `requestContext.connectedAt`, ms since the epoch. */
  readonly connectedAt: number;
  /** Who the authorizer says this is; absent when the API has no authorizer. */
  readonly authorized?: Identity;
  /** The `name` query parameter, used only without an authorizer. */
  readonly requestedName?: string;
}

export interface ConnectDependencies {
  readonly store: ConnectionStore & NameClaims;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
}

export interface ConnectSettings {
  /**
   * How long the records outlive a lost `$disconnect`. Longer than API
   * Gateway's 2-hour connection limit, so no live connection expires.
   */
  readonly connectionTtlSeconds: number;
  /** The room every new connection joins. */
  readonly room: string;
  readonly fanOut: FanOutOptions;
}

// A taken guest name is retried with fresh random characters this many times.
const GUEST_NAME_ATTEMPTS = 5;

/**
 * `$connect`: settles the connection's identity, claims its name, records the
 * connection and its membership of the default room, and tells the room.
 *
 * The name is the authorizer's (signed in) or the `name` query parameter
 * (anonymous) when valid and free; otherwise a `guest-xxxx` name, so a
 * connection is never refused over its name and never takes another user's.
 */
export async function connect(request: ConnectRequest, dependencies: ConnectDependencies, settings: ConnectSettings): Promise<NewConnection> {
  const { store, clock, logger } = dependencies;
  const now = clock.now().getTime();
  const expiresAt = Math.floor(now / 1000) + settings.connectionTtlSeconds;
  const userId = request.authorized?.userId ?? anonymousUserId(request.connectionId);
  const wanted = request.authorized?.userName ?? request.requestedName;
  const userName = await claimSomeName(isValidName(wanted) ? wanted : undefined, { userId, expiresAt, nowSeconds: Math.floor(now / 1000) }, dependencies);
  if (wanted !== undefined && userName !== wanted) {
    logger.info("name unavailable, connected as a guest", { wanted, userName });
  }
  const connection: NewConnection = {
    connectionId: request.connectionId,
    userId,
    userName,
    connectedAt: request.connectedAt,
    joinedAt: now,
    rooms: [settings.room],
    expiresAt,
  };
  await store.addConnection(connection);
  // Posting to its own id from $connect would answer 410 (the connection is
  // not open yet) and get it pruned; the presence skips it.
  await announcePresence({ room: settings.room, user: userName, event: "joined", connectionId: request.connectionId }, dependencies, settings.fanOut);
  return connection;
}

async function claimSomeName(
  wanted: string | undefined,
  claim: { readonly userId: string; readonly expiresAt: number; readonly nowSeconds: number },
  dependencies: ConnectDependencies,
): Promise<string> {
  const candidates = [...(wanted === undefined ? [] : [wanted]), ...Array.from({ length: GUEST_NAME_ATTEMPTS }, () => guestName(dependencies.random))];
  let lastError: unknown;
  for (const name of candidates) {
    try {
      await dependencies.store.claimName({ name, ...claim });
      return name;
    } catch (error) {
      if (!(error instanceof NameTakenError)) throw error;
      lastError = error;
    }
  }
  throw new Error(`No free name after ${candidates.length} attempts.`, { cause: lastError });
}
