import type { RoomMember } from "./connection-store.ts";
import { deliver, fanOutToSmallRoom, type FanOutDependencies, type FanOutOptions, type FanOutResult, type LargeRoom } from "./fan-out.ts";
import type { PresenceFrame } from "../../contract/frames.ts";

export interface PresenceAnnouncement {
  readonly room: string;
  readonly user: string;
  readonly userId: string;
  readonly event: PresenceFrame["event"];
  /** The connection that joined or left: it is not told about itself. */
  readonly connectionId: string;
  /** The room's members when the caller has already read them; else the room is queried. */
  readonly members?: readonly RoomMember[];
}

/**
 * Tells a room's other members that someone joined or left. Best-effort: the
 * join, leave or disconnect it follows has already happened, so a failure is
 * logged and reported as undefined, never thrown. A room larger than
 * `options.largeRoomSize` hears nothing (see FanOutOptions).
 */
export async function announcePresence(
  announcement: PresenceAnnouncement,
  dependencies: FanOutDependencies,
  options: FanOutOptions,
): Promise<FanOutResult | LargeRoom | undefined> {
  const { room, user, userId, event, connectionId, members } = announcement;
  const frame: PresenceFrame = { type: "presence", room, user, userId, event };
  try {
    if (members === undefined) return await fanOutToSmallRoom(room, frame, dependencies, { ...options, except: connectionId });
    if (options.largeRoomSize !== undefined && members.length > options.largeRoomSize) return { largeRoom: true };
    return await deliver({ recipients: [members], except: connectionId, label: room }, frame, dependencies, options);
  } catch (error) {
    dependencies.logger.error("presence broadcast failed", { room, event, error });
    return undefined;
  }
}
