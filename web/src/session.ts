import { DEFAULT_ROOM } from "../../contract/routes.ts";

/**
 * What survives a reload of the tab: who signed in, their rooms and the room
 * on screen. In sessionStorage, so each tab can be a different user and
 * nothing outlives the tab; a pasted token is kept there for the same reason.
 */
export interface SavedSession {
  /** The name signed in with: what dev tokens and `?name=` ask for. */
  readonly name: string;
  /** The display name the server last gave (a rename changes it; the sign-in name stays). */
  readonly displayName?: string;
  /** The user's own user id, once the server said it; only for signed-in users, whose id is stable. */
  readonly userId?: string;
  /** A token given by hand (deployed APIs). Dev tokens are fetched per connection and never saved. */
  readonly token?: string;
  /** The WebSocket URL typed in the sign-in form, when the page did not know it. */
  readonly webSocketUrl?: string;
  readonly rooms: readonly string[];
  readonly activeRoom: string;
}

const KEY = "wsstack.chat.session.v1";

export class SessionStore {
  constructor(private readonly storage: Storage) {}

  load(): SavedSession | undefined {
    try {
      const value = JSON.parse(this.storage.getItem(KEY) ?? "null") as Partial<SavedSession> | null;
      if (value === null || typeof value.name !== "string" || !Array.isArray(value.rooms)) return undefined;
      const rooms = value.rooms.filter((room): room is string => typeof room === "string" && room !== "");
      return {
        name: value.name,
        displayName: typeof value.displayName === "string" ? value.displayName : undefined,
        userId: typeof value.userId === "string" ? value.userId : undefined,
        token: typeof value.token === "string" ? value.token : undefined,
        webSocketUrl: typeof value.webSocketUrl === "string" ? value.webSocketUrl : undefined,
        rooms,
        activeRoom: typeof value.activeRoom === "string" && rooms.includes(value.activeRoom) ? value.activeRoom : (rooms[0] ?? DEFAULT_ROOM),
      };
    } catch {
      // A corrupt entry (edited by hand, older format) only means signing in again.
      return undefined;
    }
  }

  save(session: SavedSession): void {
    this.storage.setItem(KEY, JSON.stringify(session));
  }

  clear(): void {
    this.storage.removeItem(KEY);
  }
}
