import type { ErrorFrame, Frame, HistoryFrame, JoinedFrame, MessageFrame, PrivateFrame } from "../../contract/frames.ts";
import { compareMessages } from "../../contract/message-order.ts";
import { DEFAULT_ROOM, MAX_FRAME_BYTES } from "../../contract/routes.ts";
import { TypingRoster, TypingSignal } from "./typing.ts";

/**
 * The chat protocol (functions/PROTOCOL.md) on the client side: it turns the
 * user's intents into actions, server frames into state, and re-establishes
 * the user's rooms on every new connection. It owns no socket and no DOM:
 * `send` goes to the connection, `changed` to the view.
 */

export interface RoomState {
  readonly name: string;
  /** Display names of the room's members, as last reported. */
  readonly members: Set<string>;
  /** Oldest first; merged by id, so a reload after a reconnect never duplicates. */
  messages: MessageFrame[];
  /** Cursor for "load older": undefined before the first page, null when there is nothing older. */
  older: string | null | undefined;
  /** Whether this connection has joined it (false while reconnecting). */
  joined: boolean;
  unread: number;
}

export interface DirectMessage {
  readonly from: string;
  readonly to: string;
  readonly message: string;
  readonly sentAt: string;
  readonly outgoing: boolean;
  /** Outgoing only: whether any of the recipient's connections got it. */
  readonly delivered?: boolean;
}

/** What changed, so the view redraws only that. */
export type ChatChange = "rooms" | "messages" | "members" | "typing" | "direct";

/** Something the user should read: an error frame's `message`, or a notice of our own. */
export interface Notice {
  readonly text: string;
  readonly kind: "error" | "info";
}

export interface ChatClientOptions {
  /** The user's display name (the server derives it from the token or `?name=`). */
  readonly me: string;
  /** Rooms to be in; the lobby is joined by the server on connect, and left again if absent here. */
  readonly rooms: readonly string[];
  readonly activeRoom: string;
  /** Sends one action; false when there is no open connection. */
  readonly send: (action: Record<string, unknown>) => boolean;
  readonly changed: (change: ChatChange) => void;
  readonly notify: (notice: Notice) => void;
  /** The rooms or the active room changed: persist them. */
  readonly roomsChanged: (rooms: readonly string[], activeRoom: string) => void;
  /**
   * The API's `max_message_bytes`: the largest action frame the page sends,
   * in UTF-8 bytes. Never above API Gateway's 32 KB frame, which would close
   * the connection. @default MAX_FRAME_BYTES
   */
  readonly maxMessageBytes?: number;
}

/**
 * API Gateway's own answers when an integration fails or times out, e.g.
 * `{"message": "Internal server error", "connectionId": …, "requestId": …}`: no `type`.
 */
interface GatewayErrorFrame {
  readonly message?: unknown;
}

/** Messages per history page. */
export const HISTORY_PAGE = 50;

export class ChatClient {
  readonly rooms = new Map<string, RoomState>();
  readonly direct: DirectMessage[] = [];
  readonly typing = new TypingRoster();
  activeRoom: string;
  /** Private messages sent and not yet answered, in order: the `sent` receipt carries no text. */
  private readonly pendingDirect: Array<{ to: string; message: string }> = [];
  /** Rooms whose "load older" request is in flight. */
  private readonly loadingOlder = new Set<string>();
  private readonly typingSignal: TypingSignal;
  /** The next message's `seq`: increasing, so the server orders our messages as we sent them. */
  private nextSeq = 1;

  constructor(private readonly options: ChatClientOptions) {
    for (const room of options.rooms) this.rooms.set(room, newRoom(room));
    if (this.rooms.size === 0) this.rooms.set(DEFAULT_ROOM, newRoom(DEFAULT_ROOM));
    this.activeRoom = this.rooms.has(options.activeRoom) ? options.activeRoom : this.rooms.keys().next().value!;
    this.typingSignal = new TypingSignal((room, typing) => void this.options.send({ action: "typingIndicator", room, typing }));
  }

  get me(): string {
    return this.options.me;
  }

