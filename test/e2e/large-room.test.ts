import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "../../web/src/chat-client.ts";
import { ChatProcess } from "../reliability/support/chat-process.ts";
import { synthesizeChatStack } from "../reliability/support/chat-stack.ts";
import type { ChatUser, Frame } from "../reliability/support/chat-user.ts";

// A large room through the emulator, as on AWS: the synthesized stack with
// fan_out_shard_size = 10, its onMessage and fan-out bundles, and the
// emulator's Lambda Invoke API (InvocationType Event) with its asynchronous
// retries. The emulator crashes the fan-out function's first two
// invocations after they have done their work (--crash-invocations), so
// Lambda's retry delivers those pieces' message a second time: every member
// still gets it, and the browser client shows it once.

const SHARD = 10;
const MEMBERS = 35;
const ROOM = "arena";
let chat: ChatProcess;
const users: ChatUser[] = [];

beforeAll(async () => {
  chat = await ChatProcess.start(synthesizeChatStack(), [
    "--var",
    `fan_out_shard_size=${SHARD}`,
    "--async-retry-delay",
    "300",
    "--crash-invocations",
    "wsstack-fan-out=2@1500",
  ]);
  for (let i = 0; i < MEMBERS; i++) users.push(await chat.signIn(`fan${i}`));
  for (const user of users) await user.ask({ action: "joinRoom", room: ROOM }, (f) => f.type === "joined" && f.room === ROOM, `joined ${ROOM}`);
}, 180_000);
afterAll(async () => {
  for (const user of users) user.close();
  await chat?.stop();
});

/** What the browser client keeps of a room after the frames one member received. */
function shownBy(user: ChatUser): string[] {
  const client = new ChatClient({
    me: user.name,
    rooms: [ROOM],
    activeRoom: ROOM,
    send: () => true,
    changed: () => {},
    notify: () => {},
    roomsChanged: () => {},
    identityChanged: () => {},
    returned: () => true,
  });
  for (const frame of user.frames) client.receive(JSON.stringify(frame));
  return client.rooms.get(ROOM)!.messages.map((message) => message.id);
}

describe("large rooms through the emulator", () => {
  it(`a room of ${MEMBERS} with shards of ${SHARD}: the receipt names the fan-out; crashed pieces are retried by Lambda; every member gets the message and the client shows it once`, async () => {
    // WHEN one member sends a message to the room
    const sender = users[0]!;
    const receipt = await sender.ask({ action: "onMessage", room: ROOM, message: "hello, arena" }, (f) => f.type === "sent", "receipt");

    // THEN the receipt counts the sender's own page (a shard and one) and names the fan-out in flight
    expect(receipt).toMatchObject({ type: "sent", room: ROOM, delivered: SHARD + 1, failed: 0, stored: true, fanOut: receipt.id });

    // AND every member receives it, the pieces after the first page through the fan-out function
    for (const user of users) await user.waitFor((frames) => frames.some((f) => f.type === "message" && f.id === receipt.id), "the message", 30_000);

    // AND the two crashed invocations were retried by the emulator's asynchronous invocation, so some members got it twice
    await users[MEMBERS - 1]!.waitFor(() => (/retry 1 of 2/.test(chat.log()) ? true : undefined), "a retry in the emulator log", 10_000);
    const copies = () => users.map((user) => user.messageIdCounts().get(String(receipt.id)) ?? 0);
    const total = () => copies().reduce((a, b) => a + b, 0);
    await users[MEMBERS - 1]!.waitFor(() => (total() > MEMBERS ? true : undefined), "a second copy from a retried piece", 15_000);
    expect(Math.min(...copies())).toBeGreaterThanOrEqual(1);

    // AND the browser client shows the message once to every member
    for (const user of users) expect(shownBy(user).filter((id) => id === receipt.id)).toEqual([receipt.id]);
    // AND the message is in the room's history once
    const history = (await sender.ask({ action: "history", room: ROOM }, (f: Frame) => f.type === "history", "history")) as Frame & { messages: Frame[] };
    expect(history.messages.filter((m) => m.id === receipt.id)).toHaveLength(1);
  }, 120_000);
});
