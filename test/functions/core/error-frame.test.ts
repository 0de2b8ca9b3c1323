import { describe, expect, it } from "vitest";
import { InvalidJsonError, MissingFieldError, TooLargeError, UnknownActionError } from "../../../functions/core/client-errors.ts";
import { toErrorFrame } from "../../../functions/core/error-frame.ts";

describe("toErrorFrame", () => {
  it("toErrorFrame: a client error keeps its code and message, with exactly the documented keys", () => {
    // GIVEN a client error
    // WHEN it becomes a frame
    const frame = toErrorFrame(new MissingFieldError("message"), "onMessage");
    // THEN the frame has exactly type, code, message and requestAction
    expect(frame).toStrictEqual({ type: "error", code: "missing_field", message: 'The field "message" is required.', requestAction: "onMessage" });
  });

  it("toErrorFrame: unknown_action also lists the valid actions", () => {
    const frame = toErrorFrame(new UnknownActionError("sendmessage", ["onMessage"]), "sendmessage");
    expect(frame).toStrictEqual({
      type: "error",
      code: "unknown_action",
      message: 'Unknown action "sendmessage". Valid actions: onMessage.',
      requestAction: "sendmessage",
      validActions: ["onMessage"],
    });
  });

  it("toErrorFrame: a server fault becomes internal_error and says nothing about itself", () => {
    // GIVEN a fault with a revealing message, a stack and a cause
    const fault = new Error("ResourceNotFoundException: table wsstack-prod-connections not found", { cause: new Error("secret detail") });
    // WHEN it becomes a frame
    const frame = toErrorFrame(fault, "onMessage");
    const text = JSON.stringify(frame);
    // THEN only the generic frame is left
    expect(Object.keys(frame).sort()).toEqual(["code", "message", "requestAction", "type"]);
    expect(frame.code).toBe("internal_error");
    expect(text).not.toMatch(/ResourceNotFound|wsstack-prod|secret|\bat /);
  });

  it("toErrorFrame: the parser's message never reaches the client", () => {
    const frame = toErrorFrame(new InvalidJsonError({ cause: new SyntaxError("Unexpected token o in JSON at position 1") }), null);
    expect(JSON.stringify(frame)).not.toContain("position");
    expect(frame.requestAction).toBeNull();
  });

  it("toErrorFrame: too_large names the size and the limit", () => {
    expect(toErrorFrame(new TooLargeError(40_000, 32_768), "onMessage").message).toBe("The message is 40000 bytes; the limit is 32768 bytes.");
  });
});
