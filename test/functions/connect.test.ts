import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ProxyResult, WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { useDummyAwsCredentials } from "./support/aws-test-environment.ts";
import { startConnectionTable, type ConnectionTableUnderTest } from "./support/connection-table.ts";
import { fixtureEvent, newApiGatewayId } from "./support/events.ts";
import { stdoutLogsOf } from "./support/stdout-logs.ts";

let table: ConnectionTableUnderTest;
beforeAll(async () => {
  useDummyAwsCredentials();
  table = await startConnectionTable();
  process.env["AWS_ENDPOINT_URL_DYNAMODB"] = table.endpoint;
  // These events carry no authorizer context: an API without sign-in. With it on (the default), they are refused.
  process.env["AUTH_ENABLED"] = "false";
});
afterAll(async () => {
  await table?.close();
});

/** The adapter as a cold container sees it: module state (lazy dependencies) built afresh. */
async function freshHandler(): Promise<(event: WebSocketEvent) => Promise<ProxyResult>> {
  vi.resetModules();
  return (await import("../../functions/connect.ts")).handler;
}

describe("$connect handler", () => {
  it("$connect: answers exactly {statusCode:200} and stores the connection in the lobby", async () => {
    // GIVEN a configured table and a CONNECT event
    process.env["TABLE_NAME"] = table.tableName;
    const handler = await freshHandler();
    const connectionId = newApiGatewayId();
    // WHEN it is handled
    const { result } = await stdoutLogsOf(() => handler(fixtureEvent("connect-event", { requestContext: { connectionId } })));
    // THEN the handshake is accepted and both items are stored
    expect(result).toStrictEqual({ statusCode: 200 });
    expect((await table.itemsOf(connectionId)).map((item) => item["sk"]).sort()).toEqual(["META", "ROOM#lobby"]);
  });

  it("$connect: answers 500 and logs the fault when the connection cannot be stored", async () => {
    // GIVEN a table name that does not exist
    process.env["TABLE_NAME"] = "no-such-table";
    const handler = await freshHandler();
    // WHEN a CONNECT event is handled
    const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("connect-event")));
    // THEN the handshake is refused, and the log names the error and the connection
    expect(result).toStrictEqual({ statusCode: 500 });
    expect(logs.find((line) => line["level"] === "ERROR")).toMatchObject({
      message: "connect failed",
      connectionId: "R1kmxc2VNjMCFIA=",
      error: { name: "ResourceNotFoundException" },
    });
  });

  it("$connect: with sign-in on (the default), an event without the authorizer's identity is refused with 403 and nothing is stored", async () => {
    process.env["TABLE_NAME"] = table.tableName;
    delete process.env["AUTH_ENABLED"];
    try {
      const handler = await freshHandler();
      const connectionId = newApiGatewayId();
      const { result, logs } = await stdoutLogsOf(() => handler({ ...fixtureEvent("connect-event", { requestContext: { connectionId } }), queryStringParameters: { name: "mallory" } }));
      expect(result).toStrictEqual({ statusCode: 403 });
      expect(await table.itemsOf(connectionId)).toEqual([]);
      expect(logs).toContainEqual(expect.objectContaining({ level: "WARN", message: "connection refused", statusCode: 403 }));
    } finally {
      process.env["AUTH_ENABLED"] = "false";
    }
  });

  it("$connect: answers 500 when TABLE_NAME is not set", async () => {
    delete process.env["TABLE_NAME"];
    const handler = await freshHandler();
    const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("connect-event")));
    expect(result).toStrictEqual({ statusCode: 500 });
    expect(logs.find((line) => line["level"] === "ERROR")).toMatchObject({ error: { name: "InvalidEnvironmentError" } });
  });
});
