import type { Browser, BrowserContext, Locator, Page } from "playwright-core";

/**
 * One user in one browser context, driving the page the way a person does
 * (labels, buttons, the Enter key) and waiting with playwright's own polling.
 */

/** Every wait is generous: a cold Lambda worker and a busy two-core machine both take their time. */
export const WAIT_MS = 30_000;

/** Fast reconnects and pings, so the tests also exercise them (see web/src/config.ts). */
export const TEST_QUERY = "?ping=5000&backoff=200&backoffMax=1500";

export class ChatPage {
  /** Uncaught errors in the page; a test fails if any appear. */
  readonly pageErrors: string[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on("pageerror", (error) => this.pageErrors.push(error.message));
    // DEBUG_FRAMES=1 prints every frame each page sends and receives: the quickest way to see why a wait timed out.
    if (process.env.DEBUG_FRAMES) {
      page.on("websocket", (ws) => {
        console.log(name, "opened", ws.url().split("?")[0]);
        ws.on("framesent", (frame) => console.log(name, "→", frame.payload));
        ws.on("framereceived", (frame) => console.log(name, "←", frame.payload));
        ws.on("close", () => console.log(name, "closed"));
      });
    }
  }

  static async open(browser: Browser, pageUrl: string, name: string): Promise<ChatPage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 760 } });
    const page = await context.newPage();
    const chat = new ChatPage(name, context, page);
    await page.goto(`${pageUrl}${TEST_QUERY}`);
    await page.getByLabel("Your name").fill(name);
    await page.getByRole("button", { name: "Sign in" }).click();
    await chat.waitForStatus("connected");
    return chat;
  }

  async waitForStatus(status: "connected" | "reconnecting" | "connecting"): Promise<void> {
    await this.page.waitForFunction((wanted) => document.getElementById("status")?.dataset.status === wanted, status, { timeout: WAIT_MS });
  }

  async join(room: string): Promise<void> {
    await this.page.getByLabel("Room to join").fill(room);
    await this.page.getByRole("button", { name: "Join", exact: true }).click();
    await this.member(this.name).waitFor({ timeout: WAIT_MS });
    await this.page.locator("#room-title", { hasText: `# ${room}` }).waitFor({ timeout: WAIT_MS });
  }

  async select(room: string): Promise<void> {
    await this.page.locator("#rooms .room-name", { hasText: room }).click();
    await this.page.locator("#room-title", { hasText: `# ${room}` }).waitFor({ timeout: WAIT_MS });
  }

  async say(text: string): Promise<void> {
    await this.page.getByLabel("Room message").fill(text);
    await this.page.getByLabel("Room message").press("Enter");
  }

  /** Renames through the top bar's form and waits until the server's answer shows the new name. */
  async rename(name: string): Promise<void> {
    await this.page.getByLabel("New name").fill(name);
    await this.page.getByRole("button", { name: "Rename" }).click();
    await this.page.waitForFunction((wanted) => document.querySelector("#me .my-name")?.textContent === wanted, name, { timeout: WAIT_MS });
  }

  /** The id marker (`#AB12`) the page shows for its own user, once it knows it. */
  async ownTag(): Promise<string> {
    const marker = this.page.locator("#me .uid");
    await marker.waitFor({ timeout: WAIT_MS });
    return (await marker.textContent()) ?? "";
  }

  async whisper(to: string, text: string): Promise<void> {
    await this.page.getByLabel("To", { exact: true }).fill(to);
    await this.page.getByLabel("Private message", { exact: true }).fill(text);
    await this.page.getByRole("button", { name: "Send privately" }).click();
  }

  /** A message in the room on screen. */
  message(text: string, from?: string): Locator {
    const item = this.page.locator("#messages .message", { has: this.page.locator(".text", { hasText: text }) });
    return from === undefined ? item : item.filter({ has: this.page.locator(".from", { hasText: from }) });
  }

  directMessage(text: string): Locator {
    return this.page.locator("#direct .direct-message", { has: this.page.locator(".text", { hasText: text }) });
  }

  member(name: string): Locator {
    return this.page.locator("#members .member", { hasText: name });
  }

  typing(): Locator {
    return this.page.locator("#typing");
  }

  async screenshot(file: string): Promise<void> {
    await this.page.screenshot({ path: file, fullPage: false });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
