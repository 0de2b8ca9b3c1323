import type { ChatChange, ChatClient, DirectMessage, Draft, Notice } from "./chat-client.ts";
import type { SignInMode } from "./config.ts";
import type { ConnectionStatus, StatusDetail } from "./connection.ts";
import { lookalikeExplanation, lookalikeWarning, userMarker, type Person } from "./people.ts";
import { describeTypists } from "./typing.ts";

/**
 * The DOM: index.html holds the fixed structure; this fills it in. User
 * text (names, rooms, messages, error messages) only ever goes in through
 * `textContent` and attribute setters, never as HTML, so nothing a user
 * types can become markup or script.
 *
 * Every name is shown with its user id's marker (people.ts): `#` and four
 * characters in a colour of its own, the same for the same person on every
 * page. A name that looks like a name another person used gets a warning
 * beside it ("⚠ not you", "⚠ not alice #AB12"), and so does theirs.
 */

export interface SignInRequest {
  readonly name: string;
  readonly token?: string;
  readonly webSocketUrl?: string;
}

export interface ViewHandlers {
  readonly signIn: (request: SignInRequest) => void;
  readonly signOut: () => void;
}

/** A notice disappears after this long; errors stay until the next one or a click. */
const INFO_NOTICE_MS = 6_000;
/** Messages within this distance of the bottom count as "reading the newest": new ones scroll into view. */
const STICKY_BOTTOM_PX = 48;

