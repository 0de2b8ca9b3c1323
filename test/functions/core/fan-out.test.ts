import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import { ManagementApiSenders } from "../../../functions/aws/management-api-senders.ts";
import { systemClock } from "../../../functions/core/clock.ts";
import { CONNECT_WINDOW_MS, fanOut, type FanOutOptions } from "../../../functions/core/fan-out.ts";
import type { MessageFrame } from "../../../contract/frames.ts";
import { CONNECTION_TABLE } from "../../../contract/connection-table.ts";
import { useDummyAwsCredentials } from "../support/aws-test-environment.ts";
import { captureLogs } from "../support/captured-logs.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../support/connection-table.ts";
import { newConnectionIds } from "../support/events.ts";
import { startManagementApiStandIn, type ManagementApiStandIn } from "../support/management-api-stand-in.ts";

// Real DynamoDB API (dynalite) and a real HTTP @connections API: the fan-out
// is exercised through the same store and sender the handler uses.
let table: ConnectionTableUnderTest;
let api: ManagementApiStandIn;
const clock = systemClock();
const FAST_RETRY: FanOutOptions["throttleRetry"] = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

beforeAll(async () => {
  useDummyAwsCredentials();
  table = await startConnectionTable();
  // Held briefly so that posts overlap and in-flight counts mean something.
  api = await startManagementApiStandIn({ stage: "prod", holdMs: 15 });
});
afterAll(async () => {
  await api?.close();
  await table?.close();
});

function storeWith(options: { pageSize?: number } = {}): DynamoDbConnectionStore {
  return new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: clock.sleep, ...options });
}

