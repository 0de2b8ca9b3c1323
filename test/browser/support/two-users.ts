import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import type { DevServer } from "../../../dev/cli.ts";
import { ChatPage } from "./chat-page.ts";
import { launchChromium } from "./chromium.ts";
import { startChatServer } from "./dev-server.ts";

/** What a two-user browser test works with; `server` may be replaced (a restart). */
export interface TwoUsers {
  browser: Browser;
  server: DevServer;
  alice: ChatPage;
  bob: ChatPage;
}

/**
 * Registers the hooks every two-user test file shares: chromium, the chat
 * server, alice's and bob's pages, no page errors after each test, and
 * everything closed at the end. Read the fields inside tests and hooks.
 */
export function useTwoUsers(): TwoUsers {
  const world = {} as TwoUsers;
  beforeAll(async () => {
    world.browser = await launchChromium();
    world.server = await startChatServer();
    world.alice = await ChatPage.open(world.browser, world.server.pageUrl, "alice");
    world.bob = await ChatPage.open(world.browser, world.server.pageUrl, "bob");
  });
  afterEach(() => {
    expect([...world.alice.pageErrors, ...world.bob.pageErrors]).toEqual([]);
  });
  afterAll(async () => {
    await world.browser?.close();
    await world.server?.emulator.close();
  });
  return world;
}
