import { describe, expect, it } from "vitest";
import { InvalidFieldError, MissingFieldError } from "../../../functions/core/client-errors.ts";
import { MAX_ROOM_NAME_LENGTH, readSendMessageRequest } from "../../../functions/core/send-message-request.ts";

describe("readSendMessageRequest", () => {
  it("readSendMessageRequest: a message without room goes to the default room", () => {
    // GIVEN a message with no room
    // WHEN it is read
    // THEN it goes to the default room
    expect(readSendMessageRequest({ action: "onMessage", message: "hi" }, "lobby")).toEqual({ message: "hi", room: "lobby", seq: 0 });
  });

  it("readSendMessageRequest: a named room is kept", () => {
    expect(readSendMessageRequest({ message: "hi", room: "general" }, "lobby")).toEqual({ message: "hi", room: "general", seq: 0 });
  });

  it("readSendMessageRequest: a client sequence number is kept", () => {
    expect(readSendMessageRequest({ message: "hi", seq: 41 }, "lobby")).toEqual({ message: "hi", room: "lobby", seq: 41 });
    expect(readSendMessageRequest({ message: "hi", seq: Number.MAX_SAFE_INTEGER }, "lobby").seq).toBe(Number.MAX_SAFE_INTEGER);
  });

  it.each([{ seq: -1 }, { seq: 1.5 }, { seq: "3" }, { seq: 2 ** 53 }, { seq: true }, { seq: [1] }])("readSendMessageRequest: %j is invalid_field", (fields) => {
    expect(() => readSendMessageRequest({ message: "hi", ...fields }, "lobby")).toThrow(InvalidFieldError);
  });

  it.each([{}, { message: null }])("readSendMessageRequest: %j is missing_field", (body) => {
    // GIVEN a body without a message
    // WHEN it is read
    // THEN the field is missing
    expect(() => readSendMessageRequest(body, "lobby")).toThrow(MissingFieldError);
  });

  it.each([{ message: "" }, { message: 42 }, { message: ["hi"] }, { message: { text: "hi" } }, { message: "a\ud800b" }, { message: "hi", room: "\udfff" }])(
    "readSendMessageRequest: %j is invalid_field",
    (body) => {
      // GIVEN a message that is not a non-empty string
      // WHEN it is read
      // THEN the field is invalid
      expect(() => readSendMessageRequest(body, "lobby")).toThrow(InvalidFieldError);
    },
  );

  it.each([{ room: "" }, { room: 3 }, { room: "r".repeat(MAX_ROOM_NAME_LENGTH + 1) }])("readSendMessageRequest: room %j is invalid_field", (extra) => {
    // GIVEN a good message in an unusable room
    // WHEN it is read
    // THEN the room is invalid, and the error says which field
    expect(() => readSendMessageRequest({ message: "hi", ...extra }, "lobby")).toThrow(/"room"/);
  });
});
