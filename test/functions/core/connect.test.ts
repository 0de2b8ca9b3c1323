import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, ConnectionRefusedError, type ConnectSettings } from "../../../functions/core/connect.ts";
import { anonymousUserId } from "../../../functions/core/identity.ts";
import { roomKey } from "../../../contract/rooms.ts";
import { newApiGatewayId } from "../support/events.ts";
import { NOW, NOW_SECONDS, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

function settings(room: string, overrides: Partial<ConnectSettings> = {}): ConnectSettings {
  return { connectionTtlSeconds: 10_800, nameBindingSeconds: 30 * 86_400, authRequired: false, maxConnectionsPerUser: 5, room, fanOut: { concurrency: 4 }, ...overrides };
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
    const userId = await anonymousUserId(connectionId);
    const items = await world.table.itemsOf(connectionId);
    expect(items).toHaveLength(2);
    expect(items).toContainEqual({ pk: `CONN#${connectionId}`, sk: "META", connectionId, userId, userName: "Ada", connectedAt: 1705751697419, expiresAt });
    expect(items).toContainEqual({
      pk: `CONN#${connectionId}`,
      // Matched by its key (lower case), shown as spelled.
      sk: `ROOM#${roomKey(room)}`,
      room: roomKey(room),
      roomName: room,
      connectionId,
      userId,
      userName: "Ada",
      connectedAt: 1705751697419,
      joinedAt: NOW.getTime(),
      expiresAt,
    });
    expect(await world.store.userConnections("ada")).toEqual([{ connectionId, userName: "Ada", userId }]);
    expect(await world.store.identityConnections(userId, NOW_SECONDS)).toEqual([connectionId]);
  });

  it("connect: with an authorizer, the identity is the authorizer's and the name query parameter is ignored", async () => {
    const deps = world.dependencies();
    const connectionId = newApiGatewayId();
    const connection = await connect(
      { connectionId, connectedAt: 1, authorized: { userId: "u-grace", userName: "grace" }, requestedName: "someone-else" },
      deps,
      settings(newRoom("lobby"), { authRequired: true }),
    );
    expect(connection).toMatchObject({ userId: "u-grace", userName: "grace" });
  });

  it("connect: with an authorizer configured, a connection without an identity is refused with 403 and nothing is stored", async () => {
    // GIVEN an API that requires sign-in, and an event whose authorizer context carried no identity
    const connectionId = newApiGatewayId();
    // WHEN it connects asking for a name
    const attempt = connect({ connectionId, connectedAt: 1, requestedName: "mallory" }, world.dependencies(), settings(newRoom("lobby"), { authRequired: true }));
    // THEN it is refused (fail closed), and neither the connection nor the name was stored
    await expect(attempt).rejects.toThrow(ConnectionRefusedError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 403 });
    expect(await world.table.itemsOf(connectionId)).toEqual([]);
    expect(await world.store.userConnections("mallory")).toEqual([]);
  });

  it("connect: a signed-in user past max connections is refused with 429; closing one lets the next in", async () => {
    // GIVEN a user with two open connections and a limit of two
    const authorized = { userId: `u-many-${newApiGatewayId()}`, userName: `many${newApiGatewayId().slice(0, 6)}` };
    const limited = settings(newRoom("lobby"), { maxConnectionsPerUser: 2 });
    const first = newApiGatewayId();
    await connect({ connectionId: first, connectedAt: 1, authorized }, world.dependencies(), limited);
    await connect({ connectionId: newApiGatewayId(), connectedAt: 1, authorized }, world.dependencies(), limited);
    // WHEN a third connects
    // THEN it is refused with 429 and stores nothing
    const third = newApiGatewayId();
    await expect(connect({ connectionId: third, connectedAt: 1, authorized }, world.dependencies(), limited)).rejects.toMatchObject({ statusCode: 429 });
    expect(await world.table.itemsOf(third)).toEqual([]);
    // AND once one of the two is gone, a new one is accepted
    await world.store.removeConnection(first);
    await expect(connect({ connectionId: newApiGatewayId(), connectedAt: 1, authorized }, world.dependencies(), limited)).resolves.toMatchObject({ userName: authorized.userName });
  });

  it("connect: a signed-in user gets their bound name back, not the token's, and keeps it while offline", async () => {
    // GIVEN a user who signed in as "Hedy" and then renamed to "HedyL" (their binding)
    const userId = `u-hedy-${newApiGatewayId()}`;
    await world.store.bindName({ userId, name: "HedyL", expiresAt: NOW_SECONDS + 86_400 });
    await world.store.claimName({ name: "HedyL", userId, expiresAt: NOW_SECONDS + 86_400, nowSeconds: NOW_SECONDS });
    // WHEN they connect again with a token naming them "Hedy"
    const connection = await connect({ connectionId: newApiGatewayId(), connectedAt: 1, authorized: { userId, userName: "Hedy" } }, world.dependencies(), settings(newRoom("lobby")));
    // THEN they are HedyL again, and after they disconnect nobody else can claim it
    expect(connection.userName).toBe("HedyL");
    await world.store.removeConnection(connection.connectionId);
    await expect(world.store.claimName({ name: "hedyl", userId: "u-someone-else", expiresAt: NOW_SECONDS + 60, nowSeconds: NOW_SECONDS })).rejects.toMatchObject({ code: "name_taken" });
  });

  it("connect: without a valid name the connection is a guest-xxxx", async () => {
    // GIVEN a requested name with a character outside the rules
    const deps = world.dependencies();
    // WHEN it connects
    const connection = await connect({ connectionId: newApiGatewayId(), connectedAt: 1, requestedName: "<script>" }, deps, settings(newRoom("lobby")));
    // THEN it gets a guest name and an anonymous user id
    expect(connection.userName).toMatch(/^guest-[a-z0-9]{4}$/);
    expect(connection.userId).toBe(await anonymousUserId(connection.connectionId));
    expect(connection.userId).toMatch(/^a-[A-Za-z0-9_-]{16}$/);
  });

  it("connect: a name another user holds is not given out; the connection becomes a guest", async () => {
    // GIVEN "Linus" online under another user id
    await world.connected("Linus", [newRoom("elsewhere")], "u-linus");
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
    expect(world.framesOf(member)).toContainEqual({ type: "presence", room, user: "Ken", userId: await anonymousUserId(connectionId), event: "joined" });
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
