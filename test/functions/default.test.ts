import { describe, expect, it } from "vitest";
import { handler } from "../../functions/default.ts";
import { CLIENT_ACTIONS } from "../../contract/routes.ts";
import { fixtureEvent } from "./support/events.ts";
import { stdoutLogsOf } from "./support/stdout-logs.ts";

/** Invokes $default with a body and returns the proxy result, the parsed frame and the log lines. */
async function invoke(body: string) {
  const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("default-message-event", { body })));
  return { result, frame: JSON.parse(result.body!) as Record<string, unknown>, logs };
}

describe("$default handler", () => {
  it("$default: the spec's captured body (JSON with no action) is unknown_action listing the valid actions", async () => {
    // GIVEN the verbatim captured MESSAGE event, whose body has no action
    const { result, logs } = await stdoutLogsOf(() => handler(fixtureEvent("default-message-event")));
    // WHEN it is answered
    // THEN the proxy result has only statusCode and body, and the frame has exactly the documented shape
    expect(Object.keys(result).sort()).toEqual(["body", "statusCode"]);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body!)).toStrictEqual({
      type: "error",
      code: "unknown_action",
      message: `The message has no "action". Valid actions: ${CLIENT_ACTIONS.join(", ")}.`,
      requestAction: null,
      validActions: [...CLIENT_ACTIONS],
    });
    // and the log line carries the connection and request ids
    expect(logs[0]).toMatchObject({ connectionId: "R1kmxc2VNjMCFIA=", requestId: expect.any(String), code: "unknown_action" });
  });

  it("$default: an unknown action is named back with the valid actions", async () => {
    const { frame } = await invoke('{"action":"sendmessage","message":"hi"}');
    expect(frame).toStrictEqual({
      type: "error",
      code: "unknown_action",
      message: `Unknown action "sendmessage". Valid actions: ${CLIENT_ACTIONS.join(", ")}.`,
      requestAction: "sendmessage",
      validActions: [...CLIENT_ACTIONS],
    });
  });

  it("$default: a body that is not JSON is invalid_json", async () => {
    // GIVEN plain text, as wscat users type
    // WHEN it is answered
    const { frame } = await invoke("hello?");
    // THEN the frame says so, with no parser detail
    expect(frame).toStrictEqual({
      type: "error",
      code: "invalid_json",
      message: 'The message must be a JSON object, for example {"action":"onMessage","message":"hi"}.',
      requestAction: null,
    });
  });

  it("$default: a body over MAX_MESSAGE_BYTES is too_large", async () => {
    // GIVEN a body one byte over the default 32768-byte limit
    const body = `{"action":"x","pad":"${"p".repeat(32_769 - 23)}"}`;
    expect(new TextEncoder().encode(body).byteLength).toBe(32_769);
    // WHEN it is answered
    const { frame } = await invoke(body);
    // THEN it is too_large
    expect(frame).toStrictEqual({ type: "error", code: "too_large", message: "The message is 32769 bytes; the limit is 32768 bytes.", requestAction: null });
  });

  it("$default: error frames carry no stack trace or internal detail", async () => {
    for (const body of ["{", "[]", '{"action":42}', "x".repeat(40_000)]) {
      const { result } = await invoke(body);
      expect(result.body).not.toMatch(/\bat |Error|SyntaxError|position|node:/);
    }
  });
});
