import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import type { DevServer } from "../../local/cli.ts";
import { ChatPage, WAIT_MS } from "./support/chat-page.ts";
import { launchChromium } from "./support/chromium.ts";
import { startChatServer } from "./support/dev-server.ts";

// Two people, alice and bob, each in their own browser context (own storage,
// own socket), on the page `wsstack dev` serves, signed in through the dev
// issuer and the stack's real authorizer.

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

describe("chat page, two users", () => {
  it("room: alice and bob join a room and each sees both messages, and who is online", async () => {
    // GIVEN both in the room "general"
    await alice.join("general");
    await bob.join("general");
    await alice.member("bob").waitFor({ timeout: WAIT_MS });

    // WHEN each says something
    await alice.say("Hello from alice <b>not bold</b>");
    await bob.message("Hello from alice", "alice").waitFor({ timeout: WAIT_MS });
    await bob.say("Hi alice, bob here");

    // THEN both see both, in order, with user text shown as text
    for (const user of [alice, bob]) {
      await user.message("Hi alice, bob here", "bob").waitFor({ timeout: WAIT_MS });
      const texts = await user.page.locator("#messages .message .text").allTextContents();
      expect(texts).toEqual(["Hello from alice <b>not bold</b>", "Hi alice, bob here"]);
      expect(await user.page.locator("#messages b").count()).toBe(0);
      expect(await user.page.locator("#members .member").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("alice"), expect.stringContaining("bob")]));
    }
    await alice.screenshot("test-results/two-users-alice.png");
    await bob.screenshot("test-results/two-users-bob.png");
  });

  it("direct: a private message from alice shows in bob's direct pane only", async () => {
    // WHEN alice writes to bob privately
    await alice.whisper("bob", "psst, just for you");

    // THEN bob has it in his direct pane, marked as from alice; the room shows nothing
    const received = bob.directMessage("psst, just for you");
    await received.waitFor({ timeout: WAIT_MS });
    expect(await received.locator(".from").textContent()).toBe("alice → you");
    await alice.directMessage("psst, just for you").locator(".from", { hasText: "alice → bob" }).waitFor({ timeout: WAIT_MS });
    expect(await bob.message("psst").count()).toBe(0);
    expect(await alice.message("psst").count()).toBe(0);
  });

  it("typing: alice typing shows 'alice is typing…' to bob, and her message clears it", async () => {
    // WHEN alice types in general without sending
    await alice.page.getByLabel("Room message").pressSequentially("I am wri", { delay: 30 });

    // THEN bob sees the indicator; alice does not see her own
    await bob.page.locator("#typing", { hasText: "alice is typing…" }).waitFor({ timeout: WAIT_MS });
    expect(await alice.typing().textContent()).toBe("");
    await bob.screenshot("test-results/typing-bob.png");

    // WHEN she sends, THEN the indicator goes
    await alice.page.getByLabel("Room message").press("Enter");
    await bob.message("I am wri", "alice").waitFor({ timeout: WAIT_MS });
    await bob.page.waitForFunction(() => document.getElementById("typing")?.textContent === "", undefined, { timeout: WAIT_MS });
  });

  it("reload: a reload restores alice's rooms, the room on screen and its history", async () => {
    // GIVEN alice in two rooms, with a message in the second
    await alice.join("reload-room");
    await alice.say("written before the reload");
    await alice.message("written before the reload").waitFor({ timeout: WAIT_MS });

    // WHEN she reloads the tab
    await alice.page.reload();

    // THEN she is signed in, in both rooms, looking at reload-room with its history
    await alice.waitForStatus("connected");
    await alice.page.locator("#room-title", { hasText: "# reload-room" }).waitFor({ timeout: WAIT_MS });
    await alice.message("written before the reload", "alice").waitFor({ timeout: WAIT_MS });
    expect(await alice.page.locator("#rooms .room-name").allTextContents()).toEqual(["lobby", "general", "reload-room"]);
    await alice.select("general");
    await alice.message("Hi alice, bob here", "bob").waitFor({ timeout: WAIT_MS });
    // Still a member after the reload: bob sees her message in general.
    await alice.say("back after reloading");
    await bob.message("back after reloading", "alice").waitFor({ timeout: WAIT_MS });
  });
});