  /**
   * A new connection is open. It is in the lobby only (or nowhere, after a
   * restart with empty tables): join every room again; each `joined` reply
   * then reloads that room's history.
   */
  connected(): void {
    for (const room of this.rooms.values()) {
      room.joined = false;
      room.members.clear();
      // A cursor from the last connection may name a history that is gone (a local restart); the first page brings a fresh one.
      room.older = undefined;
    }
    this.pendingDirect.length = 0;
    this.loadingOlder.clear();
    for (const room of this.rooms.keys()) this.options.send({ action: "joinRoom", room });
    if (!this.rooms.has(DEFAULT_ROOM)) this.options.send({ action: "leaveRoom", room: DEFAULT_ROOM });
    this.options.changed("rooms");
    this.options.changed("members");
  }

  disconnected(): void {
    for (const room of this.rooms.values()) room.joined = false;
    this.options.changed("rooms");
  }

  // ---- the user's intents ----

  join(room: string): void {
    const name = room.trim();
    if (name === "") return;
    if (!this.rooms.has(name)) this.rooms.set(name, newRoom(name));
    this.select(name);
    if (!this.options.send({ action: "joinRoom", room: name })) this.notReady("You will join when the connection is back.");
    this.persist();
    this.options.changed("rooms");
  }

  leave(room: string): void {
    if (!this.rooms.has(room)) return;
    this.rooms.delete(room);
    this.typing.forgetRoom(room);
    this.options.send({ action: "leaveRoom", room });
    if (this.activeRoom === room) this.activeRoom = this.rooms.keys().next().value ?? DEFAULT_ROOM;
    if (!this.rooms.has(this.activeRoom)) this.join(this.activeRoom);
    this.persist();
    this.options.changed("rooms");
    this.options.changed("messages");
    this.options.changed("members");
    this.options.changed("typing");
  }

  select(room: string): void {
    const state = this.rooms.get(room);
    if (state === undefined || this.activeRoom === room) return;
    this.typingSignal.stop();
    this.activeRoom = room;
    state.unread = 0;
    this.persist();
    for (const change of ["rooms", "messages", "members", "typing"] as const) this.options.changed(change);
  }

  /** Returns false when the message could not be sent (the view keeps the text). */
  say(text: string): boolean {
    if (text.trim() === "") return false;
    const action = { action: "onMessage", room: this.activeRoom, message: text, seq: this.nextSeq };
    if (!this.fits(action)) return false;
    this.typingSignal.sent();
    if (!this.options.send(action)) {
      this.notReady("Not connected: your message was not sent.");
      return false;
    }
    this.nextSeq += 1;
    return true;
  }

  /** The largest action frame this page sends, in UTF-8 bytes. */
  get maxFrameBytes(): number {
    return Math.min(this.options.maxMessageBytes ?? MAX_FRAME_BYTES, MAX_FRAME_BYTES);
  }

  /**
   * Whether the action's frame is within the limit. A bigger one would be
   * refused (`too_large`) or close the connection (over 32 KB), so it is not
   * sent and the user is told by how much it is over; the text stays.
   */
  private fits(action: Record<string, unknown>): boolean {
    const bytes = new TextEncoder().encode(JSON.stringify(action)).length;
    if (bytes <= this.maxFrameBytes) return true;
    this.options.notify({
      kind: "error",
      text: `Not sent: that message is ${formatBytes(bytes)} and the limit is ${formatBytes(this.maxFrameBytes)}. Shorten it or split it into several messages.`,
    });
    return false;
  }

  keystroke(): void {
    if (this.rooms.get(this.activeRoom)?.joined) this.typingSignal.keystroke(this.activeRoom);
  }

  whisper(to: string, text: string): boolean {
    if (to.trim() === "" || text.trim() === "") return false;
    const action = { action: "privateMessage", to: to.trim(), message: text };
    if (!this.fits(action)) return false;
    if (!this.options.send(action)) {
      this.notReady("Not connected: your direct message was not sent.");
      return false;
    }
    this.pendingDirect.push({ to: to.trim(), message: text });
    return true;
  }

  loadOlder(): void {
    const room = this.rooms.get(this.activeRoom);
    if (room === undefined || typeof room.older !== "string" || this.loadingOlder.has(room.name)) return;
    if (this.options.send({ action: "history", room: room.name, limit: HISTORY_PAGE, before: room.older })) this.loadingOlder.add(room.name);
  }

  // ---- frames from the server ----

