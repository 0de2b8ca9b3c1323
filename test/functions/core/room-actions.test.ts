import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MissingFieldError, NotMemberError } from "../../../functions/core/client-errors.ts";
import { joinRoom, leaveRoom, typingIndicator, type JoinRoomSettings } from "../../../functions/core/room-actions.ts";
import { TooManyRoomsError } from "../../../functions/core/client-errors.ts";
import { roomKey } from "../../../contract/rooms.ts";
import { newApiGatewayId } from "../support/events.ts";
import { newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

let world: ChatWorld;
const SETTINGS: JoinRoomSettings = { maxMessageBytes: 32_768, fanOut: { concurrency: 4 }, maxRoomsPerConnection: 20, maxMemberNames: 200, defaultRoom: "lobby" };

beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

const join = (connectionId: string, room: string, settings: JoinRoomSettings = SETTINGS) =>
  joinRoom({ connectionId, body: JSON.stringify({ action: "joinRoom", room }) }, world.dependencies(), settings);
const idOf = async (connectionId: string) => (await world.store.connection(connectionId))!.userId;
const leave = (connectionId: string, room: string) => leaveRoom({ connectionId, body: JSON.stringify({ action: "leaveRoom", room }) }, world.dependencies(), SETTINGS);
const typing = (connectionId: string, room: string, value: unknown) =>
  typingIndicator({ connectionId, body: JSON.stringify({ action: "typingIndicator", room, typing: value }) }, world.dependencies(), SETTINGS);

describe("joinRoom", () => {
  it("joinRoom: answers with the members' names, the joiner's included, and the members hear a joined presence", async () => {
    // GIVEN a room with Grace and Alan, and Ada in the lobby
    const room = newRoom("general");
    const grace = await world.connected("Grace", [room]);
    const alan = await world.connected("alan", [room]);
    const ada = await world.connected("Ada");
    // WHEN Ada joins the room
    const answer = await join(ada, room);
    // THEN the answer lists the three names, and the two members were told, not Ada
    const [adaId, alanId, graceId] = await Promise.all([idOf(ada), idOf(alan), idOf(grace)]);
    expect(answer).toEqual({
      type: "joined",
      room,
      members: ["Ada", "alan", "Grace"],
      users: [
        { name: "Ada", userId: adaId },
        { name: "alan", userId: alanId },
        { name: "Grace", userId: graceId },
      ],
      userCount: 3,
    });
    for (const member of [grace, alan]) expect(world.framesOf(member)).toEqual([{ type: "presence", room, user: "Ada", userId: adaId, event: "joined" }]);
    expect(world.framesOf(ada)).toEqual([]);
  });

  it("joinRoom: a connection can be in several rooms at once, and hears each", async () => {
    // GIVEN Ada in the lobby
    const ada = await world.connected("Ada");
    const [roomA, roomB] = [newRoom("a"), newRoom("b")];
    // WHEN she joins two more rooms
    await join(ada, roomA);
    await join(ada, roomB);
    // THEN she has three memberships, and a newcomer to room B is announced to her
    expect((await world.table.itemsOf(ada)).map((item) => item["sk"]).sort()).toEqual(["META", `ROOM#${roomKey(roomA)}`, `ROOM#${roomKey(roomB)}`, "ROOM#lobby"].sort());
    const newcomer = await world.connected("Newcomer");
    await join(newcomer, roomB);
    expect(world.framesOf(ada)).toEqual([{ type: "presence", room: roomB, user: "Newcomer", userId: await idOf(newcomer), event: "joined" }]);
  });

  it("joinRoom: joining a room twice answers again but announces only once", async () => {
    const room = newRoom("twice");
    const member = await world.connected("Member", [room]);
    const ada = await world.connected("Ada");
    await join(ada, room);
    await expect(join(ada, room)).resolves.toMatchObject({ type: "joined", room });
    expect(world.framesOf(member)).toHaveLength(1);
  });

  it("joinRoom: the membership expires with the connection", async () => {
    const ada = await world.connected("Ada");
    const room = newRoom("ttl");
    await join(ada, room);
    const items = await world.table.itemsOf(ada);
    const meta = items.find((item) => item["sk"] === "META")!;
    expect(items.find((item) => item["sk"] === `ROOM#${roomKey(room)}`)).toMatchObject({ room: roomKey(room), roomName: room, userName: "Ada", expiresAt: meta["expiresAt"] });
  });

  it("joinRoom: another spelling of a room joins that room, shown under its first spelling", async () => {
    // GIVEN a room first joined as "Café-<id>" (in NFD: e + combining accent)
    const first = `Cafe\u0301-${newApiGatewayId().slice(0, 6)}`;
    const grace = await world.connected("Grace");
    await expect(join(grace, first)).resolves.toMatchObject({ room: first.normalize("NFC") });
    // WHEN Ada joins it in upper case and NFC
    const ada = await world.connected("Ada");
    const answer = await join(ada, first.normalize("NFC").toUpperCase());
    // THEN she is in the same room, under the first spelling, and Grace was told so
    expect(answer).toMatchObject({ room: first.normalize("NFC"), userCount: 2 });
    expect(world.framesOf(grace)).toEqual([{ type: "presence", room: first.normalize("NFC"), user: "Ada", userId: await idOf(ada), event: "joined" }]);
  });

  it("joinRoom: the default room keeps its spelling whoever spells it otherwise first", async () => {
    const ada = await world.connected("Ada", []);
    await expect(join(ada, "LOBBY")).resolves.toMatchObject({ room: "lobby" });
  });

  it("joinRoom: one room past the limit is too_many_rooms; leaving one makes room, and rejoining one is no new room", async () => {
    // GIVEN a limit of 2 rooms, and Ada in the lobby and one more
    const limited = { ...SETTINGS, maxRoomsPerConnection: 2 };
    const ada = await world.connected("Ada");
    const [second, third] = [newRoom("second"), newRoom("third")];
    await join(ada, second, limited);
    // WHEN she joins a third
    // THEN it is refused and she is not in it
    await expect(join(ada, third, limited)).rejects.toThrow(TooManyRoomsError);
    expect(await world.store.membership(ada, third)).toBeUndefined();
    // AND rejoining one she is in still answers
    await expect(join(ada, second.toUpperCase(), limited)).resolves.toMatchObject({ room: second });
    // AND after leaving one, the third is allowed
    await leave(ada, second);
    await expect(join(ada, third, limited)).resolves.toMatchObject({ room: third });
  });

  it("joinRoom: a big room's answer lists at most maxMemberNames users and counts them all", async () => {
    const room = newRoom("big");
    for (const name of ["m1", "m2", "m3", "m4"]) await world.connected(name, [room]);
    const ada = await world.connected("Ada");
    const answer = await join(ada, room, { ...SETTINGS, maxMemberNames: 2 });
    expect(answer.users).toHaveLength(2);
    expect(answer.userCount).toBe(5);
  });

  it("joinRoom: a message without room is missing_field", async () => {
    await expect(joinRoom({ connectionId: newApiGatewayId(), body: '{"action":"joinRoom"}' }, world.dependencies(), SETTINGS)).rejects.toThrow(MissingFieldError);
  });

  it("joinRoom: a connection with no record is a server fault, not a client error", async () => {
    await expect(join(newApiGatewayId(), "lobby")).rejects.toMatchObject({ name: "UnknownConnectionError" });
  });
});

describe("leaveRoom", () => {
  it("leaveRoom: answers left, removes the membership and the remaining members hear a left presence", async () => {
    // GIVEN Ada and Grace in a room
    const room = newRoom("leaving");
    const ada = await world.connected("Ada", ["lobby", room]);
    const grace = await world.connected("Grace", [room]);
    // WHEN Ada leaves it
    const answer = await leave(ada, room);
    // THEN she is out of that room only, and Grace was told
    expect(answer).toEqual({ type: "left", room });
    expect((await world.table.itemsOf(ada)).map((item) => item["sk"]).sort()).toEqual(["META", "ROOM#lobby"]);
    expect(world.framesOf(grace)).toEqual([{ type: "presence", room, user: "Ada", userId: await idOf(ada), event: "left" }]);
    expect(world.framesOf(ada)).toEqual([]);
  });

  it("leaveRoom: leaving a room one is not in is not_member", async () => {
    const ada = await world.connected("Ada");
    await expect(leave(ada, newRoom("never-joined"))).rejects.toThrow(NotMemberError);
  });
});

describe("typingIndicator", () => {
  it("typingIndicator: the room's other members hear it, the sender does not, and the answer is a bare ack", async () => {
    const room = newRoom("typing");
    const ada = await world.connected("Ada", [room]);
    const grace = await world.connected("Grace", [room]);
    const answer = await typing(ada, room, true);
    expect(answer).toEqual({ type: "ack", requestAction: "typingIndicator" });
    expect(world.framesOf(grace)).toEqual([{ type: "typing", room, user: "Ada", userId: await idOf(ada), typing: true }]);
    expect(world.framesOf(ada)).toEqual([]);
  });

  it("typingIndicator: nothing is written to the table", async () => {
    // GIVEN a member of a room with another member
    const room = newRoom("quiet");
    const ada = await world.connected("Ada", [room]);
    await world.connected("Grace", [room]);
    world.table.calls.length = 0;
    // WHEN she stops typing
    await typing(ada, room, false);
    // THEN only reads happened: one GetItem of her membership and the room's Query
    expect(world.table.calls.map((call) => call.action).sort()).toEqual(["GetItem", "Query"]);
  });

  it("typingIndicator: a non-member is not_member and nobody hears it", async () => {
    const room = newRoom("closed");
    const member = await world.connected("Member", [room]);
    const eve = await world.connected("Eve");
    await expect(typing(eve, room, true)).rejects.toThrow(NotMemberError);
    expect(world.framesOf(member)).toEqual([]);
  });

  it("typingIndicator: typing that is not a boolean is invalid_field", async () => {
    const ada = await world.connected("Ada");
    await expect(typing(ada, "lobby", "yes")).rejects.toMatchObject({ code: "invalid_field", field: "typing" });
  });
});
