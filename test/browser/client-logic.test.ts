import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../web/src/backoff.ts";
import { ChatClient, type ChatChange, type Notice } from "../../web/src/chat-client.ts";
import { resolvePageConfig } from "../../web/src/config.ts";
import { describeTypists, TYPING_SHOWN_MS, TypingRoster } from "../../web/src/typing.ts";

// The page's logic without a browser: what it sends, what it keeps, and when.

function chatWith(rooms: string[], activeRoom = rooms[0]!) {
  const sent: Array<Record<string, unknown>> = [];
  const notices: Notice[] = [];
  const changes: ChatChange[] = [];
  let open = true;
  const chat = new ChatClient({
    me: "alice",
    rooms,
    activeRoom,
    send: (action) => (open ? (sent.push(action), true) : false),
    changed: (change) => changes.push(change),
    notify: (notice) => notices.push(notice),
    roomsChanged: () => undefined,
  });
  return { chat, sent, notices, changes, setOpen: (value: boolean) => (open = value) };
}

const message = (id: string, sentAt: string, text = id) => ({ type: "message", room: "general", message: text, from: "bob", sentAt, id });

describe("backoff", () => {
  it("delay: grows exponentially, capped, with half of it random", () => {
    expect(backoffDelay(0, { initialMs: 500, maxMs: 30_000 }, () => 0)).toBe(250);
    expect(backoffDelay(0, { initialMs: 500, maxMs: 30_000 }, () => 1)).toBe(500);
    expect(backoffDelay(3, { initialMs: 500, maxMs: 30_000 }, () => 0)).toBe(2_000);
    expect(backoffDelay(20, { initialMs: 500, maxMs: 30_000 }, () => 1)).toBe(30_000);
    expect(backoffDelay(1_000, { initialMs: 500, maxMs: 30_000 }, () => 0.5)).toBe(22_500);
  });
});

