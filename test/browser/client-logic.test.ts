import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../web/src/backoff.ts";
import { ChatClient, type ChatChange, type ChatClientOptions, type Draft, type Notice } from "../../web/src/chat-client.ts";
import { resolvePageConfig } from "../../web/src/config.ts";
import { looksAlike, lookalikeWarning, nameSkeleton, People, userMarker, userTag } from "../../web/src/people.ts";
import { refusalHint, tokenExpired } from "../../web/src/sign-in.ts";
import { describeTypists, TYPING_SHOWN_MS, TypingRoster } from "../../web/src/typing.ts";

// The page's logic without a browser: what it sends, what it keeps, and when.

function chatWith(rooms: string[], activeRoom = rooms[0]!, extra: Partial<ChatClientOptions> = {}) {
  const sent: Array<Record<string, unknown>> = [];
  const notices: Notice[] = [];
  const changes: ChatChange[] = [];
  const identities: Array<[string, string | undefined]> = [];
  const drafts: Draft[] = [];
  const saved: Array<{ rooms: readonly string[]; activeRoom: string }> = [];
  let open = true;
  const chat = new ChatClient({
    me: "alice",
    rooms,
    activeRoom,
    send: (action) => (open ? (sent.push(action), true) : false),
    changed: (change) => changes.push(change),
    notify: (notice) => notices.push(notice),
    roomsChanged: (rooms, activeRoom) => saved.push({ rooms, activeRoom }),
    identityChanged: (name, userId) => identities.push([name, userId]),
    returned: (draft) => (drafts.push(draft), true),
    ...extra,
  });
  return { chat, sent, notices, changes, identities, drafts, saved, setOpen: (value: boolean) => (open = value) };
}

