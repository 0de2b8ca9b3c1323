import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import type { Clock } from "../../../functions/core/clock.ts";
import { connect } from "../../../functions/core/connect.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../support/connection-table.ts";
import { newApiGatewayId } from "../support/events.ts";

let table: ConnectionTableUnderTest;
beforeAll(async () => {
  table = await startConnectionTable();
});
afterAll(async () => {
  await table?.close();
});

it("connect: stores the connection and its default-room membership, both expiring after the TTL", async () => {
  // GIVEN a clock at a known instant and a new connection
  const now = new Date("2024-01-20T11:54:57.500Z");
  const clock: Clock = { now: () => now, sleep: async () => {} };
  const store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: clock.sleep });
  const connectionId = newApiGatewayId();

  // WHEN it connects with a 3-hour TTL
  table.calls.length = 0;
  await connect({ connectionId, connectedAt: 1705751697419 }, { store, clock }, { connectionTtlSeconds: 10_800, room: "lobby" });
  const actions = table.calls.map((call) => call.action);

  // THEN the table holds exactly the connection and the membership, laid out as routes.ts says
  const expiresAt = Math.floor(now.getTime() / 1000) + 10_800;
  const items = await table.itemsOf(connectionId);
  expect(items).toHaveLength(2);
  expect(items).toContainEqual({ pk: `CONN#${connectionId}`, sk: "META", connectionId, connectedAt: 1705751697419, expiresAt });
  expect(items).toContainEqual({ pk: `CONN#${connectionId}`, sk: "ROOM#lobby", room: "lobby", connectionId, joinedAt: now.getTime(), expiresAt });
  // and it took one BatchWriteItem, the one action routes.ts grants $connect
  expect(actions).toEqual(["BatchWriteItem"]);
});
