import type { ErrorFrame, Frame, HistoryFrame, JoinedFrame, MessageFrame, NameFrame, PresenceFrame, PrivateFrame, PrivateSentFrame, SentFrame } from "../../contract/frames.ts";
import { compareMessages } from "../../contract/message-order.ts";
import { isValidName, NAME_RULES } from "../../contract/names.ts";
import { parseRoomName, ROOM_NAME_RULES, roomKey } from "../../contract/rooms.ts";
import { DEFAULT_ROOM, MAX_FRAME_BYTES } from "../../contract/routes.ts";
import { People, type Person } from "./people.ts";
import { TypingRoster, TypingSignal } from "./typing.ts";

/**
 * The chat protocol (functions/PROTOCOL.md) on the client side: it turns the
 * user's intents into actions, server frames into state, and re-establishes
 * the user's rooms on every new connection. It owns no socket and no DOM:
 * `send` goes to the connection, `changed` to the view.
 *
 * People are told apart by user id, never by name (see people.ts): every
 * frame that names someone carries their id, and the page's own id decides
 * which messages are "you".
 */

export interface RoomState {
  /** What the room is matched by (contract/rooms.ts `roomKey`): `Lobby` and `lobby` are one room. */
  readonly key: string;
  /** The room's name as the server spells it (the first spelling anyone used), or as typed until the server answers. */
  name: string;
  /** The room's users by user id (by `name:<name>` from a server without ids), as last reported. */
  readonly users: Map<string, Person>;
  /** How many users the server counts in the room: more than `users` holds when the room is large. */
  userCount: number;
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
  readonly fromId: string;
  readonly to: string;
  readonly toId: string;
  readonly message: string;
  readonly sentAt: string;
  readonly outgoing: boolean;
  /** Outgoing only: whether any of the recipient's connections got it. */
  readonly delivered?: boolean;
}

/** What changed, so the view redraws only that. */
export type ChatChange = "rooms" | "messages" | "members" | "typing" | "direct" | "me";

/** Something the user should read: an error frame's `message`, or a notice of our own. */
export interface Notice {
  readonly text: string;
  readonly kind: "error" | "info";
}

/** Text the server refused (`rate_limited`, `too_large`, …), handed back so the user can send it again. */
export type Draft = { readonly kind: "room"; readonly room: string; readonly text: string } | { readonly kind: "direct"; readonly to: string; readonly text: string };

export interface ChatClientOptions {
  /** The user's display name as far as the page knows (the server's answers correct it). */
  readonly me: string;
  /** The user's own user id, when an earlier connection of this tab learned it (signed-in ids are stable). */
  readonly userId?: string;
  /**
   * Whether every connection is its own user (an API without an authorizer:
   * the id is derived from the connection id), so the own id is learned
   * again on each connection. @default false
   */
  readonly idPerConnection?: boolean;
  /** Rooms to be in; the lobby is joined by the server on connect, and left again if absent here. */
  readonly rooms: readonly string[];
  readonly activeRoom: string;
  /** Sends one action; false when there is no open connection. */
  readonly send: (action: Record<string, unknown>) => boolean;
  readonly changed: (change: ChatChange) => void;
  readonly notify: (notice: Notice) => void;
  /** The rooms or the active room changed: persist them (as the server spells them). */
  readonly roomsChanged: (rooms: readonly string[], activeRoom: string) => void;
  /**
   * The server said who this page is: its display name and, when certain,
   * its user id. Persist them. @default nothing
   */
  readonly identityChanged?: (name: string, userId: string | undefined) => void;
  /**
   * The server refused a message that was already out of the box: put it
   * back. Returns whether it is back in its box (false when the user has
   * typed something new there since). @default nothing is put back
   */
  readonly returned?: (draft: Draft) => boolean;
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

/** Receipts whose message frame has not arrived yet are remembered up to this many (an answer without its broadcast must not pile up). */
const MAX_AWAITED_ECHOES = 100;

export class ChatClient {
  /** By room key (`roomKey`), in the order joined. */
  readonly rooms = new Map<string, RoomState>();
  readonly direct: DirectMessage[] = [];
  readonly typing = new TypingRoster();
  /** Everyone seen, by user id: what the look-alike warnings are made from. */
  readonly people = new People();
  /** The key of the room on screen. */
  activeRoom: string;
  /** Private messages sent and not yet answered, in order: the `sent` receipt carries no text. */
  private readonly pendingDirect: Array<{ to: string; message: string }> = [];
  /** Room messages handed to the socket and not yet answered, in order. */
  private readonly pendingSay: Array<{ room: string; seq: number; text: string }> = [];
  /** Rooms asked for and not yet answered, by key, in order. */
  private readonly pendingJoins: string[] = [];
  /** Ids of our own messages whose receipt came before their broadcast. */
  private readonly awaitedEchoes = new Set<string>();
  /** Rooms whose "load older" request is in flight. */
  private readonly loadingOlder = new Set<string>();
  private readonly typingSignal: TypingSignal;
  /** The next message's `seq`: increasing, so the server orders our messages as we sent them. */
  private nextSeq = 1;
  private myName: string;
  private ownId: string | undefined;
  /** Whether `ownId` came from the server's word about this connection (else it is a guess by name, see `onJoined`). */
  private ownIdSure = false;

