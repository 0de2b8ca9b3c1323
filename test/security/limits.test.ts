import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { handshake, received, reply, SECURITY_TIMEOUT_MS, settle, signedIn, startDevChat, tokenFor, unique, type ChatUser, type Frame } from "./support/chat.ts";

// Attack 3, flooding: one connection (or one person) must not be able to
// take more than its share. Every limit is a Terraform variable; here each is
// set small, as a deployment may set it, so the tests reach it in a few
// requests.

const MESSAGES_PER_MINUTE = 5;
const ROOMS_PER_CONNECTION = 3;
const CONNECTIONS_PER_USER = 2;
const MEMBER_NAMES = 3;
const STORED_MESSAGE_BYTES = 64;

const users: ChatUser[] = [];
afterEach(() => {
  for (const user of users.splice(0)) user.client.ws.terminate();
});

describe("limits (each Terraform variable set small)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevChat({
      [SETTINGS.maxMessagesPerMinute.variable]: String(MESSAGES_PER_MINUTE),
      [SETTINGS.maxRoomsPerConnection.variable]: String(ROOMS_PER_CONNECTION),
      [SETTINGS.maxConnectionsPerUser.variable]: String(CONNECTIONS_PER_USER),
      [SETTINGS.maxMemberNames.variable]: String(MEMBER_NAMES),
      [SETTINGS.maxStoredMessageBytes.variable]: String(STORED_MESSAGE_BYTES),
    });
  });
  afterAll(async () => {
    await dev?.emulator.close();
  });

  const user = async (name: string) => {
    const signed = await signedIn(dev, name);
    users.push(signed);
    return signed;
  };

  it(`max_messages_per_minute: past ${MESSAGES_PER_MINUTE} messages (onMessage and privateMessage together) in a minute, a connection gets rate_limited and nothing more of it is sent or stored; everything else keeps working`, async () => {
    // GIVEN sam (who reads) and tom (who also writes), in the lobby
    const sam = await user("sam");
    const tom = await user("tom");
    // WHEN rita, on a new connection, sends as many messages as the budget allows (three to the lobby,
    // two privately to sam), then more of both
    const burst = async () => {
      const rita = await user("rita");
      const minute = Math.floor(Date.now() / 60_000);
      const accepted = [unique("one"), unique("two"), unique("three")];
      const excess = [unique("excess one"), unique("excess two"), unique("excess three")];
      const withinBudget: Frame[] = [];
      for (const message of accepted) withinBudget.push(await reply(rita, { action: "onMessage", message }));
      for (const message of [unique("private one"), unique("private two")]) withinBudget.push(await reply(rita, { action: "privateMessage", to: "sam", message }));
      const over = [
        await reply(rita, { action: "onMessage", message: excess[0] }),
        await reply(rita, { action: "privateMessage", to: "sam", message: excess[1] }),
        await reply(rita, { action: "onMessage", message: excess[2] }),
      ];
      return { rita, accepted, excess, withinBudget, over, withinOneMinute: Math.floor(Date.now() / 60_000) === minute };
    };
    // (The budget may be per clock minute: a burst that straddled two minutes proves nothing, so it is sent again, once, right after.)
    let attempt = await burst();
    if (!attempt.withinOneMinute) {
      attempt.rita.close();
      await attempt.rita.client.closed;
      attempt = await burst();
    }
    const { rita, accepted, excess, withinBudget, over } = attempt;
    // THEN those within the budget are sent, and each one over it is refused as rate_limited, naming its action
    expect(withinBudget.map((frame) => frame.type)).toEqual(["sent", "sent", "sent", "sent", "sent"]);
    expect(over[0]).toMatchObject({ type: "error", code: "rate_limited", requestAction: "onMessage" });
    expect(over[1]).toMatchObject({ type: "error", code: "rate_limited", requestAction: "privateMessage" });
    expect(over[2]).toMatchObject({ type: "error", code: "rate_limited", requestAction: "onMessage" });
    // ... while her other actions still answer, and the history holds only what was accepted
    expect(await reply(rita, { action: "typingIndicator", room: "lobby", typing: false })).toMatchObject({ type: "ack" });
    const history = await reply(rita, { action: "history", room: "lobby" });
    expect(history).toMatchObject({ type: "history", room: "lobby" });
    const stored = (history.messages as Frame[]).map((m) => m.message as string).filter((text) => accepted.includes(text) || excess.includes(text));
    expect(stored.sort()).toEqual([...accepted].sort());
    // ... and another user's message still reaches everyone, rita included
    const fromTom = unique("tom speaking");
    const samSince = sam.frames.length;
    const ritaSince = rita.frames.length;
    expect(await reply(tom, { action: "onMessage", message: fromTom })).toMatchObject({ type: "sent" });
    await received(sam, (f) => f.type === "message" && f.message === fromTom, "tom's message at sam", samSince);
    await received(rita, (f) => f.type === "message" && f.message === fromTom, "tom's message at rita", ritaSince);
    // ... and none of the excess ever reached sam
    await settle();
    expect(sam.frames.filter((f) => excess.includes(f.message as string))).toEqual([]);
  });

  it(`max_rooms_per_connection: a connection in ${ROOMS_PER_CONNECTION} rooms (the lobby counts) cannot join another (too_many_rooms) until it leaves one`, async () => {
    // GIVEN uma, in the lobby and as many more rooms as the limit allows
    const uma = await user("uma");
    const rooms = Array.from({ length: ROOMS_PER_CONNECTION }, (_, i) => unique(`room ${i}`));
    for (const room of rooms.slice(0, ROOMS_PER_CONNECTION - 1)) expect(await reply(uma, { action: "joinRoom", room })).toMatchObject({ type: "joined", room });
    // WHEN she joins one more
    const refused = await reply(uma, { action: "joinRoom", room: rooms[ROOMS_PER_CONNECTION - 1] });
    // THEN it is refused
    expect(refused).toMatchObject({ type: "error", code: "too_many_rooms", requestAction: "joinRoom" });
    // ... and she is not in it
    expect(await reply(uma, { action: "onMessage", room: rooms[ROOMS_PER_CONNECTION - 1], message: "am i in?" })).toMatchObject({ type: "error", code: "not_member" });
    // WHEN she leaves one room, THEN she can join
    expect(await reply(uma, { action: "leaveRoom", room: rooms[0] })).toMatchObject({ type: "left" });
    expect(await reply(uma, { action: "joinRoom", room: rooms[ROOMS_PER_CONNECTION - 1] })).toMatchObject({ type: "joined", room: rooms[ROOMS_PER_CONNECTION - 1] });
  });

  it(`max_connections_per_user: the connection after ${CONNECTIONS_PER_USER} simultaneous ones of one identity is refused with 429; the others keep working; after one closes, a new one is accepted`, async () => {
    // GIVEN vera with as many connections as allowed
    const vera = [];
    for (let i = 0; i < CONNECTIONS_PER_USER; i += 1) vera.push(await user("vera"));
    const url = `${dev.emulator.url}?token=${await tokenFor(dev, "vera")}`;
    // WHEN she opens one more
    // THEN the handshake is refused with 429 Too Many Requests
    expect(await handshake(url)).toBe(429);
    // ... and another identity still connects
    expect(await handshake(`${dev.emulator.url}?token=${await tokenFor(dev, "walter")}`)).toBe("accepted");
    // ... and her open connections keep working
    for (const connection of vera) expect(await reply(connection, { action: "onMessage", message: unique("still here") })).toMatchObject({ type: "sent" });
    // WHEN one of them closes (its $disconnect runs after the close; retry until it did)
    vera[0]!.close();
    await vera[0]!.client.closed;
    let status: number | "accepted" = 429;
    for (let attempt = 0; attempt < 40 && status === 429; attempt += 1) {
      status = await handshake(url);
      if (status === 429) await settle(250);
    }
    // THEN a new one is accepted
    expect(status).toBe("accepted");
  });

  it(`max_member_names: a joined answer lists at most ${MEMBER_NAMES} users and counts them all`, async () => {
    // GIVEN five people in one room
    const room = unique("crowd");
    const names = ["xavi", "yara", "zoe", "abel", "bria"];
    let last: Frame | undefined;
    for (const name of names) last = await reply(await user(name), { action: "joinRoom", room });
    // WHEN the fifth joins
    // THEN the answer lists at most the limit, each with a name and a user id, and counts all five
    expect(last).toMatchObject({ type: "joined", room, userCount: names.length });
    const listed = last!.users as { name: string; userId: string }[];
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.length).toBeLessThanOrEqual(MEMBER_NAMES);
    for (const entry of listed) {
      expect(names).toContain(entry.name);
      expect(entry.userId).toEqual(expect.stringMatching(/\S/));
    }
  });

  it(`max_stored_message_bytes: a message text over ${STORED_MESSAGE_BYTES} UTF-8 bytes is refused (too_large), neither delivered nor stored; one of exactly that size is accepted`, async () => {
    // GIVEN xena and yuri in a room
    const room = unique("bytes");
    const xena = await user("xena");
    const yuri = await user("yuri");
    for (const member of [xena, yuri]) expect(await reply(member, { action: "joinRoom", room })).toMatchObject({ type: "joined" });
    // Two-byte characters: 32 characters are 64 bytes, 33 are 66.
    const atLimit = "é".repeat(STORED_MESSAGE_BYTES / 2);
    const overLimit = `${atLimit}!`;
    expect(Buffer.byteLength(overLimit)).toBe(STORED_MESSAGE_BYTES + 1);
    const since = yuri.frames.length;
    // WHEN xena sends one text over the limit, then one at it
    const refused = await reply(xena, { action: "onMessage", room, message: overLimit });
    const sent = await reply(xena, { action: "onMessage", room, message: atLimit });
    // THEN the one over it is refused, the other accepted
    expect(refused).toMatchObject({ type: "error", code: "too_large", requestAction: "onMessage" });
    expect(sent).toMatchObject({ type: "sent", room });
    // ... yuri got only the accepted one, and the history holds only it
    await received(yuri, (f) => f.type === "message" && f.message === atLimit, "the message at the limit", since);
    await settle();
    expect(yuri.frames.slice(since).filter((f) => f.type === "message").map((f) => f.message)).toEqual([atLimit]);
    const history = await reply(yuri, { action: "history", room });
    expect((history.messages as Frame[]).map((m) => m.message)).toEqual([atLimit]);
  });
});
