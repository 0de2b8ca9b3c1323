import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rejectedStatus, TestClient } from "../support/client.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { baseDocument, variants } from "../support/stack.ts";

// Spec §15, "Authorizer" (11-16): a REQUEST authorizer on $connect with identity source route.request.querystring.token.

const allow = (event: Record<string, any>, extra: Record<string, unknown> = {}) => ({
  return: {
    principalId: "u1",
    policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
    ...extra,
  },
});

describe("REQUEST authorizer on $connect", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ document: variants.withAuthorizer(baseDocument()) });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.control.reset();
    h.control.script("authorizer", (event) => allow(event));
  });

  it("§15.11 a missing or empty identity source answers 401 without invoking the authorizer", async () => {
    expect(await rejectedStatus(h.emulator.url)).toBe(401);
    expect(await rejectedStatus(`${h.emulator.url}?token=`)).toBe(401);
    expect(h.control.of("authorizer")).toHaveLength(0);
    expect(h.control.of("$connect")).toHaveLength(0);
  });

  it("§15.12 the authorizer throwing Error('Unauthorized') answers 401 and $connect does not run", async () => {
    h.control.script("authorizer", { throw: "Unauthorized" });
    expect(await rejectedStatus(`${h.emulator.url}?token=x`)).toBe(401);
    expect(h.control.of("authorizer")).toHaveLength(1);
    expect(h.control.of("$connect")).toHaveLength(0);
  });

  it("§15.13 a Deny policy for the methodArn answers 403 and $connect does not run", async () => {
    h.control.script("authorizer", (event) => ({
      return: { principalId: "u1", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Deny", Resource: event.methodArn }] } },
    }));
    expect(await rejectedStatus(`${h.emulator.url}?token=x`)).toBe(403);
    // An Allow that does not cover the method ARN is a 403 too.
    h.control.script("authorizer", () => ({
      return: { principalId: "u1", policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:other/dev/$connect" }] } },
    }));
    expect(await rejectedStatus(`${h.emulator.url}?token=x`)).toBe(403);
    expect(h.control.of("$connect")).toHaveLength(0);
  });

  it("§15.14 the authorizer throwing another error, or returning {statusCode:401}, answers 500", async () => {
    h.control.script("authorizer", { throw: "boom" });
    expect(await rejectedStatus(`${h.emulator.url}?token=x`)).toBe(500);
    h.control.script("authorizer", { return: { statusCode: 401 } });
    expect(await rejectedStatus(`${h.emulator.url}?token=x`)).toBe(500);
    expect(h.control.of("$connect")).toHaveLength(0);
  });

  it("§15.15 the authorizer input is a REQUEST event with methodArn, headers, query and a CONNECT requestContext", async () => {
    const client = await TestClient.open(`${h.emulator.url}?token=abc`);
    const input = h.control.of("authorizer")[0]!.event;
    expect(input.type).toBe("REQUEST");
    expect(input.methodArn).toMatch(/^arn:aws:execute-api:[^:]+:\d{12}:abc123\/dev\/\$connect$/);
    expect(input.headers).toHaveProperty("Host");
    expect(input.headers).toHaveProperty("Sec-WebSocket-Key");
    expect(input.queryStringParameters).toEqual({ token: "abc" });
    expect(input.requestContext.eventType).toBe("CONNECT");
    client.close();
  });

  it("§15.16 principalId and context reach CONNECT, MESSAGE and DISCONNECT events (stringified values)", async () => {
    h.control.script("authorizer", (event) => allow(event, { context: { role: "admin", level: 3, staff: true } }));
    const client = await TestClient.open(`${h.emulator.url}?token=abc`);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "join");
    client.close(1000, "done");
    await h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);
    for (const key of ["$connect", "join", "$disconnect"]) {
      const authorizer = h.control.of(key).find((i) => i.event.requestContext.connectionId === cid)!.event.requestContext.authorizer;
      expect(authorizer, key).toMatchObject({ principalId: "u1", role: "admin", level: "3", staff: "true" });
      expect(typeof authorizer.integrationLatency, key).toBe("number");
    }
  });
});
