import { afterAll, beforeAll, expect, it } from "vitest";
import { disconnect } from "../../../functions/core/disconnect.ts";
import { newApiGatewayId } from "../support/events.ts";
import { anonymousUserId } from "../../../functions/core/identity.ts";
import { roomKey } from "../../../contract/rooms.ts";
import { newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

const SETTINGS = { fanOut: { concurrency: 4 } };

it("disconnect: removes the connection, its membership, its user entry and its name claim", async () => {
  // GIVEN a connection in a room, and another one
  const room = newRoom("lobby");
  const leaving = await world.connected("Alan", [room], "u-alan");
  const staying = await world.connected("Joan", [room]);
  // WHEN the first disconnects
  const removed = await disconnect(leaving, world.dependencies(), SETTINGS);
  // THEN its items are gone, the other's are not, and the result says what was removed
  expect(removed).toEqual({ connectionId: leaving, hadConnection: true, rooms: [roomKey(room)], roomNames: [room], userName: "Alan", userId: "u-alan" });
  expect(await world.table.itemsOf(leaving)).toEqual([]);
  expect(await world.table.itemsOf(staying)).toHaveLength(2);
  expect(await world.store.userConnections("Alan")).toEqual([]);
  // and the name, which was not bound to Alan (he never chose it), is free for another user
  await expect(world.store.claimName({ name: "alan", userId: "someone-else", expiresAt: 2_000_000_000, nowSeconds: 1 })).resolves.toBeUndefined();
});

it("disconnect: a name still used by another connection of the same user stays claimed", async () => {
  // GIVEN user sub-ada with two connections named "Ada"
  const first = await world.connected("Ada", [newRoom("a")], "u-ada");
  await world.connected("Ada", [newRoom("b")], "u-ada");
  // WHEN one disconnects
  await disconnect(first, world.dependencies(), SETTINGS);
  // THEN another user still cannot take "Ada"
  await expect(world.store.claimName({ name: "Ada", userId: "u-mallory", expiresAt: 2_000_000_000, nowSeconds: 1 })).rejects.toMatchObject({ code: "name_taken" });
});

it("disconnect: each room of a connection that dropped without leaveRoom hears a left presence", async () => {
  // GIVEN Grace in two rooms, with one other member in each
  const [roomA, roomB] = [newRoom("a"), newRoom("b")];
  const grace = await world.connected("Grace", [roomA, roomB]);
  const inA = await world.connected("Anita", [roomA]);
  const inB = await world.connected("Barbara", [roomB]);
  // WHEN Grace's connection drops
  await disconnect(grace, world.dependencies(), SETTINGS);
  // THEN both rooms were told, and nothing was posted to Grace
  const userId = await anonymousUserId(grace);
  expect(world.framesOf(inA)).toEqual([{ type: "presence", room: roomA, user: "Grace", userId, event: "left" }]);
  expect(world.framesOf(inB)).toEqual([{ type: "presence", room: roomB, user: "Grace", userId, event: "left" }]);
  expect(world.framesOf(grace)).toEqual([]);
});

it("disconnect: removes more memberships than fit in one BatchWriteItem", async () => {
  // GIVEN a connection in 30 rooms (32 items; a batch takes 25)
  const rooms = Array.from({ length: 30 }, (_, i) => newRoom(`room-${i}`));
  const connectionId = await world.connected("Many", rooms);
  // WHEN it disconnects
  const removed = await disconnect(connectionId, world.dependencies(), SETTINGS);
  // THEN every item is gone
  expect(removed.rooms).toHaveLength(30);
  expect(await world.table.itemsOf(connectionId)).toEqual([]);
});

it("disconnect: an unknown connection is not an error", async () => {
  // GIVEN an id never stored (e.g. a $disconnect after the TTL already removed it)
  // WHEN it disconnects
  // THEN nothing was there to remove, and no room is told
  const connectionId = newApiGatewayId();
  await expect(disconnect(connectionId, world.dependencies(), SETTINGS)).resolves.toEqual({ connectionId, hadConnection: false, rooms: [], roomNames: [] });
});
