import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UserOfflineError } from "../../../functions/core/client-errors.ts";
import { privateMessage } from "../../../functions/core/private-message.ts";
import { newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
const SETTINGS = { maxMessageBytes: 32_768, fanOut: { concurrency: 4 }, rate: { maxPerMinute: 60 } };

beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

const dm = (connectionId: string, fields: Record<string, unknown>) =>
  privateMessage({ connectionId, body: JSON.stringify({ action: "privateMessage", ...fields }) }, world.dependencies(), SETTINGS);

describe("privateMessage", () => {
  it("privateMessage: reaches every connection of the user, whatever the case of `to`, and nobody else", async () => {
    // GIVEN Grace signed in twice (two connections, one user), Ada, and a bystander in the same room
    const room = newRoom("dm");
    const laptop = await world.connected("Grace", [room], "u-grace");
    const phone = await world.connected("Grace", [newRoom("other")], "u-grace");
    const ada = await world.connected("Ada", [room]);
    const bystander = await world.connected("Bystander", [room]);
    // WHEN Ada writes to "grace"
    const receipt = await dm(ada, { to: "grace", message: "lunch?" });
    // THEN both of Grace's connections got it, the receipt counts two, and nobody else heard it
    const adaId = (await world.store.connection(ada))!.userId;
    const frame = { type: "private", from: "Ada", fromId: adaId, to: "Grace", toId: "u-grace", message: "lunch?", sentAt: "2024-01-20T11:55:04.112Z" };
    expect(world.framesOf(laptop)).toEqual([frame]);
    expect(world.framesOf(phone)).toEqual([frame]);
    expect(receipt).toEqual({ type: "sent", to: "Grace", toId: "u-grace", delivered: 2 });
    expect(world.framesOf(bystander)).toEqual([]);
    expect(world.framesOf(ada)).toEqual([]);
  });

  it("privateMessage: counts against the sender's message rate: past it, rate_limited and nothing is delivered", async () => {
    const bob = await world.connected("Bob7", [newRoom("x")], "u-bob7");
    const ada = await world.connected("Ada");
    const send = () => privateMessage({ connectionId: ada, body: JSON.stringify({ action: "privateMessage", to: "Bob7", message: "psst" }) }, world.dependencies(), { ...SETTINGS, rate: { maxPerMinute: 2 } });
    await send();
    await send();
    await expect(send()).rejects.toMatchObject({ code: "rate_limited" });
    expect(world.framesOf(bob)).toHaveLength(2);
  });

  it("privateMessage: a user with no connection is user_offline", async () => {
    const ada = await world.connected("Ada");
    await expect(dm(ada, { to: "Nobody", message: "hello?" })).rejects.toThrow(UserOfflineError);
    await expect(dm(ada, { to: "Nobody", message: "hello?" })).rejects.toMatchObject({ code: "user_offline", message: '"Nobody" is not online.' });
  });

  it("privateMessage: a user whose only connection is gone is user_offline, and the stale entry is pruned", async () => {
    // GIVEN Ghost, whose connection closed without a $disconnect
    const ghost = await world.connected("Ghost4", [newRoom("x")]);
    world.api.gone.add(ghost);
    const ada = await world.connected("Ada");
    // WHEN Ada writes to Ghost
    // THEN Ghost is offline, and no longer listed
    await expect(dm(ada, { to: "Ghost4", message: "boo" })).rejects.toThrow(UserOfflineError);
    expect(await world.store.userConnections("Ghost4")).toEqual([]);
  });

  it("privateMessage: a message without `to` is missing_field; a `to` no one could be named is invalid_field", async () => {
    const ada = await world.connected("Ada");
    await expect(dm(ada, { message: "hi" })).rejects.toMatchObject({ code: "missing_field", field: "to" });
    await expect(dm(ada, { to: "x".repeat(2000), message: "hi" })).rejects.toMatchObject({ code: "invalid_field", field: "to" });
  });
});
