import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import { TestClient } from "../local/support/client.ts";
import { ChatPage, WAIT_MS } from "./support/chat-page.ts";
import { launchChromium } from "./support/chromium.ts";
import { startChatServer } from "./support/dev-server.ts";
import { TYPING_AFTER_MESSAGE_GRACE_MS } from "../../web/src/typing.ts";

// Hostile text (issue 9): mallory, a plain `ws` client signed in through the
// dev issuer, sends the nastiest strings as messages, room names, display
// names and private messages; alice's page must show each as exactly that
// text. Nothing may become markup: no element other than the page's own, no
// script run (every payload sets window.__pwned), no dialog, no console error.

/** Every one sets window.__pwned or opens a dialog if it ever runs as markup or script. */
const NASTY: readonly string[] = [
  '<img src=x onerror="window.__pwned=1;alert(1)">',
  "<script>window.__pwned=1;alert(1)</script>",
  '<a href="javascript:window.__pwned=1;alert(1)">click me</a>',
  "javascript:window.__pwned=1;alert(1)",
  '"><svg onload="window.__pwned=1;alert(1)">',
  "<iframe srcdoc=\"<script>parent.__pwned=1;alert(1)</script>\"></iframe>",
  "<b>not bold</b> &amp; &lt;not an entity&gt; &#60;i&#62;",
  "{{constructor.constructor('window.__pwned=1')()}} ${alert(1)}",
  "\u202eRTL override: gpj.exe\u202c then normal",
  "zero\u200bwidth\u200c\u200djoiners\u2060and\ufeffBOM",
  "مرحبا \u202bembedded RTL\u202c עברית",
  "emoji 👩‍👩‍👧‍👦 🏳️‍🌈 🇺🇳 😀",
  "Z̴̡̢̛̞͇̘a̷l̶g̵o̸ combining marks",
  `a-very-long-word-${"x".repeat(3_000)}`,
];

/** Room names: the nasty strings the room rules allow (contract/rooms.ts), and other scripts and emoji without joiners. */
const NASTY_ROOMS: readonly string[] = [NASTY[0]!, NASTY[1]!, NASTY[2]!, "مرحبا עברית", "emoji 😀 🇺🇳", "__proto__", "constructor"];

/** Room names with invisible characters (bidi overrides, zero-width characters, emoji joiners): no such room can exist, so none can pass for another. */
const INVISIBLE_ROOMS: readonly string[] = [NASTY[8]!, NASTY[9]!, NASTY[11]!];

/** Names the naming rules allow that are also the keys of every JavaScript object. */
const TRICKY_NAMES: readonly string[] = ["__proto__", "constructor", "toString", "hasOwnProperty"];

/** Elements the page itself renders inside the chat; any other tag appearing there was injected. */
const PAGE_TAGS = ["LI", "P", "STRONG", "TIME", "SPAN", "BUTTON"];

let browser: Browser;
let server: DevServer;
let alice: ChatPage;
let mallory: Mallory;
const dialogs: string[] = [];
const consoleErrors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  server = await startChatServer();
  alice = await ChatPage.open(browser, server.pageUrl, "alice");
  alice.page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  alice.page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  // Record every element added to the page from now on whose tag the page never renders.
  await alice.page.evaluate((pageTags) => {
    const injected: string[] = [];
    (window as unknown as { __injected: string[] }).__injected = injected;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        for (const node of Array.from(mutation.addedNodes)) {
          if (!(node instanceof Element)) continue;
          for (const element of [node, ...Array.from(node.querySelectorAll("*"))]) {
            if (!pageTags.includes(element.tagName)) injected.push(element.outerHTML.slice(0, 200));
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  }, PAGE_TAGS);
  mallory = await Mallory.signIn(server);
});

