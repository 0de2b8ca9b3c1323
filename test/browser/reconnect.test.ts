import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { DevServer } from "../../local/cli.ts";
import { ChatPage, WAIT_MS } from "./support/chat-page.ts";
import { launchChromium } from "./support/chromium.ts";
import { startChatServer } from "./support/dev-server.ts";

// The server goes away and comes back on the same port, with empty tables
// (in-memory DynamoDB) and a new dev-issuer key: the pages must notice,
// reconnect with fresh tokens, and join their rooms again by themselves.

let browser: Browser;
let server: DevServer;
let alice: ChatPage;
let bob: ChatPage;

beforeAll(async () => {
  browser = await launchChromium();
  server = await startChatServer();
  alice = await ChatPage.open(browser, server.pageUrl, "alice");
  bob = await ChatPage.open(browser, server.pageUrl, "bob");
});

afterEach(() => {
  expect([...alice.pageErrors, ...bob.pageErrors]).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.emulator.close();
});

describe("chat page, server restart", () => {
  it("restart: both pages show reconnecting, then connected, re-join their room and can chat again", async () => {
    // GIVEN alice and bob chatting in "ops"
    await alice.join("ops");
    await bob.join("ops");
    await alice.say("before the restart");
    await bob.message("before the restart", "alice").waitFor({ timeout: WAIT_MS });

    // WHEN the emulator stops
    const port = server.emulator.port;
    await server.emulator.close();

    // THEN both pages say they are reconnecting, and keep what they showed
    await alice.waitForStatus("reconnecting");
    await bob.waitForStatus("reconnecting");
    expect(await bob.message("before the restart").count()).toBe(1);

    // WHEN it starts again on the same port
    server = await startChatServer(port);

    // THEN both reconnect, are members of "ops" again, and messages flow both ways
    await alice.waitForStatus("connected");
    await bob.waitForStatus("connected");
    await alice.member("bob").waitFor({ timeout: WAIT_MS });
    await bob.member("alice").waitFor({ timeout: WAIT_MS });
    await bob.say("after the restart, from bob");
    await alice.message("after the restart, from bob", "bob").waitFor({ timeout: WAIT_MS });
    await alice.say("after the restart, from alice");
    await bob.message("after the restart, from alice", "alice").waitFor({ timeout: WAIT_MS });
    // The old history stays on screen though the new server's tables are empty.
    expect(await bob.message("before the restart").count()).toBe(1);
    await bob.screenshot("test-results/after-restart-bob.png");
  });
});