  constructor(private readonly options: ChatClientOptions) {
    this.myName = options.me;
    for (const name of options.rooms) {
      const parsed = parseRoomName(name);
      if (parsed !== undefined && !this.rooms.has(parsed.key)) this.rooms.set(parsed.key, newRoom(parsed.key, parsed.display));
    }
    if (this.rooms.size === 0) this.rooms.set(roomKey(DEFAULT_ROOM), newRoom(roomKey(DEFAULT_ROOM), DEFAULT_ROOM));
    const active = parseRoomName(options.activeRoom)?.key;
    this.activeRoom = active !== undefined && this.rooms.has(active) ? active : this.rooms.keys().next().value!;
    if (options.userId !== undefined && options.userId !== "" && !options.idPerConnection) {
      this.ownId = options.userId;
      this.ownIdSure = true;
      this.people.setOwn(options.userId, true);
    }
    this.typingSignal = new TypingSignal((room, typing) => void this.options.send({ action: "typingIndicator", room, typing }));
  }

  /** The user's display name: what the server last said it is. */
  get me(): string {
    return this.myName;
  }

  /**
   * The page's own user id, once the server has said it. Certain from the
   * `name` answer, a private message to us (`toId`) or our own message
   * (the broadcast whose id our `sent` receipt names); before any of those,
   * a guess from the `joined` answer's users by our name (see `onJoined`).
   */
  get userId(): string | undefined {
    return this.ownId;
  }

  /** Whether `userId` is this page's user (any of its ids, when each connection has its own). */
  isMe(userId: string): boolean {
    return this.people.isOwn(userId);
  }

  get activeRoomName(): string {
    return this.rooms.get(this.activeRoom)?.name ?? DEFAULT_ROOM;
  }

  /**
   * A new connection is open. It is in the lobby only (or nowhere, after a
   * restart with empty tables): join every room again; each `joined` reply
   * then reloads that room's history.
   */
  connected(): void {
    for (const room of this.rooms.values()) {
      room.joined = false;
      room.users.clear();
      room.userCount = 0;
      // A cursor from the last connection may name a history that is gone (a local restart); the first page brings a fresh one.
      room.older = undefined;
    }
    this.pendingDirect.length = 0;
    this.pendingSay.length = 0;
    this.pendingJoins.length = 0;
    this.awaitedEchoes.clear();
    this.loadingOlder.clear();
    if (this.ownId !== undefined && (!this.ownIdSure || this.options.idPerConnection)) {
      // A guess is made again from this connection's answers; without an authorizer, this connection is a new user id.
      this.ownId = undefined;
      this.ownIdSure = false;
      this.people.setOwn(undefined, false);
    }
    for (const room of this.rooms.values()) this.askToJoin(room);
    if (!this.rooms.has(roomKey(DEFAULT_ROOM))) this.options.send({ action: "leaveRoom", room: DEFAULT_ROOM });
    this.options.changed("rooms");
    this.options.changed("members");
  }

