import type { Clock } from "./clock.ts";
import { NotMemberError, TooManyRoomsError } from "./client-errors.ts";
import { parseClientMessage } from "./client-message.ts";
import { UnknownConnectionError, type ConnectionStore, type RoomMember } from "./connection-store.ts";
import { fanOutToSmallRoom, type FanOutOptions } from "./fan-out.ts";
import type { AckFrame, JoinedFrame, LeftFrame, RoomUser, TypingFrame } from "../../contract/frames.ts";
import { roomKey } from "../../contract/rooms.ts";
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

export interface JoinRoomSettings extends RoomActionSettings {
  /** Rooms one connection may be in at once, the default room included. */
  readonly maxRoomsPerConnection: number;
  /** Users a `joined` answer lists at most (it fits one 32 KB frame). */
  readonly maxMemberNames: number;
  /** The room every connection joins on `$connect`: its name is always spelled as here. */
  readonly defaultRoom: string;
}

/**
 * `joinRoom`: adds the connection to the room and answers with the members'
 * names and user ids. The others hear a `joined` presence, unless the
 * connection was a member already (joining twice changes nothing). A room is
 * matched by its key (`Lobby` is `lobby`) and shown under its first spelling.
 * One room past `maxRoomsPerConnection` is `too_many_rooms`. In a room
 * larger than `fanOut.largeRoomSize` the answer lists only the members read
 * (one shard's worth), `userCount` counts memberships (a user with two
 * connections counts twice there), and nobody hears the join.
 */
export async function joinRoom(input: ActionInput, dependencies: RoomActionDependencies, settings: JoinRoomSettings): Promise<JoinedFrame> {
  const request = readRoomRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const { store, clock } = dependencies;
  const [connection, rooms] = await Promise.all([store.connection(input.connectionId), store.roomsOf(input.connectionId)]);
  if (connection === undefined) {
    throw new UnknownConnectionError(input.connectionId);
  }
  const key = roomKey(request.room);
  // Checked, then written: two joins racing each other may pass the limit by one each.
  if (!rooms.includes(key) && rooms.length >= settings.maxRoomsPerConnection) {
    throw new TooManyRoomsError(settings.maxRoomsPerConnection);
  }
  const { alreadyMember, roomName: room } = await store.joinRoom({
    connectionId: input.connectionId,
    // The default room's spelling is fixed: $connect put everyone in it under that name.
    room: key === roomKey(settings.defaultRoom) ? settings.defaultRoom : request.room,
    userName: connection.userName,
    userId: connection.userId,
    ...(connection.connectedAt === undefined ? {} : { connectedAt: connection.connectedAt }),
    joinedAt: clock.now().getTime(),
    // A membership never outlives its connection's records.
    expiresAt: connection.expiresAt,
  });
  // One read of the room serves both the answer and the presence broadcast. A room larger than
  // `largeRoomSize` is read no further than that (100,000 names would cost seconds of Lambda's CPU):
  // it lists the members read, counts the rest without reading them and hears no presence.
  const { largeRoomSize } = settings.fanOut;
  const members: RoomMember[] = [];
  let large = false;
  for await (const page of store.roomMembers(room)) {
    members.push(...page);
    if (largeRoomSize !== undefined && members.length > largeRoomSize) {
      large = true;
      break;
    }
  }
  if (!alreadyMember && !large) {
    await announcePresence(
      { room, user: connection.userName, userId: connection.userId, event: "joined", connectionId: input.connectionId, members },
      dependencies,
      settings.fanOut,
    );
  }
  // The room index is eventually consistent: the new membership may not be in it yet.
  const users = new Map<string, RoomUser>([[connection.userId, { name: connection.userName, userId: connection.userId }]]);
  for (const member of members) {
    if (member.userName === undefined || member.userId === undefined || users.has(member.userId)) continue;
    users.set(member.userId, { name: member.userName, userId: member.userId });
  }
  const listed = [...users.values()].sort((a, b) => byName(a.name, b.name) || (a.userId < b.userId ? -1 : 1)).slice(0, settings.maxMemberNames);
  const userCount = large ? Math.max(users.size, await store.roomSize(room)) : users.size;
  return { type: "joined", room, members: [...new Set(listed.map((user) => user.name))], users: listed, userCount };
}

/** `leaveRoom`: removes the connection from the room; the others hear a `left` presence. */
export async function leaveRoom(input: ActionInput, dependencies: RoomActionDependencies, settings: RoomActionSettings): Promise<LeftFrame> {
  const { room } = readRoomRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const left = await dependencies.store.leaveRoom(input.connectionId, room);
  if (left === undefined) {
    throw new NotMemberError(room);
  }
  await announcePresence({ room: left.roomName, user: left.userName, userId: left.userId, event: "left", connectionId: input.connectionId }, dependencies, settings.fanOut);
  return { type: "left", room: left.roomName };
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
  const frame: TypingFrame = { type: "typing", room: membership.roomName, user: membership.userName, userId: membership.userId, typing };
  const result = await fanOutToSmallRoom(room, frame, dependencies, { ...settings.fanOut, except: input.connectionId });
  dependencies.logger.debug("typing broadcast", { room, ...result });
  return { type: "ack", requestAction: "typingIndicator" };
}

function byName(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" });
}
