/**
 * The store ports: where the chat keeps who is connected, under which name,
 * in which rooms, and what was said. Rooms are passed by any spelling and
 * matched by their key (contract/rooms.ts `roomKey`). One DynamoDB table implements all three
 * (aws/dynamodb-connection-store.ts); use cases ask for the ones they use.
 *
 * Every record carries `expiresAt` (seconds since the epoch) after which the
 * store may forget it on its own: `$disconnect` is best-effort on AWS.
 */
import type { MessageFrame } from "../../contract/frames.ts";
import type { Identity } from "./identity.ts";

/** A connection as `$connect` records it. */
export interface NewConnection extends Identity {
  readonly connectionId: string;
  /** When API Gateway accepted the connection, in ms since the epoch (`requestContext.connectedAt`). */
  readonly connectedAt: number;
  /** When the rooms were joined, in ms since the epoch. */
  readonly joinedAt: number;
  /** The rooms the connection joins straight away, by the names they are shown under. */
  readonly rooms: readonly string[];
  readonly expiresAt: number;
}

/** A stored connection. */
export interface ConnectionRecord extends Identity {
  readonly connectionId: string;
  /** `requestContext.connectedAt`, ms since the epoch; undefined for records written before it was stored. */
  readonly connectedAt?: number;
  readonly expiresAt: number;
}

/** One connection's membership of one room. */
export interface Membership {
  readonly connectionId: string;
  /** The room's match key (contract/rooms.ts): what it is stored under. */
  readonly room: string;
  /** The room's name as every frame shows it: its first spelling. */
  readonly roomName: string;
  /** The member's display name, kept current by `setName`. */
  readonly userName: string;
  readonly userId: string;
}

/**
 * A membership to store. `room` is the room's name as the client spelled it:
 * the store matches it by its key and proposes it as the room's display
 * name (kept only if the room has none yet).
 */
export interface NewMembership extends Omit<Membership, "roomName"> {
  /**
   * When the connection was accepted (`requestContext.connectedAt`). Every
   * item of a connection carries it, so a prune can tell a connection still
   * inside `$connect` from a gone one whichever item it reads first.
   */
  readonly connectedAt?: number;
  readonly joinedAt: number;
  readonly expiresAt: number;
}

/** What {@link ConnectionStore.removeConnection} found and deleted. */
export interface RemovedConnection {
  readonly connectionId: string;
  /** Whether the connection record itself existed (false for an unknown or already removed id). */
  readonly hadConnection: boolean;
  /** The rooms whose membership was deleted. */
  readonly rooms: readonly string[];
  /** The name the connection had, when the store still knew it. */
  readonly userName?: string;
  /** Its user id, when the store still knew it. */
  readonly userId?: string;
  /** The display names of the rooms in `rooms`, in the same order. */
  readonly roomNames: readonly string[];
}

/** One open connection of a user, as listed under the user's name. */
export interface UserConnection {
  readonly connectionId: string;
  /** The name as the user displays it (the lookup ignores case). */
  readonly userName: string;
  readonly userId: string;
}

/** A room member as the room index lists it. */
export interface RoomMember {
  readonly connectionId: string;
  readonly userName?: string;
  /** Undefined for memberships stored before they carried it. */
  readonly userId?: string;
}

/** A page of a room's members: their connection ids, and where the next page starts. */
export interface RoomPage {
  readonly connectionIds: readonly string[];
  /** Absent on the room's last page. */
  readonly cursor?: string;
}

