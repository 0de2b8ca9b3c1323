import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import { useDummyAwsCredentials } from "./support/aws-test-environment.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "./support/connection-table.ts";
import { fixtureEvent, newApiGatewayId } from "./support/events.ts";
import { stdoutLogsOf } from "./support/stdout-logs.ts";

let table: ConnectionTableUnderTest;
beforeAll(async () => {
  useDummyAwsCredentials();
  table = await startConnectionTable();
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = table.endpoint;
  process.env["TABLE_NAME"] = table.tableName;
});
afterAll(async () => {
  await table?.close();
});

it("$disconnect: answers exactly {statusCode:200}, removes every item and logs the close code", async () => {
  // GIVEN a connection in two rooms
  const connectionId = newApiGatewayId();
  const store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
  await store.addConnection({ connectionId, userId: `anon:${connectionId}`, userName: "Ada", connectedAt: 1, joinedAt: 1, rooms: ["lobby", "general"], expiresAt: 2_000_000_000 });
  const { handler } = await import("../../functions/disconnect.ts");
  // WHEN the captured DISCONNECT event arrives for it
  const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("disconnect-event", { requestContext: { connectionId } })));
  // THEN everything is removed and the log line says what and why
  expect(result).toStrictEqual({ statusCode: 200 });
  expect(await table.itemsOf(connectionId)).toEqual([]);
  expect(logs[0]).toMatchObject({ message: "disconnected", connectionId, hadConnection: true, disconnectStatusCode: 1001 });
  expect((logs[0]!["rooms"] as string[]).sort()).toEqual(["general", "lobby"]);
});
