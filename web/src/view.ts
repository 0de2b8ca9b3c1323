import type { ChatChange, ChatClient, DirectMessage, Notice } from "./chat-client.ts";
import type { SignInMode } from "./config.ts";
import type { ConnectionStatus, StatusDetail } from "./connection.ts";
import { describeTypists } from "./typing.ts";

/**
 * The DOM: index.html holds the fixed structure; this fills it in. User
 * text (names, rooms, messages, error messages) only ever goes in through
 * `textContent` and attribute setters, never as HTML, so nothing a user
 * types can become markup or script.
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
    const me = this.element("me");
    me.hidden = false;
    me.textContent = `Signed in as ${chat.me}`;
    this.element("sign-out").hidden = false;
    this.wireChat();
    for (const change of ["rooms", "messages", "members", "typing", "direct"] as const) this.render(change);
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
      this.chat?.join(input.value);
      input.value = "";
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
        return this.renderDirect(chat.direct, chat.me);
    }
  }

  private renderRooms(chat: ChatClient): void {
    const list = this.element("rooms");
    list.replaceChildren(
      ...[...chat.rooms.values()].map((room) => {
        const item = this.make("li", { className: room.name === chat.activeRoom ? "room-item active" : "room-item" });
        const select = this.make("button", { className: "room-name", type: "button", text: room.name });
        select.setAttribute("aria-pressed", String(room.name === chat.activeRoom));
        if (!room.joined) select.title = "joining…";
        select.addEventListener("click", () => chat.select(room.name));
        if (room.unread > 0) select.append(this.make("span", { className: "badge", text: String(room.unread), label: `${room.unread} unread` }));
        const leave = this.make("button", { className: "leave secondary", type: "button", text: "Leave", label: `Leave ${room.name}` });
        leave.addEventListener("click", () => chat.leave(room.name));
        item.append(select, leave);
        return item;
      }),
    );
    this.element("room-title").textContent = `# ${chat.activeRoom}`;
  }

  private renderMessages(chat: ChatClient): void {
    const room = chat.rooms.get(chat.activeRoom);
    const list = this.element("messages");
    const fromBottom = list.scrollHeight - list.scrollTop - list.clientHeight;
    const messages = room?.messages ?? [];
    list.replaceChildren(
      ...messages.map((message) => {
        const item = this.make("li", { className: message.from === chat.me ? "message mine" : "message" });
        item.dataset.id = message.id;
        const meta = this.make("p", { className: "meta" });
        meta.append(this.make("strong", { className: "from", text: message.from }), " ", this.time(message.sentAt));
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
    this.element("members-title").textContent = `Online in ${chat.activeRoom}`;
    const members = [...(room?.members ?? [])].sort((a, b) => a.localeCompare(b));
    this.element("members").replaceChildren(
      ...members.map((member) => {
        const item = this.make("li", { className: member === chat.me ? "member me" : "member" });
        const name = this.make("button", { className: "link", type: "button", text: member === chat.me ? `${member} (you)` : member, label: `Write to ${member} privately` });
        name.addEventListener("click", () => {
          this.input("direct-to").value = member;
          this.input("direct-message").focus();
        });
        item.append(name);
        return item;
      }),
    );
  }

  private renderTyping(chat: ChatClient): void {
    clearTimeout(this.typingTimer);
    this.element("typing").textContent = describeTypists(chat.typing.typists(chat.activeRoom));
    // Typists expire by themselves; redraw when the next one does.
    const next = chat.typing.nextExpiry();
    if (next !== undefined) this.typingTimer = setTimeout(() => this.render("typing"), Math.max(50, next - Date.now() + 10));
  }

  private renderDirect(messages: readonly DirectMessage[], me: string): void {
    const list = this.element("direct");
    list.replaceChildren(
      ...messages.map((dm) => {
        const item = this.make("li", { className: dm.outgoing ? "message direct-message mine" : "message direct-message" });
        const meta = this.make("p", { className: "meta" });
        const who = dm.outgoing ? `${me} → ${dm.to}` : `${dm.from} → you`;
        meta.append(this.make("strong", { className: "from", text: who }), " ", this.time(dm.sentAt));
        if (dm.outgoing && dm.delivered === false) meta.append(" ", this.make("span", { className: "undelivered", text: "(not delivered)" }));
        item.append(meta, this.make("p", { className: "text", text: dm.message }));
        return item;
      }),
    );
    if (messages.length === 0) list.append(this.make("li", { className: "empty", text: "Private messages appear here. Click a name to write one." }));
    list.scrollTop = list.scrollHeight;
  }

  // ---- connection status and notices ----

  showStatus(status: ConnectionStatus, detail: StatusDetail): void {
    const element = this.element("status");
    element.dataset.status = status;
    const wait = detail.retryInMs === undefined ? "" : ` in ${Math.max(1, Math.round(detail.retryInMs / 1000))} s`;
    const text: Record<ConnectionStatus, string> = {
      connecting: "Connecting…",
      connected: "Connected",
      reconnecting: `Reconnecting${wait}…${detail.failures > 1 ? ` (attempt ${detail.failures})` : ""}`,
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
    // At most three at a time, newest last.
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
    props: { className?: string; text?: string; type?: string; label?: string } = {},
  ): HTMLElementTagNameMap[K] {
    const element = this.document.createElement(tag);
    if (props.className !== undefined) element.className = props.className;
    if (props.text !== undefined) element.textContent = props.text;
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