export class ChatView {
  private chat: ChatClient | undefined;
  private typingTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly document: Document,
    private readonly handlers: ViewHandlers,
  ) {
    this.form("sign-in-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const token = this.input("token").value.trim();
      const webSocketUrl = this.input("ws-url").value.trim();
      this.handlers.signIn({
        name: this.element("name-field").hidden ? "" : this.input("name").value.trim(),
        token: this.element("token-field").hidden ? undefined : token,
        webSocketUrl: this.element("ws-field").hidden ? undefined : webSocketUrl,
      });
    });
    this.element("sign-out").addEventListener("click", () => this.handlers.signOut());
  }

  // ---- sign-in ----

  showSignIn(mode: SignInMode, needsUrl: boolean, error?: string, name = ""): void {
    this.chat = undefined;
    this.element("chat-view").hidden = true;
    this.element("sign-in-view").hidden = false;
    this.element("me").hidden = true;
    this.element("rename-form").hidden = true;
    this.element("sign-out").hidden = true;
    this.element("ws-field").hidden = !needsUrl;
    this.element("token-field").hidden = !(mode.kind === "token" && mode.token === undefined);
    // With a token, the name is the one the token carries.
    this.element("name-field").hidden = mode.kind === "token";
    this.element("sign-in-mode").textContent =
      mode.kind === "dev"
        ? "Local development: wsstack dev signs you in under any name (DEV-ONLY issuer, never deployed)."
        : mode.kind === "anonymous"
          ? "This API has no sign-in: pick a name."
          : "Paste a token from your identity provider; the name is the one it carries.";
    this.element("sign-in-error").textContent = error ?? "";
    if (name !== "") this.input("name").value = name;
    this.input("name").focus();
  }

  // ---- the chat ----

  showChat(chat: ChatClient): void {
    this.chat = chat;
    this.element("sign-in-view").hidden = true;
    this.element("chat-view").hidden = false;
    this.element("me").hidden = false;
    this.element("rename-form").hidden = false;
    this.element("sign-out").hidden = false;
    this.wireChat();
    for (const change of ["me", "rooms", "messages", "members", "typing", "direct"] as const) this.render(change);
    this.input("message").focus();
  }

  private wired = false;

  /** Listeners are added once; they act on whichever chat is current. */
  private wireChat(): void {
    if (this.wired) return;
    this.wired = true;
    this.form("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = this.input("message");
      if (this.chat?.say(input.value)) input.value = "";
    });
    this.input("message").addEventListener("input", () => this.chat?.keystroke());
    this.form("join-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = this.input("join-room");
      if (this.chat?.join(input.value)) input.value = "";
    });
    this.form("rename-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const input = this.input("new-name");
      if (this.chat?.rename(input.value)) input.value = "";
    });
    this.form("direct-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const message = this.input("direct-message");
      if (this.chat?.whisper(this.input("direct-to").value, message.value)) message.value = "";
    });
    this.element("load-older").addEventListener("click", () => this.chat?.loadOlder());
  }

  render(change: ChatChange): void {
    const chat = this.chat;
    if (chat === undefined) return;
    switch (change) {
      case "rooms":
        return this.renderRooms(chat);
      case "messages":
        return this.renderMessages(chat);
      case "members":
        return this.renderMembers(chat);
      case "typing":
        return this.renderTyping(chat);
      case "direct":
        return this.renderDirect(chat);
      case "me":
        return this.renderMe(chat);
    }
  }

  /**
   * Puts a message the server refused back in its box, unless the user has
   * typed something new there. Room messages go back only while their room
   * is on screen (ChatClient checks).
   */
  giveBack(draft: Draft): boolean {
    const box = this.input(draft.kind === "room" ? "message" : "direct-message");
    if (box.value.trim() !== "") return false;
    box.value = draft.text;
    if (draft.kind === "direct") this.input("direct-to").value = draft.to;
    return true;
  }

  private renderMe(chat: ChatClient): void {
    const me = this.element("me");
    me.replaceChildren("Signed in as ", this.make("strong", { className: "my-name", text: chat.me }));
    const marker = chat.userId === undefined ? undefined : this.marker(chat.userId);
    if (marker !== undefined) me.append(" ", marker);
  }

  private renderRooms(chat: ChatClient): void {
    const list = this.element("rooms");
    list.replaceChildren(
      ...[...chat.rooms.values()].map((room) => {
        const active = room.key === chat.activeRoom;
        const item = this.make("li", { className: active ? "room-item active" : "room-item" });
        item.dataset.room = room.key;
        const select = this.make("button", { className: "room-name", type: "button", text: room.name });
        select.setAttribute("aria-pressed", String(active));
        if (!room.joined) select.title = "joining…";
        select.addEventListener("click", () => chat.select(room.key));
        if (room.unread > 0) select.append(this.make("span", { className: "badge", text: String(room.unread), label: `${room.unread} unread` }));
        const leave = this.make("button", { className: "leave secondary", type: "button", text: "Leave", label: `Leave ${room.name}` });
        leave.addEventListener("click", () => chat.leave(room.key));
        item.append(select, leave);
        return item;
      }),
    );
    this.element("room-title").textContent = `# ${chat.activeRoomName}`;
  }

  private renderMessages(chat: ChatClient): void {
    const room = chat.rooms.get(chat.activeRoom);
    const list = this.element("messages");
    const fromBottom = list.scrollHeight - list.scrollTop - list.clientHeight;
    const messages = room?.messages ?? [];
    list.replaceChildren(
      ...messages.map((message) => {
        const from: Person = { userId: typeof message.fromId === "string" ? message.fromId : "", name: message.from };
        const mine = chat.isMe(from.userId);
        const warning = lookalikeWarning(chat.people, from);
        const item = this.make("li", { className: ["message", mine ? "mine" : "", warning === undefined ? "" : "lookalike"].filter(Boolean).join(" ") });
        item.dataset.id = message.id;
        item.dataset.userId = from.userId;
        const meta = this.make("p", { className: "meta" });
        meta.append(...this.person(chat, from, "strong", "from"), " ", this.time(message.sentAt));
        item.append(meta, this.make("p", { className: "text", text: message.message }));
        return item;
      }),
    );
    if (messages.length === 0) list.append(this.make("li", { className: "empty", text: room?.joined === false ? "Joining…" : "No messages yet. Say hello!" }));
    // Reading the newest: follow new messages. Reading older ones (or after "load older"): stay put.
    list.scrollTop = fromBottom <= STICKY_BOTTOM_PX ? list.scrollHeight : list.scrollHeight - list.clientHeight - fromBottom;
    this.element("load-older").hidden = typeof room?.older !== "string";
  }

  private renderMembers(chat: ChatClient): void {
    const room = chat.rooms.get(chat.activeRoom);
    this.element("members-title").textContent = `Online in ${chat.activeRoomName}`;
    const users = [...(room?.users.values() ?? [])].sort((a, b) => a.name.localeCompare(b.name) || (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
    const items = users.map((user) => {
      const me = chat.isMe(user.userId);
      const warning = lookalikeWarning(chat.people, user);
      const item = this.make("li", { className: ["member", me ? "me" : "", warning === undefined ? "" : "lookalike"].filter(Boolean).join(" ") });
      item.dataset.userId = user.userId;
      const name = this.make("button", { className: "link name", type: "button", text: me ? `${user.name} (you)` : user.name, label: `Write to ${user.name} privately` });
      name.addEventListener("click", () => {
        this.input("direct-to").value = user.name;
        this.input("direct-message").focus();
      });
      item.append(name);
      const marker = this.marker(user.userId);
      if (marker !== undefined) item.append(" ", marker);
      if (warning !== undefined) item.append(" ", this.warning(chat, user, warning));
      return item;
    });
    const more = (room?.userCount ?? 0) - users.length;
    if (more > 0) items.push(this.make("li", { className: "member-more", text: `and ${more} more` }));
    this.element("members").replaceChildren(...items);
  }

  private renderTyping(chat: ChatClient): void {
    clearTimeout(this.typingTimer);
    // A typist whose name looks like someone else's is named with their marker, so "alice is typing…" cannot be faked.
    const typists = chat.typing.typists(chat.activeRoom).map((user) => (lookalikeWarning(chat.people, user) === undefined ? user.name : `${user.name} ${userMarker(user.userId)?.tag ?? ""}`.trim()));
    this.element("typing").textContent = describeTypists(typists);
    // Typists expire by themselves; redraw when the next one does.
    const next = chat.typing.nextExpiry();
    if (next !== undefined) this.typingTimer = setTimeout(() => this.render("typing"), Math.max(50, next - Date.now() + 10));
  }

  private renderDirect(chat: ChatClient): void {
    const messages: readonly DirectMessage[] = chat.direct;
    const list = this.element("direct");
    list.replaceChildren(
      ...messages.map((dm) => {
        // The other person: the recipient of what we sent, the sender of what we got.
        const other: Person = dm.outgoing ? { userId: dm.toId, name: dm.to } : { userId: dm.fromId, name: dm.from };
        const warning = lookalikeWarning(chat.people, other);
        const item = this.make("li", { className: ["message", "direct-message", dm.outgoing ? "mine" : "", warning === undefined ? "" : "lookalike"].filter(Boolean).join(" ") });
        item.dataset.userId = other.userId;
        const meta = this.make("p", { className: "meta" });
        const who = dm.outgoing ? `${dm.from} → ${dm.to}` : `${dm.from} → you`;
        meta.append(this.make("strong", { className: "from", text: who }));
        const marker = this.marker(other.userId);
        if (marker !== undefined) meta.append(" ", marker);
        if (warning !== undefined) meta.append(" ", this.warning(chat, other, warning));
        meta.append(" ", this.time(dm.sentAt));
        if (dm.outgoing && dm.delivered === false) meta.append(" ", this.make("span", { className: "undelivered", text: "(not delivered)" }));
        item.append(meta, this.make("p", { className: "text", text: dm.message }));
        return item;
      }),
    );
    if (messages.length === 0) list.append(this.make("li", { className: "empty", text: "Private messages appear here. Click a name to write one." }));
    list.scrollTop = list.scrollHeight;
  }

  /** A name as it heads a message: the name, its id marker, "you" when it is the page's user, and a look-alike warning. */
  private person(chat: ChatClient, person: Person, tag: "strong" | "span", className: string): Array<Node | string> {
    const nodes: Array<Node | string> = [this.make(tag, { className, text: person.name })];
    const marker = this.marker(person.userId);
    nodes.push(" ", marker ?? this.make("span", { className: "uid unknown", text: "#?", title: "Sent before the chat gave people ids: who sent it cannot be checked." }));
    if (chat.isMe(person.userId)) nodes.push(" ", this.make("span", { className: "you", text: "(you)" }));
    const warning = lookalikeWarning(chat.people, person);
    if (warning !== undefined) nodes.push(" ", this.warning(chat, person, warning));
    return nodes;
  }

  /** The user id's marker (`#AB12` in its colour), or undefined for an empty id. */
  private marker(userId: string): HTMLSpanElement | undefined {
    const marker = userMarker(userId);
    if (marker === undefined) return undefined;
    const element = this.make("span", { className: "uid", text: marker.tag, title: `User id ${userId}` });
    element.dataset.hue = String(marker.hue);
    return element;
  }

  private warning(chat: ChatClient, person: Person, text: string): HTMLSpanElement {
    const element = this.make("span", { className: "lookalike-warning", text, title: lookalikeExplanation(chat.people, person) ?? "" });
    element.setAttribute("role", "note");
    return element;
  }

  // ---- connection status and notices ----

  showStatus(status: ConnectionStatus, detail: StatusDetail): void {
    const element = this.element("status");
    element.dataset.status = status;
    const wait = detail.retryInMs === undefined ? "" : ` in ${Math.max(1, Math.round(detail.retryInMs / 1000))} s`;
    const text: Record<ConnectionStatus, string> = {
      connecting: "Connecting…",
      connected: "Connected",
      reconnecting: `${(detail.refusals ?? 0) > 0 ? "Refused; trying again" : "Reconnecting"}${wait}…${detail.failures > 1 ? ` (attempt ${detail.failures})` : ""}`,
      stopped: "Not connected",
    };
    element.textContent = text[status];
    element.title = detail.error ?? "";
  }

  notify(notice: Notice): void {
    const container = this.element("notices");
    const item = this.make("p", { className: `notice ${notice.kind}`, text: notice.text });
    item.setAttribute("role", notice.kind === "error" ? "alert" : "status");
    const dismiss = this.make("button", { className: "link", type: "button", text: "Dismiss", label: "Dismiss this notice" });
    dismiss.addEventListener("click", () => item.remove());
    item.append(" ", dismiss);
    // The same notice again replaces the old one; at most three at a time, newest last.
    for (const shown of Array.from(container.children)) if (shown.firstChild?.textContent === notice.text) shown.remove();
    while (container.children.length >= 3) container.firstElementChild!.remove();
    container.append(item);
    if (notice.kind === "info") setTimeout(() => item.remove(), INFO_NOTICE_MS);
  }

  // ---- helpers ----

  private time(iso: string): HTMLTimeElement {
    const element = this.make("time", { className: "time" }) as HTMLTimeElement;
    element.dateTime = iso;
    const date = new Date(iso);
    element.textContent = Number.isNaN(date.getTime()) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return element;
  }

  private make<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: { className?: string; text?: string; type?: string; label?: string; title?: string } = {},
  ): HTMLElementTagNameMap[K] {
    const element = this.document.createElement(tag);
    if (props.className !== undefined) element.className = props.className;
    if (props.text !== undefined) element.textContent = props.text;
    if (props.title !== undefined) element.title = props.title;
    if (props.type !== undefined) element.setAttribute("type", props.type);
    if (props.label !== undefined) element.setAttribute("aria-label", props.label);
    return element;
  }

  private element(id: string): HTMLElement {
    const element = this.document.getElementById(id);
    if (element === null) throw new Error(`index.html has no #${id}`);
    return element;
  }

  private input(id: string): HTMLInputElement {
    return this.element(id) as HTMLInputElement;
  }

  private form(id: string): HTMLFormElement {
    return this.element(id) as HTMLFormElement;
  }
}