  disconnected(): void {
    for (const room of this.rooms.values()) room.joined = false;
    this.options.changed("rooms");
  }

  // ---- the user's intents ----

  /**
   * Joins the room, or shows it when it is open already under any spelling
   * (`Lobby` when `lobby` is open). False when the name breaks the room
   * rules (the view keeps the text).
   */
  join(name: string): boolean {
    const parsed = parseRoomName(name.trim());
    if (parsed === undefined) {
      if (name.trim() !== "") this.options.notify({ kind: "error", text: `Not joined: room names are ${ROOM_NAME_RULES}.` });
      return false;
    }
    let room = this.rooms.get(parsed.key);
    if (room === undefined) {
      room = newRoom(parsed.key, parsed.display);
      this.rooms.set(parsed.key, room);
    }
    this.select(parsed.key);
    if (!room.joined && !this.pendingJoins.includes(room.key) && !this.askToJoin(room)) this.notReady("You will join when the connection is back.");
    this.persist();
    this.options.changed("rooms");
    return true;
  }

  /** Leaves the room named `name` (any spelling) or keyed `name`. */
  leave(name: string): void {
    const key = this.keyOf(name);
    const room = this.rooms.get(key);
    if (room === undefined) return;
    this.rooms.delete(key);
    this.typing.forgetRoom(key);
    this.options.send({ action: "leaveRoom", room: room.name });
    if (this.activeRoom === key) this.activeRoom = this.rooms.keys().next().value ?? roomKey(DEFAULT_ROOM);
    if (!this.rooms.has(this.activeRoom)) this.join(DEFAULT_ROOM);
    this.persist();
    this.options.changed("rooms");
    this.options.changed("messages");
    this.options.changed("members");
    this.options.changed("typing");
  }

  select(name: string): void {
    const key = this.keyOf(name);
    const state = this.rooms.get(key);
    if (state === undefined || this.activeRoom === key) return;
    this.typingSignal.stop();
    this.activeRoom = key;
    state.unread = 0;
    this.persist();
    for (const change of ["rooms", "messages", "members", "typing"] as const) this.options.changed(change);
  }

  /** Returns false when the message could not be sent (the view keeps the text). */
  say(text: string): boolean {
    if (text.trim() === "") return false;
    const room = this.rooms.get(this.activeRoom)!;
    const action = { action: "onMessage", room: room.name, message: text, seq: this.nextSeq };
    if (!this.fits(action)) return false;
    this.typingSignal.sent();
    if (!this.options.send(action)) {
      this.notReady("Not connected: your message was not sent.");
      return false;
    }
    this.pendingSay.push({ room: room.key, seq: this.nextSeq, text });
    this.nextSeq += 1;
    return true;
  }

  /** Asks for a new display name (`setName`); false when it breaks the naming rules or there is no connection (the view keeps the text). */
  rename(name: string): boolean {
    const wanted = name.trim();
    if (!isValidName(wanted)) {
      this.options.notify({ kind: "error", text: `Not renamed: names are ${NAME_RULES}.` });
      return false;
    }
    if (!this.options.send({ action: "setName", name: wanted })) {
      this.notReady("Not connected: your name was not changed.");
      return false;
    }
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
    const room = this.rooms.get(this.activeRoom);
    if (room?.joined) this.typingSignal.keystroke(room.name);
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
    if (room === undefined || typeof room.older !== "string" || this.loadingOlder.has(room.key)) return;
    if (this.options.send({ action: "history", room: room.name, limit: HISTORY_PAGE, before: room.older })) this.loadingOlder.add(room.key);
  }

  // ---- frames from the server ----