afterEach(async () => {
  // THEN, whatever the test sent: nothing ran, nothing was injected, nothing complained
  const seen = {
    pageErrors: alice.pageErrors.splice(0),
    dialogs: dialogs.splice(0),
    consoleErrors: consoleErrors.splice(0),
    pwned: await alice.page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned),
    injected: await alice.page.evaluate(() => (window as unknown as { __injected: string[] }).__injected.splice(0)),
    markup: await alice.page.locator("#chat-view").locator("img, script, iframe, svg, object, embed, a, b, i, style, link, [onerror], [onload], [href], [src]").count(),
  };
  expect(seen).toEqual({ pageErrors: [], dialogs: [], consoleErrors: [], pwned: undefined, injected: [], markup: 0 });
});

afterAll(async () => {
  mallory?.close();
  await browser?.close();
  await server?.emulator.close();
});

describe("hostile text in the chat page", () => {
  it("message: each nasty string from another user shows as exactly its text, from them, without breaking the layout", async () => {
    // WHEN mallory sends each nasty string to the lobby
    for (const text of NASTY) await mallory.ask({ action: "onMessage", message: text }, "sent");

    // THEN alice's page shows every one as its exact text
    await alice.page.waitForFunction((count) => document.querySelectorAll("#messages .message .text").length >= count, NASTY.length, { timeout: WAIT_MS });
    const shown = await texts(alice, "#messages .message .text");
    expect([...shown].sort()).toEqual([...NASTY].sort());
    expect(new Set(await texts(alice, "#messages .message .from"))).toEqual(new Set(["mallory"]));
    // and the long word wraps inside the list instead of widening it
    expect(await overflowsSideways(alice, "#messages")).toBe(false);
  });

  it("message typed: what alice types reaches the other user byte for byte and shows in her page as text", async () => {
    const typed = NASTY.filter((text) => text.length < 500);
    mallory.received.length = 0;
    // WHEN alice types each into the composer
    for (const text of typed) {
      await alice.say(text);
      // the composer empties once the message is handed to the socket
      await alice.page.waitForFunction(() => (document.getElementById("message") as HTMLInputElement).value === "", undefined, { timeout: WAIT_MS });
    }
    // THEN mallory receives each exactly, from alice
    await mallory.until(() => mallory.received.filter((f) => f.type === "message" && f.from === "alice").length >= typed.length);
    const fromAlice = mallory.received.filter((f) => f.type === "message" && f.from === "alice").map((f) => f.message);
    expect([...fromAlice].sort()).toEqual([...typed].sort());
    // and alice's page shows them as text
    await alice.page.waitForFunction((count) => document.querySelectorAll("#messages .message.mine .text").length >= count, typed.length, { timeout: WAIT_MS });
    expect([...(await texts(alice, "#messages .message.mine .text"))].sort()).toEqual([...typed].sort());
  });

  it("room: rooms named with nasty strings are listed, titled and shown with their messages as text", async () => {
    for (const room of NASTY_ROOMS) {
      // GIVEN mallory in the room, with a message in it
      await mallory.ask({ action: "joinRoom", room }, "joined");
      await mallory.ask({ action: "onMessage", room, message: `in ${room}` }, "sent");

      // WHEN alice joins it through the form
      await alice.page.getByLabel("Room to join").fill(room);
      await alice.page.getByRole("button", { name: "Join", exact: true }).click();

      // THEN the title is the name, the history shows mallory's message, and both are listed as members
      await alice.page.waitForFunction((title) => document.getElementById("room-title")?.textContent === title, `# ${room}`, { timeout: WAIT_MS });
      await alice.page.waitForFunction((text) => Array.from(document.querySelectorAll("#messages .message .text")).some((e) => e.textContent === text), `in ${room}`, { timeout: WAIT_MS });
      await alice.page.waitForFunction(() => document.querySelectorAll("#members .member").length >= 2, undefined, { timeout: WAIT_MS });
      expect(new Set(await texts(alice, "#members .member .name"))).toEqual(new Set(["alice (you)", "mallory"]));
      expect(await texts(alice, "#members-title")).toEqual([`Online in ${room}`]);
    }
    // and every room is in the list under its exact name
    const listed = await alice.page.locator("#rooms .room-name").evaluateAll((buttons) => buttons.map((button) => button.firstChild?.textContent ?? ""));
    expect(listed).toEqual(expect.arrayContaining([...NASTY_ROOMS]));
    expect(await overflowsSideways(alice, ".sidebar")).toBe(false);
  });

  it("room: names with invisible characters are refused by the server and by the page, which says the rules in plain text and keeps what was typed", async () => {
    const before = await alice.page.locator("#rooms .room-name").count();
    for (const room of INVISIBLE_ROOMS) {
      // WHEN mallory asks for the room, THEN it is invalid_field
      expect((await mallory.ask({ action: "joinRoom", room }, "error")).code).toBe("invalid_field");

      // WHEN alice types it in the join form, THEN the page refuses it before sending, with the rules, and the text stays
      await alice.page.getByLabel("Room to join").fill(room);
      await alice.page.getByRole("button", { name: "Join", exact: true }).click();
      await alice.page.locator("#notices .notice.error", { hasText: "Not joined: room names are 1 to 128 characters" }).last().waitFor({ timeout: WAIT_MS });
      expect(await alice.page.getByLabel("Room to join").inputValue()).toBe(room);
    }
    expect(await alice.page.locator("#rooms .room-name").count()).toBe(before);
    // The same refusal three times is one notice; dismissed, it uncovers the direct pane for the next test.
    expect(await alice.page.locator("#notices .notice", { hasText: "Not joined" }).count()).toBe(1);
    await alice.page.locator("#notices .notice", { hasText: "Not joined" }).getByRole("button", { name: "Dismiss this notice" }).click();
    await alice.page.getByLabel("Room to join").fill("");
  });

  it("name: setName refuses every nasty string, and legal names that are object keys show as text in messages, typing and direct messages", async () => {
    // WHEN mallory asks for each nasty string as a name, THEN it is refused as invalid_name
    for (const name of NASTY) {
      const refused = await mallory.ask({ action: "setName", name }, "error");
      expect(refused.code).toBe("invalid_name");
    }
    await alice.select("lobby");
    for (const name of TRICKY_NAMES) {
      // WHEN mallory takes a name that is a key of every object, and types, speaks and whispers under it
      await mallory.ask({ action: "setName", name }, "name");
      // Typists are told apart by user id, so a rename is the same typist: a typing:true within the grace after their last message is taken as overtaken by it.
      await new Promise((resolve) => setTimeout(resolve, TYPING_AFTER_MESSAGE_GRACE_MS + 100));
      await mallory.ask({ action: "typingIndicator", room: "lobby", typing: true }, "ack");

      // THEN alice sees each under that name
      await alice.page.waitForFunction((typing) => document.getElementById("typing")?.textContent === typing, `${name} is typing…`, { timeout: WAIT_MS });
      await mallory.ask({ action: "onMessage", message: `I am ${name}` }, "sent");
      await alice.page.waitForFunction(
        ({ text, from }) => Array.from(document.querySelectorAll("#messages .message")).some((m) => m.querySelector(".text")?.textContent === text && m.querySelector(".from")?.textContent === from),
        { text: `I am ${name}`, from: name },
        { timeout: WAIT_MS },
      );
      // (the message ends the typing)
      await alice.page.waitForFunction(() => document.getElementById("typing")?.textContent === "", undefined, { timeout: WAIT_MS });
      await mallory.ask({ action: "privateMessage", to: "alice", message: `psst from ${name}` }, "sent");
      await alice.page.waitForFunction(
        ({ text, from }) => Array.from(document.querySelectorAll("#direct .direct-message")).some((m) => m.querySelector(".text")?.textContent === text && m.querySelector(".from")?.textContent === from),
        { text: `psst from ${name}`, from: `${name} → you` },
        { timeout: WAIT_MS },
      );
    }
    await mallory.ask({ action: "setName", name: "mallory" }, "name");
  });

  it("direct: private messages with nasty strings show as text in the direct pane; a nasty recipient is refused in a notice", async () => {
    // WHEN mallory whispers each nasty string to alice
    for (const text of NASTY) await mallory.ask({ action: "privateMessage", to: "alice", message: text }, "sent");

    // THEN alice's direct pane shows each as text, from mallory
    await alice.page.waitForFunction(
      (expected) => expected.every((text) => Array.from(document.querySelectorAll("#direct .direct-message .text")).some((e) => e.textContent === text)),
      [...NASTY],
      { timeout: WAIT_MS },
    );
    const fromMallory = await alice.page
      .locator("#direct .direct-message")
      .evaluateAll((items) => items.filter((item) => item.querySelector(".from")?.textContent === "mallory → you").map((item) => item.querySelector(".text")?.textContent ?? ""));
    expect(fromMallory).toEqual(expect.arrayContaining([...NASTY]));
    expect(await overflowsSideways(alice, "#direct")).toBe(false);

    // WHEN alice writes to a "user" named with markup, THEN the refusal is a notice in plain text
    await alice.whisper(NASTY[0]!, "hello?");
    await alice.page.locator("#notices .notice.error").first().waitFor({ timeout: WAIT_MS });
    expect(await alice.page.locator("#notices .notice.error").last().textContent()).toContain('The field "to" must be a user name.');
  });
});

