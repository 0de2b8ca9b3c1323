import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionStore, MessageHistory } from "../../../functions/core/connection-store.ts";
import type { MessageFrame } from "../../../contract/frames.ts";
import { MissingFieldError, NotMemberError, RateLimitedError, TooLargeError } from "../../../functions/core/client-errors.ts";
import { roomKey } from "../../../contract/rooms.ts";
import { compareMessages } from "../../../contract/message-order.ts";
import { sendMessage, type SendMessageSettings } from "../../../functions/core/send-message.ts";
import { answerTwoWay } from "../../../functions/core/two-way-answer.ts";
import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import { captureLogs } from "../support/captured-logs.ts";
import { countingRandom, fixedClock, NOW_SECONDS, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
const SETTINGS: SendMessageSettings = {
  maxMessageBytes: 32_768,
  defaultRoom: "lobby",
  fanOut: { concurrency: 8 },
  historyTtlSeconds: 604_800,
  maxStoredMessageBytes: 4_096,
  rate: { maxPerMinute: 60 },
};

beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

function body(fields: Record<string, unknown>): string {
  return JSON.stringify({ action: "onMessage", ...fields });
}

describe("sendMessage", () => {
  it("sendMessage: broadcasts the message frame to the room, from the sender's name, and returns the receipt", async () => {
    // GIVEN three connections in a room, the sender among them, one of them gone
    const room = newRoom("general");
    const sender = await world.connected("Ada", [room]);
    const other = await world.connected("Grace", [room]);
    const gone = await world.connected("Gone", [room]);
    world.api.gone.add(gone);

    // WHEN the sender sends a message to the room
    const receipt = await sendMessage({ connectionId: sender, body: body({ room, message: "Hello everyone" }) }, world.dependencies(), SETTINGS);

    // THEN the live members get the message frame, and the sender a receipt counting the delivery and the pruning
    const fromId = (await world.store.connection(sender))!.userId;
    const frame = { type: "message", room, message: "Hello everyone", from: "Ada", fromId, sentAt: "2024-01-20T11:55:04.112Z", seq: 0, id: "id-1" };
    expect(world.framesOf(sender)).toEqual([frame]);
    expect(world.framesOf(other)).toEqual([frame]);
    expect(receipt).toStrictEqual({ type: "sent", room, id: "id-1", delivered: 2, pruned: 1, failed: 0, stored: true });
  });

  it("sendMessage: sentAt is when API Gateway received the frame, and seq is the client's, whatever order the invocations run in", async () => {
    // GIVEN a sender and a listener in a room
    const room = newRoom("ordered");
    const ada = await world.connected("Ada", [room]);
    const grace = await world.connected("Grace", [room]);
    // WHEN three frames received at t, t and t+1 ms run in reverse order, with a clock far later than any of them
    const t = Date.UTC(2024, 0, 20, 12, 0, 0);
    for (const [seq, receivedAt] of [[3, t + 1], [2, t], [1, t]] as const) {
      await sendMessage({ connectionId: ada, body: body({ room, message: `m${seq}`, seq }), receivedAt }, world.dependencies(), SETTINGS);
    }
    // THEN the frames arrived in processing order, but their server order is the order sent
    const frames = world.framesOf(grace) as unknown as MessageFrame[];
    expect(frames.map((f) => f.message)).toEqual(["m3", "m2", "m1"]);
    expect(frames.map((f) => [f.sentAt, f.seq])).toEqual([[new Date(t + 1).toISOString(), 3], [new Date(t).toISOString(), 2], [new Date(t).toISOString(), 1]]);
    expect([...frames].sort(compareMessages).map((f) => f.message)).toEqual(["m1", "m2", "m3"]);
    // and history returns them newest first in that same order
    const page = await world.store.recentMessages(room, { limit: 10, nowSeconds: NOW_SECONDS });
    expect(page.messages.map((m) => m.message)).toEqual(["m3", "m2", "m1"]);
  });

  it("sendMessage: reaches only the named room, not the sender's other rooms", async () => {
    // GIVEN Ada in two rooms, with someone else in each
    const [roomA, roomB] = [newRoom("a"), newRoom("b")];
    const ada = await world.connected("Ada", [roomA, roomB]);
    const inA = await world.connected("Anita", [roomA]);
    const inB = await world.connected("Barbara", [roomB]);
    // WHEN Ada writes to room A
    await sendMessage({ connectionId: ada, body: body({ room: roomA, message: "only A" }) }, world.dependencies(), SETTINGS);
    // THEN only room A heard it
    expect(world.framesOf(inA)).toHaveLength(1);
    expect(world.framesOf(inB)).toEqual([]);
  });

  it("sendMessage: without room the message goes to the lobby (the seed flow)", async () => {
    const ada = await world.connected("Ada", ["lobby"]);
    const receipt = await sendMessage({ connectionId: ada, body: '{"action":"onMessage","message":"Hello everyone"}' }, world.dependencies(), SETTINGS);
    expect(receipt).toMatchObject({ type: "sent", room: "lobby" });
    expect(world.framesOf(ada)).toContainEqual(expect.objectContaining({ type: "message", room: "lobby", from: "Ada", message: "Hello everyone" }));
  });

  it("sendMessage: a sender outside the room is not_member and nothing is sent or stored", async () => {
    // GIVEN a room with a member, and Eve outside it
    const room = newRoom("closed");
    const member = await world.connected("Member", [room]);
    const eve = await world.connected("Eve", [newRoom("elsewhere")]);
    // WHEN Eve writes to the room
    // THEN it is not_member, the member got nothing, and the room has no history
    await expect(sendMessage({ connectionId: eve, body: body({ room, message: "hi" }) }, world.dependencies(), SETTINGS)).rejects.toThrow(NotMemberError);
    expect(world.framesOf(member)).toEqual([]);
    expect((await world.store.recentMessages(room, { limit: 10, nowSeconds: NOW_SECONDS })).messages).toEqual([]);
  });

  it("sendMessage: the message is stored in the room's history with a TTL of HISTORY_TTL_SECONDS", async () => {
    // GIVEN a member of a room
    const room = newRoom("kept");
    const ada = await world.connected("Ada", [room]);
    world.table.calls.length = 0;
    // WHEN it sends a message with a 1-hour history TTL
    await sendMessage({ connectionId: ada, body: body({ room, message: "remember me" }) }, world.dependencies(), { ...SETTINGS, historyTtlSeconds: 3600 });
    // THEN one PutItem wrote it under ROOM#<room>, expiring an hour from now, with no `room` attribute (which would list it as a member)
    const put = world.table.calls.find((call) => call.action === "PutItem")!;
    const item = put.input["Item"] as Record<string, Record<string, string>>;
    expect(item["pk"]).toEqual({ S: `ROOM#${roomKey(room)}` });
    expect(item["sk"]).toEqual({ S: "MSG#2024-01-20T11:55:04.112Z#0000000000000000#id-1" });
    expect(item["expiresAt"]).toEqual({ N: String(NOW_SECONDS + 3600) });
    expect(item["room"]).toBeUndefined();
  });

  it("sendMessage: the history write starts before the broadcast, and the receipt waits for both", async () => {
    // GIVEN a store whose history write stays pending until the test releases it
    const room = "lobby";
    const events: string[] = [];
    let releaseWrite!: () => void;
    const store = {
      membership: async () => ({ connectionId: "me", room, roomName: room, userName: "Ada", userId: "u-ada" }),
      countMessage: async () => true,
      roomMembers: async function* () {
        yield [{ connectionId: "me" }, { connectionId: "you" }];
      },
      removeStaleConnection: async () => ({ connectionId: "", hadConnection: false, rooms: [] }),
      appendMessage: () => {
        events.push("write started");
        return new Promise<void>((resolve) => {
          releaseWrite = () => {
            events.push("write done");
            resolve();
          };
        });
      },
    } as unknown as ConnectionStore & MessageHistory;
    const sender = { post: async (connectionId: string) => void events.push(`post ${connectionId}`) };
    const { logger } = captureLogs();

    // WHEN a message is sent, and every pending callback has run (one macrotask turn; no I/O is involved)
    let settled = false;
    const receipt = sendMessage({ connectionId: "me", body: body({ message: "hi" }) }, { store, sender, clock: fixedClock(), random: countingRandom(), logger }, SETTINGS).then(
      (frame) => ((settled = true), frame),
    );
    await new Promise((resolve) => setImmediate(resolve));

    // THEN both posts went out while the write was still pending, and the receipt is still waiting for it
    expect(events).toEqual(["write started", "post me", "post you"]);
    expect(settled).toBe(false);
    // and once the write completes, the receipt says it was stored
    releaseWrite();
    await expect(receipt).resolves.toMatchObject({ delivered: 2, stored: true });
  });

  it("sendMessage: a failed history write is logged and reported as stored:false; the broadcast stands", async () => {
    // GIVEN a store whose message writes go to a table that does not exist, but whose reads work
    const room = newRoom("unkept");
    const ada = await world.connected("Ada", [room]);
    const deps = world.dependencies();
    const broken = new DynamoDbConnectionStore({ client: world.table.client, tableName: "no-such-table", sleep: async () => {} });
    const store = {
      membership: world.store.membership.bind(world.store),
      countMessage: world.store.countMessage.bind(world.store),
      roomMembers: world.store.roomMembers.bind(world.store),
      removeStaleConnection: world.store.removeStaleConnection.bind(world.store),
      appendMessage: broken.appendMessage.bind(broken),
    } as unknown as ConnectionStore & MessageHistory;
    // WHEN Ada sends a message
    const receipt = await sendMessage({ connectionId: ada, body: body({ room, message: "hi" }) }, { ...deps, store }, SETTINGS);
    // THEN the room got it, the receipt says it was not stored, and the log has the fault
    expect(world.framesOf(ada)).toHaveLength(1);
    expect(receipt).toMatchObject({ delivered: 1, stored: false });
    expect(deps.lines).toContainEqual(expect.objectContaining({ level: "ERROR", message: "history write failed", error: expect.objectContaining({ name: "ResourceNotFoundException" }) }));
  });

  it("sendMessage: past maxPerMinute a connection gets rate_limited; nothing of the excess is sent or stored, and others keep flowing", async () => {
    // GIVEN Ada and Grace in a room, with a budget of 3 messages a minute
    const room = newRoom("flood");
    const ada = await world.connected("Ada", [room]);
    const grace = await world.connected("Grace", [room]);
    const limited = { ...SETTINGS, rate: { maxPerMinute: 3 } };
    const random = countingRandom();
    // WHEN Ada sends 5 messages within the minute
    const results = [];
    for (let i = 0; i < 5; i++) {
      results.push(await sendMessage({ connectionId: ada, body: body({ room, message: `flood ${i}` }) }, world.dependencies({ random }), limited).then(() => "sent", (error: unknown) => error));
    }
    // THEN the first 3 went out and the last 2 were refused with rate_limited
    expect(results.slice(0, 3)).toEqual(["sent", "sent", "sent"]);
    for (const refused of results.slice(3)) expect(refused).toBeInstanceOf(RateLimitedError);
    expect(world.framesOf(grace).map((f) => f["message"])).toEqual(["flood 0", "flood 1", "flood 2"]);
    expect((await world.store.recentMessages(room, { limit: 10, nowSeconds: NOW_SECONDS })).messages).toHaveLength(3);
    // AND Grace, with her own budget, still gets through
    await expect(sendMessage({ connectionId: grace, body: body({ room, message: "still here" }) }, world.dependencies(), limited)).resolves.toMatchObject({ delivered: 2 });
    // AND a minute later Ada has a fresh budget
    const later = world.dependencies({ clock: fixedClock({ now: new Date(Date.UTC(2024, 0, 20, 11, 56, 30)) }) });
    await expect(sendMessage({ connectionId: ada, body: body({ room, message: "after" }) }, later, limited)).resolves.toMatchObject({ type: "sent" });
  });

  it("countMessage: messages racing at the start of a window are each counted, none refused under the limit, and exactly the limit pass", async () => {
    // GIVEN fresh connections (no window yet)
    const relaxed = await world.connected("Racer");
    const strict = await world.connected("Racer2");
    // WHEN 8 messages of each count at once, under a limit of 60 and of 3
    const under = await Promise.all(Array.from({ length: 8 }, () => world.store.countMessage(relaxed, { window: 1, limit: 60 })));
    const over = await Promise.all(Array.from({ length: 8 }, () => world.store.countMessage(strict, { window: 1, limit: 3 })));
    // THEN all 8 pass under 60, and exactly 3 pass under 3
    expect(under).toEqual(Array(8).fill(true));
    expect(over.filter(Boolean)).toHaveLength(3);
  });

  it("sendMessage: a text longer than maxStoredMessageBytes is too_large, and nothing is read, sent or stored", async () => {
    const room = newRoom("long");
    const ada = await world.connected("Ada", [room]);
    world.table.calls.length = 0;
    await expect(
      sendMessage({ connectionId: ada, body: body({ room, message: "é".repeat(2_049) }) }, world.dependencies(), SETTINGS),
    ).rejects.toThrow(TooLargeError);
    expect(world.table.calls).toEqual([]);
    expect(world.framesOf(ada)).toEqual([]);
  });

  it("sendMessage: a message to another spelling of the room reaches it, under the room's own spelling", async () => {
    const room = newRoom("Spelled");
    const ada = await world.connected("Ada", [room]);
    const receipt = await sendMessage({ connectionId: ada, body: body({ room: room.toUpperCase(), message: "hi" }) }, world.dependencies(), SETTINGS);
    expect(receipt).toMatchObject({ room, delivered: 1 });
    expect(world.framesOf(ada)).toEqual([expect.objectContaining({ room, message: "hi" })]);
  });

  it("sendMessage: an invalid message is rejected before anything is read or sent", async () => {
    // GIVEN a message without its text
    world.table.calls.length = 0;
    const postsBefore = world.api.posts;
    // WHEN it is sent
    // THEN it is a client error, and neither DynamoDB nor the @connections API was called
    await expect(sendMessage({ connectionId: "R1kmxc2VNjMCFIA=", body: '{"action":"onMessage"}' }, world.dependencies(), SETTINGS)).rejects.toThrow(MissingFieldError);
    expect(world.table.calls).toEqual([]);
    expect(world.api.posts).toBe(postsBefore);
  });

  it("sendMessage: a store fault is answered with internal_error only, and logged in full", async () => {
    // GIVEN a store whose table does not exist
    const deps = world.dependencies();
    const store = new DynamoDbConnectionStore({ client: world.table.client, tableName: "no-such-table", sleep: async () => {} });
    // WHEN a valid message is sent, answered as the onMessage route answers
    const answer = await answerTwoWay("onMessage", deps.logger, () =>
      sendMessage({ connectionId: "R1kmxc2VNjMCFIA=", body: '{"action":"onMessage","message":"hi"}' }, { ...deps, store }, SETTINGS),
    );
    // THEN the client sees the generic frame, with nothing of the fault in it
    expect(answer.status).toBe(500);
    expect(answer.frame).toStrictEqual({
      type: "error",
      code: "internal_error",
      message: "Something went wrong on our side; please try again.",
      requestAction: "onMessage",
    });
    expect(JSON.stringify(answer.frame)).not.toMatch(/ResourceNotFound|no-such-table|\bat /);
    // and the log has the real error
    expect(deps.lines.find((line) => line["level"] === "ERROR")).toMatchObject({ error: { name: "ResourceNotFoundException", stack: expect.any(String) } });
  });
});