  receive(text: string): void {
    let frame: Frame | { type: "pong" } | GatewayErrorFrame;
    try {
      frame = JSON.parse(text) as Frame | { type: "pong" } | GatewayErrorFrame;
    } catch {
      return; // The API only sends JSON; anything else is not ours to show.
    }
    if (frame === null || typeof frame !== "object") return;
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
      case "presence":
        return this.onPresence(frame);
      case "typing": {
        const room = this.room(frame.room);
        if (room === undefined) return;
        const person = personOf(frame.userId, frame.user);
        this.typing.update(room.key, person, frame.typing);
        if (this.people.see(person.userId, person.name)) this.peopleChanged();
        return this.options.changed("typing");
      }
      case "private":
        return this.onPrivate(frame);
      case "sent":
        return "to" in frame ? this.onPrivateSent(frame) : this.onSent(frame);
      case "error":
        return this.onError(frame);
      case "name":
        return this.onName(frame);
      case "ack":
      case "pong":
        return;
    }
  }

  /** A room's key from its key (what the view passes) or any spelling of its name. */
  private keyOf(name: string): string {
    return this.rooms.has(name) ? name : roomKey(name);
  }

  /** The room a frame names, under any spelling. */
  private room(name: string): RoomState | undefined {
    return typeof name === "string" ? this.rooms.get(roomKey(name)) : undefined;
  }

  private onMessage(frame: MessageFrame): void {
    const room = this.room(frame.room);
    if (room === undefined) return;
    // A large room's fan-out may deliver a message twice (a retried piece, PROTOCOL.md): shown and counted once.
    if (room.messages.some((message) => message.id === frame.id)) return;
    mergeMessages(room, [frame]);
    const from = personOf(frame.fromId, frame.from);
    const newPerson = this.people.see(from.userId, from.name);
    if (this.awaitedEchoes.delete(frame.id)) this.adopt(from, true);
    this.typing.spoke(room.key, from);
    if (room.key !== this.activeRoom) {
      room.unread += 1;
      this.options.changed("rooms");
    }
    if (newPerson) this.peopleChanged();
    else this.options.changed("messages");
    this.options.changed("typing");
  }

  /** Our own message was accepted: the broadcast with the receipt's id is ours, so its `fromId` is our id. */
  private onSent(frame: SentFrame): void {
    const room = this.room(frame.room);
    const echo = room?.messages.find((message) => message.id === frame.id);
    if (echo !== undefined) this.adopt(personOf(echo.fromId, echo.from), true);
    else {
      if (this.awaitedEchoes.size >= MAX_AWAITED_ECHOES) this.awaitedEchoes.clear();
      this.awaitedEchoes.add(frame.id);
    }
    // Answers of concurrent invocations may come in any order: match by seq when the broadcast is known, else the oldest.
    const bySeq = echo === undefined ? -1 : this.pendingSay.findIndex((pending) => pending.seq === echo.seq && pending.room === room?.key);
    const index = bySeq >= 0 ? bySeq : this.pendingSay.findIndex((pending) => pending.room === room?.key);
    if (index >= 0) this.pendingSay.splice(index, 1);
  }

  private onJoined(frame: JoinedFrame): void {
    const key = roomKey(frame.room);
    this.removePendingJoin(key);
    let room = this.rooms.get(key);
    if (room === undefined) {
      // Joined from another of our intents that raced a leave; keep the server and the list in step.
      room = newRoom(key, frame.room);
      this.rooms.set(key, room);
    }
    // The server's spelling wins: the room is shown under the first spelling anyone used.
    room.name = frame.room;
    const firstJoin = !room.joined;
    room.joined = true;
    room.users.clear();
    const users: readonly Person[] = Array.isArray(frame.users) ? frame.users.map((user) => personOf(user.userId, user.name)) : (frame.members ?? []).map((name) => personOf("", name));
    let newPeople = false;
    for (const user of users) {
      room.users.set(userKey(user), user);
      newPeople = this.people.see(user.userId, user.name) || newPeople;
    }
    room.userCount = Math.max(typeof frame.userCount === "number" ? frame.userCount : 0, room.users.size);
    if (!this.ownIdSure) {
      // A guess until the server says it outright: the answer lists the caller, and a name is held by one user at a time.
      const mine = users.filter((user) => user.userId !== "" && user.name.toLowerCase() === this.myName.toLowerCase());
      if (mine.length === 1) this.adopt(mine[0]!, false);
    }
    this.persist();
    // Each connection reloads the newest page: it may have missed messages while away.
    if (firstJoin) this.options.send({ action: "history", room: room.name, limit: HISTORY_PAGE });
    this.options.changed("rooms");
    if (newPeople) this.peopleChanged();
    else this.options.changed("members");
  }

