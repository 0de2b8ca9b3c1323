import type { Browser, WebSocket } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS } from "../../contract/settings.ts";
import type { DevServer } from "../../dev/cli.ts";
import { ChatPage, TEST_QUERY, WAIT_MS } from "./support/chat-page.ts";
import { launchChromium } from "./support/chromium.ts";
import { startChatServer } from "./support/dev-server.ts";

// The chat's limits as the page meets them, on a stack with low ones: 3
// messages a minute per connection (rate_limited), 2 rooms per connection,
// the lobby included (too_many_rooms), and 1 connection per user (HTTP 429
// at the handshake, which browsers do not show the page).

const LIMITS = {
  [SETTINGS.maxMessagesPerMinute.variable]: "3",
  [SETTINGS.maxRoomsPerConnection.variable]: "2",
  [SETTINGS.maxConnectionsPerUser.variable]: "1",
};

let browser: Browser;
let server: DevServer;
const pages: ChatPage[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  server = await startChatServer(0, LIMITS);
});

afterAll(async () => {
  expect(pages.flatMap((page) => page.pageErrors)).toEqual([]);
  await browser?.close();
  await server?.emulator.close();
});

async function open(name: string): Promise<ChatPage> {
  const page = await ChatPage.open(browser, server.pageUrl, name);
  pages.push(page);
  return page;
}

describe("chat page, limits", () => {
  it("rate_limited: the refusal is shown and the refused text stays in the box to send again", async () => {
    const rita = await open("rita");
    // WHEN rita sends faster than 3 a minute (7 at most: a minute may turn between two of them, giving 3 more)
    let refused: string | undefined;
    for (let i = 1; i <= 7 && refused === undefined; i += 1) {
      const text = `burst ${i}`;
      await rita.say(text);
      // Whichever comes first; the other wait is left to time out quietly.
      const shown = rita.message(text).waitFor({ timeout: WAIT_MS }).then(() => false, () => undefined);
      const notice = rita.page.locator("#notices .notice.error", { hasText: "too fast" }).waitFor({ timeout: WAIT_MS }).then(() => true, () => undefined);
      const outcome = await Promise.race([shown, notice]);
      if (outcome === undefined) throw new Error(`"${text}" was neither shown nor refused`);
      if (outcome) refused = text;
    }

    // THEN one is refused: the server's words, and the text back in the box, not shown as sent
    expect(refused).toBeDefined();
    const notice = rita.page.locator("#notices .notice.error", { hasText: "too fast" });
    expect(await notice.textContent()).toContain("Your message is back in the box");
    expect(await rita.page.getByLabel("Room message").inputValue()).toBe(refused);
    expect(await rita.message(refused!).count()).toBe(0);
    await rita.screenshot("test-results/limits-rate-limited.png");
    await rita.close();
  });

  it("too_many_rooms: a join past the limit is shown and the room leaves the list", async () => {
    const rob = await open("rob");
    // GIVEN rob in the lobby and one more room, the most allowed
    await rob.join("first");

    // WHEN he joins another
    await rob.page.getByLabel("Room to join").fill("second");
    await rob.page.getByRole("button", { name: "Join", exact: true }).click();

    // THEN the refusal is shown, naming the room, and the list is what the server has
    await rob.page.locator("#notices .notice.error", { hasText: "“second” was not joined." }).waitFor({ timeout: WAIT_MS });
    await rob.page.waitForFunction(() => document.querySelectorAll("#rooms .room-name").length === 2, undefined, { timeout: WAIT_MS });
    expect(await rob.page.locator("#rooms .room-name").allTextContents()).toEqual(["lobby", "first"]);
    // and a reload does not ask for it again
    await rob.page.reload();
    await rob.waitForStatus("connected");
    await rob.page.locator("#room-title", { hasText: /^# (lobby|first)$/ }).waitFor({ timeout: WAIT_MS });
    expect(await rob.page.locator("#rooms .room-name").allTextContents()).toEqual(["lobby", "first"]);
    await rob.close();
  });

  it("429: a second tab of a user at the connection limit says why it is refused, backs off, and connects once the first tab closes", async () => {
    // GIVEN connie connected in one tab
    const first = await open("connie");

    // WHEN she signs in again in another
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    const attempts: number[] = [];
    page.on("websocket", (socket: WebSocket) => {
      if (socket.url().includes("token=")) attempts.push(Date.now());
    });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${server.pageUrl}${TEST_QUERY}`);
    await page.getByLabel("Your name").fill("connie");
    await page.getByRole("button", { name: "Sign in" }).click();

    // THEN it is refused again and again, says why after a few, and waits longer each time
    const hint = page.locator("#notices .notice.error", { hasText: "“connie” is connected in too many tabs or windows" });
    await hint.waitFor({ timeout: WAIT_MS });
    expect(await page.locator("#status").getAttribute("data-status")).toBe("reconnecting");
    await page.locator("#status", { hasText: "Refused; trying again" }).waitFor({ timeout: WAIT_MS });
    await page.screenshot({ path: "test-results/limits-429.png" });
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    // No hammering: with the backoff grown to its cap (TEST_QUERY: 1.5 s, half of it random), 4 s hold at most 6 attempts (a loop would make dozens).
    const windowStart = Date.now();
    await page.waitForTimeout(4_000);
    expect(attempts.filter((at) => at >= windowStart).length).toBeLessThanOrEqual(6);

    // WHEN the first tab closes, THEN the second connects by itself
    await first.close();
    await page.waitForFunction(() => document.getElementById("status")?.dataset.status === "connected", undefined, { timeout: WAIT_MS });
    await page.locator("#notices .notice", { hasText: "Connected again." }).waitFor({ timeout: WAIT_MS });
    expect(errors).toEqual([]);
    await context.close();
  });
});
