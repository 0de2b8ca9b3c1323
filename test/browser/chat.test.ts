import { describe, expect, it } from "vitest";
import { WAIT_MS } from "./support/chat-page.ts";
import { useTwoUsers } from "./support/two-users.ts";
import { TestClient } from "../local/support/client.ts";

// Two people, alice and bob, each in their own browser context (own storage,
// own socket), on the page `wsstack dev` serves, signed in through the dev
// issuer and the stack's real authorizer.

const world = useTwoUsers();

describe("chat page, two users", () => {
  it("room: alice and bob join a room and each sees both messages, and who is online", async () => {
    // GIVEN both in the room "general"
    await world.alice.join("general");
    await world.bob.join("general");
    await world.alice.member("bob").waitFor({ timeout: WAIT_MS });

    // WHEN each says something
    await world.alice.say("Hello from alice <b>not bold</b>");
    await world.bob.message("Hello from alice", "alice").waitFor({ timeout: WAIT_MS });
    await world.bob.say("Hi alice, bob here");

    // THEN both see both, in order, with user text shown as text
    for (const user of [world.alice, world.bob]) {
      await user.message("Hi alice, bob here", "bob").waitFor({ timeout: WAIT_MS });
      const texts = await user.page.locator("#messages .message .text").allTextContents();
      expect(texts).toEqual(["Hello from alice <b>not bold</b>", "Hi alice, bob here"]);
      expect(await user.page.locator("#messages b").count()).toBe(0);
      expect(await user.page.locator("#members .member").allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining("alice"), expect.stringContaining("bob")]));
    }
    await world.alice.screenshot("test-results/two-users-alice.png");
    await world.bob.screenshot("test-results/two-users-bob.png");
    // And on a phone-sized window, where the panes stack.
    await world.alice.page.setViewportSize({ width: 400, height: 860 });
    await world.alice.page.screenshot({ path: "test-results/two-users-alice-narrow.png", fullPage: true });
    await world.alice.page.setViewportSize({ width: 1280, height: 760 });
  });

  it("direct: a private message from alice shows in bob's direct pane only", async () => {
    // WHEN alice writes to bob privately
    await world.alice.whisper("bob", "psst, just for you");

    // THEN bob has it in his direct pane, marked as from alice; the room shows nothing
    const received = world.bob.directMessage("psst, just for you");
    await received.waitFor({ timeout: WAIT_MS });
    expect(await received.locator(".from").textContent()).toBe("alice → you");
    await world.alice.directMessage("psst, just for you").locator(".from", { hasText: "alice → bob" }).waitFor({ timeout: WAIT_MS });
    expect(await world.bob.message("psst").count()).toBe(0);
    expect(await world.alice.message("psst").count()).toBe(0);
  });

  it("typing: alice typing shows 'alice is typing…' to bob, and her message clears it", async () => {
    // WHEN alice types in general without sending
    await world.alice.page.getByLabel("Room message").pressSequentially("I am wri", { delay: 30 });

    // THEN bob sees the indicator; alice does not see her own
    await world.bob.page.locator("#typing", { hasText: "alice is typing…" }).waitFor({ timeout: WAIT_MS });
    expect(await world.alice.typing().textContent()).toBe("");
    await world.bob.screenshot("test-results/typing-bob.png");

    // WHEN she sends, THEN the indicator goes
    await world.alice.page.getByLabel("Room message").press("Enter");
    await world.bob.message("I am wri", "alice").waitFor({ timeout: WAIT_MS });
    await world.bob.page.waitForFunction(() => document.getElementById("typing")?.textContent === "", undefined, { timeout: WAIT_MS });
  });

  it("reload: a reload restores alice's rooms, the room on screen and its history", async () => {
    // GIVEN alice in two rooms, with a message in the second
    await world.alice.join("reload-room");
    await world.alice.say("written before the reload");
    await world.alice.message("written before the reload").waitFor({ timeout: WAIT_MS });

    // WHEN she reloads the tab
    await world.alice.page.reload();

    // THEN she is signed in, in both rooms, looking at reload-room with its history
    await world.alice.waitForStatus("connected");
    await world.alice.page.locator("#room-title", { hasText: "# reload-room" }).waitFor({ timeout: WAIT_MS });
    await world.alice.message("written before the reload", "alice").waitFor({ timeout: WAIT_MS });
    expect(await world.alice.page.locator("#rooms .room-name").allTextContents()).toEqual(["lobby", "general", "reload-room"]);
    await world.alice.select("general");
    await world.alice.message("Hi alice, bob here", "bob").waitFor({ timeout: WAIT_MS });
    // Still a member after the reload: bob sees her message in general.
    await world.alice.say("back after reloading");
    await world.bob.message("back after reloading", "alice").waitFor({ timeout: WAIT_MS });
  });

  it("history: a room with 60 messages shows the newest 50, and 'Load older' brings the rest, oldest first", async () => {
    // GIVEN carol (a plain ws client signed in through the dev issuer) wrote 60 messages in "archive"
    const { token } = (await (await fetch(`${world.server.issuer.issuer}/token?name=carol`)).json()) as { token: string };
    const carol = await TestClient.open(`${world.server.emulator.url}?token=${token}`);
    carol.send(JSON.stringify({ action: "joinRoom", room: "archive" }));
    await nextOfType(carol, "joined");
    for (let i = 1; i <= 60; i += 1) {
      carol.send(JSON.stringify({ action: "onMessage", room: "archive", message: `archived ${String(i).padStart(2, "0")}` }));
      await nextOfType(carol, "sent");
    }
    carol.close();

    // WHEN bob joins, THEN he sees the newest page, oldest first
    await world.bob.join("archive");
    await world.bob.message("archived 60").waitFor({ timeout: WAIT_MS });
    await world.bob.message("archived 11").waitFor({ timeout: WAIT_MS });
    const firstPage = await world.bob.page.locator("#messages .message .text").allTextContents();
    expect(firstPage).toHaveLength(50);
    expect(firstPage[0]).toBe("archived 11");
    expect(firstPage.at(-1)).toBe("archived 60");

    // WHEN he loads older, THEN all 60 are there in order and there is nothing older to load
    await world.bob.page.getByRole("button", { name: "Load older messages" }).click();
    await world.bob.message("archived 01").waitFor({ timeout: WAIT_MS });
    const all = await world.bob.page.locator("#messages .message .text").allTextContents();
    expect(all).toEqual(Array.from({ length: 60 }, (_, i) => `archived ${String(i + 1).padStart(2, "0")}`));
    await world.bob.page.getByRole("button", { name: "Load older messages" }).waitFor({ state: "hidden", timeout: WAIT_MS });
  });

  it("errors: an error frame is shown by its message (a direct message to someone offline)", async () => {
    await world.alice.whisper("nobody-here", "hello?");
    await world.alice.page.locator("#notices .notice.error", { hasText: '"nobody-here" is not online.' }).waitFor({ timeout: WAIT_MS });
    expect(await world.alice.directMessage("hello?").count()).toBe(0);
  });

  it("room spelling: a room shows under the server's spelling, and joining it in another case shows the open tab", async () => {
    // GIVEN bob opened "Town Hall"
    await world.bob.join("Town Hall");

    // WHEN alice joins "town hall", THEN her tab and title say "Town Hall" and she is in bob's room
    await world.alice.page.getByLabel("Room to join").fill("town hall");
    await world.alice.page.getByRole("button", { name: "Join", exact: true }).click();
    await world.alice.page.locator("#room-title", { hasText: "# Town Hall" }).waitFor({ timeout: WAIT_MS });
    await world.alice.member("bob").waitFor({ timeout: WAIT_MS });
    expect(await world.alice.page.locator("#rooms .room-item.active .room-name").textContent()).toBe("Town Hall");
    await world.bob.say("welcome to the hall");
    await world.alice.message("welcome to the hall", "bob").waitFor({ timeout: WAIT_MS });

    // WHEN she joins "LOBBY", THEN the lobby's tab is shown: no second lobby
    const rooms = await world.alice.page.locator("#rooms .room-name").allTextContents();
    await world.alice.page.getByLabel("Room to join").fill("LOBBY");
    await world.alice.page.getByRole("button", { name: "Join", exact: true }).click();
    await world.alice.page.locator("#room-title", { hasText: "# lobby" }).waitFor({ timeout: WAIT_MS });
    expect(await world.alice.page.locator("#rooms .room-name").allTextContents()).toEqual(rooms);
    expect(rooms.filter((room) => room.toLowerCase() === "lobby")).toHaveLength(1);
  });
});

/** The next frame of `type` from a ws client, skipping broadcasts in between. */
async function nextOfType(client: TestClient, type: string): Promise<Record<string, unknown>> {
  for (;;) {
    const frame = JSON.parse(await client.next(WAIT_MS)) as Record<string, unknown>;
    if (frame.type === type) return frame;
  }
}
