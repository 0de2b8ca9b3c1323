import { describe, expect, it } from "vitest";
import { WAIT_MS } from "./support/chat-page.ts";
import { useTwoUsers } from "./support/two-users.ts";
import { startChatServer } from "./support/dev-server.ts";

// The server goes away and comes back on the same port, with empty tables
// (in-memory DynamoDB) and a new dev-issuer key: the pages must notice,
// reconnect with fresh tokens, and join their rooms again by themselves.

const world = useTwoUsers();

describe("chat page, server restart", () => {
  it("restart: both pages show reconnecting, then connected, re-join their room and can chat again", async () => {
    // GIVEN alice and bob chatting in "ops"
    await world.alice.join("ops");
    await world.bob.join("ops");
    await world.alice.say("before the restart");
    await world.bob.message("before the restart", "alice").waitFor({ timeout: WAIT_MS });

    // WHEN the emulator stops
    const port = world.server.emulator.port;
    await world.server.emulator.close();

    // THEN both pages say they are reconnecting, and keep what they showed
    await world.alice.waitForStatus("reconnecting");
    await world.bob.waitForStatus("reconnecting");
    expect(await world.bob.message("before the restart").count()).toBe(1);

    // WHEN it starts again on the same port
    world.server = await startChatServer(port);

    // THEN both reconnect, are members of "ops" again, and messages flow both ways
    await world.alice.waitForStatus("connected");
    await world.bob.waitForStatus("connected");
    await world.alice.member("bob").waitFor({ timeout: WAIT_MS });
    await world.bob.member("alice").waitFor({ timeout: WAIT_MS });
    await world.bob.say("after the restart, from bob");
    await world.alice.message("after the restart, from bob", "bob").waitFor({ timeout: WAIT_MS });
    await world.alice.say("after the restart, from alice");
    await world.bob.message("after the restart, from alice", "alice").waitFor({ timeout: WAIT_MS });
    // The old history stays on screen though the new server's tables are empty.
    expect(await world.bob.message("before the restart").count()).toBe(1);
    await world.bob.screenshot("test-results/after-restart-bob.png");
  });
});
