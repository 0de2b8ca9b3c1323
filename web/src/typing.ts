import type { Person } from "./people.ts";

/**
 * Typing indicators, both ways. Nothing about typing is stored or
 * guaranteed: a `typing: false` can be lost with a dropped connection, so
 * the receiving side also forgets a typist after a few seconds on its own.
 */

/** While keys keep coming, `typing: true` is re-sent this often (so late joiners and expired rosters catch up). */
export const TYPING_REFRESH_MS = 3_000;
/** `typing: false` goes out after this long without a key. */
export const TYPING_IDLE_MS = 3_000;
/** A typist not heard from for this long is no longer shown. */
export const TYPING_SHOWN_MS = 6_000;

/** The sending side: turns keystrokes into few `typingIndicator` actions. */
export class TypingSignal {
  private lastSentAt = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private room: string | undefined;

  constructor(private readonly send: (room: string, typing: boolean) => void) {}

  /** A key was pressed in `room`'s composer. */
  keystroke(room: string): void {
    if (this.room !== undefined && this.room !== room) this.stop();
    const now = Date.now();
    if (this.room === undefined || now - this.lastSentAt >= TYPING_REFRESH_MS) {
      this.room = room;
      this.lastSentAt = now;
      this.send(room, true);
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), TYPING_IDLE_MS);
  }

  /** The room changed or the keys stopped: tell the room. */
  stop(): void {
    const room = this.reset();
    if (room !== undefined) this.send(room, false);
  }

  /**
   * The message was sent. Receivers clear the typist on the message itself;
   * a separate `typing: false` would only race it (each action is its own
   * Lambda invocation, so frames to others can arrive in any order).
   */
  sent(): void {
    this.reset();
  }

  private reset(): string | undefined {
    clearTimeout(this.idleTimer);
    const room = this.room;
    this.room = undefined;
    this.lastSentAt = 0;
    return room;
  }
}

/**
 * A `typing: true` this soon after the same user's message is taken to have
 * been overtaken by it (the two are separate invocations and may arrive in
 * either order), not as new typing. Short, so someone who starts their next
 * message at once is still shown within a refresh.
 */
export const TYPING_AFTER_MESSAGE_GRACE_MS = 500;

/** The receiving side: who is typing in which room, by user id, each entry expiring on its own. */
export class TypingRoster {
  private readonly until = new Map<string, Map<string, { until: number; user: Person }>>();
  private readonly lastMessageAt = new Map<string, number>();

  update(room: string, user: Person, typing: boolean, now = Date.now()): void {
    const users = this.until.get(room) ?? new Map<string, { until: number; user: Person }>();
    const key = personKey(user);
    const spokeAt = this.lastMessageAt.get(`${room}\n${key}`);
    if (typing && (spokeAt === undefined || now - spokeAt >= TYPING_AFTER_MESSAGE_GRACE_MS)) users.set(key, { until: now + TYPING_SHOWN_MS, user });
    else users.delete(key);
    this.until.set(room, users);
  }

  /** `user` said something in `room`: they are done typing it. */
  spoke(room: string, user: Person, now = Date.now()): void {
    this.lastMessageAt.set(`${room}\n${personKey(user)}`, now);
    this.update(room, user, false, now);
  }

  /** Typists in `room`, in the order they started, each under the name they typed with last. */
  typists(room: string, now = Date.now()): Person[] {
    const users = this.until.get(room);
    if (users === undefined) return [];
    for (const [key, entry] of users) if (entry.until <= now) users.delete(key);
    return [...users.values()].map((entry) => entry.user);
  }

  /** When the next entry expires, so the view can refresh then. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const users of this.until.values()) for (const entry of users.values()) next = next === undefined ? entry.until : Math.min(next, entry.until);
    return next;
  }

  forgetRoom(room: string): void {
    this.until.delete(room);
  }
}

/** People are told apart by user id; a frame without one (an older server) by its name. */
function personKey(user: Person): string {
  return user.userId === "" ? `name:${user.name}` : user.userId;
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…". */
export function describeTypists(users: readonly string[]): string {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return `${users.length} people are typing…`;
}
