import { afterAll, beforeAll, expect, it } from "vitest";
import { batchWriteAll, UnprocessedWritesError } from "../../../functions/aws/batch-write.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../support/connection-table.ts";
import { newApiGatewayId } from "../support/events.ts";

// The table's proxy can answer BatchWriteItem with "all unprocessed", which
// real DynamoDB does under throttling and dynalite never does.
let table: ConnectionTableUnderTest;
beforeAll(async () => {
  table = await startConnectionTable();
});
afterAll(async () => {
  await table?.close();
});

function putsFor(connectionId: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ PutRequest: { Item: { pk: `CONN#${connectionId}`, sk: `ROOM#r${i}`, room: `r${i}`, connectionId } } }));
}

it("batchWriteAll: retries UnprocessedItems with backoff until they are written", async () => {
  // GIVEN DynamoDB leaves the first two attempts wholly unprocessed
  const connectionId = newApiGatewayId();
  table.leaveNextBatchWritesUnprocessed(2);
  table.calls.length = 0;
  const waits: number[] = [];
  // WHEN three items are written
  await batchWriteAll(table.client, table.tableName, putsFor(connectionId, 3), { sleep: async (ms) => void waits.push(ms), baseDelayMs: 10 });
  // THEN the third attempt wrote them, after doubling waits
  expect(table.calls.map((call) => call.action)).toEqual(["BatchWriteItem", "BatchWriteItem", "BatchWriteItem"]);
  expect(waits).toEqual([10, 20]);
  expect(await table.itemsOf(connectionId)).toHaveLength(3);
});

it("batchWriteAll: fails with UnprocessedWritesError when items stay unprocessed", async () => {
  // GIVEN DynamoDB never processes the batch
  table.leaveNextBatchWritesUnprocessed(3);
  // WHEN it is written with 3 attempts
  // THEN it fails naming how many items were left
  await expect(batchWriteAll(table.client, table.tableName, putsFor(newApiGatewayId(), 2), { sleep: async () => {}, maxAttempts: 3 })).rejects.toThrow(
    UnprocessedWritesError,
  );
  table.leaveNextBatchWritesUnprocessed(0);
});

it("batchWriteAll: splits more than 25 requests into several calls", async () => {
  // GIVEN 60 items (BatchWriteItem takes 25)
  const connectionId = newApiGatewayId();
  table.calls.length = 0;
  // WHEN they are written
  await batchWriteAll(table.client, table.tableName, putsFor(connectionId, 60), { sleep: async () => {} });
  // THEN it took 3 calls of at most 25, and all are stored
  const sizes = table.calls.map((call) => (call.input["RequestItems"] as Record<string, unknown[]>)[table.tableName]!.length);
  expect(sizes).toEqual([25, 25, 10]);
  expect(await table.itemsOf(connectionId)).toHaveLength(60);
});
