import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { ChatPage, TEST_QUERY, WAIT_MS } from "./support/chat-page.ts";
import { launchChromium } from "./support/chromium.ts";
import { startChatServer } from "./support/dev-server.ts";

// Signing in: the form's refusals, and the page on a stack without an authorizer.

let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe("sign-in", () => {
  it("name: an invalid name keeps the form open and says the rules", async () => {
    const server = await startChatServer();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${server.pageUrl}${TEST_QUERY}`);
      await page.getByText("DEV-ONLY issuer").waitFor({ timeout: WAIT_MS });
      await page.getByLabel("Your name").fill("<img src=x>");
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("alert").filter({ hasText: "1 to 32 characters" }).waitFor({ timeout: WAIT_MS });
      await page.screenshot({ path: "test-results/sign-in-refused.png" });
      expect(await page.locator("#chat-view").isHidden()).toBe(true);
    } finally {
      await context.close();
      await server.emulator.close();
    }
  });

  it("no auth: with auth_enabled=false (--no-auth) the page connects with ?name= and chats", async () => {
    const server = await startChatServer(0, { auth_enabled: "false" });
    try {
      expect(server.auth).toBe(false);
      const dave = await ChatPage.open(browser, server.pageUrl, "dave");
      await dave.member("dave").waitFor({ timeout: WAIT_MS });
      await dave.say("no token needed here");
      await dave.message("no token needed here", "dave").waitFor({ timeout: WAIT_MS });
      expect(dave.pageErrors).toEqual([]);
      await dave.close();
    } finally {
      await server.emulator.close();
    }
  });
});