describe("chat client", () => {
  it("connected: re-joins every room, leaves the lobby the user left, and asks history only once joined", () => {
    const { chat, sent } = chatWith(["general", "ops"]);
    chat.connected();
    expect(sent).toEqual([
      { action: "joinRoom", room: "general" },
      { action: "joinRoom", room: "ops" },
      { action: "leaveRoom", room: "lobby" },
    ]);
    chat.receive(JSON.stringify({ type: "joined", room: "general", members: ["alice", "bob"] }));
    expect(sent.at(-1)).toEqual({ action: "history", room: "general", limit: 50 });
    expect([...chat.rooms.get("general")!.members]).toEqual(["alice", "bob"]);
  });

  it("say: numbers the messages in the order typed, and places incoming frames by the server's order, not by arrival, each id once", () => {
    const { chat, sent } = chatWith(["general"]);
    expect(chat.say("first") && chat.say("second") && chat.say("third")).toBe(true);
    expect(sent.map((action) => [action.message, action.seq])).toEqual([["first", 1], ["second", 2], ["third", 3]]);
    // The broadcasts arrive out of order (concurrent invocations), one of them twice (a retried post)
    const at = "2026-01-01T00:00:01.000Z";
    const frame = (seq: number, text: string) => ({ type: "message", room: "general", message: text, from: "alice", sentAt: at, seq, id: `id-${text}` });
    for (const f of [frame(1, "first"), frame(3, "third"), frame(2, "second"), frame(3, "third")]) chat.receive(JSON.stringify(f));
    expect(chat.rooms.get("general")!.messages.map((m) => m.message)).toEqual(["first", "second", "third"]);
  });

  it("say: a message over the limit is not sent, the user is told by how much, and the text stays", () => {
    const { chat, sent, notices } = chatWith(["general"]);
    chat.connected();
    sent.length = 0;
    // 32 KB of text cannot fit in a 32 KB frame with its JSON around it
    expect(chat.say("x".repeat(32 * 1024))).toBe(false);
    expect(chat.say("é".repeat(16 * 1024))).toBe(false);
    expect(chat.whisper("bob", "x".repeat(40 * 1024))).toBe(false);
    expect(sent).toEqual([]);
    expect(notices.map((n) => n.kind)).toEqual(["error", "error", "error"]);
    expect(notices[0]!.text).toMatch(/32\.1 KB and the limit is 32\.0 KB/);
    // just under the limit goes out
    const overhead = JSON.stringify({ action: "onMessage", room: "general", message: "", seq: 1 }).length;
    expect(chat.say("y".repeat(32 * 1024 - overhead))).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it("say: a lower max_message_bytes from the page config is the limit", () => {
    const sent: Array<Record<string, unknown>> = [];
    const notices: Notice[] = [];
    const chat = new ChatClient({ me: "alice", rooms: ["general"], activeRoom: "general", send: (a) => (sent.push(a), true), changed: () => undefined, notify: (n) => notices.push(n), roomsChanged: () => undefined, maxMessageBytes: 1000 });
    expect(chat.say("z".repeat(1000))).toBe(false);
    expect(chat.say("z".repeat(900))).toBe(true);
    expect(notices).toHaveLength(1);
  });

  it("history: newest first on the wire, oldest first on screen, merged by id with what is shown", () => {
    const { chat } = chatWith(["general"]);
    chat.receive(JSON.stringify(message("m3", "2026-01-01T00:00:03Z")));
    chat.receive(JSON.stringify({ type: "history", room: "general", messages: [message("m3", "2026-01-01T00:00:03Z"), message("m2", "2026-01-01T00:00:02Z"), message("m1", "2026-01-01T00:00:01Z")], next: "cursor-1" }));
    const room = chat.rooms.get("general")!;
    expect(room.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
    expect(room.older).toBe("cursor-1");
  });

  it("load older: sends the cursor, prepends the page and keeps its next cursor", () => {
    const { chat, sent } = chatWith(["general"]);
    chat.receive(JSON.stringify({ type: "history", room: "general", messages: [message("m2", "2026-01-01T00:00:02Z")], next: "c1" }));
    chat.loadOlder();
    expect(sent.at(-1)).toEqual({ action: "history", room: "general", limit: 50, before: "c1" });
    chat.receive(JSON.stringify({ type: "history", room: "general", messages: [message("m1", "2026-01-01T00:00:01Z")], next: null }));
    expect(chat.rooms.get("general")!.messages.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect(chat.rooms.get("general")!.older).toBeNull();
  });

  it("errors: an error frame and API Gateway's own error frame reach the user by their message", () => {
    const { chat, notices } = chatWith(["general"]);
    chat.receive(JSON.stringify({ type: "error", code: "not_member", message: "You are not in that room.", requestAction: "onMessage" }));
    chat.receive(JSON.stringify({ message: "Internal server error", connectionId: "x", requestId: "y" }));
    expect(notices.map((n) => n.text)).toEqual(["You are not in that room.", "The server could not handle that: Internal server error."]);
  });

  it("say: false and a notice when there is no connection, so the view keeps the text", () => {
    const { chat, notices, setOpen } = chatWith(["general"]);
    setOpen(false);
    expect(chat.say("hello")).toBe(false);
    expect(notices).toHaveLength(1);
  });

  it("private: the receipt becomes an outgoing direct message with the text that was sent", () => {
    const { chat } = chatWith(["general"]);
    chat.whisper("bob", "psst");
    chat.receive(JSON.stringify({ type: "sent", to: "Bob", delivered: 1 }));
    expect(chat.direct).toEqual([expect.objectContaining({ to: "Bob", message: "psst", outgoing: true, delivered: true })]);
  });
});

describe("typing roster", () => {
  it("typing: shown until false, a message, or expiry", () => {
    const roster = new TypingRoster();
    roster.update("general", "bob", true, 1_000);
    expect(roster.typists("general", 1_001)).toEqual(["bob"]);
    expect(roster.typists("general", 1_000 + TYPING_SHOWN_MS)).toEqual([]);
    roster.update("general", "bob", true, 10_000);
    roster.spoke("general", "bob", 10_100);
    expect(roster.typists("general", 10_101)).toEqual([]);
  });

  it("typing: a typing:true that arrives just after the same user's message (overtaken) is ignored", () => {
    const roster = new TypingRoster();
    roster.spoke("general", "bob", 5_000);
    roster.update("general", "bob", true, 5_050);
    expect(roster.typists("general", 5_060)).toEqual([]);
    roster.update("general", "bob", true, 7_000);
    expect(roster.typists("general", 7_001)).toEqual(["bob"]);
  });

  it("describe: one, two, many", () => {
    expect(describeTypists(["alice"])).toBe("alice is typing…");
    expect(describeTypists(["alice", "bob"])).toBe("alice and bob are typing…");
    expect(describeTypists(["a", "b", "c"])).toBe("3 people are typing…");
  });
});

describe("page configuration", () => {
  it("config: ?ws= and ?token= (a deployed API) win over config.json", async () => {
    const config = await resolvePageConfig(new URL("https://chat.example/?ws=wss://x.example/prod&token=t.t.t&ping=1000"), async () => {
      throw new Error("config.json must not be read");
    });
    expect(config).toMatchObject({ webSocketUrl: "wss://x.example/prod", signIn: { kind: "token", token: "t.t.t" }, pingIntervalMs: 1000 });
  });

  it("config: wsstack dev's config.json selects the dev issuer; auth off selects ?name=", async () => {
    const dev = await resolvePageConfig(new URL("http://127.0.0.1:3001/"), async () => ({ webSocketUrl: "ws://127.0.0.1:3001/dev", auth: true, devIssuer: "http://127.0.0.1:3001/_dev" }));
    expect(dev).toMatchObject({ webSocketUrl: "ws://127.0.0.1:3001/dev", signIn: { kind: "dev", issuer: "http://127.0.0.1:3001/_dev" }, pingIntervalMs: 540_000 });
    const open = await resolvePageConfig(new URL("http://127.0.0.1:3001/"), async () => ({ webSocketUrl: "ws://127.0.0.1:3001/dev", auth: false, devIssuer: null, maxMessageBytes: 4096 }));
    expect(open.signIn).toEqual({ kind: "anonymous" });
    expect(open.maxMessageBytes).toBe(4096);
    expect((await resolvePageConfig(new URL("http://x/?ws=wss://a/dev&maxBytes=2048"), async () => undefined)).maxMessageBytes).toBe(2048);
  });
});
