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
  /** How long a signed-in user's name stays theirs after they last used it. */
  readonly nameBindingSeconds: number;
  /**
   * Whether the API has an authorizer: then a connection without an
   * identity is refused, never let in as anonymous.
   */
  readonly authRequired: boolean;
  /** Open connections one signed-in user may hold. */
  readonly maxConnectionsPerUser: number;
  /** The room every new connection joins. */
  readonly room: string;
  readonly fanOut: FanOutOptions;
}

/**
 * Why `$connect` refused a connection: the handshake fails with `statusCode`
 * and nothing is stored. Not a client error frame: there is no connection
 * to send one on yet.
 */
export class ConnectionRefusedError extends Error {
  constructor(
    readonly statusCode: 403 | 429,
    readonly reason: string,
  ) {
    super(`Connection refused (${statusCode}): ${reason}`);
    this.name = "ConnectionRefusedError";
  }
}

// A taken guest name is retried with fresh random characters this many times.
const GUEST_NAME_ATTEMPTS = 5;

/**
 * `$connect`: settles the connection's identity, claims its name, records the
 * connection and its membership of the default room, and tells the room.
 *
 * Signed in, the name is the one bound to the user (the last they chose),
 * else the authorizer's; anonymous, the `name` query parameter. When that is
 * not valid or not free, a `guest-xxxx` name, so a connection is never
 * refused over its name and never takes another user's. A signed-in user's
 * name stays bound to them for `nameBindingSeconds` after this connection,
 * whether or not they stay connected.
 *
 * @throws ConnectionRefusedError with 403 when the API has an authorizer but
 *   the event carries no identity (fail closed), and with 429 when the user
 *   holds `maxConnectionsPerUser` connections already.
 */
export async function connect(request: ConnectRequest, dependencies: ConnectDependencies, settings: ConnectSettings): Promise<NewConnection> {
  const { store, clock, logger } = dependencies;
  const { authorized } = request;
  if (settings.authRequired && authorized === undefined) {
    throw new ConnectionRefusedError(403, "the API requires sign-in and the request carries no verified identity");
  }
  const now = clock.now().getTime();
  const nowSeconds = Math.floor(now / 1000);
  const expiresAt = nowSeconds + settings.connectionTtlSeconds;
  let userId: string;
  let wanted: string | undefined;
  let claimExpiresAt: number;
  if (authorized !== undefined) {
    userId = authorized.userId;
    // Read, then written by addConnection: sign-ins racing each other may pass the limit by the number in flight.
    const open = await store.identityConnections(userId, nowSeconds);
    if (open.length >= settings.maxConnectionsPerUser) {
      throw new ConnectionRefusedError(429, `the user holds ${open.length} connections, the most allowed`);
    }
    wanted = (await store.boundName(userId, nowSeconds)) ?? authorized.userName;
    claimExpiresAt = nowSeconds + settings.nameBindingSeconds;
  } else {
    userId = await anonymousUserId(request.connectionId);
    wanted = request.requestedName;
    claimExpiresAt = expiresAt;
  }
  const userName = await claimSomeName(isValidName(wanted) ? wanted : undefined, { userId, nowSeconds, wantedExpiresAt: claimExpiresAt, guestExpiresAt: expiresAt }, dependencies);
  if (wanted !== undefined && userName !== wanted) {
    logger.info("name unavailable, connected as a guest", { wanted, userName });
  }
  if (authorized !== undefined && userName === wanted) {
    // Renewed on every sign-in: the binding lapses only after nameBindingSeconds without one.
    await store.bindName({ userId, name: userName, expiresAt: claimExpiresAt });
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
  await announcePresence({ room: settings.room, user: userName, userId, event: "joined", connectionId: request.connectionId }, dependencies, settings.fanOut);
  return connection;
}

/** Claims `wanted`, else a guest name; a guest name is never bound, so its claim lasts as long as the connection's records. */
async function claimSomeName(
  wanted: string | undefined,
  claim: { readonly userId: string; readonly nowSeconds: number; readonly wantedExpiresAt: number; readonly guestExpiresAt: number },
  dependencies: ConnectDependencies,
): Promise<string> {
  const { userId, nowSeconds } = claim;
  const candidates = [
    ...(wanted === undefined ? [] : [{ name: wanted, expiresAt: claim.wantedExpiresAt }]),
    ...Array.from({ length: GUEST_NAME_ATTEMPTS }, () => ({ name: guestName(dependencies.random), expiresAt: claim.guestExpiresAt })),
  ];
  let lastError: unknown;
  for (const { name, expiresAt } of candidates) {
    try {
      await dependencies.store.claimName({ name, userId, expiresAt, nowSeconds });
      return name;
    } catch (error) {
      if (!(error instanceof NameTakenError)) throw error;
      lastError = error;
    }
  }
  throw new Error(`No free name after ${candidates.length} attempts.`, { cause: lastError });
}
