import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type ConnectSettings } from "../../../functions/core/connect.ts";
import { newApiGatewayId } from "../support/events.ts";
import { NOW, NOW_SECONDS, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

function settings(room: string): ConnectSettings {
  return { connectionTtlSeconds: 10_800, room, fanOut: { concurrency: 4 } };
}

describe("connect", () => {
  it("connect: stores the connection, its membership and its user entry, each expiring after the TTL", async () => {
    // GIVEN a new anonymous connection asking for the name "Ada"
    const deps = world.dependencies();
    const connectionId = newApiGatewayId();
    const room = newRoom("lobby");
    // WHEN it connects with a 3-hour TTL
    await connect({ connectionId, connectedAt: 1705751697419, requestedName: "Ada" }, deps, settings(room));
    // THEN the table holds the connection with its identity, the membership with the name, the user entry and the claim
    const expiresAt = NOW_SECONDS + 10_800;
    const userId = `anon:${connectionId}`;
    const items = await world.table.itemsOf(connectionId);
    expect(items).toHaveLength(2);
    expect(items).toContainEqual({ pk: `CONN#${connectionId}`, sk: "META", connectionId, userId, userName: "Ada", connectedAt: 1705751697419, expiresAt });
    expect(items).toContainEqual({ pk: `CONN#${connectionId}`, sk: `ROOM#${room}`, room, connectionId, userName: "Ada", connectedAt: 1705751697419, joinedAt: NOW.getTime(), expiresAt });
    expect(await world.store.userConnections("ada")).toEqual([{ connectionId, userName: "Ada" }]);
  });

  it("connect: with an authorizer, the identity is the authorizer's and the name query parameter is ignored", async () => {
    const deps = world.dependencies();
    const connectionId = newApiGatewayId();
    const connection = await connect(
      { connectionId, connectedAt: 1, authorized: { userId: "sub-grace", userName: "grace" }, requestedName: "someone-else" },
      deps,
      settings(newRoom("lobby")),
    );
    expect(connection).toMatchObject({ userId: "sub-grace", userName: "grace" });
  });

  it("connect: without a valid name the connection is a guest-xxxx", async () => {
    // GIVEN a requested name with a character outside the rules
    const deps = world.dependencies();
    // WHEN it connects
    const connection = await connect({ connectionId: newApiGatewayId(), connectedAt: 1, requestedName: "<script>" }, deps, settings(newRoom("lobby")));
    // THEN it gets a guest name and an anonymous user id
    expect(connection.userName).toMatch(/^guest-[a-z0-9]{4}$/);
    expect(connection.userId).toBe(`anon:${connection.connectionId}`);
  });

  it("connect: a name another user holds is not given out; the connection becomes a guest", async () => {
    // GIVEN "Linus" online under another user id
    await world.connected("Linus", [newRoom("elsewhere")], "sub-linus");
    const deps = world.dependencies();
    // WHEN an anonymous connection asks for "linus"
    const connection = await connect({ connectionId: newApiGatewayId(), connectedAt: 1, requestedName: "linus" }, deps, settings(newRoom("lobby")));
    // THEN it is a guest, and the log says why
    expect(connection.userName).toMatch(/^guest-/);
    expect(deps.lines).toContainEqual(expect.objectContaining({ message: "name unavailable, connected as a guest", wanted: "linus" }));
  });

  it("connect: the room's other members hear a joined presence; the new connection is not posted to", async () => {
    // GIVEN a room with one member
    const room = newRoom("lobby");
    const member = await world.connected("Barbara", [room]);
    const connectionId = newApiGatewayId();
    // WHEN "Ken" connects into it
    await connect({ connectionId, connectedAt: 1, requestedName: "Ken" }, world.dependencies(), settings(room));
    // THEN the member got the presence, and nothing was posted to the new connection (that would be a 410 on AWS)
    expect(world.framesOf(member)).toContainEqual({ type: "presence", room, user: "Ken", event: "joined" });
    expect(world.framesOf(connectionId)).toEqual([]);
  });

  it("connect: a presence that cannot be delivered does not refuse the connection", async () => {
    // GIVEN a room whose only other member fails with 500
    const room = newRoom("lobby");
    const member = await world.connected("Edsger", [room]);
    world.api.failing.set(member, 500);
    const deps = world.dependencies();
    const connectionId = newApiGatewayId();
    // WHEN someone connects
    // THEN the connection is stored all the same
    await expect(connect({ connectionId, connectedAt: 1 }, deps, settings(room))).resolves.toMatchObject({ connectionId });
    expect(await world.table.itemsOf(connectionId)).toHaveLength(2);
  });
});
