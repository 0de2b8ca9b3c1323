import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvalidNameError, NameTakenError } from "../../../functions/core/client-errors.ts";
import { sendMessage } from "../../../functions/core/send-message.ts";
import { privateMessage } from "../../../functions/core/private-message.ts";
import { leaveRoom } from "../../../functions/core/room-actions.ts";
import { setName } from "../../../functions/core/set-name.ts";
import type { Identity } from "../../../functions/core/identity.ts";
import { NOW_SECONDS, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
const SETTINGS = { maxMessageBytes: 32_768, connectionTtlSeconds: 10_800, nameBindingSeconds: 30 * 86_400 };
const FAN_OUT = { maxMessageBytes: 32_768, fanOut: { concurrency: 4 }, rate: { maxPerMinute: 60 } };

beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

const rename = (connectionId: string, name: unknown, authorized?: Identity) =>
  setName({ connectionId, body: JSON.stringify({ action: "setName", name }), ...(authorized ? { authorized } : {}) }, world.dependencies(), SETTINGS);

describe("setName", () => {
  it("setName: later messages, presence and private messages use the new name", async () => {
    // GIVEN "guest-ab12" in a room with Grace
    const room = newRoom("renamed");
    const guest = await world.connected("guest-ab12", [room]);
    const grace = await world.connected("Grace", [room]);
    // WHEN the guest names itself "Ada Lovelace"
    const answer = await rename(guest, "Ada Lovelace");
    // THEN the answer confirms it
    expect(answer).toEqual({ type: "name", name: "Ada Lovelace", userId: (await world.store.connection(guest))?.userId });
    // and a message, a private message and a leave all carry the new name
    await sendMessage({ connectionId: guest, body: JSON.stringify({ action: "onMessage", room, message: "hi" }) }, world.dependencies(), { ...FAN_OUT, defaultRoom: "lobby", historyTtlSeconds: 60, maxStoredMessageBytes: 4096 });
    await privateMessage({ connectionId: grace, body: JSON.stringify({ action: "privateMessage", to: "ada lovelace", message: "welcome" }) }, world.dependencies(), FAN_OUT);
    await leaveRoom({ connectionId: guest, body: JSON.stringify({ action: "leaveRoom", room }) }, world.dependencies(), FAN_OUT);
    expect(world.framesOf(grace).map((frame) => frame["from"] ?? frame["user"])).toEqual(["Ada Lovelace", "Ada Lovelace"]);
    expect(world.framesOf(guest)).toContainEqual(expect.objectContaining({ type: "private", from: "Grace", to: "Ada Lovelace" }));
    // and nothing is left under the old name
    expect(await world.store.userConnections("guest-ab12")).toEqual([]);
  });

  it.each([
    ["empty", ""],
    ["33 characters", "a".repeat(33)],
    ["a leading space", " Ada"],
    ["a trailing space", "Ada "],
    ["two spaces in a row", "Ada  L"],
    ["a character outside the rules", "Ada!"],
    ["a look-alike letter from another script", "Аda"],
    ["markup", "<b>Ada</b>"],
  ])("setName: a name with %s is invalid_name", async (_label, name) => {
    const connectionId = await world.connected("Someone");
    await expect(rename(connectionId, name)).rejects.toThrow(InvalidNameError);
  });

  it.each(["A", "a".repeat(32), "Grace Hopper", "ada_l-1.0"])("setName: %s is a valid name", async (name) => {
    const connectionId = await world.connected("Someone");
    await expect(rename(connectionId, name)).resolves.toMatchObject({ type: "name", name });
  });

  it("setName: a name that is not a string is invalid_field; none at all is missing_field", async () => {
    const connectionId = await world.connected("Someone");
    await expect(rename(connectionId, 42)).rejects.toMatchObject({ code: "invalid_field", field: "name" });
    await expect(setName({ connectionId, body: '{"action":"setName"}' }, world.dependencies(), SETTINGS)).rejects.toMatchObject({ code: "missing_field" });
  });

  it("setName: a name a signed-in user holds is name_taken for anyone else, in any case", async () => {
    // GIVEN Grace signed in
    await world.connected("Grace", ["lobby"], "u-grace-1");
    const mallory = await world.connected("Mallory", ["lobby"], "u-mallory");
    // WHEN Mallory tries to become "GRACE"
    // THEN it is refused, and Mallory keeps her name
    await expect(rename(mallory, "GRACE", { userId: "u-mallory", userName: "Mallory" })).rejects.toThrow(NameTakenError);
    expect((await world.store.connection(mallory))?.userName).toBe("Mallory");
  });

  it("setName: the same user may take a name it holds on another connection, or change its case", async () => {
    await world.connected("Linus", ["lobby"], "u-linus");
    const second = await world.connected("guest-zz99", ["lobby"], "u-linus");
    await expect(rename(second, "linus", { userId: "u-linus", userName: "guest-zz99" })).resolves.toEqual({ type: "name", name: "linus", userId: "u-linus" });
  });

  it("setName: the old name is released once no connection of the user uses it", async () => {
    // GIVEN Ada who renames herself to "Countess"
    const ada = await world.connected("AdaOld", ["lobby"], "u-ada-old");
    await rename(ada, "Countess", { userId: "u-ada-old", userName: "AdaOld" });
    // WHEN another user asks for "AdaOld"
    const other = await world.connected("Other", ["lobby"], "u-other");
    // THEN it is free
    await expect(rename(other, "AdaOld", { userId: "u-other", userName: "Other" })).resolves.toEqual({ type: "name", name: "AdaOld", userId: "u-other" });
  });

  it("setName: a signed-in user's new name is bound to them: it outlives their connections, and is the name they get next", async () => {
    // GIVEN Joan signed in, renaming herself to "JoanC"
    const joan = await world.connected("JoanW", ["lobby"], "u-joan");
    await rename(joan, "JoanC", { userId: "u-joan", userName: "JoanW" });
    // WHEN her only connection closes
    await world.store.removeConnection(joan);
    // THEN "JoanC" is still hers (another user cannot take it), and it is her bound name
    const other = await world.connected("Other2", ["lobby"], "u-other-2");
    await expect(rename(other, "joanc", { userId: "u-other-2", userName: "Other2" })).rejects.toThrow(NameTakenError);
    expect(await world.store.boundName("u-joan", NOW_SECONDS)).toBe("JoanC");
    // AND the name she gave up is free
    await expect(rename(other, "JoanW", { userId: "u-other-2", userName: "Other2" })).resolves.toMatchObject({ name: "JoanW" });
  });

  it("setName: an expired claim no longer holds the name", async () => {
    // GIVEN a claim on "Sleeper" that expired at 1000 (its TTL not yet applied by DynamoDB)
    await world.store.claimName({ name: "Sleeper", userId: "u-sleeper", expiresAt: 1000, nowSeconds: 1 });
    const connectionId = await world.connected("Awake");
    // WHEN someone else asks for it now
    // THEN they get it
    await expect(rename(connectionId, "Sleeper")).resolves.toMatchObject({ type: "name", name: "Sleeper" });
  });
});
