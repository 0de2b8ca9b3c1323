import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../support/client.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { baseDocument, variants } from "../support/stack.ts";

// Spec §15, "Responses and error frames" (32-37). `join` is one-way; `echo` is two-way (route response $default).

const errorFrame = (message: string) =>
  new RegExp(`^\\{"message": "${message}", "connectionId":"([A-Za-z0-9_-]{15}=)", "requestId":"([A-Za-z0-9_-]{15}=)"\\}$`);

describe("responses and error frames", () => {
  let h: Harness;
  beforeAll(async () => {
    // Only the `slow` route gets the short integration timeout (timeout_milliseconds, as Terraform
    // sets it), so cold starts elsewhere never race it.
    h = await startHarness({ document: variants.withRoute(baseDocument(), "slow", "join", { timeout_milliseconds: 200 }) });
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.32 a one-way route's result never reaches the client", async () => {
    h.control.script("join", { return: { statusCode: 200, body: "x" } });
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "join");
    expect(await client.framesAfter(500)).toEqual([]);
    client.close();
  });

  it("§15.33 a two-way route sends exactly one text frame with the body", async () => {
    h.control.script("echo", { return: { statusCode: 200, body: "pong" } });
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "echo" }));
    expect(await client.next()).toBe("pong");
    expect(client.frames.length).toBe(0);
    expect(await client.framesAfter(300)).toEqual([]);
    client.close();
  });

  it("§15.34 a two-way route returning statusCode 500 still delivers its body, with no error frame", async () => {
    h.control.script("echo", { return: { statusCode: 500, body: "oops" } });
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "echo" }));
    expect(await client.next()).toBe("oops");
    expect(await client.framesAfter(300)).toEqual([]);
    client.close();
  });

  it("§15.35 a one-way handler that throws sends the Internal server error frame (exact spacing, fresh id), connection stays open", async () => {
    h.control.script("join", { throw: "kaput" });
    const client = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.send(JSON.stringify({ action: "join" }));
    const first = await client.next();
    client.send(JSON.stringify({ action: "join" }));
    const second = await client.next();
    const [, firstCid, firstRid] = errorFrame("Internal server error").exec(first) ?? [];
    const [, , secondRid] = errorFrame("Internal server error").exec(second) ?? [];
    expect(firstCid).toBe(cid);
    expect(firstRid).toBeDefined();
    expect(secondRid).toBeDefined();
    expect(firstRid).not.toBe(secondRid);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    client.close();
  });

  it("§15.36 a result with unknown keys is malformed: Internal server error frame", async () => {
    h.control.script("join", { return: { statusCode: 200, Data: "x", ConnectionId: "y" } });
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "join" }));
    expect(await client.next()).toMatch(errorFrame("Internal server error"));
    client.close();
  });

  it("§15.37 past the integration timeout (timeout_milliseconds 200 here) the client gets Endpoint request timed out and stays connected", async () => {
    h.control.script("slow", { sleepMs: 1_000, return: { statusCode: 200 } });
    const client = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.send(JSON.stringify({ action: "slow" }));
    const frame = await client.next();
    expect(frame).toMatch(errorFrame("Endpoint request timed out"));
    expect(errorFrame("Endpoint request timed out").exec(frame)![1]).toBe(cid);
    h.control.script("echo", { return: { statusCode: 200, body: "still here" } });
    client.send(JSON.stringify({ action: "echo" }));
    expect(await client.next()).toBe("still here");
    client.close();
  });
});
