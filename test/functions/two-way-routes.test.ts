import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProxyResult, WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { useDummyAwsCredentials } from "./support/aws-test-environment.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "./support/connection-table.ts";
import { fixtureEvent, messageEvent, newApiGatewayId } from "./support/events.ts";
import { stdoutLogsOf } from "./support/stdout-logs.ts";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";

// The in-process adapters of the new routes: each answers a two-key proxy
// result with its frame, maps client errors to their code, and reads the
// identity the authorizer put in requestContext.authorizer.
let table: ConnectionTableUnderTest;
beforeAll(async () => {
  useDummyAwsCredentials();
  table = await startConnectionTable();
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = table.endpoint;
  process.env["TABLE_NAME"] = table.tableName;
  process.env["AUTH_ENABLED"] = "true";
  process.env["MAX_MESSAGE_BYTES"] = "1024";
});
afterAll(async () => {
  await table?.close();
});

type Handler = (event: WebSocketEvent) => Promise<ProxyResult>;

async function handlerOf(entry: string): Promise<Handler> {
  vi.resetModules();
  return ((await import(`../../functions/${entry}`)) as { handler: Handler }).handler;
}

async function answer(entry: string, event: WebSocketEvent) {
  const handler = await handlerOf(entry);
  const { result, logs } = await stdoutLogsOf(() => handler(event));
  expect(Object.keys(result).sort()).toEqual(["body", "statusCode"]);
  return { status: result.statusCode, frame: JSON.parse(result.body!) as Record<string, unknown>, logs };
}

const ROUTES = [
  ["join-room.ts", "joinRoom"],
  ["leave-room.ts", "leaveRoom"],
  ["private-message.ts", "privateMessage"],
  ["typing-indicator.ts", "typingIndicator"],
  ["set-name.ts", "setName"],
  ["history.ts", "history"],
] as const;

describe("two-way route handlers", () => {
  it.each(ROUTES)("%s: a body that is not JSON is invalid_json, answered with status 400", async (entry, routeKey) => {
    const { status, frame } = await answer(entry, messageEvent(routeKey, "{oops"));
    expect(status).toBe(400);
    expect(frame).toMatchObject({ type: "error", code: "invalid_json", requestAction: routeKey });
  });

  it.each(ROUTES)("%s: a body over MAX_MESSAGE_BYTES is too_large", async (entry, routeKey) => {
    const { frame } = await answer(entry, messageEvent(routeKey, { action: routeKey, message: "x".repeat(1100) }));
    expect(frame).toMatchObject({ type: "error", code: "too_large", requestAction: routeKey });
  });

  it("setName: with an authorizer, the user id comes from requestContext.authorizer, not from a read", async () => {
    // GIVEN a signed-in connection (its record says the same user id)
    const connectionId = newApiGatewayId();
    const store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
    await store.addConnection({ connectionId, userId: "u-ada", userName: "ada", connectedAt: 1, joinedAt: 1, rooms: [], expiresAt: 2_000_000_000 });
    table.calls.length = 0;
    // WHEN it renames itself, with the authorizer's context on the event
    const event = messageEvent("setName", { action: "setName", name: "Ada L" }, { connectionId, authorizer: { principalId: "u-ada", userId: "u-ada", userName: "ada", integrationLatency: 42 } });
    const { frame } = await answer("set-name.ts", event);
    // THEN it is renamed, the connection record was not read, and the claim belongs to the authorizer's user
    expect(frame).toEqual({ type: "name", name: "Ada L", userId: "u-ada" });
    const gets = table.calls.filter((call) => call.action === "GetItem").map((call) => JSON.stringify(call.input["Key"]));
    expect(gets.filter((key) => key.includes("META"))).toEqual([]);
    const claim = table.calls.find((call) => call.action === "PutItem")!.input["Item"] as Record<string, { S: string }>;
    expect(claim["userId"]).toEqual({ S: "u-ada" });
  });

  it("$connect: with an authorizer, the connection is stored under the token's user id and name", async () => {
    // GIVEN a CONNECT event carrying the authorizer's context, and a ?name that must be ignored
    // (the lobby of this table has no other member, so no presence is posted to the fixture's AWS domain)
    const connectionId = newApiGatewayId();
    const base = fixtureEvent("connect-event", { requestContext: { connectionId, authorizer: { principalId: "u-grace", userId: "u-grace", userName: "grace" } } });
    const handler = (await import("../../functions/connect.ts")).handler;
    // WHEN it is handled
    const { result } = await stdoutLogsOf(() => handler({ ...base, queryStringParameters: { name: "impostor" } }));
    // THEN the record carries the authorizer's identity
    expect(result).toStrictEqual({ statusCode: 200 });
    expect((await table.itemsOf(connectionId)).find((item) => item["sk"] === "META")).toMatchObject({ userId: "u-grace", userName: "grace" });
  });

  it("history: a connection outside the room gets not_member through the adapter", async () => {
    const { status, frame } = await answer("history.ts", messageEvent("history", { action: "history", room: "private-club" }, { connectionId: newApiGatewayId() }));
    expect(status).toBe(400);
    expect(frame).toStrictEqual({
      type: "error",
      code: "not_member",
      message: 'You are not in the room "private-club"; send {"action":"joinRoom","room":"private-club"} first.',
      requestAction: "history",
    });
  });

  it("joinRoom: a connection with no record is internal_error, with nothing of the fault in the frame", async () => {
    const { status, frame, logs } = await answer("join-room.ts", messageEvent("joinRoom", { action: "joinRoom", room: "r" }, { connectionId: newApiGatewayId() }));
    expect(status).toBe(500);
    expect(frame).toStrictEqual({ type: "error", code: "internal_error", message: "Something went wrong on our side; please try again.", requestAction: "joinRoom" });
    expect(logs).toContainEqual(expect.objectContaining({ level: "ERROR", error: expect.objectContaining({ name: "UnknownConnectionError" }) }));
  });
});
