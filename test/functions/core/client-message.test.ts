import { describe, expect, it } from "vitest";
import { InvalidJsonError, TooLargeError } from "../../../functions/core/client-errors.ts";
import { actionOf, parseClientMessage, utf8ByteLength } from "../../../functions/core/client-message.ts";

describe("parseClientMessage", () => {
  it("parseClientMessage: returns the JSON object, whitespace and all", () => {
    // GIVEN the body of the spec's captured MESSAGE event
    const body = '{\r\n\t"a": 1\r\n}';
    // WHEN it is parsed
    // THEN it is that object
    expect(parseClientMessage(body, 32_768)).toEqual({ a: 1 });
  });

  it.each(["not json", "", "[1,2]", "null", '"text"', "42"])("parseClientMessage: rejects %j as invalid_json", (body) => {
    // GIVEN a body that is not a JSON object
    // WHEN it is parsed
    // THEN it is an InvalidJsonError
    expect(() => parseClientMessage(body, 32_768)).toThrow(InvalidJsonError);
  });

  it("parseClientMessage: counts the limit in UTF-8 bytes, not characters", () => {
    // GIVEN a body of 10 characters that is 21 UTF-8 bytes ("é" is 2 bytes, "😀" is 4)
    const body = '{"m":"éé😀😀"}';
    expect(body.length).toBe(14);
    // WHEN the limit is just under its byte length
    // THEN it is too large, with both numbers in the error
    expect(() => parseClientMessage(body, 19)).toThrow(TooLargeError);
    expect(() => parseClientMessage(body, 20)).not.toThrow();
  });

  it("parseClientMessage: checks the size before parsing", () => {
    // GIVEN a body that is both too large and not JSON
    const body = "x".repeat(100);
    // WHEN it is parsed with a smaller limit
    // THEN the answer is too_large, not invalid_json
    expect(() => parseClientMessage(body, 99)).toThrow(TooLargeError);
  });

  it("parseClientMessage: keeps the parser's error as the cause, not in the message", () => {
    // GIVEN a body with a syntax error
    // WHEN it is parsed
    const error = (() => {
      try {
        parseClientMessage("{oops", 100);
      } catch (caught) {
        return caught as InvalidJsonError;
      }
      throw new Error("expected a throw");
    })();
    // THEN the message is ours and the SyntaxError is the cause
    expect(error.cause).toBeInstanceOf(SyntaxError);
    expect(error.message).not.toContain("position");
  });
});

describe("actionOf", () => {
  it("actionOf: only a string action counts", () => {
    // GIVEN messages with a string, a number and no action
    // WHEN their action is read
    // THEN only the string is one
    expect(actionOf({ action: "onMessage" })).toBe("onMessage");
    expect(actionOf({ action: 7 })).toBeUndefined();
    expect(actionOf({})).toBeUndefined();
  });
});

describe("utf8ByteLength", () => {
  it("utf8ByteLength: agrees with TextEncoder, lone surrogates included", () => {
    // GIVEN text across the 1-, 2-, 3- and 4-byte ranges, and broken surrogates
    const samples = ["", "ascii", "é", "€", "😀", "a😀b€é", "\ud800", "x\udc00y", "\ud83d"];
    // WHEN measured
    // THEN each length matches what is actually encoded
    for (const sample of samples) {
      expect(utf8ByteLength(sample)).toBe(new TextEncoder().encode(sample).byteLength);
    }
  });
});