  receive(text: string): void {
    let frame: Frame | { type: "pong" } | GatewayErrorFrame;
    try {
      frame = JSON.parse(text) as Frame | { type: "pong" } | GatewayErrorFrame;
    } catch {
      return; // The API only sends JSON; anything else is not ours to show.
    }
    if (!("type" in frame)) {
      if (typeof frame.message === "string") this.options.notify({ text: `The server could not handle that: ${frame.message}.`, kind: "error" });
      return;
    }
    switch (frame.type) {
      case "message":
        return this.onMessage(frame);
      case "joined":
        return this.onJoined(frame);
      case "left":
        return;
      case "history":
        return this.onHistory(frame);
      case "presence": {
        const room = this.rooms.get(frame.room);
        if (room === undefined) return;
        if (frame.event === "joined") room.members.add(frame.user);
        else room.members.delete(frame.user);
        this.typing.update(frame.room, frame.user, false);
        this.options.changed("members");
        return;
      }
      case "typing":
        if (!this.rooms.has(frame.room)) return;
        this.typing.update(frame.room, frame.user, frame.typing);
        return this.options.changed("typing");
      case "private":
        return this.onPrivate(frame);
      case "sent":
        if ("to" in frame) {
          const sent = this.pendingDirect.shift();
          this.direct.push({ from: this.me, to: frame.to, message: sent?.message ?? "", sentAt: new Date().toISOString(), outgoing: true, delivered: frame.delivered > 0 });
          this.options.changed("direct");
        }
        return;
      case "error":
        return this.onError(frame);
      case "ack":
      case "name":
      case "pong":
        return;
    }
  }

  private onMessage(frame: MessageFrame): void {
    const room = this.rooms.get(frame.room);
    if (room === undefined) return;
    mergeMessages(room, [frame]);
    this.typing.spoke(frame.room, frame.from);
    if (frame.room !== this.activeRoom) {
      room.unread += 1;
      this.options.changed("rooms");
    }
    this.options.changed("messages");
    this.options.changed("typing");
  }

  private onJoined(frame: JoinedFrame): void {
    let room = this.rooms.get(frame.room);
    if (room === undefined) {
      // Joined from another of our intents that raced a leave; keep the server and the list in step.
      room = newRoom(frame.room);
      this.rooms.set(frame.room, room);
      this.persist();
    }
    const firstJoin = !room.joined;
    room.joined = true;
    room.members.clear();
    for (const member of frame.members) room.members.add(member);
    // Each connection reloads the newest page: it may have missed messages while away.
    if (firstJoin) this.options.send({ action: "history", room: frame.room, limit: HISTORY_PAGE });
    this.options.changed("rooms");
    this.options.changed("members");
  }

  private onHistory(frame: HistoryFrame): void {
    const room = this.rooms.get(frame.room);
    if (room === undefined) return;
    const olderPage = this.loadingOlder.delete(frame.room);
    // Newest first on the wire; merged and kept oldest first.
    mergeMessages(room, frame.messages);
    if (olderPage || room.older === undefined) room.older = frame.next;
    this.options.changed("messages");
  }

  private onPrivate(frame: PrivateFrame): void {
    this.direct.push({ from: frame.from, to: frame.to, message: frame.message, sentAt: frame.sentAt, outgoing: false });
    this.options.changed("direct");
  }

  private onError(frame: ErrorFrame): void {
    if (frame.requestAction === "privateMessage") this.pendingDirect.shift();
    if (frame.requestAction === "history") {
      // A cursor from before a restart (or a room we are no longer in): start again from the newest page.
      for (const room of this.loadingOlder) this.rooms.get(room)!.older = null;
      this.loadingOlder.clear();
    }
    // Typing is best-effort: a refusal (e.g. just after a reconnect) is not worth a banner.
    if (frame.requestAction === "typingIndicator") return;
    this.options.notify({ text: frame.message, kind: "error" });
  }

  private notReady(text: string): void {
    this.options.notify({ text, kind: "info" });
  }

  private persist(): void {
    this.options.roomsChanged([...this.rooms.keys()], this.activeRoom);
  }
}

function newRoom(name: string): RoomState {
  return { name, members: new Set(), messages: [], older: undefined, joined: false, unread: 0 };
}

/** Merged by id (a frame delivered twice is shown once), placed by the server's order, not by arrival. */
function mergeMessages(room: RoomState, incoming: readonly MessageFrame[]): void {
  const byId = new Map(room.messages.map((message) => [message.id, message]));
  for (const message of incoming) byId.set(message.id, message);
  room.messages = [...byId.values()].sort(compareMessages);
}

function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${bytes} bytes` : `${(bytes / 1024).toFixed(1)} KB`;
}
