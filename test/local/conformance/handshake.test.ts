import { GetConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { rawUpgrade, rejectedStatus, TestClient } from "../support/client.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { signedFetch } from "../support/signed-fetch.ts";
import { baseDocument, variants } from "../support/stack.ts";

// Spec §15, "Handshake and $connect" (1-10) and §15.55.

describe("handshake and $connect", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.2 $connect is invoked once with a CONNECT event (no messageId, no body, isBase64Encoded false)", async () => {
    const client = await TestClient.open(h.emulator.url);
    const connects = h.control.of("$connect");
    expect(connects).toHaveLength(1);
    const event = connects[0]!.event;
    expect(event.requestContext).toMatchObject({ routeKey: "$connect", eventType: "CONNECT" });
    expect(event.requestContext.connectionId).toMatch(/\S/);
    expect(event.requestContext).not.toHaveProperty("messageId");
    expect(event).not.toHaveProperty("body");
    expect(event.isBase64Encoded).toBe(false);
    client.close();
  });

  it("§15.3 $connect returning 403 rejects the upgrade with HTTP 403, and the id is gone (410)", async () => {
    h.control.script("$connect", { return: { statusCode: 403 } });
    expect(await rejectedStatus(h.emulator.url)).toBe(403);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId as string;
    const response = await signedFetch(`${h.emulator.connectionUrl}/${encodeURIComponent(cid)}`);
    expect(response.status).toBe(410);
  });

  it("§15.4 subprotocol: 400 unless offered myprotocol; then the 101 selects what $connect returned", async () => {
    h.control.script("$connect", (event) =>
      String(event.headers["Sec-WebSocket-Protocol"] ?? "").split(/,\s*/).includes("myprotocol")
        ? { return: { statusCode: 200, headers: { "Sec-WebSocket-Protocol": "myprotocol" } } }
        : { return: { statusCode: 400 } },
    );
    expect(await rejectedStatus(h.emulator.url, "chat1")).toBe(400);
    const client = await TestClient.open(h.emulator.url, ["chat1", "myprotocol"]);
    expect(client.ws.protocol).toBe("myprotocol");
    client.close();
  });

  it("§15.5 without a Sec-WebSocket-Protocol from $connect, the 101 has none even when the client offered one", async () => {
    const response = await rawUpgrade(h.emulator.url, { "Sec-WebSocket-Protocol": "graphql-ws" });
    expect(response.status).toBe(101);
    expect(response.headers["sec-websocket-protocol"]).toBeUndefined();
  });

  it("§15.6 $connect throwing rejects the upgrade with HTTP 502", async () => {
    h.control.script("$connect", { throw: "boom" });
    expect(await rejectedStatus(h.emulator.url)).toBe(502);
  });

  it("§15.7 $connect's body and other headers never reach the client", async () => {
    h.control.script("$connect", { return: { statusCode: 200, body: "hello", headers: { "X-Custom": "1" } } });
    const raw = await rawUpgrade(h.emulator.url);
    expect(raw.status).toBe(101);
    expect(raw.headers["x-custom"]).toBeUndefined();
    const client = await TestClient.open(h.emulator.url);
    expect(await client.framesAfter(500)).toEqual([]);
    client.close();
  });

  it("§15.8 query string and headers reach $connect, with API Gateway's added headers and multi-value mirrors", async () => {
    const client = await TestClient.open(`${h.emulator.url}?token=abc&x=1`, undefined, { headers: { HeaderAuth1: "v" } });
    const event = h.control.of("$connect")[0]!.event;
    expect(event.queryStringParameters).toEqual({ token: "abc", x: "1" });
    expect(event.multiValueQueryStringParameters).toEqual({ token: ["abc"], x: ["1"] });
    expect(event.headers.HeaderAuth1).toBe("v");
    for (const name of ["Host", "X-Forwarded-For", "X-Forwarded-Port", "X-Forwarded-Proto", "X-Amzn-Trace-Id"]) {
      expect(event.headers).toHaveProperty(name);
      expect(event.multiValueHeaders[name]).toEqual([event.headers[name]]);
    }
    // Hop-by-hop headers are in the authorizer's input only.
    expect(Object.keys(event.headers).map((k) => k.toLowerCase())).not.toContain("upgrade");
    client.close();
  });

  it("§15.9 without a query string the CONNECT event has no queryStringParameters key", async () => {
    const client = await TestClient.open(h.emulator.url);
    const event = h.control.of("$connect")[0]!.event;
    expect(Object.keys(event)).not.toContain("queryStringParameters");
    expect(Object.keys(event)).not.toContain("multiValueQueryStringParameters");
    client.close();
  });

  it("§15.10 PostToConnection to its own id during $connect fails with GoneException (410), and the handshake completes", async () => {
    h.control.script("$connect", { post: { data: "too early" }, return: { statusCode: 200 } });
    const client = await TestClient.open(h.emulator.url);
    const report = await h.control.waitForReport((r) => r.post !== undefined);
    expect(report.post).toEqual({ ok: false, name: "GoneException", status: 410 });
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId as string;
    const info = await h.sdk.send(new GetConnectionCommand({ ConnectionId: cid }));
    expect(info.$metadata.httpStatusCode).toBe(200);
    client.close();
  });

  it("§15.55 a plain GET on the stage path answers 426; other paths answer 404", async () => {
    const base = h.emulator.url.replace(/^ws/, "http");
    expect((await fetch(base)).status).toBe(426);
    expect((await fetch(base.replace(/\/dev$/, "/nope"))).status).toBe(404);
    expect(await rejectedStatus(h.emulator.url.replace(/\/dev$/, "/other"))).toBe(404);
  });
});

describe("an API with only $default", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ document: variants.onlyRoutes(baseDocument(), "$default") });
  });
  afterAll(() => h.close());

  it("§15.1 connects (101) and a text message reaches $default as a MESSAGE event", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send("hello");
    const invocation = await h.control.waitFor((i) => i.key === "$default");
    expect(invocation.event.requestContext.eventType).toBe("MESSAGE");
    expect(invocation.event.body).toBe("hello");
    client.close();
  });
});
