import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import { received, reply, SECURITY_TIMEOUT_MS, signedIn, startDevChat, unique, type ChatUser, type Frame } from "./support/chat.ts";

// Attack 4, rooms that look alike: "lobby" and "lobby\u200b" (a zero-width
// space), "Lobby" and "lobby", "Café" typed two ways, were different rooms
// that every screen shows the same. Room names are now NFC, free of
// invisible characters and odd spacing, counted in code points, and matched
// case-insensitively (NFKC + case fold, contract/rooms.ts); every frame shows
// a room under its first spelling.

const users: ChatUser[] = [];
afterEach(() => {
  for (const user of users.splice(0)) user.client.ws.terminate();
});

/** Every `room` named in the frames `user` received. */
const roomsSeenBy = (user: ChatUser): unknown[] => [...new Set(user.frames.filter((f) => "room" in f).map((f) => f.room))];

describe("rooms: names that look alike are one room or refused", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevChat();
  });
  afterAll(async () => {
    await dev?.emulator.close();
  });

  const user = async (name: string) => {
    const signed = await signedIn(dev, name);
    users.push(signed);
    return signed;
  };

  it("rooms: a name with control, format, zero-width or other invisible characters, or with spacing other than single inner spaces, is refused (invalid_field) by every action", async () => {
    const mallory = await user("mallory");
    const hostile: Record<string, string> = {
      "zero-width space": "lobby\u200b",
      "zero-width joiner": "lob\u200dby",
      "word joiner": "\u2060lobby",
      "right-to-left override": "\u202eybbol",
      "soft hyphen": "lob\u00adby",
      "combining grapheme joiner": "lob\u034fby",
      "Hangul filler": "lobby\u3164",
      "variation selector": "lobby\ufe0f",
      "byte order mark": "\ufefflobby",
      "NUL": "lobby\u0000",
      "tab": "lob\tby",
      "new line": "lobby\n",
      "line separator": "lob\u2028by",
      "no-break space": "my\u00a0room",
      "ideographic space": "my\u3000room",
      "leading space": " lobby",
      "trailing space": "lobby ",
      "two spaces": "my  room",
      "private use": "lobby\ue000",
    };
    // WHEN mallory names each in joinRoom
    const answers: Record<string, unknown> = {};
    for (const [label, room] of Object.entries(hostile)) answers[label] = (await reply(mallory, { action: "joinRoom", room })).code ?? "joined";
    // THEN every one is refused as an invalid field
    expect(answers).toStrictEqual(Object.fromEntries(Object.keys(hostile).map((label) => [label, "invalid_field"])));
    // ... and the other room actions refuse such a name the same way (not "not a member": it names no room)
    for (const action of [
      { action: "onMessage", room: "lobby\u200b", message: "hi" },
      { action: "history", room: "lobby\u200b" },
      { action: "typingIndicator", room: "lobby\u200b", typing: true },
      { action: "leaveRoom", room: "lobby\u200b" },
    ]) {
      expect(await reply(mallory, action), action.action).toMatchObject({ type: "error", code: "invalid_field", requestAction: action.action });
    }
  });

  it("rooms: a name's length is counted in code points after NFC: 128 emoji are accepted, 129 refused", async () => {
    const emma = await user("emma");
    const emoji = "\u{1F600}";
    const decomposed = "e\u0301"; // é as two code points: one after NFC
    expect(await reply(emma, { action: "joinRoom", room: emoji.repeat(128) })).toMatchObject({ type: "joined", room: emoji.repeat(128) });
    expect(await reply(emma, { action: "leaveRoom", room: emoji.repeat(128) })).toMatchObject({ type: "left" });
    expect(await reply(emma, { action: "joinRoom", room: decomposed.repeat(128) })).toMatchObject({ type: "joined", room: "\u00e9".repeat(128) });
    expect(await reply(emma, { action: "leaveRoom", room: decomposed.repeat(128) })).toMatchObject({ type: "left" });
    expect(await reply(emma, { action: "joinRoom", room: emoji.repeat(129) })).toMatchObject({ type: "error", code: "invalid_field" });
    expect(await reply(emma, { action: "joinRoom", room: "a".repeat(129) })).toMatchObject({ type: "error", code: "invalid_field" });
  });

  it('rooms: "Lobby", "LOBBY" and "LoBbY" are the lobby; every frame shows it as "lobby"; "lobby\\u200b" is refused', async () => {
    // GIVEN alice and bob, in the lobby since they connected
    const alice = await user("alice");
    const bob = await user("bob");
    // WHEN bob joins "Lobby"
    const joined = await reply(bob, { action: "joinRoom", room: "Lobby" });
    // THEN he is answered as a member of the lobby, alice among its users
    expect(joined).toMatchObject({ type: "joined", room: "lobby" });
    expect((joined.users as { name: string }[]).map((u) => u.name)).toEqual(expect.arrayContaining(["alice", "bob"]));
    // WHEN alice writes to "LOBBY" and types in "LoBbY"
    const text = unique("to the LOBBY");
    const since = bob.frames.length;
    expect(await reply(alice, { action: "onMessage", room: "LOBBY", message: text })).toMatchObject({ type: "sent", room: "lobby" });
    // THEN bob gets it as a lobby message
    expect(await received(bob, (f) => f.type === "message" && f.message === text, "alice's message", since)).toMatchObject({ room: "lobby", from: "alice" });
    expect(await reply(alice, { action: "typingIndicator", room: "LoBbY", typing: true })).toMatchObject({ type: "ack" });
    expect(await received(bob, (f) => f.type === "typing", "alice typing", since)).toMatchObject({ room: "lobby", user: "alice" });
    // ... and the history of "LOBBY" is the lobby's
    const history = await reply(bob, { action: "history", room: "LOBBY" });
    expect(history).toMatchObject({ type: "history", room: "lobby" });
    expect((history.messages as Frame[]).map((m) => m.message)).toContain(text);
    // ... while "lobby" with a zero-width space is no room at all
    expect(await reply(bob, { action: "joinRoom", room: "lobby\u200b" })).toMatchObject({ type: "error", code: "invalid_field" });
    // ... and no frame either of them got named the lobby any other way
    expect(roomsSeenBy(alice)).toEqual(["lobby"]);
    expect(roomsSeenBy(bob)).toEqual(["lobby"]);
  });

  it("rooms: a room is shown under its first spelling to everyone, whatever spelling each member uses (case, full-width letters)", async () => {
    // GIVEN carol, who made "Book Club"
    const carol = await user("carol");
    const dave = await user("dave");
    const room = "Book Club";
    expect(await reply(carol, { action: "joinRoom", room })).toMatchObject({ type: "joined", room });
    // WHEN dave joins "book club"
    let since = carol.frames.length;
    const joined = await reply(dave, { action: "joinRoom", room: "book club" });
    // THEN he is in carol's room, shown as she spelled it, and she is told so under that spelling
    expect(joined).toMatchObject({ type: "joined", room, members: ["carol", "dave"], userCount: 2 });
    expect(await received(carol, (f) => f.type === "presence" && f.user === "dave", "dave's presence", since)).toMatchObject({ room, event: "joined" });
    // ... and full-width letters name the same room: he is already in it
    expect(await reply(dave, { action: "joinRoom", room: "ＢＯＯＫ Ｃｌｕｂ" })).toMatchObject({ type: "joined", room, userCount: 2 });
    // WHEN he writes to "BOOK CLUB"
    const text = unique("chapter one");
    since = carol.frames.length;
    expect(await reply(dave, { action: "onMessage", room: "BOOK CLUB", message: text })).toMatchObject({ type: "sent", room, delivered: 2 });
    // THEN carol gets it in "Book Club"
    expect(await received(carol, (f) => f.type === "message" && f.message === text, "dave's message", since)).toMatchObject({ room });
    // WHEN carol leaves "BOOK club", THEN she has left "Book Club", and dave is told under that name
    since = dave.frames.length;
    expect(await reply(carol, { action: "leaveRoom", room: "BOOK club" })).toStrictEqual({ type: "left", room });
    expect(await received(dave, (f) => f.type === "presence" && f.event === "left" && f.user === "carol", "carol leaving", since)).toMatchObject({ room });
  });

  it('rooms: names are NFC: "Cafe" with a combining accent and "Café" are one room, shown in NFC', async () => {
    const erin = await user("erin");
    const frank = await user("frank");
    const composed = "Caf\u00e9 Noir";
    const decomposed = "Cafe\u0301 Noir";
    expect(await reply(erin, { action: "joinRoom", room: decomposed })).toMatchObject({ type: "joined", room: composed });
    expect(await reply(frank, { action: "joinRoom", room: composed })).toMatchObject({ type: "joined", room: composed, userCount: 2 });
    const text = unique("espresso");
    const since = frank.frames.length;
    expect(await reply(erin, { action: "onMessage", room: decomposed, message: text })).toMatchObject({ type: "sent", room: composed });
    expect(await received(frank, (f) => f.type === "message" && f.message === text, "erin's message", since)).toMatchObject({ room: composed });
  });
});
