import type { Clock } from "./clock.ts";
import { NotMemberError } from "./client-errors.ts";
import { parseClientMessage } from "./client-message.ts";
import { UnknownConnectionError, type ConnectionStore, type RoomMember } from "./connection-store.ts";
import { fanOut, type FanOutOptions } from "./fan-out.ts";
import type { AckFrame, JoinedFrame, LeftFrame, TypingFrame } from "../../contract/frames.ts";
import type { Logger } from "./logger.ts";
import { announcePresence } from "./presence.ts";
import { readRoomRequest, readTypingRequest } from "./requests.ts";
import type { Sender } from "./sender.ts";

/** What a client sent: its connection and the raw MESSAGE body. */
export interface ActionInput {
  readonly connectionId: string;
  readonly body: string | undefined;
}

export interface RoomActionDependencies {
  readonly store: ConnectionStore;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RoomActionSettings {
  readonly maxMessageBytes: number;
  readonly fanOut: FanOutOptions;
}

/**
 * The most names a `joined` answer lists: 500 names of at most 32 characters
 * stay well inside API Gateway's 32 KB frame, which a larger room would break.
 */
export const MAX_MEMBER_NAMES = 500;

/**
 * `joinRoom`: adds the connection to the room and answers with the members'
 * names. The others hear a `joined` presence, unless the connection was a
 * member already (joining twice changes nothing).
 */
export async function joinRoom(input: ActionInput, dependencies: RoomActionDependencies, settings: RoomActionSettings): Promise<JoinedFrame> {
  const { room } = readRoomRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const { store, clock } = dependencies;
  const connection = await store.connection(input.connectionId);
  if (connection === undefined) {
    throw new UnknownConnectionError(input.connectionId);
  }
  const { alreadyMember } = await store.joinRoom({
    connectionId: input.connectionId,
    room,
    userName: connection.userName,
    ...(connection.connectedAt === undefined ? {} : { connectedAt: connection.connectedAt }),
    joinedAt: clock.now().getTime(),
    // A membership never outlives its connection's records.
    expiresAt: connection.expiresAt,
  });
  // One read of the room serves both the answer and the presence broadcast.
  const members: RoomMember[] = [];
  for await (const page of store.roomMembers(room)) members.push(...page);
  if (!alreadyMember) {
    await announcePresence({ room, user: connection.userName, event: "joined", connectionId: input.connectionId, members }, dependencies, settings.fanOut);
  }
  // The room index is eventually consistent: the new membership may not be in it yet.
  const names = new Set([connection.userName, ...members.flatMap((member) => (member.userName === undefined ? [] : [member.userName]))]);
  return { type: "joined", room, members: [...names].sort(byName).slice(0, MAX_MEMBER_NAMES) };
}

/** `leaveRoom`: removes the connection from the room; the others hear a `left` presence. */
export async function leaveRoom(input: ActionInput, dependencies: RoomActionDependencies, settings: RoomActionSettings): Promise<LeftFrame> {
  const { room } = readRoomRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const left = await dependencies.store.leaveRoom(input.connectionId, room);
  if (left === undefined) {
    throw new NotMemberError(room);
  }
  await announcePresence({ room, user: left.userName, event: "left", connectionId: input.connectionId }, dependencies, settings.fanOut);
  return { type: "left", room };
}

/**
 * `typingIndicator`: tells the room's other members that the sender started
 * or stopped typing. Nothing is stored: a typing state is stale in seconds.
 */
export async function typingIndicator(
  input: ActionInput,
  dependencies: RoomActionDependencies,
  settings: RoomActionSettings,
): Promise<AckFrame> {
  const { room, typing } = readTypingRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const membership = await dependencies.store.membership(input.connectionId, room);
  if (membership === undefined) {
    throw new NotMemberError(room);
  }
  const frame: TypingFrame = { type: "typing", room, user: membership.userName, typing };
  const result = await fanOut(room, frame, dependencies, { ...settings.fanOut, except: input.connectionId });
  dependencies.logger.debug("typing broadcast", { room, ...result });
  return { type: "ack", requestAction: "typingIndicator" };
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" });
}