  private onPresence(frame: PresenceFrame): void {
    const room = this.room(frame.room);
    if (room === undefined) return;
    const person = personOf(frame.userId, frame.user);
    const key = userKey(person);
    if (frame.event === "joined") {
      if (!room.users.has(key)) room.userCount += 1;
      room.users.set(key, person);
    } else if (room.users.delete(key)) {
      room.userCount = Math.max(room.users.size, room.userCount - 1);
    }
    this.typing.update(room.key, person, false);
    if (this.people.see(person.userId, person.name)) this.peopleChanged();
    else this.options.changed("members");
  }

  private onHistory(frame: HistoryFrame): void {
    const room = this.room(frame.room);
    if (room === undefined) return;
    const olderPage = this.loadingOlder.delete(room.key);
    // Newest first on the wire; merged and kept oldest first.
    mergeMessages(room, frame.messages);
    let newPeople = false;
    for (const message of frame.messages) newPeople = this.people.see(message.fromId ?? "", message.from) || newPeople;
    if (olderPage || room.older === undefined) room.older = frame.next;
    if (newPeople) this.peopleChanged();
    else this.options.changed("messages");
  }

  private onPrivate(frame: PrivateFrame): void {
    const from = personOf(frame.fromId, frame.from);
    const to = personOf(frame.toId, frame.to);
    this.direct.push({ from: from.name, fromId: from.userId, to: to.name, toId: to.userId, message: frame.message, sentAt: frame.sentAt, outgoing: false });
    // Delivered to every connection of its recipient, so `toId` is us.
    if (to.userId !== "") this.adopt(to, true);
    if (this.people.see(from.userId, from.name)) this.peopleChanged();
    this.options.changed("direct");
  }

  private onPrivateSent(frame: PrivateSentFrame): void {
    const sent = this.pendingDirect.shift();
    const to = personOf(frame.toId, frame.to);
    this.direct.push({
      from: this.me,
      fromId: this.ownId ?? "",
      to: to.name,
      toId: to.userId,
      message: sent?.message ?? "",
      sentAt: new Date().toISOString(),
      outgoing: true,
      delivered: frame.delivered > 0,
    });
    if (this.people.see(to.userId, to.name)) this.peopleChanged();
    this.options.changed("direct");
  }

  private onName(frame: NameFrame): void {
    this.adopt(personOf(frame.userId, frame.name), true);
    this.options.notify({ kind: "info", text: `You are now “${frame.name}”.` });
  }

  private onError(frame: ErrorFrame): void {
    switch (frame.requestAction) {
      case "onMessage": {
        // Refusals past the rate come last (the first messages of the minute went through): hand back the newest.
        const draft = this.pendingSay.pop();
        const room = draft === undefined ? undefined : this.rooms.get(draft.room);
        return this.giveBack(frame, draft === undefined || room === undefined ? undefined : { kind: "room", room: room.name, text: draft.text });
      }
      case "privateMessage": {
        const sent = frame.code === "rate_limited" ? this.pendingDirect.pop() : this.pendingDirect.shift();
        return this.giveBack(frame, sent === undefined ? undefined : { kind: "direct", to: sent.to, text: sent.message });
      }
      case "joinRoom":
        return this.joinRefused(frame);
      case "history":
        // A cursor from before a restart (or a room we are no longer in): start again from the newest page.
        for (const room of this.loadingOlder) {
          const state = this.rooms.get(room);
          if (state !== undefined) state.older = null;
        }
        this.loadingOlder.clear();
        break;
      case "typingIndicator":
        // Typing is best-effort: a refusal (e.g. just after a reconnect) is not worth a banner.
        return;
    }
    this.options.notify({ text: frame.message, kind: "error" });
  }

