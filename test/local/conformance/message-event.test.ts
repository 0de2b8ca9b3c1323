import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../support/client.ts";
import { startHarness, type Harness } from "../support/harness.ts";

// Spec §15, "MESSAGE event" (28-31).

const AWS_ID = /^[A-Za-z0-9_-]{15}=$/;

describe("MESSAGE events", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.28 body is byte-identical; no headers or query; messageDirection IN; requestId === extendedRequestId", async () => {
    const client = await TestClient.open(h.emulator.url);
    const body = '{\r\n\t"a": 1\r\n}';
    client.send(body);
    const event = (await h.control.waitFor((i) => i.key === "$default")).event;
    expect(event.body).toBe(body);
    expect(event.isBase64Encoded).toBe(false);
    expect(event).not.toHaveProperty("headers");
    expect(event).not.toHaveProperty("multiValueHeaders");
    expect(event).not.toHaveProperty("queryStringParameters");
    expect(event.requestContext.messageDirection).toBe("IN");
    expect(event.requestContext.messageId).toMatch(/\S/);
    expect(event.requestContext.requestId).toBe(event.requestContext.extendedRequestId);
    client.close();
  });

  it("§15.29 two messages share connectedAt (the CONNECT one) and differ in messageId and requestId", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send("one");
    client.send("two");
    await h.control.waitFor((i) => i.event.body === "one");
    await h.control.waitFor((i) => i.event.body === "two");
    const connect = h.control.of("$connect")[0]!.event.requestContext;
    const [a, b] = h.control.of("$default").map((i) => i.event.requestContext);
    expect(a.connectedAt).toBe(connect.connectedAt);
    expect(b.connectedAt).toBe(connect.connectedAt);
    expect(a.messageId).not.toBe(b.messageId);
    expect(a.requestId).not.toBe(b.requestId);
    client.close();
  });

  it("§15.30 requestTime (CLF), requestTimeEpoch, stage, apiId, domainName and identity are right", async () => {
    const client = await TestClient.open(h.emulator.url, undefined, { headers: { "User-Agent": "conformance-suite/1.0" } });
    const sentAt = Date.now();
    client.send("hi");
    const context = (await h.control.waitFor((i) => i.key === "$default")).event.requestContext;
    const receivedAt = Date.now();
    expect(context.requestTime).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    // The clock reading is taken between the send and the handler's report.
    expect(context.requestTimeEpoch).toBeGreaterThanOrEqual(sentAt);
    expect(context.requestTimeEpoch).toBeLessThanOrEqual(receivedAt);
    expect(context.requestTime.slice(0, 11)).toBe(
      new Date(context.requestTimeEpoch).toUTCString().replace(/^\w+, (\d{2}) (\w{3}) (\d{4}).*$/, "$1/$2/$3"),
    );
    expect(context.stage).toBe("dev");
    expect(context.apiId).toBe("abc123");
    expect(context.domainName).toBe(new URL(h.emulator.url).host);
    expect(context.identity).toEqual({ userAgent: "conformance-suite/1.0", sourceIp: "127.0.0.1" });
    client.close();
  });

  it("§15.31 connectionId, requestId and messageId have AWS's format", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send("ids");
    const context = (await h.control.waitFor((i) => i.key === "$default")).event.requestContext;
    expect(context.connectionId).toMatch(AWS_ID);
    expect(context.requestId).toMatch(AWS_ID);
    expect(context.messageId).toMatch(AWS_ID);
    client.close();
  });
});
