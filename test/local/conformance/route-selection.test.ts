import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../support/client.ts";
import { sleep, startHarness, type Harness } from "../support/harness.ts";
import { baseDocument, variants } from "../support/stack.ts";

// Spec §15, "Route selection" (17-27).

const FORBIDDEN = /^\{"message": "Forbidden", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\}$/;

describe("route selection with $request.body.action", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.17 a custom route key arrives without a $ prefix", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "join" }));
    const invocation = await h.control.waitFor((i) => i.key === "join");
    expect(invocation.event.requestContext.routeKey).toBe("join");
    expect(invocation.fn).toBe("conf-join");
    client.close();
  });

  it("§15.18 an unknown action goes to $default with routeKey $default", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "nope" }));
    const invocation = await h.control.waitFor((i) => i.key === "$default");
    expect(invocation.event.requestContext.routeKey).toBe("$default");
    client.close();
  });

  it("§15.19 JSON without the selected property goes to $default", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ hello: "world" }));
    await h.control.waitFor((i) => i.key === "$default");
    client.close();
  });

  it("§15.20 non-JSON text goes to $default with the body unchanged", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send("hello");
    const invocation = await h.control.waitFor((i) => i.key === "$default");
    expect(invocation.event.body).toBe("hello");
    client.close();
  });

  it("§15.26 a numeric selection value is stringified: {action:123} selects route 123", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: 123 }));
    const invocation = await h.control.waitFor((i) => i.key === "123");
    expect(invocation.fn).toBe("conf-numeric");
    client.close();
  });

  it("§15.27 a binary frame closes with 1003, runs no route handler, and $disconnect runs", async () => {
    const client = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    const closed = await client.closed;
    expect(closed.code).toBe(1003);
    const disconnect = await h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);
    expect(disconnect.event.requestContext.disconnectStatusCode).toBe(1003);
    expect(h.control.invocations.filter((i) => i.event.requestContext?.eventType === "MESSAGE")).toHaveLength(0);
  });
});

describe("route selection on a nested path", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ document: variants.withRoute(variants.withRouteSelection(baseDocument(), "$request.body.service.do"), "echo-nested", "join") });
  });
  afterAll(() => h.close());

  it("§15.21 $request.body.service.do selects the nested value", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ service: { do: "echo-nested" } }));
    const invocation = await h.control.waitFor((i) => i.key === "echo-nested");
    expect(invocation.event.requestContext.routeKey).toBe("echo-nested");
    client.close();
  });
});

describe("route selection with a ${} template", () => {
  let h: Harness;
  beforeAll(async () => {
    // In Terraform JSON a literal ${ is written $${.
    const document = variants.withRouteSelection(baseDocument(), "$${request.body.service}/$${request.body.action}");
    h = await startHarness({ document: variants.withRoute(document, "chat/join", "join") });
  });
  afterAll(() => h.close());

  it("§15.22 ${request.body.service}/${request.body.action} selects chat/join", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ service: "chat", action: "join" }));
    const invocation = await h.control.waitFor((i) => i.key === "chat/join");
    expect(invocation.event.requestContext.routeKey).toBe("chat/join");
    client.close();
  });
});

describe("route selection with the static \\$default", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ document: variants.withRouteSelection(baseDocument(), "\\$default") });
  });
  afterAll(() => h.close());

  it("§15.23 every message goes to $default even when action names a route", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "$default");
    expect(h.control.of("join")).toHaveLength(0);
    client.close();
  });
});

describe("an API without $default", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ document: variants.onlyRoutes(baseDocument(), "$connect", "$disconnect", "join") });
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.24 matching is case-sensitive: Join gets the Forbidden frame", async () => {
    const client = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.send(JSON.stringify({ action: "Join" }));
    const frame = await client.next();
    expect(frame).toMatch(FORBIDDEN);
    expect(FORBIDDEN.exec(frame)![1]).toBe(cid);
    expect(h.control.of("join")).toHaveLength(0);
    client.close();
  });

  it("§15.25 no match and no $default: exactly the Forbidden frame, no handler, the connection stays usable", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "x" }));
    const first = await client.next();
    client.send(JSON.stringify({ action: "x" }));
    const second = await client.next();
    expect(first).toMatch(FORBIDDEN);
    expect(second).toMatch(FORBIDDEN);
    expect(FORBIDDEN.exec(first)![2]).not.toBe(FORBIDDEN.exec(second)![2]); // fresh request ids
    await sleep(100);
    expect(h.control.invocations.filter((i) => i.event.requestContext.eventType === "MESSAGE")).toHaveLength(0);
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "join");
    client.close();
  });
});
