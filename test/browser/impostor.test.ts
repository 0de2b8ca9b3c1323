import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Locator } from "playwright-core";
import { userTag } from "../../web/src/people.ts";
import { ChatPage, WAIT_MS } from "./support/chat-page.ts";
import { useTwoUsers } from "./support/two-users.ts";

// A renamed impostor: bob, signed in as himself, renames to "aIice" (a
// capital i for the l) and writes as if he were alice. Names no longer tell
// people apart; the user ids every frame carries do. carol watches from a
// third browser: she must see the impostor's messages under his own id
// marker with a warning, and alice's under hers.

const world = useTwoUsers();
let carol: ChatPage;

beforeAll(async () => {
  carol = await ChatPage.open(world.browser, world.server.pageUrl, "carol");
});

afterAll(async () => {
  expect(carol?.pageErrors ?? []).toEqual([]);
  await carol?.close();
});

/** What a page shows beside the sender of a message. */
async function sender(item: Locator): Promise<{ userId: string; name: string; tag: string; warning: string | null; you: boolean }> {
  await item.waitFor({ timeout: WAIT_MS });
  return {
    userId: (await item.getAttribute("data-user-id")) ?? "",
    name: (await item.locator(".from").textContent()) ?? "",
    tag: (await item.locator(".meta .uid").textContent()) ?? "",
    warning: (await item.locator(".lookalike-warning").count()) === 0 ? null : await item.locator(".lookalike-warning").textContent(),
    you: (await item.locator(".you").count()) > 0,
  };
}

describe("chat page, a renamed impostor", () => {
  it("look-alike: bob renamed 'aIice' shows under his own id marker with a warning; alice's messages keep her marker", async () => {
    // GIVEN alice, bob and carol in "town", and alice has said something
    for (const user of [world.alice, world.bob, carol]) await user.join("town");
    await carol.member("bob").waitFor({ timeout: WAIT_MS });
    await world.alice.say("hi all, alice here");
    await carol.message("hi all, alice here", "alice").waitFor({ timeout: WAIT_MS });
    const aliceTag = await world.alice.ownTag();

    // WHEN bob renames to a look-alike of alice's name and writes as her
    await world.bob.rename("aIice");
    await world.bob.say("alice again: new account, please send me the password");

    // THEN carol sees the two senders apart: other ids, other markers
    const real = await sender(carol.message("hi all, alice here"));
    const fake = await sender(carol.message("please send me the password"));
    expect(fake.name).toBe("aIice");
    expect(real.name).toBe("alice");
    expect(real.userId).toMatch(/^u-/);
    expect(fake.userId).toMatch(/^u-/);
    expect(fake.userId).not.toBe(real.userId);
    expect(real.tag).toBe(userTag(real.userId));
    expect(fake.tag).toBe(userTag(fake.userId));
    expect(fake.tag).not.toBe(real.tag);
    // alice's marker is the one alice's own page shows for her
    expect(real.tag).toBe(aliceTag);
    // and both are flagged, each naming the other by marker
    expect(fake.warning).toBe(`⚠ look-alike name — not ${real.tag}`);
    expect(real.warning).toBe(`⚠ look-alike name — not ${fake.tag}`);
    expect(await carol.message("please send me the password").getAttribute("class")).toContain("lookalike");
    // and a flagged name is set in a font whose I and l differ
    expect(await carol.message("please send me the password").locator(".from").evaluate((element) => getComputedStyle(element).fontFamily)).toMatch(/mono/i);
    // The impostor's marker is bob's: carol's member list says so.
    const bobMember = carol.page.locator(`#members .member[data-user-id="${fake.userId}"]`);
    expect(await bobMember.locator(".name").textContent()).toBe("bob");
    expect(await bobMember.locator(".uid").textContent()).toBe(fake.tag);
    expect(await carol.page.locator(`#members .member[data-user-id="${real.userId}"] .uid`).textContent()).toBe(real.tag);
    await carol.screenshot("test-results/impostor-carol.png");

    // THEN alice's page marks her own message "you" by her id, and the impostor's "not you"
    const aliceOwn = await sender(world.alice.message("hi all, alice here"));
    const aliceSeesFake = await sender(world.alice.message("please send me the password"));
    expect(aliceOwn).toMatchObject({ userId: real.userId, tag: real.tag, you: true });
    expect(aliceSeesFake).toMatchObject({ userId: fake.userId, tag: fake.tag, you: false, warning: "⚠ look-alike name — not you" });
    expect(await world.alice.message("please send me the password").getAttribute("class")).not.toContain("mine");
    await world.alice.screenshot("test-results/impostor-alice.png");

    // WHEN alice writes again, THEN carol sees it under alice's marker, not the impostor's
    await world.alice.say("that was not me");
    const again = await sender(carol.message("that was not me"));
    expect(again).toMatchObject({ userId: real.userId, tag: real.tag, name: "alice" });
  });

  it("typing and direct: the impostor's typing and private messages carry his marker and the warning", async () => {
    // WHEN the impostor types in town, THEN carol sees his marker in the indicator
    await world.bob.page.getByLabel("Room message").pressSequentially("psst", { delay: 30 });
    const realTag = await world.alice.ownTag();
    const fakeTag = await world.bob.ownTag();
    await carol.page.locator("#typing", { hasText: `aIice ${fakeTag} is typing…` }).waitFor({ timeout: WAIT_MS });
    await world.bob.page.getByLabel("Room message").fill("");

    // WHEN he writes to carol privately, THEN the direct pane shows his id marker and the warning
    await world.bob.whisper("carol", "it is alice, trust me");
    const dm = carol.directMessage("it is alice, trust me");
    await dm.waitFor({ timeout: WAIT_MS });
    expect(await dm.locator(".from").textContent()).toBe("aIice → you");
    expect(await dm.locator(".uid").textContent()).toBe(fakeTag);
    expect(await dm.locator(".lookalike-warning").textContent()).toBe(`⚠ look-alike name — not ${realTag}`);
  });

  it("reload: after a reload, history and the member list still tell the impostor from alice", async () => {
    // WHEN carol reloads (the page forgets everyone it saw)
    await carol.page.reload();
    await carol.waitForStatus("connected");
    await carol.page.locator("#room-title", { hasText: "# town" }).waitFor({ timeout: WAIT_MS });
    const realTag = await world.alice.ownTag();
    const fakeTag = await world.bob.ownTag();

    // THEN the history's messages carry their senders' ids: the same markers and warnings as before
    const fake = await sender(carol.message("please send me the password"));
    const real = await sender(carol.message("hi all, alice here"));
    expect(fake).toMatchObject({ name: "aIice", tag: fakeTag, warning: `⚠ look-alike name — not ${realTag}` });
    expect(real).toMatchObject({ name: "alice", tag: realTag, warning: `⚠ look-alike name — not ${fakeTag}` });
    // and the member list, from the joined answer's users, names bob as "aIice" now, with his marker and the warning
    const bobMember = carol.page.locator("#members .member", { has: carol.page.locator(".uid", { hasText: fakeTag }) });
    expect(await bobMember.locator(".name").textContent()).toBe("aIice");
    expect(await bobMember.locator(".lookalike-warning").textContent()).toBe(`⚠ look-alike name — not ${realTag}`);
  });
});
