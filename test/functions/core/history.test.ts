import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotMemberError } from "../../../functions/core/client-errors.ts";
import type { HistoryFrame, MessageFrame } from "../../../contract/frames.ts";
import { decodeCursor, encodeCursor, history } from "../../../functions/core/history.ts";
import { roomKey } from "../../../contract/rooms.ts";
import { NOW_SECONDS, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
const SETTINGS = { maxMessageBytes: 32_768 };

beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

/** `count` messages, one a second from 12:00:00, with ids m0, m1, … */
async function roomWithMessages(count: number, options: { readonly expiresAt?: (i: number) => number } = {}): Promise<{ room: string; reader: string; sent: MessageFrame[] }> {
  const room = newRoom("history");
  const reader = await world.connected("Reader", [room]);
  const sent: MessageFrame[] = [];
  for (let i = 0; i < count; i++) {
    const frame: MessageFrame = { type: "message", room, message: `message ${i}`, from: "Ada", fromId: "u-ada", sentAt: new Date(Date.UTC(2024, 0, 20, 12, 0, i)).toISOString(), seq: i, id: `m${i}` };
    await world.store.appendMessage(frame, options.expiresAt?.(i) ?? NOW_SECONDS + 3600);
    sent.push(frame);
  }
  return { room, reader, sent };
}

const read = (connectionId: string, fields: Record<string, unknown>) =>
  history({ connectionId, body: JSON.stringify({ action: "history", ...fields }) }, world.dependencies(), SETTINGS);

describe("history", () => {
  it("history: returns the room's messages newest first, with no cursor when they all fit", async () => {
    const { room, reader, sent } = await roomWithMessages(3);
    const answer = await read(reader, { room });
    expect(answer).toEqual({ type: "history", room, messages: [...sent].reverse(), next: null });
  });

  it("history: pages backwards with the next cursor until it is null, with no message twice or missing", async () => {
    // GIVEN 7 messages
    const { room, reader, sent } = await roomWithMessages(7);
    // WHEN they are read 3 at a time, following `next`
    const pages: (readonly MessageFrame[])[] = [];
    let before: string | null | undefined;
    do {
      const answer = await read(reader, { room, limit: 3, ...(before ? { before } : {}) });
      pages.push(answer.messages);
      before = answer.next;
    } while (before !== null);
    // THEN pages of 3, 3 and 1, newest first, together exactly the messages
    expect(pages.map((page) => page.map((message) => message.id))).toEqual([["m6", "m5", "m4"], ["m3", "m2", "m1"], ["m0"]]);
    expect(pages.flat()).toEqual([...sent].reverse());
  });

  it("history: a page that ends exactly on the oldest message has next null", async () => {
    const { room, reader } = await roomWithMessages(4);
    const first = await read(reader, { room, limit: 2 });
    const second = await read(reader, { room, limit: 2, before: first.next });
    expect(second.messages.map((message) => message.id)).toEqual(["m1", "m0"]);
    expect(second.next).toBeNull();
  });

  it("history: limit defaults to 50", async () => {
    const { room, reader } = await roomWithMessages(52);
    const answer = await read(reader, { room });
    expect(answer.messages).toHaveLength(50);
    expect(answer.next).not.toBeNull();
  });

  it("history: limit 100 is allowed; 0, 101, 2.5 and a string are invalid_field", async () => {
    const { room, reader } = await roomWithMessages(1);
    await expect(read(reader, { room, limit: 100 })).resolves.toMatchObject({ type: "history" });
    for (const limit of [0, 101, 2.5, "10"]) {
      await expect(read(reader, { room, limit })).rejects.toMatchObject({ code: "invalid_field", field: "limit" });
    }
  });

  it("history: a cursor we did not write is invalid_field", async () => {
    const { room, reader } = await roomWithMessages(1);
    for (const before of ["not-a-cursor", encodeURIComponent("[1,2]"), btoa('["yesterday","m1"]'), ""]) {
      await expect(read(reader, { room, before })).rejects.toMatchObject({ code: "invalid_field", field: "before" });
    }
  });

  it("history: cursors round-trip and are opaque base64url", () => {
    const position = { sentAt: "2024-01-20T12:00:05.000Z", id: "6c1d0f1e-9a4b-4a8e-8f0e-2d6f0f2b1c3a" };
    const cursor = encodeCursor(position);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(position);
    const withSeq = { ...position, seq: 12 };
    expect(decodeCursor(encodeCursor(withSeq))).toEqual(withSeq);
    expect(() => decodeCursor(btoa(JSON.stringify([position.sentAt, -1, position.id])))).toThrow();
  });

  it("history: a page of large messages stops before 124 KB of them and points at the rest, so the answer fits API Gateway's 128 KB", async () => {
    // GIVEN six messages of 30 KB each
    const room = newRoom("big");
    const reader = await world.connected("Reader", [room]);
    for (let i = 0; i < 6; i++) {
      await world.store.appendMessage({ type: "message", room, message: `${i}`.repeat(30_000), from: "Ada", fromId: "u-ada", sentAt: new Date(Date.UTC(2024, 0, 20, 12, 0, i)).toISOString(), seq: i, id: `m${i}` }, NOW_SECONDS + 3600);
    }
    // WHEN the newest 50 are asked for, then the next pages
    const pages: HistoryFrame[] = [];
    let before: string | null | undefined;
    do {
      const page = await read(reader, { room, limit: 50, ...(before ? { before } : {}) });
      pages.push(page);
      before = page.next;
    } while (before !== null);
    // THEN every answer is under 128 KB, the first holds four, and together they hold all six once, newest first
    for (const page of pages) expect(new TextEncoder().encode(JSON.stringify(page)).length).toBeLessThanOrEqual(128 * 1024);
    expect(pages[0]!.messages).toHaveLength(4);
    expect(pages.flatMap((p) => p.messages.map((m) => m.id))).toEqual(["m5", "m4", "m3", "m2", "m1", "m0"]);
  });

  it("history: messages stored before seq existed page together with new ones, in time order", async () => {
    // GIVEN a room with two messages under the old `MSG#<sentAt>#<id>` key and two under the new one, interleaved in time
    const room = newRoom("mixed");
    const reader = await world.connected("Reader", [room]);
    const at = (s: number) => new Date(Date.UTC(2024, 0, 20, 12, 0, s)).toISOString();
    for (const [s, id] of [[0, "old-a"], [2, "old-b"]] as const) {
      await world.table.client.send(new PutCommand({ TableName: world.table.tableName, Item: { pk: `ROOM#${roomKey(room)}`, sk: `MSG#${at(s)}#${id}`, messageId: id, message: id, from: "Ada", sentAt: at(s), expiresAt: NOW_SECONDS + 3600 } }));
    }
    for (const [s, id] of [[1, "new-a"], [3, "new-b"]] as const) {
      await world.store.appendMessage({ type: "message", room, message: id, from: "Ada", fromId: "u-ada", sentAt: at(s), seq: s, id }, NOW_SECONDS + 3600);
    }
    // WHEN it is read one message a page
    const seen: string[] = [];
    let before: string | null | undefined;
    do {
      const page = await read(reader, { room, limit: 1, ...(before ? { before } : {}) });
      seen.push(...page.messages.map((m) => m.id));
      before = page.next;
    } while (before !== null);
    // THEN every message came once, newest first
    expect(seen).toEqual(["new-b", "old-b", "new-a", "old-a"]);
  });

  it("history: messages past their TTL but not yet deleted by DynamoDB are skipped", async () => {
    // GIVEN 4 messages, the two oldest of which expired a second ago
    const { room, reader } = await roomWithMessages(4, { expiresAt: (i) => (i < 2 ? NOW_SECONDS - 1 : NOW_SECONDS + 3600) });
    // WHEN the room is read
    const answer = await read(reader, { room, limit: 10 });
    // THEN only the live ones come back
    expect(answer.messages.map((message) => message.id)).toEqual(["m3", "m2"]);
  });

  it("history: a non-member cannot read the room", async () => {
    const { room } = await roomWithMessages(1);
    const eve = await world.connected("Eve");
    await expect(read(eve, { room })).rejects.toThrow(NotMemberError);
  });

  it("history: a room without room is missing_field", async () => {
    const eve = await world.connected("Eve");
    await expect(read(eve, {})).rejects.toMatchObject({ code: "missing_field", field: "room" });
  });
});