/** The textContent of every element matching `selector`. */
function texts(user: ChatPage, selector: string): Promise<string[]> {
  return user.page.locator(selector).evaluateAll((elements) => elements.map((element) => element.textContent ?? ""));
}

/** Whether the element's content is wider than the element (a long word that did not wrap). */
function overflowsSideways(user: ChatPage, selector: string): Promise<boolean> {
  return user.page.locator(selector).evaluate((element) => element.scrollWidth > element.clientWidth + 1);
}

/** The hostile user: a plain `ws` client, signed in through the dev issuer. */
class Mallory {
  /** Every broadcast received (frames that are not answers). */
  readonly received: Array<Record<string, unknown>> = [];
  private readonly answers: Array<Record<string, unknown>> = [];

  private constructor(private readonly client: TestClient) {
    client.ws.on("message", () => this.drain());
  }

  static async signIn(server: DevServer): Promise<Mallory> {
    const response = await fetch(`${server.issuer.issuer}/token?name=mallory`);
    const { token } = (await response.json()) as { token: string };
    return new Mallory(await TestClient.open(`${server.emulator.url}?token=${token}`));
  }

  /** Sends `body` and returns its answer, which must be of `type`. */
  async ask(body: Record<string, unknown>, type: string): Promise<Record<string, unknown>> {
    this.answers.length = 0;
    this.client.send(JSON.stringify(body));
    await this.until(() => this.answers.length > 0);
    const answer = this.answers.shift()!;
    if (answer.type !== type) throw new Error(`mallory sent ${JSON.stringify(body).slice(0, 200)} and got ${JSON.stringify(answer)}, not ${type}`);
    return answer;
  }

  async until(condition: () => boolean): Promise<void> {
    const end = Date.now() + WAIT_MS;
    while (!condition()) {
      if (Date.now() > end) throw new Error("mallory waited in vain");
      await new Promise((resolve) => setTimeout(resolve, 20));
      this.drain();
    }
  }

  close(): void {
    this.client.close();
  }

  private drain(): void {
    for (const { text } of this.client.frames.splice(0)) {
      const frame = JSON.parse(text) as Record<string, unknown>;
      if (["message", "presence", "typing", "private"].includes(String(frame.type))) this.received.push(frame);
      else this.answers.push(frame);
    }
  }
}
