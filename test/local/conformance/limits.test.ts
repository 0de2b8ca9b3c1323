import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../support/client.ts";
import { sleep, startHarness, type Harness } from "../support/harness.ts";
import { signedFetch } from "../support/signed-fetch.ts";

// Spec §15, "Limits and timers" (50-54). Timers are shortened through options; nothing here asserts a duration.

const cidOf = (h: Harness) => h.control.of("$connect").at(-1)!.event.requestContext.connectionId as string;
const disconnectOf = (h: Harness, cid: string) =>
  h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);

describe("size limits (defaults: 128 KB message, 32 KB frame)", () => {
  let h: Harness;
  let framesUnchecked: Harness;
  beforeAll(async () => {
    [h, framesUnchecked] = await Promise.all([startHarness(), startHarness({ gateway: { maxFrameBytes: 0 } })]);
  });
  afterAll(() => Promise.all([h.close(), framesUnchecked.close()]));
  beforeEach(() => {
    h.control.reset();
    framesUnchecked.control.reset();
  });

  it("§15.50 a 131073-byte message closes with 1009 and $disconnect reports 1009 (also with the frame check off)", async () => {
    for (const harness of [h, framesUnchecked]) {
      const client = await TestClient.open(harness.emulator.url);
      const cid = cidOf(harness);
      client.send("m".repeat(131_073));
      expect((await client.closed).code).toBe(1009);
      const disconnect = await disconnectOf(harness, cid);
      expect(disconnect.event.requestContext.disconnectStatusCode).toBe(1009);
      expect(harness.control.of("$default")).toHaveLength(0);
    }
  });

  it("§15.51 a single 40 KB frame closes with 1009; 100 KB in four frames of 25 KB arrives as one message", async () => {
    const oversize = await TestClient.open(h.emulator.url);
    oversize.send("f".repeat(40 * 1024));
    expect((await oversize.closed).code).toBe(1009);

    const client = await TestClient.open(h.emulator.url);
    const part = "p".repeat(25 * 1024);
    for (let i = 0; i < 4; i += 1) client.ws.send(part, { binary: false, fin: i === 3 });
    const invocation = await h.control.waitFor((i) => i.key === "$default");
    expect(invocation.event.body).toBe(part.repeat(4));
    expect(h.control.of("$default")).toHaveLength(1);
    client.close();
  });
});

describe("idle timeout (1 s here)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ gateway: { idleTimeoutMs: 1_000 } });
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("§15.52 an idle connection closes with 1001 Going away and $disconnect runs; traffic every 0.5 s keeps it for 3 s", async () => {
    const idle = await TestClient.open(h.emulator.url);
    const idleCid = cidOf(h);
    const closed = await idle.closed;
    expect(closed).toEqual({ code: 1001, reason: "Going away" });
    expect((await disconnectOf(h, idleCid)).event.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: "Going away" });

    const chatty = await TestClient.open(h.emulator.url);
    const quiet = await TestClient.open(h.emulator.url);
    const quietCid = cidOf(h);
    let quietClosed = false;
    void quiet.closed.then(() => (quietClosed = true));
    for (let elapsed = 0; elapsed < 3_000; elapsed += 500) {
      chatty.send(JSON.stringify({ action: "join" }));
      // The backend posting counts as activity too.
      await signedFetch(`${h.emulator.connectionUrl}/${encodeURIComponent(quietCid)}`, { method: "POST", body: "keep-alive" }).catch(() => undefined);
      await sleep(500);
    }
    expect(chatty.ws.readyState).toBe(chatty.ws.OPEN);
    expect(quietClosed).toBe(false);
    chatty.close();
    quiet.close();
  });

  it("§15.54 a ping gets a pong, runs no handler, and does not reset the idle timer (default)", async () => {
    const client = await TestClient.open(h.emulator.url);
    let pongs = 0;
    client.ws.on("pong", () => (pongs += 1));
    const pinger = setInterval(() => client.ws.ping(), 200);
    const closed = await client.closed;
    clearInterval(pinger);
    expect(pongs).toBeGreaterThan(0);
    expect(closed.code).toBe(1001);
    expect(h.control.invocations.filter((i) => i.event.requestContext?.eventType === "MESSAGE")).toHaveLength(0);
  });
});

describe("maximum connection duration (2 s here)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ gateway: { maxConnectionMs: 2_000 } });
  });
  afterAll(() => h.close());

  it("§15.53 the connection closes at the maximum duration even while messages flow", async () => {
    const client = await TestClient.open(h.emulator.url);
    let closedCode: number | undefined;
    void client.closed.then((c) => (closedCode = c.code));
    // Keep sending for up to 6 s; the 2 s limit must end it first.
    for (let elapsed = 0; elapsed < 6_000 && closedCode === undefined; elapsed += 500) {
      if (client.ws.readyState === client.ws.OPEN) client.send(JSON.stringify({ action: "join" }));
      await sleep(500);
    }
    expect(closedCode).toBe(1001);
    expect(h.control.of("join").length).toBeGreaterThan(1);
  });
});
