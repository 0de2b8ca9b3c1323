import type { RoomMember } from "./connection-store.ts";
import { deliver, type FanOutDependencies, type FanOutOptions, type FanOutResult } from "./fan-out.ts";
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
 * logged and reported as undefined, never thrown.
 */
export async function announcePresence(
  announcement: PresenceAnnouncement,
  dependencies: FanOutDependencies,
  options: FanOutOptions,
): Promise<FanOutResult | undefined> {
  const { room, user, userId, event, connectionId, members } = announcement;
  const frame: PresenceFrame = { type: "presence", room, user, userId, event };
  try {
    const recipients = members === undefined ? dependencies.store.roomMembers(room) : [members];
    return await deliver({ recipients, except: connectionId, label: room }, frame, dependencies, options);
  } catch (error) {
    dependencies.logger.error("presence broadcast failed", { room, event, error });
    return undefined;
  }
}
