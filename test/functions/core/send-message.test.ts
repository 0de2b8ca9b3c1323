import { afterAll, beforeAll, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../../functions/aws/dynamodb-connection-store.ts";
import { ManagementApiSenders } from "../../../functions/aws/management-api-senders.ts";
import type { Clock } from "../../../functions/core/clock.ts";
import { MissingFieldError } from "../../../functions/core/client-errors.ts";
import { sendMessage, type SendMessageSettings } from "../../../functions/core/send-message.ts";
import { answerTwoWay } from "../../../functions/core/two-way-answer.ts";
import { useDummyAwsCredentials } from "../support/aws-test-environment.ts";
import { captureLogs } from "../support/captured-logs.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "../support/connection-table.ts";
import { newConnectionIds } from "../support/events.ts";
import { startManagementApiStandIn, type ManagementApiStandIn } from "../support/management-api-stand-in.ts";

let table: ConnectionTableUnderTest;
let api: ManagementApiStandIn;
const clock: Clock = { now: () => new Date("2024-01-20T11:55:04.112Z"), sleep: async () => {} };
const SETTINGS: SendMessageSettings = { maxMessageBytes: 32_768, defaultRoom: "lobby", fanOut: { concurrency: 8 } };

beforeAll(async () => {
  useDummyAwsCredentials();
  table = await startConnectionTable();
  api = await startManagementApiStandIn({ stage: "prod" });
});
afterAll(async () => {
  await api?.close();
  await table?.close();
});

function dependencies(tableName = table.tableName) {
  const { logger, lines } = captureLogs();
  const store = new DynamoDbConnectionStore({ client: table.client, tableName, sleep: clock.sleep });
  const sender = new ManagementApiSenders({ endpointFor: ({ stage }) => `http://${api.host}/${stage}` }).senderFor({ domainName: api.host, stage: "prod" });
  return { deps: { store, sender, clock, logger }, lines };
}

it("sendMessage: broadcasts the message frame to the room and returns the sender's receipt", async () => {
  // GIVEN three connections in a room, the sender among them, one of them gone
  const [sender, other, gone] = newConnectionIds(3) as [string, string, string];
  const { deps } = dependencies();
  for (const connectionId of [sender, other, gone]) {
    await deps.store.addConnection({ connectionId, connectedAt: 1, joinedAt: 1, rooms: ["general"], expiresAt: 2_000_000_000 });
  }
  api.gone.add(gone);

  // WHEN the sender sends a message to the room
  const receipt = await sendMessage({ connectionId: sender, body: '{"action":"onMessage","room":"general","message":"Hello everyone"}' }, deps, SETTINGS);

  // THEN the live members get the message frame, and the sender a receipt counting the delivery and the pruning
  const frame = { type: "message", room: "general", message: "Hello everyone", from: sender, sentAt: "2024-01-20T11:55:04.112Z" };
  expect(api.delivered.get(sender)!.map((text) => JSON.parse(text))).toEqual([frame]);
  expect(api.delivered.get(other)!.map((text) => JSON.parse(text))).toEqual([frame]);
  expect(receipt).toStrictEqual({ type: "sent", room: "general", delivered: 2, pruned: 1 });
});

it("sendMessage: an invalid message is rejected before anything is read or sent", async () => {
  // GIVEN a message without its text
  const { deps } = dependencies();
  table.calls.length = 0;
  const postsBefore = api.posts;
  // WHEN it is sent
  // THEN it is a client error, and neither DynamoDB nor the @connections API was called
  await expect(sendMessage({ connectionId: "R1kmxc2VNjMCFIA=", body: '{"action":"onMessage"}' }, deps, SETTINGS)).rejects.toThrow(MissingFieldError);
  expect(table.calls).toEqual([]);
  expect(api.posts).toBe(postsBefore);
});

it("sendMessage: a store fault is answered with internal_error only, and logged in full", async () => {
  // GIVEN a store whose table does not exist
  const { deps, lines } = dependencies("no-such-table");
  // WHEN a valid message is sent, answered as the onMessage route answers
  const answer = await answerTwoWay("onMessage", deps.logger, () =>
    sendMessage({ connectionId: "R1kmxc2VNjMCFIA=", body: '{"action":"onMessage","message":"hi"}' }, deps, SETTINGS),
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
  expect(lines.find((line) => line["level"] === "ERROR")).toMatchObject({ error: { name: "ResourceNotFoundException", stack: expect.any(String) } });
});
