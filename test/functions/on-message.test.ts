import { beforeAll, describe, expect, it } from "vitest";
import type { WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { fixtureEvent } from "./support/events.ts";
import { stdoutLogsOf } from "./support/stdout-logs.ts";

// Client errors are answered before the store or the @connections API is
// used, so no servers are needed here; the delivery path runs against dynalite
// and the stand-in in bundle.test.ts and core/send-message.test.ts.
let handler: (event: WebSocketEvent) => Promise<{ statusCode: number; body?: string }>;
beforeAll(async () => {
  process.env["TABLE_NAME"] = "wsstack-test-connections";
  process.env["FAN_OUT_FUNCTION_NAME"] = "wsstack-fan-out";
  process.env["MAX_MESSAGE_BYTES"] = "1024";
  ({ handler } = await import("../../functions/on-message.ts"));
});

async function invoke(body: string) {
  const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("on-message-event", { body })));
  return { result, frame: JSON.parse(result.body!) as Record<string, unknown>, logs };
}

describe("onMessage handler", () => {
  it("onMessage: a message without text is missing_field", async () => {
    // GIVEN an onMessage with no "message"
    // WHEN it is answered
    const { result, frame } = await invoke('{"action":"onMessage"}');
    // THEN the proxy result has only statusCode and body, and the frame the documented shape
    expect(Object.keys(result).sort()).toEqual(["body", "statusCode"]);
    expect(result.statusCode).toBe(400);
    expect(frame).toStrictEqual({ type: "error", code: "missing_field", message: 'The field "message" is required.', requestAction: "onMessage" });
  });

  it("onMessage: a message that is not a non-empty string is invalid_field", async () => {
    const { frame } = await invoke('{"action":"onMessage","message":{"text":"hi"}}');
    expect(frame).toStrictEqual({ type: "error", code: "invalid_field", message: 'The field "message" must be a non-empty string of valid Unicode.', requestAction: "onMessage" });
  });

  it("onMessage: a body over MAX_MESSAGE_BYTES is too_large", async () => {
    // GIVEN MAX_MESSAGE_BYTES=1024 and a 1025-byte body made of 2-byte characters
    const body = `{"action":"onMessage","message":"${"é".repeat(495)}"}`;
    expect(new TextEncoder().encode(body).byteLength).toBe(1025);
    // WHEN it is answered
    const { frame } = await invoke(body);
    // THEN it is too_large, counted in bytes
    expect(frame).toStrictEqual({ type: "error", code: "too_large", message: "The message is 1025 bytes; the limit is 1024 bytes.", requestAction: "onMessage" });
  });

  it("onMessage: a body that is not JSON is invalid_json", async () => {
    const { frame, logs } = await invoke("{action:onMessage}");
    expect(frame).toMatchObject({ type: "error", code: "invalid_json", requestAction: "onMessage" });
    expect(logs[0]).toMatchObject({ level: "INFO", message: "client error", routeKey: "onMessage", connectionId: "R1kmxc2VNjMCFIA=" });
  });
});