  /** A message the server refused goes back in its box when it can, so the user can send it again. */
  private giveBack(frame: ErrorFrame, draft: Draft | undefined): void {
    if (draft === undefined) return this.options.notify({ text: frame.message, kind: "error" });
    const back = draft.kind === "room" && roomKey(draft.room) !== this.activeRoom ? false : (this.options.returned?.(draft) ?? false);
    const quoted = draft.text.length > 80 ? `${draft.text.slice(0, 80)}…` : draft.text;
    this.options.notify({ kind: "error", text: back ? `${frame.message} Your message is back in the box: send it again when you can.` : `${frame.message} Not sent: “${quoted}”.` });
  }

  /**
   * A join the server refused (`too_many_rooms`, or a name it does not
   * take): the room comes off the list, or a reconnect would ask again and
   * again. Which request an error answers is not said; refusals past the
   * room limit are the last ones asked for, so the newest waiting join.
   */
  private joinRefused(frame: ErrorFrame): void {
    const key = this.pendingJoins.pop();
    const room = key === undefined ? undefined : this.rooms.get(key);
    if (room === undefined || room.joined) return this.options.notify({ text: frame.message, kind: "error" });
    this.rooms.delete(room.key);
    this.typing.forgetRoom(room.key);
    if (this.activeRoom === room.key) this.activeRoom = this.rooms.keys().next().value ?? roomKey(DEFAULT_ROOM);
    this.options.notify({ kind: "error", text: `${frame.message} “${room.name}” was not joined.` });
    if (this.rooms.size === 0) this.join(DEFAULT_ROOM);
    this.persist();
    for (const change of ["rooms", "messages", "members", "typing"] as const) this.options.changed(change);
  }

  /**
   * Takes `person` as this page's user. `sure` when the server said so about
   * this connection; a guess never replaces a sure id.
   */
  private adopt(person: Person, sure: boolean): void {
    if (person.userId === "" || (!sure && this.ownIdSure)) return;
    const changed = person.userId !== this.ownId || person.name !== this.myName || (sure && !this.ownIdSure);
    this.ownId = person.userId;
    this.ownIdSure = sure;
    this.myName = person.name;
    this.people.setOwn(person.userId, sure);
    if (!changed) return;
    this.options.identityChanged?.(person.name, sure && !this.options.idPerConnection ? person.userId : undefined);
    this.options.changed("me");
    this.peopleChanged();
  }

  /** Someone new was seen, or who we are changed: "you" marks and look-alike warnings anywhere may change. */
  private peopleChanged(): void {
    for (const change of ["messages", "members", "direct", "typing"] as const) this.options.changed(change);
  }

  private askToJoin(room: RoomState): boolean {
    if (!this.options.send({ action: "joinRoom", room: room.name })) return false;
    this.pendingJoins.push(room.key);
    return true;
  }

  private removePendingJoin(key: string): void {
    const index = this.pendingJoins.indexOf(key);
    if (index >= 0) this.pendingJoins.splice(index, 1);
  }

  private notReady(text: string): void {
    this.options.notify({ text, kind: "info" });
  }

  private persist(): void {
    this.options.roomsChanged(
      [...this.rooms.values()].map((room) => room.name),
      this.activeRoomName,
    );
  }
}

function newRoom(key: string, name: string): RoomState {
  return { key, name, users: new Map(), userCount: 0, messages: [], older: undefined, joined: false, unread: 0 };
}

/** A person as a frame names them; a frame from a server without ids has none (""). */
function personOf(userId: unknown, name: string): Person {
  return { userId: typeof userId === "string" ? userId : "", name };
}

/** How a room's users are keyed: by id, or by name when the server sent none. */
function userKey(person: Person): string {
  return person.userId === "" ? `name:${person.name}` : person.userId;
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