const message = (id: string, sentAt: string, text = id) => ({ type: "message", room: "general", message: text, from: "bob", fromId: "u-bob", sentAt, id });

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
  it("a message delivered twice (a large room's retried fan-out piece) is shown once and counted unread once", () => {
    const { chat } = chatWith(["general", "ops"], "ops");
    chat.receive(JSON.stringify({ type: "joined", room: "general", members: ["alice"], users: [{ name: "alice", userId: "u-A" }], userCount: 1 }));
    const frame = JSON.stringify(message("m-1", "2024-01-01T00:00:01.000Z"));
    chat.receive(frame);
    chat.receive(frame);
    expect(chat.rooms.get("general")!.messages.map((m) => m.id)).toEqual(["m-1"]);
    expect(chat.rooms.get("general")!.unread).toBe(1);
  });

  it("connected: re-joins every room, leaves the lobby the user left, and asks history only once joined", () => {
    const { chat, sent } = chatWith(["general", "ops"]);
    chat.connected();
    expect(sent).toEqual([
      { action: "joinRoom", room: "general" },
      { action: "joinRoom", room: "ops" },
      { action: "leaveRoom", room: "lobby" },
    ]);
    chat.receive(JSON.stringify({ type: "joined", room: "general", members: ["alice", "bob"], users: [{ name: "alice", userId: "u-A" }, { name: "bob", userId: "u-B" }], userCount: 2 }));
    expect(sent.at(-1)).toEqual({ action: "history", room: "general", limit: 50 });
    expect([...chat.rooms.get("general")!.users.values()]).toEqual([{ name: "alice", userId: "u-A" }, { name: "bob", userId: "u-B" }]);
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
  const bob = { userId: "u-bob", name: "bob" };
  it("typing: shown until false, a message, or expiry", () => {
    const roster = new TypingRoster();
    roster.update("general", bob, true, 1_000);
    expect(roster.typists("general", 1_001)).toEqual([bob]);
    expect(roster.typists("general", 1_000 + TYPING_SHOWN_MS)).toEqual([]);
    roster.update("general", bob, true, 10_000);
    roster.spoke("general", bob, 10_100);
    expect(roster.typists("general", 10_101)).toEqual([]);
  });

  it("typing: a typing:true that arrives just after the same user's message (overtaken) is ignored", () => {
    const roster = new TypingRoster();
    roster.spoke("general", bob, 5_000);
    roster.update("general", bob, true, 5_050);
    expect(roster.typists("general", 5_060)).toEqual([]);
    roster.update("general", bob, true, 7_000);
    expect(roster.typists("general", 7_001)).toEqual([bob]);
  });

  it("typing: typists are told apart by user id, so a look-alike's typing is not the real user's", () => {
    const roster = new TypingRoster();
    roster.update("general", { userId: "u-real", name: "alice" }, true, 1_000);
    roster.update("general", { userId: "u-fake", name: "alice" }, true, 1_000);
    roster.spoke("general", { userId: "u-real", name: "alice" }, 1_100);
    expect(roster.typists("general", 1_200)).toEqual([{ userId: "u-fake", name: "alice" }]);
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

describe("user id markers", () => {
  it("marker: the same id always gives the same # tag and colour, in an alphabet without look-alike characters", () => {
    const id = "u-3q2+7wAbCdEfGhIjKlMn";
    expect(userMarker(id)).toEqual(userMarker(id));
    expect(userTag(id)).toMatch(/^#[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(userMarker(id)!.hue).toBeGreaterThanOrEqual(0);
    expect(userMarker(id)!.hue).toBeLessThan(12);
    // ids that differ in one character (as a look-alike user's would not even need to) get different tags
    const tags = new Set(Array.from({ length: 200 }, (_, i) => userTag(`u-user${i}`)));
    expect(tags.size).toBeGreaterThan(195);
    expect(userTag("u-AAAAAAAAAAAAAAAA")).not.toBe(userTag("u-AAAAAAAAAAAAAAAB"));
  });

  it("marker: no id (history stored before ids) has no marker", () => {
    expect(userMarker("")).toBeUndefined();
    expect(userTag("")).toBe("");
  });
});

describe("look-alike names", () => {
  it("skeleton: case, I/l/1, O/0, rn/m, vv/w and separators fold to one skeleton", () => {
    expect(nameSkeleton("aIice")).toBe(nameSkeleton("alice"));
    expect(looksAlike("ALICE", "alice")).toBe(true);
    expect(looksAlike("a1ice", "alice")).toBe(true);
    expect(looksAlike("B0B", "bob")).toBe(true);
    expect(looksAlike("rnallory", "mallory")).toBe(true);
    expect(looksAlike("vvendy", "wendy")).toBe(true);
    expect(looksAlike("john.smith", "john_smith")).toBe(true);
    expect(looksAlike("ａｌｉｃｅ", "alice")).toBe(true);
  });

  it("skeleton: names that merely share letters do not look alike", () => {
    expect(looksAlike("alice", "alicia")).toBe(false);
    expect(looksAlike("bob", "rob")).toBe(false);
    expect(looksAlike("mallory", "malory")).toBe(false);
  });

  it("people: two ids with look-alike names are both flagged, each naming the other by its marker (never by its name, which looks the same); one id under two names is not", () => {
    const people = new People();
    people.see("u-real", "alice");
    people.see("u-bob", "bob");
    people.see("u-bob", "b0b");
    expect(lookalikeWarning(people, { userId: "u-bob", name: "b0b" })).toBeUndefined();
    expect(lookalikeWarning(people, { userId: "u-real", name: "alice" })).toBeUndefined();

    // WHEN another id shows up as "aIice"
    people.see("u-fake", "aIice");

    // THEN both are flagged, by the other's tag
    expect(lookalikeWarning(people, { userId: "u-fake", name: "aIice" })).toBe(`⚠ look-alike name — not ${userTag("u-real")}`);
    expect(lookalikeWarning(people, { userId: "u-real", name: "alice" })).toBe(`⚠ look-alike name — not ${userTag("u-fake")}`);
  });

  it("people: the page's own ids are one person, 'you'", () => {
    const people = new People();
    people.setOwn("a-first", true);
    people.setOwn("a-second", true);
    people.see("a-first", "dave");
    people.see("a-second", "dave");
    people.see("a-other", "Dave");
    expect(lookalikeWarning(people, { userId: "a-second", name: "dave" })).toBe(`⚠ look-alike name — not ${userTag("a-other")}`);
    expect(lookalikeWarning(people, { userId: "a-other", name: "Dave" })).toBe("⚠ look-alike name — not you");
  });
});

describe("chat client, people by user id", () => {
  const at = "2026-01-01T00:00:01.000Z";
  const joined = (room: string, users: Array<[string, string]>) => JSON.stringify({ type: "joined", room, members: users.map(([name]) => name), users: users.map(([name, userId]) => ({ name, userId })), userCount: users.length });

  it("own id: the broadcast our receipt names is ours, whichever comes first; a guess by name from joined is replaced", () => {
    const { chat, identities } = chatWith(["general"]);
    chat.connected();
    // a guess: the joined answer lists the caller, by the name the page knows
    chat.receive(joined("general", [["alice", "u-guess"], ["bob", "u-bob"]]));
    expect(chat.userId).toBe("u-guess");
    expect(identities).toEqual([["alice", undefined]]); // a guessed id is not saved
    // the receipt first, then the broadcast
    chat.say("hello");
    chat.receive(JSON.stringify({ type: "sent", room: "general", id: "m1", delivered: 2, pruned: 0, failed: 0, stored: true }));
    chat.receive(JSON.stringify({ type: "message", room: "general", message: "hello", from: "alice", fromId: "u-alice", sentAt: at, seq: 1, id: "m1" }));
    expect(chat.userId).toBe("u-alice");
    expect(chat.isMe("u-alice")).toBe(true);
    expect(chat.isMe("u-guess")).toBe(false);
    expect(identities.at(-1)).toEqual(["alice", "u-alice"]);
  });

  it("own id: the broadcast first, then the receipt; and from the name answer after a rename", () => {
    const { chat, sent, identities } = chatWith(["general"]);
    chat.say("hi");
    chat.receive(JSON.stringify({ type: "message", room: "general", message: "hi", from: "alice", fromId: "u-alice", sentAt: at, seq: 1, id: "m1" }));
    expect(chat.userId).toBeUndefined();
    chat.receive(JSON.stringify({ type: "sent", room: "general", id: "m1", delivered: 1, pruned: 0, failed: 0, stored: true }));
    expect(chat.userId).toBe("u-alice");
    expect(chat.rename("alice2")).toBe(true);
    expect(sent.at(-1)).toEqual({ action: "setName", name: "alice2" });
    chat.receive(JSON.stringify({ type: "name", name: "alice2", userId: "u-alice" }));
    expect(chat.me).toBe("alice2");
    expect(identities.at(-1)).toEqual(["alice2", "u-alice"]);
    expect(chat.rename("<b>")).toBe(false);
  });

  it("own id: a private message's toId is ours; a saved id is used from the start", () => {
    const { chat } = chatWith(["general"]);
    chat.receive(JSON.stringify({ type: "private", from: "bob", fromId: "u-bob", to: "alice", toId: "u-alice", message: "psst", sentAt: at }));
    expect(chat.userId).toBe("u-alice");
    expect(chat.direct[0]).toMatchObject({ from: "bob", fromId: "u-bob", toId: "u-alice", outgoing: false });
    const restored = chatWith(["general"], "general", { userId: "u-saved" }).chat;
    expect(restored.isMe("u-saved")).toBe(true);
  });

  it("own id: without an authorizer each connection is a new id; the old one stays 'you' for its messages", () => {
    const { chat } = chatWith(["lobby"], "lobby", { idPerConnection: true });
    chat.connected();
    chat.receive(JSON.stringify({ type: "name", name: "alice", userId: "a-one" }));
    chat.connected();
    expect(chat.userId).toBeUndefined();
    expect(chat.isMe("a-one")).toBe(true);
  });

  it("mine: a message is the user's by id, never by name: a look-alike (or the same name) from another id is not, and is flagged", () => {
    const { chat } = chatWith(["general"], "general", { userId: "u-alice" });
    chat.receive(JSON.stringify({ type: "message", room: "general", message: "real", from: "alice", fromId: "u-alice", sentAt: at, seq: 1, id: "m1" }));
    chat.receive(JSON.stringify({ type: "message", room: "general", message: "fake", from: "alice", fromId: "u-fake", sentAt: at, seq: 2, id: "m2" }));
    chat.receive(JSON.stringify({ type: "message", room: "general", message: "fake 2", from: "aIice", fromId: "u-fake2", sentAt: at, seq: 3, id: "m3" }));
    const [real, fake, fake2] = chat.rooms.get("general")!.messages;
    expect(chat.isMe(real!.fromId)).toBe(true);
    expect(chat.isMe(fake!.fromId)).toBe(false);
    expect(lookalikeWarning(chat.people, { userId: fake2!.fromId, name: fake2!.from })).toBe(`⚠ look-alike name — not you, not ${userTag("u-fake")}`);
    expect(lookalikeWarning(chat.people, { userId: "u-alice", name: "alice" })).toBe(`⚠ look-alike name — not ${userTag("u-fake")}, not ${userTag("u-fake2")}`);
  });

  it("members: joined users, presence and typing are keyed by id, so two people with one name are two entries", () => {
    const { chat } = chatWith(["general"]);
    chat.connected();
    chat.receive(joined("general", [["alice", "u-A"], ["bob", "u-B"]]));
    chat.receive(JSON.stringify({ type: "presence", room: "general", user: "bob", userId: "u-B2", event: "joined" }));
    const room = chat.rooms.get("general")!;
    expect([...room.users.values()].map((u) => u.userId)).toEqual(["u-A", "u-B", "u-B2"]);
    expect(room.userCount).toBe(3);
    chat.receive(JSON.stringify({ type: "presence", room: "general", user: "bob", userId: "u-B", event: "left" }));
    expect([...room.users.values()].map((u) => u.userId)).toEqual(["u-A", "u-B2"]);
    chat.receive(JSON.stringify({ type: "typing", room: "general", user: "bob", userId: "u-B2", typing: true }));
    expect(chat.typing.typists("general")).toEqual([{ userId: "u-B2", name: "bob" }]);
  });
});

describe("chat client, rooms by key", () => {
  it("joined: the room takes the server's spelling, for the tab and for what is saved", () => {
    const { chat, saved } = chatWith(["lobby"]);
    chat.join("general");
    chat.receive(JSON.stringify({ type: "joined", room: "General", members: ["alice"], users: [{ name: "alice", userId: "u-A" }], userCount: 1 }));
    expect([...chat.rooms.values()].map((r) => r.name)).toEqual(["lobby", "General"]);
    expect(chat.activeRoomName).toBe("General");
    expect(saved.at(-1)).toEqual({ rooms: ["lobby", "General"], activeRoom: "General" });
    // frames in any spelling reach it
    chat.receive(JSON.stringify({ type: "message", room: "GENERAL", message: "hi", from: "bob", fromId: "u-B", sentAt: "2026-01-01T00:00:00Z", seq: 0, id: "x" }));
    expect(chat.rooms.get("general")!.messages).toHaveLength(1);
  });

  it("join: 'Lobby' while 'lobby' is open shows the open tab and asks nothing", () => {
    const { chat, sent } = chatWith(["lobby", "ops"], "ops");
    chat.connected();
    chat.receive(JSON.stringify({ type: "joined", room: "lobby", members: [], users: [], userCount: 0 }));
    sent.length = 0;
    expect(chat.join("Lobby")).toBe(true);
    expect(chat.join("ＬＯＢＢＹ")).toBe(true);
    expect(chat.rooms.size).toBe(2);
    expect(chat.activeRoom).toBe("lobby");
    expect(sent.filter((a) => a.action === "joinRoom")).toEqual([]);
  });

  it("join: a name that breaks the room rules is refused here, with the rules, and the text stays", () => {
    const { chat, sent, notices } = chatWith(["lobby"]);
    expect(chat.join("zero\u200bwidth")).toBe(false);
    expect(chat.join("two  spaces")).toBe(false);
    expect(sent).toEqual([]);
    expect(notices.map((n) => n.text)).toEqual([expect.stringMatching(/^Not joined: room names are 1 to 128 characters/), expect.any(String)]);
  });

  it("restore: saved rooms are deduplicated by key and invalid ones dropped", () => {
    const { chat } = chatWith(["lobby", "Lobby", "zero\u200bwidth", "ops"], "LOBBY");
    expect([...chat.rooms.keys()]).toEqual(["lobby", "ops"]);
    expect(chat.activeRoom).toBe("lobby");
  });
});

describe("chat client, limits", () => {
  const rateLimited = { type: "error", code: "rate_limited", message: "You are sending messages too fast: at most 3 a minute.", requestAction: "onMessage" };

  it("rate_limited: the refused message (the newest) goes back in the box and the error is shown", () => {
    const { chat, drafts, notices } = chatWith(["general"]);
    chat.say("one");
    chat.say("two");
    chat.receive(JSON.stringify(rateLimited));
    expect(drafts).toEqual([{ kind: "room", room: "general", text: "two" }]);
    expect(notices.at(-1)).toEqual({ kind: "error", text: `${rateLimited.message} Your message is back in the box: send it again when you can.` });
  });

  it("rate_limited: when the box has new text, the refused message is quoted in the notice instead", () => {
    const { chat, notices } = chatWith(["general"], "general", { returned: () => false });
    chat.say("lost words");
    chat.receive(JSON.stringify(rateLimited));
    expect(notices.at(-1)!.text).toBe(`${rateLimited.message} Not sent: “lost words”.`);
  });

  it("rate_limited: a refused private message goes back in the direct box", () => {
    const { chat, drafts } = chatWith(["general"]);
    chat.whisper("bob", "psst");
    chat.receive(JSON.stringify({ ...rateLimited, requestAction: "privateMessage" }));
    expect(drafts).toEqual([{ kind: "direct", to: "bob", text: "psst" }]);
  });

  it("too_many_rooms: the error is shown and the room that was not joined leaves the list", () => {
    const { chat, notices, saved } = chatWith(["lobby"]);
    chat.connected();
    chat.receive(JSON.stringify({ type: "joined", room: "lobby", members: [], users: [], userCount: 0 }));
    chat.join("one-too-many");
    chat.receive(JSON.stringify({ type: "error", code: "too_many_rooms", message: "You are in 20 rooms, the most one connection may be in; leave one first.", requestAction: "joinRoom" }));
    expect([...chat.rooms.keys()]).toEqual(["lobby"]);
    expect(chat.activeRoom).toBe("lobby");
    expect(notices.at(-1)!.text).toBe("You are in 20 rooms, the most one connection may be in; leave one first. “one-too-many” was not joined.");
    expect(saved.at(-1)!.rooms).toEqual(["lobby"]);
  });
});

describe("refused handshakes", () => {
  const backoff = { initialMs: 500, maxMs: 30_000 };
  const jwt = (claims: Record<string, unknown>) => `x.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.y`;

  it("hint: an expired pasted token says so; a valid one points at too many connections (429) first", () => {
    const expired = jwt({ sub: "s", exp: 1_000 });
    expect(tokenExpired(expired, 2_000_000)).toBe(true);
    expect(refusalHint({ signIn: { kind: "token", token: expired }, backoff }, undefined, "alice")).toMatch(/token has expired/);
    const valid = jwt({ sub: "s", exp: Math.floor(Date.now() / 1000) + 3600 });
    expect(refusalHint({ signIn: { kind: "token" }, backoff }, valid, "alice")).toMatch(/“alice” is connected in too many tabs or on too many devices.*at most every 30 s.*token may not be valid/);
  });

  it("hint: in dev the token is fresh, so too many connections; without sign-in, too many connections at once", () => {
    expect(refusalHint({ signIn: { kind: "dev", issuer: "http://x/_dev" }, backoff }, undefined, "bob")).toMatch(/“bob” is connected in too many tabs/);
    expect(refusalHint({ signIn: { kind: "anonymous" }, backoff }, undefined, "bob")).toMatch(/too many new connections at once/);
  });
});