function senderToStandIn() {
  return new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api.host}/${stage}` }).senderFor({ domainName: api.host, stage: "prod" });
}

/** Seeds members whose connections were accepted `ageMs` ago (by default long enough to be established). */
async function seedRoom(room: string, connectionIds: readonly string[], ageMs = 60_000): Promise<void> {
  const store = storeWith();
  const now = Date.now();
  await Promise.all(
    connectionIds.map((connectionId) =>
      store.addConnection({ connectionId, userId: `anon:${connectionId}`, userName: "member", connectedAt: now - ageMs, joinedAt: now, rooms: [room], expiresAt: Math.floor(now / 1000) + 10_800 }),
    ),
  );
}

function frameFor(room: string): MessageFrame {
  return { type: "message", room, message: "Hello everyone", from: "Ada", fromId: "u-ada", sentAt: "2024-01-20T11:55:04.112Z", seq: 0, id: "id-1" };
}

describe("fanOut", () => {
  it("fanOut: delivers to every live member and prunes the gone ones", async () => {
    // GIVEN 50 members of a room, 5 of whose connections are gone (410)
    const room = "fan-out-gone";
    const ids = newConnectionIds(50);
    await seedRoom(room, ids);
    const goneIds = ids.slice(10, 15);
    goneIds.forEach((id) => api.gone.add(id));
    const { logger } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith(), sender: senderToStandIn(), clock, logger }, { concurrency: 16 });

    // THEN 45 are delivered, each once with the same bytes, and the 5 gone ones are pruned with their memberships
    expect(result).toEqual({ recipients: 50, delivered: 45, pruned: 5, connecting: 0, failed: 0, leftover: [] });
    const live = ids.filter((id) => !goneIds.includes(id));
    expect(live.map((id) => api.delivered.get(id))).toEqual(live.map(() => [JSON.stringify(frameFor(room))]));
    for (const id of goneIds) {
      expect(await table.itemsOf(id)).toEqual([]);
    }
    expect(await table.itemsOf(live[0]!)).toHaveLength(2);
  });

  it("fanOut: a recipient failing with another error is logged and the others still get the message", async () => {
    // GIVEN 20 members, one of whose posts fails with a 500
    const room = "fan-out-500";
    const ids = newConnectionIds(20);
    await seedRoom(room, ids);
    const broken = ids[3]!;
    api.failing.set(broken, 500);
    const { logger, lines } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith(), sender: senderToStandIn(), clock, logger }, { concurrency: 4 });

    // THEN the 19 others get it, the failure is counted and logged with its recipient, and nothing is pruned
    expect(result).toEqual({ recipients: 20, delivered: 19, pruned: 0, connecting: 0, failed: 1, leftover: [] });
    expect(ids.filter((id) => api.delivered.has(id))).toHaveLength(19);
    const warning = lines.find((line) => line["message"] === "post to connection failed");
    expect(warning).toMatchObject({ level: "WARN", recipient: broken, error: { httpStatusCode: 500 } });
    expect(await table.itemsOf(broken)).toHaveLength(2);
  });

  it("fanOut: throttled posts are retried and every member still gets the message", async () => {
    // GIVEN 20 members, 6 of whom are throttled (429) twice before being accepted
    const room = "fan-out-429";
    const ids = newConnectionIds(20);
    await seedRoom(room, ids);
    ids.slice(0, 6).forEach((id) => api.throttled.set(id, 2));
    const postsBefore = api.posts;
    const { logger } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(
      room,
      frameFor(room),
      { store: storeWith(), sender: senderToStandIn(), clock, logger },
      { concurrency: 8, throttleRetry: FAST_RETRY },
    );

    // THEN all 20 are delivered, after exactly two retries for each throttled one
    expect(result).toEqual({ recipients: 20, delivered: 20, pruned: 0, connecting: 0, failed: 0, leftover: [] });
    expect(ids.every((id) => api.delivered.get(id)?.length === 1)).toBe(true);
    expect(api.posts - postsBefore).toBe(20 + 6 * 2);
  });

  it("fanOut: a recipient still throttled after the retry budget is counted failed", async () => {
    // GIVEN a member who is throttled more often than the policy retries
    const room = "fan-out-429-forever";
    const [id] = newConnectionIds(1);
    await seedRoom(room, [id!]);
    api.throttled.set(id!, 100);
    const postsBefore = api.posts;
    const { logger } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(
      room,
      frameFor(room),
      { store: storeWith(), sender: senderToStandIn(), clock, logger },
      { concurrency: 8, throttleRetry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } },
    );

    // THEN it is tried exactly maxAttempts times, then counted failed
    expect(result).toEqual({ recipients: 1, delivered: 0, pruned: 0, connecting: 0, failed: 1, leftover: [] });
    expect(api.posts - postsBefore).toBe(3);
  });

  it("fanOut: never has more posts in flight than the configured concurrency", async () => {
    // GIVEN 50 members and a concurrency of 8
    const room = "fan-out-bounded";
    const ids = newConnectionIds(50);
    await seedRoom(room, ids);
    const api8 = await startManagementApiStandIn({ stage: "prod", holdMs: 20 });
    const sender = new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api8.host}/${stage}` }).senderFor({ domainName: api8.host, stage: "prod" });
    const { logger } = captureLogs();

    try {
      // WHEN the room gets a message
      const result = await fanOut(room, frameFor(room), { store: storeWith(), sender, clock, logger }, { concurrency: 8 });

      // THEN the stand-in never saw more than 8 posts at once, but did see them overlap, and all arrived
      expect(result.delivered).toBe(50);
      expect(api8.maxInFlight).toBeLessThanOrEqual(8);
      expect(api8.maxInFlight).toBeGreaterThan(1);
    } finally {
      await api8.close();
    }
  });

  it("fanOut: reads only the room's members, with Query on the room index and never Scan", async () => {
    // GIVEN members of two rooms
    const room = "fan-out-only-room";
    const members = newConnectionIds(5);
    const outsiders = newConnectionIds(5);
    await seedRoom(room, members);
    await seedRoom("fan-out-other-room", outsiders);
    table.calls.length = 0;
    const { logger } = captureLogs();

    // WHEN one room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith(), sender: senderToStandIn(), clock, logger }, { concurrency: 4 });

    // THEN only its members get it, and DynamoDB saw only Queries of that room on the room index
    expect(result.delivered).toBe(5);
    expect(outsiders.some((id) => api.delivered.has(id))).toBe(false);
    expect(table.calls.map((call) => call.action)).not.toContain("Scan");
    expect(table.calls.length).toBeGreaterThan(0);
    for (const call of table.calls) {
      expect(call).toMatchObject({ action: "Query", input: { IndexName: CONNECTION_TABLE.roomIndexName, ExpressionAttributeValues: { ":room": { S: room } } } });
    }
  });

  it("fanOut: follows the room's members across Query pages", async () => {
    // GIVEN 30 members and a store reading 7 per page
    const room = "fan-out-paged";
    const ids = newConnectionIds(30);
    await seedRoom(room, ids);
    table.calls.length = 0;
    const { logger } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith({ pageSize: 7 }), sender: senderToStandIn(), clock, logger }, { concurrency: 4 });

    // THEN every member is reached, over several pages
    expect(result).toEqual({ recipients: 30, delivered: 30, pruned: 0, connecting: 0, failed: 0, leftover: [] });
    expect(table.calls.filter((call) => call.action === "Query").length).toBeGreaterThanOrEqual(5);
  });

  it("fanOut: with the lean sender, posts share keep-alive sockets, no more than the concurrency", async () => {
    // GIVEN 120 members and a sender pooling 12 sockets
    const room = "fan-out-sockets";
    const ids = newConnectionIds(120);
    await seedRoom(room, ids);
    const held = await startManagementApiStandIn({ stage: "prod", holdMs: 5 });
    const senders = new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${held.host}/${stage}`, maxSockets: 12 });
    const { logger } = captureLogs();

    try {
      // WHEN the room gets a message twice, at a concurrency of 12
      for (let i = 0; i < 2; i++) {
        const result = await fanOut(room, frameFor(room), { store: storeWith(), sender: senders.senderFor({ domainName: held.host, stage: "prod" }), clock, logger }, { concurrency: 12 });
        expect(result.delivered).toBe(120);
      }

      // THEN 240 posts travelled over at most 12 connections
      expect(held.posts).toBe(240);
      expect(held.sockets).toBeLessThanOrEqual(12);
    } finally {
      senders.destroy();
      await held.close();
    }
  });

  it("fanOut: with the SDK sender, delivers and prunes the same way", async () => {
    // GIVEN 20 members, 2 of them gone
    const room = "fan-out-sdk-sender";
    const ids = newConnectionIds(20);
    await seedRoom(room, ids);
    ids.slice(0, 2).forEach((id) => api.gone.add(id));
    const sender = new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api.host}/${stage}`, transport: "sdk" }).senderFor({ domainName: api.host, stage: "prod" });
    const { logger } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith(), sender, clock, logger }, { concurrency: 4 });

    // THEN the live ones got it and the gone ones were pruned
    expect(result).toEqual({ recipients: 20, delivered: 18, pruned: 2, connecting: 0, failed: 0, leftover: [] });
    expect(await table.itemsOf(ids[0]!)).toEqual([]);
  });

  it("fanOut: a 410 from a connection still inside its $connect window is kept, not pruned; an older one is pruned", async () => {
    // GIVEN a room with 3 connections accepted 1 s ago and 2 accepted 31 s ago, all answering 410
    const room = "fan-out-connecting";
    const young = newConnectionIds(3);
    const old = newConnectionIds(2);
    await seedRoom(room, young, 1_000);
    await seedRoom(room, old, CONNECT_WINDOW_MS + 1_000);
    [...young, ...old].forEach((id) => api.gone.add(id));
    const { logger, lines } = captureLogs();

    // WHEN the room gets a message
    const result = await fanOut(room, frameFor(room), { store: storeWith(), sender: senderToStandIn(), clock, logger }, { concurrency: 4 });

    // THEN the young ones are counted as connecting and keep every record; the old ones are pruned
    expect(result).toEqual({ recipients: 5, delivered: 0, pruned: 2, connecting: 3, failed: 0, leftover: [] });
    for (const id of young) expect((await table.itemsOf(id)).map((item) => item["sk"]).sort()).toEqual(["META", `ROOM#${room}`]);
    for (const id of old) expect(await table.itemsOf(id)).toEqual([]);
    expect(lines.filter((line) => line["message"] === "pruned stale connection")).toHaveLength(2);
  });

  it("fanOut: a prune does not hold a send slot, and the broadcast still waits for it; a failed prune counts as failed", async () => {
    // GIVEN one send slot, a gone first recipient whose prune hangs until released, and a second gone one whose prune fails
    let releasePrune: () => void = () => {};
    const pruneHeld = new Promise<void>((resolve) => (releasePrune = resolve));
    const posted: string[] = [];
    const store = {
      roomMembers: async function* () {
        yield [{ connectionId: "gone-1" }, { connectionId: "live-1" }, { connectionId: "gone-2" }, { connectionId: "live-2" }];
      },
      roomPage: async () => ({ connectionIds: [] }),
      removeStaleConnection: async (connectionId: string) => {
        if (connectionId === "gone-2") throw new Error("store unavailable");
        await pruneHeld;
        return { connectionId, hadConnection: true, rooms: ["r"], roomNames: ["r"] };
      },
    };
    const sender = {
      post: async (connectionId: string) => {
        posted.push(connectionId);
        if (connectionId.startsWith("gone")) throw Object.assign(new Error("gone"), { name: "GoneException" });
      },
    };
    const { logger, lines } = captureLogs();

    // WHEN the room gets a message
    let settled = false;
    const broadcast = fanOut("r", frameFor("r"), { store, sender, clock, logger }, { concurrency: 1 }).finally(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    while (posted.length < 4) await new Promise((resolve) => setImmediate(resolve));

    // THEN every recipient was posted to while the first prune was still running, and the broadcast had not returned
    expect(posted).toEqual(["gone-1", "live-1", "gone-2", "live-2"]);
    expect(settled).toBe(false);
    releasePrune();
    expect(await broadcast).toEqual({ recipients: 4, delivered: 2, pruned: 1, connecting: 0, failed: 1, leftover: [] });
    expect(lines.find((line) => line["message"] === "could not prune stale connection")).toMatchObject({ recipient: "gone-2" });
  });
});
