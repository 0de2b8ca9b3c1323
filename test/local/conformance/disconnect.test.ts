import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "../support/harness.ts";

// Spec §15, "$disconnect" (38-40).

describe("$disconnect", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  const connect = () => h.connect();
  const disconnectOf = (cid: string) => h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);

  it("§15.38 a client close 1000 'bye' runs $disconnect once with code, reason, fixed headers and connectedAt", async () => {
    const { client, cid, connectedAt } = await connect();
    client.close(1000, "bye");
    const event = (await disconnectOf(cid)).event;
    expect(event.requestContext).toMatchObject({
      eventType: "DISCONNECT",
      routeKey: "$disconnect",
      disconnectStatusCode: 1000,
      disconnectReason: "bye",
      connectedAt,
    });
    expect(event.requestContext).not.toHaveProperty("messageId");
    expect(event).not.toHaveProperty("body");
    expect(event.headers).toMatchObject({ Host: new URL(h.emulator.url).host, "x-api-key": "", "x-restapi": "" });
    await client.closed;
    expect(h.control.of("$disconnect").filter((i) => i.event.requestContext.connectionId === cid)).toHaveLength(1);
  });

  it("§15.39 a $disconnect that throws or returns null sends nothing and leaves other connections working", async () => {
    const other = await connect();
    h.control.script("$disconnect", { throw: "disconnect failed" });
    const first = await connect();
    first.client.close();
    await disconnectOf(first.cid);
    h.control.script("$disconnect", { return: null });
    const second = await connect();
    second.client.close();
    await disconnectOf(second.cid);
    h.control.script("echo", { return: { statusCode: 200, body: "alive" } });
    other.client.send(JSON.stringify({ action: "echo" }));
    expect(await other.client.next()).toBe("alive");
    expect(other.client.frames).toEqual([]);
    other.client.close();
  });

  it("§15.40 posting to its own connection from $disconnect fails with GoneException (410)", async () => {
    h.control.script("$disconnect", { post: { data: "too late" }, return: { statusCode: 200 } });
    const { client, cid } = await connect();
    client.close(1000, "bye");
    await disconnectOf(cid);
    const report = await h.control.waitForReport((r) => r.post !== undefined);
    expect(report.post).toEqual({ ok: false, name: "GoneException", status: 410 });
  });
});
