import { describe, expect, it } from "vitest";
import { createJsonLogger, logLevelFrom } from "../../../functions/aws/json-logger.ts";
import { requestLogFields } from "../../../functions/aws/request-log-fields.ts";
import { fixtureEvent } from "../support/events.ts";

function logInto(lines: string[], level: "debug" | "info" | "warn" | "error" = "info") {
  return createJsonLogger({ level, write: (line) => lines.push(line), now: () => new Date("2024-01-20T11:55:00.000Z") });
}

describe("createJsonLogger", () => {
  it("createJsonLogger: writes one JSON line per event with the connection and request ids", () => {
    // GIVEN a request logger for a MESSAGE event
    const lines: string[] = [];
    const event = fixtureEvent("on-message-event");
    const log = logInto(lines).child(requestLogFields(event, { awsRequestId: "8f5c-lambda" }));
    // WHEN it logs an event
    log.info("message broadcast", { delivered: 3 });
    // THEN there is one line, a JSON object with the level, time, message, ids and fields
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    expect(JSON.parse(lines[0]!)).toStrictEqual({
      level: "INFO",
      timestamp: "2024-01-20T11:55:00.000Z",
      message: "message broadcast",
      connectionId: "R1kmxc2VNjMCFIA=",
      requestId: event.requestContext.requestId,
      routeKey: "onMessage",
      awsRequestId: "8f5c-lambda",
      delivered: 3,
    });
  });

  it("createJsonLogger: drops events below its level", () => {
    const lines: string[] = [];
    const log = logInto(lines, "warn");
    log.debug("a");
    log.info("b");
    log.warn("c");
    log.error("d");
    expect(lines.map((line) => JSON.parse(line).message)).toEqual(["c", "d"]);
  });

  it("createJsonLogger: writes errors with name, message, stack, HTTP status and cause", () => {
    // GIVEN an SDK-style error with a cause
    const lines: string[] = [];
    const error = Object.assign(new Error("boom", { cause: new TypeError("inner") }), { name: "InternalServerErrorException", $metadata: { httpStatusCode: 500 } });
    // WHEN it is logged
    logInto(lines).error("request failed", { error });
    // THEN nothing useful is lost
    expect(JSON.parse(lines[0]!).error).toMatchObject({
      name: "InternalServerErrorException",
      message: "boom",
      stack: expect.stringContaining("boom"),
      httpStatusCode: 500,
      cause: { name: "TypeError", message: "inner" },
    });
  });
});

describe("logLevelFrom", () => {
  it("logLevelFrom: LOG_LEVEL first, then AWS_LAMBDA_LOG_LEVEL, else info", () => {
    expect(logLevelFrom({ LOG_LEVEL: "DEBUG", AWS_LAMBDA_LOG_LEVEL: "ERROR" })).toBe("debug");
    expect(logLevelFrom({ AWS_LAMBDA_LOG_LEVEL: "WARN" })).toBe("warn");
    expect(logLevelFrom({})).toBe("info");
    expect(logLevelFrom({ LOG_LEVEL: "verbose" })).toBe("info");
  });
});
