import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import { disconnect } from "../../../functions/core/disconnect.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../support/connection-table.ts";
import { newApiGatewayId } from "../support/events.ts";

let table: ConnectionTableUnderTest;
let store: DynamoDbConnectionStore;
beforeAll(async () => {
  table = await startConnectionTable();
  store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
});
afterAll(async () => {
  await table?.close();
});

async function connectedTo(rooms: string[]): Promise<string> {
  const connectionId = newApiGatewayId();
  await store.addConnection({ connectionId, connectedAt: 1, joinedAt: 2, rooms, expiresAt: 3 });
  return connectionId;
}

it("disconnect: removes the connection and its membership", async () => {
  // GIVEN a connection in the lobby, and another one
  const leaving = await connectedTo(["lobby"]);
  const staying = await connectedTo(["lobby"]);
  // WHEN the first disconnects
  const removed = await disconnect(leaving, { store });
  // THEN its items are gone, the other's are not, and the result says what was removed
  expect(removed).toEqual({ connectionId: leaving, hadConnection: true, rooms: ["lobby"] });
  expect(await table.itemsOf(leaving)).toEqual([]);
  expect(await table.itemsOf(staying)).toHaveLength(2);
});

it("disconnect: removes every membership of a connection in several rooms", async () => {
  // GIVEN a connection in three rooms
  const connectionId = await connectedTo(["lobby", "general", "random"]);
  table.calls.length = 0;
  // WHEN it disconnects
  const removed = await disconnect(connectionId, { store });
  // THEN all four items are gone, using only Query and BatchWriteItem on the table
  expect([...removed.rooms].sort()).toEqual(["general", "lobby", "random"]);
  expect(await table.itemsOf(connectionId)).toEqual([]);
  const used = table.calls.slice(0, 2);
  expect(used.map((call) => call.action)).toEqual(["Query", "BatchWriteItem"]);
  expect(used[0]!.input["IndexName"]).toBeUndefined();
});

it("disconnect: removes more memberships than fit in one BatchWriteItem", async () => {
  // GIVEN a connection in 30 rooms (31 items; a batch takes 25)
  const rooms = Array.from({ length: 30 }, (_, i) => `room-${i}`);
  const connectionId = await connectedTo(rooms);
  // WHEN it disconnects
  const removed = await disconnect(connectionId, { store });
  // THEN every item is gone
  expect(removed.rooms).toHaveLength(30);
  expect(await table.itemsOf(connectionId)).toEqual([]);
});

it("disconnect: an unknown connection is not an error", async () => {
  // GIVEN an id never stored (e.g. a $disconnect after the TTL already removed it)
  // WHEN it disconnects
  // THEN nothing was there to remove
  const connectionId = newApiGatewayId();
  await expect(disconnect(connectionId, { store })).resolves.toEqual({ connectionId, hadConnection: false, rooms: [] });
});