export interface ConnectionStore {
  /** Stores the connection, its memberships and its entry under its user name. */
  addConnection(connection: NewConnection): Promise<void>;
  /**
   * Deletes the connection, every membership and its entry under its user
   * name, and releases the name's claim when no other connection of the user
   * still uses it and it is not the user's bound name (a signed-in user's
   * name outlives their connections). Removing an unknown id is not an error.
   */
  removeConnection(connectionId: string): Promise<RemovedConnection>;
  /**
   * Removes the connection as {@link removeConnection} does, but only when it
   * was accepted before `connectedBefore` (ms since the epoch). API Gateway
   * answers 410 to posts to a connection whose `$connect` is still running,
   * so a 410 proves nothing about a younger connection: it is kept and
   * undefined is returned.
   */
  removeStaleConnection(connectionId: string, connectedBefore: number): Promise<RemovedConnection | undefined>;
  /** The stored connection, read consistently; undefined when unknown or removed. */
  connection(connectionId: string): Promise<ConnectionRecord | undefined>;
  /**
   * The room's members, one page at a time as the store reads them, so a
   * broadcast can start sending before the last page arrives. It reads only
   * the room's members, never the whole store.
   */
  roomMembers(room: string): AsyncIterable<readonly RoomMember[]>;
  /**
   * One page of the room's members' connection ids, at most `limit` of them,
   * from `cursor` (the previous page's). The cursor is opaque and absent on
   * the last page, so a large room's fan-out reads it once, page by page,
   * handing each page to a different invocation.
   */
  roomPage(room: string, page: { readonly limit: number; readonly cursor?: string }): Promise<RoomPage>;
  /** How many memberships the room has, counted by the store without reading them (for a large room's `userCount`). */
  roomSize(room: string): Promise<number>;
  /** The connection's membership of the room, read consistently; undefined when it is not a member. */
  membership(connectionId: string, room: string): Promise<Membership | undefined>;
  /**
   * Adds (or renews) a membership; says whether the connection was already a
   * member. The room's display name is the first spelling any join stored
   * (`membership.roomName` only proposes one); the stored one is returned.
   */
  joinRoom(membership: NewMembership): Promise<{ readonly alreadyMember: boolean; readonly roomName: string }>;
  /** The match keys of the rooms the connection is in, read consistently. */
  roomsOf(connectionId: string): Promise<readonly string[]>;
  /** Deletes a membership and returns it; undefined when the connection was not a member. */
  leaveRoom(connectionId: string, room: string): Promise<Membership | undefined>;
  /** The open connections whose user name is `userName` (case-insensitively), read consistently. */
  userConnections(userName: string): Promise<readonly UserConnection[]>;
  /**
   * Gives the connection a new display name everywhere it is stored (the
   * connection, its memberships, its entry under its name) and releases the
   * old name's claim when no other connection of the user still uses it.
   * Returns the previous name, or undefined for an unknown connection.
   */
  rename(connectionId: string, userName: string): Promise<{ readonly previousName: string } | undefined>;
  /**
   * The ids of the open connections of a user, read consistently: what
   * `$connect` counts against the per-user limit. Records whose TTL passed
   * are not listed.
   */
  identityConnections(userId: string, nowSeconds: number): Promise<readonly string[]>;
  /**
   * Counts one message against the connection's budget of `limit` per
   * fixed window `window` (any number that changes when a new window
   * starts, e.g. the minute). Says whether the message is within budget.
   */
  countMessage(connectionId: string, budget: { readonly window: number; readonly limit: number }): Promise<boolean>;
}

/** Who holds which display name, case-insensitively. */
export interface NameClaims {
  /**
   * Claims `name` for `userId`, or renews the user's own claim. Throws
   * NameTakenError when another user holds it and the claim has not expired
   * (`nowSeconds`).
   */
  claimName(claim: { readonly name: string; readonly userId: string; readonly expiresAt: number; readonly nowSeconds: number }): Promise<void>;
  /**
   * The name a signed-in user last chose or got (their binding), unless it
   * lapsed; what their next connection asks for.
   */
  boundName(userId: string, nowSeconds: number): Promise<string | undefined>;
  /** Records `name` as the user's bound name until `expiresAt`. */
  bindName(binding: { readonly userId: string; readonly name: string; readonly expiresAt: number }): Promise<void>;
}

/** A page of a room's messages. */
export interface MessagePage {
  /** Newest first. */
  readonly messages: readonly MessageFrame[];
  /** Where the next (older) page starts, or undefined when there is none. */
  readonly next?: MessagePosition;
}

/**
 * A message's place in its room's history (see message-order.ts). `seq` is
 * undefined only for messages stored before messages had one: their keys
 * have no `seq` part.
 */
export interface MessagePosition {
  readonly sentAt: string;
  readonly seq?: number;
  readonly id: string;
}

/** The rooms' message history. */
export interface MessageHistory {
  appendMessage(message: MessageFrame, expiresAt: number): Promise<void>;
  /**
   * Up to `limit` messages of the room sent before `before` (or the latest),
   * newest first, skipping expired ones the store has not deleted yet, and
   * no more than fit in `maxBytes` of JSON (always at least one).
   */
  recentMessages(room: string, options: { readonly before?: MessagePosition; readonly limit: number; readonly maxBytes?: number; readonly nowSeconds: number }): Promise<MessagePage>;
}

/**
 * A connection sent a message but has no record: its `$connect` could not
 * store it, or its TTL passed. A server fault, not the client's doing.
 */
export class UnknownConnectionError extends Error {
  constructor(readonly connectionId: string) {
    super(`The connection ${connectionId} has no record in the store.`);
    this.name = "UnknownConnectionError";
  }
}
