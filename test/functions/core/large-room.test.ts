import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Clock } from "../../../functions/core/clock.ts";
import { InvalidFanOutPieceError, MAX_DISPATCH_GENERATION, MAX_GENERATION, readFanOutPiece, type FanOutPiece } from "../../../functions/core/fan-out-piece.ts";
import type { PieceInvoker } from "../../../functions/core/piece-invoker.ts";
import { joinRoom, typingIndicator } from "../../../functions/core/room-actions.ts";
import { sendMessage, type SendMessageSettings } from "../../../functions/core/send-message.ts";
import { serveFanOutPiece, type FanOutPieceResult } from "../../../functions/core/serve-fan-out-piece.ts";
import { captureLogs } from "../support/captured-logs.ts";
import { NOW, newRoom, startChatWorld, type ChatWorld } from "../support/chat-world.ts";

// The sharded fan-out end to end in one process: the real store on dynalite,
// the real @connections stand-in, and a stand-in for Lambda's asynchronous
// invocation that queues each piece and runs it with serveFanOutPiece, as
// the fan-out function would. The emulator runs the same path with the
// real Invoke API (test/e2e/large-room.test.ts).

let world: ChatWorld;
beforeAll(async () => {
  world = await startChatWorld();
});
afterAll(async () => {
  await world?.close();
});

const CALLBACK = { domainName: "stand-in", stage: "prod" };
const SHARD = 10;

/** A clock whose sleeps move it on, so deadlines pass as retries wait. */
function movingClock(): Clock & { advance(ms: number): void } {
  let now = NOW.getTime();
  return { now: () => new Date(now), sleep: async (ms) => void (now += ms), advance: (ms) => void (now += ms) };
}

/** Lambda's Event invocations, one at a time: queued, then run by `drain` until none is left. */
function asyncLambda(options: { clock: Clock; budgetMs?: number; failInvoke?: (piece: FanOutPiece) => boolean }) {
  const queued: FanOutPiece[] = [];
  const ran: Array<{ piece: FanOutPiece; result: FanOutPieceResult }> = [];
  const logs = captureLogs();
  const invoker: PieceInvoker = {
    invoke: async (piece) => {
      if (options.failInvoke?.(piece)) throw Object.assign(new Error("Rate exceeded"), { name: "TooManyRequestsException" });
      // What Lambda carries is JSON: the piece must survive it.
      queued.push(JSON.parse(JSON.stringify(piece)) as FanOutPiece);
    },
  };
  return {
    invoker,
    queued,
    ran,
    logs,
    drain: async () => {
      while (queued.length > 0) {
        const piece = readFanOutPiece(queued.shift());
        const deadline = options.clock.now().getTime() + (options.budgetMs ?? 4_000);
        const result = await serveFanOutPiece(piece, { store: world.store, sender: world.sender, clock: options.clock, logger: logs.logger, invoker }, { concurrency: 4, shardSize: SHARD, deadline });
        ran.push({ piece, result });
      }
    },
  };
}

function settings(clock: Clock, budgetMs = 4_000): SendMessageSettings {
  return {
    maxMessageBytes: 32_768,
    defaultRoom: "lobby",
    fanOut: { concurrency: 4, largeRoomSize: SHARD, deadline: clock.now().getTime() + budgetMs },
    historyTtlSeconds: 604_800,
    maxStoredMessageBytes: 4_096,
    rate: { maxPerMinute: 60 },
  };
}

async function roomOf(size: number, label: string): Promise<{ room: string; members: string[] }> {
  const room = newRoom(label);
  const members: string[] = [];
  for (let i = 0; i < size; i++) members.push(await world.connected(`m${i}`, [room]));
  return { room, members };
}

const indexQueries = () => world.table.calls.filter((call) => call.action === "Query" && call.input["IndexName"] !== undefined).length;
const message = (room: string, text: string) => JSON.stringify({ action: "onMessage", room, message: text });

describe("large rooms: sharded fan-out", () => {
  it("a room of 25 with shards of 10: the sender's invocation serves 11 (a page of one more than a shard tells a larger room) and hands the cursor on; the dispatcher reads the rest once, page by page; every member gets the message exactly once", async () => {
    // GIVEN a room of 25 members
    const { room, members } = await roomOf(25, "large");
    const clock = movingClock();
    const lambda = asyncLambda({ clock });
    world.table.calls.length = 0;

    // WHEN one of them sends a message
    const receipt = await sendMessage({ connectionId: members[0]!, body: message(room, "to everyone"), callback: CALLBACK }, { ...world.dependencies({ clock }), invoker: lambda.invoker }, settings(clock));

    // THEN the receipt counts the first page and names the fan-out, which is in flight: one dispatcher queued
    expect(receipt).toMatchObject({ type: "sent", delivered: SHARD + 1, pruned: 0, failed: 0, stored: true, fanOut: receipt.id });
    expect(lambda.queued.map((piece) => [piece.kind, piece.generation])).toEqual([["dispatch", 1]]);
    expect(indexQueries()).toBe(1);

    // WHEN Lambda runs the queued pieces
    await lambda.drain();

    // THEN the dispatcher read two more pages (10 and 4 ids) and invoked one delivery piece for each; nobody re-read the room
    expect(lambda.ran.map(({ piece, result }) => [piece.kind, piece.generation, piece.kind === "deliver" ? piece.connectionIds.length : result])).toEqual([
      ["dispatch", 1, { kind: "dispatch", pages: 2, piecesInvoked: 2, handedOn: false }],
      ["deliver", 2, 10],
      ["deliver", 2, 4],
    ]);
    expect(indexQueries()).toBe(3);
    // AND each of the 25 members got the message once
    for (const member of members) {
      expect(world.framesOf(member).filter((frame) => frame["id"] === receipt.id)).toHaveLength(1);
    }
  });

  it("a room no larger than a shard pays nothing extra: one page, no invocation, no fanOut in the receipt", async () => {
    const { room, members } = await roomOf(SHARD, "small");
    const clock = movingClock();
    const lambda = asyncLambda({ clock });
    world.table.calls.length = 0;
    const receipt = await sendMessage({ connectionId: members[0]!, body: message(room, "hello"), callback: CALLBACK }, { ...world.dependencies({ clock }), invoker: lambda.invoker }, settings(clock));
    expect(receipt).toStrictEqual({ type: "sent", room, id: "id-1", delivered: SHARD, pruned: 0, failed: 0, stored: true });
    expect(lambda.queued).toEqual([]);
    expect(indexQueries()).toBe(1);
  });

  it("a recipient still throttled (429) at a piece's deadline is handed to the next generation, never dropped, and gets the message once", async () => {
    // GIVEN a room of 25, and one member of the last page whose posts are answered 429 forty times
    const { room, members } = await roomOf(25, "throttled");
    const slow = members[24]!;
    world.api.throttled.set(slow, 40);
    const clock = movingClock();
    const lambda = asyncLambda({ clock, budgetMs: 1_000 });

    // WHEN a message is sent and every piece has run
    const receipt = await sendMessage({ connectionId: members[0]!, body: message(room, "patience"), callback: CALLBACK }, { ...world.dependencies({ clock }), invoker: lambda.invoker }, settings(clock));
    await lambda.drain();

    // THEN the throttled member was handed on, alone, at least once, and got the message exactly once in the end
    const handOffs = lambda.ran.filter(({ piece }) => piece.kind === "deliver" && piece.connectionIds.length === 1 && piece.connectionIds[0] === slow);
    expect(handOffs.length).toBeGreaterThanOrEqual(1);
    expect(Math.max(...lambda.ran.map(({ piece }) => piece.generation))).toBeGreaterThan(2);
    expect(world.api.throttled.get(slow)).toBe(0);
    for (const member of members) expect(world.framesOf(member).filter((frame) => frame["id"] === receipt.id)).toHaveLength(1);
  });

  it("when the fan-out function cannot be invoked for a large room, the message is an error with nothing sent and nothing stored, so a resend makes no duplicate", async () => {
    const { room, members } = await roomOf(15, "refused");
    const clock = movingClock();
    const lambda = asyncLambda({ clock, failInvoke: () => true });
    await expect(
      sendMessage({ connectionId: members[0]!, body: message(room, "lost?"), callback: CALLBACK }, { ...world.dependencies({ clock }), invoker: lambda.invoker }, settings(clock)),
    ).rejects.toMatchObject({ name: "TooManyRequestsException" });
    for (const member of members) expect(world.framesOf(member)).toEqual([]);
    const history = await world.store.recentMessages(room, { limit: 10, nowSeconds: Math.floor(clock.now().getTime() / 1000) });
    expect(history.messages).toEqual([]);
  });

  it(`a piece at the last generation (${MAX_GENERATION}) does not hand on: what it could not serve counts as failed and is logged`, async () => {
    const { room, members } = await roomOf(3, "last-generation");
    world.api.throttled.set(members[2]!, 1_000);
    const clock = movingClock();
    const lambda = asyncLambda({ clock });
    const piece: FanOutPiece = { kind: "deliver", fanOutId: "f-1", room, frame: JSON.stringify({ type: "message", room, id: "f-1" }), callback: CALLBACK, generation: MAX_GENERATION, connectionIds: members };
    const result = await serveFanOutPiece(piece, { store: world.store, sender: world.sender, clock, logger: lambda.logs.logger, invoker: lambda.invoker }, { concurrency: 2, shardSize: SHARD, deadline: clock.now().getTime() + 500 });
    expect(result).toMatchObject({ kind: "deliver", delivered: 2, failed: 1, handedOn: 0, recipients: 3 });
    expect(lambda.queued).toEqual([]);
    expect(lambda.logs.lines.find((line) => line["message"] === "fan-out gave up: too many generations")).toMatchObject({ recipients: 1 });
    world.api.throttled.delete(members[2]!);
  });

  it("a dispatcher past its deadline hands the rest of the room to the next dispatcher, except at the last dispatch generation, where it reads on", async () => {
    const { room, members } = await roomOf(25, "dispatch-chain");
    const clock = movingClock();
    const lambda = asyncLambda({ clock });
    const first = await world.store.roomPage(room, { limit: 5 });
    const base = { kind: "dispatch" as const, fanOutId: "f-2", room, frame: JSON.stringify({ type: "message", room, id: "f-2" }), callback: CALLBACK, cursor: first.cursor! };
    const deps = { store: world.store, sender: world.sender, clock, logger: lambda.logs.logger, invoker: lambda.invoker };
    // A deadline already passed: generation 1 hands on at once, without reading
    const early = await serveFanOutPiece({ ...base, generation: 1 }, deps, { concurrency: 2, shardSize: SHARD, deadline: clock.now().getTime() });
    expect(early).toEqual({ kind: "dispatch", pages: 0, piecesInvoked: 0, handedOn: true });
    expect(lambda.queued.splice(0).map((piece) => [piece.kind, piece.generation])).toEqual([["dispatch", 2]]);
    // The last dispatch generation reads the whole rest (20 ids: 2 full pages, and maybe an empty one after the cursor of the last full page) although its deadline passed
    const last = await serveFanOutPiece({ ...base, generation: MAX_DISPATCH_GENERATION }, deps, { concurrency: 2, shardSize: SHARD, deadline: clock.now().getTime() });
    expect(last).toMatchObject({ kind: "dispatch", piecesInvoked: 2, handedOn: false });
    expect(lambda.queued.splice(0).map((piece) => [piece.kind, piece.generation, piece.kind === "deliver" ? piece.connectionIds.length : 0])).toEqual([
      ["deliver", MAX_DISPATCH_GENERATION + 1, 10],
      ["deliver", MAX_DISPATCH_GENERATION + 1, 10],
    ]);
    expect(members).toHaveLength(25);
  });

  it("presence and typing are not sent in a room larger than a shard", async () => {
    const { room, members } = await roomOf(SHARD + 1, "quiet");
    const clock = movingClock();
    const { logger } = captureLogs();
    await typingIndicator(
      { connectionId: members[0]!, body: JSON.stringify({ action: "typingIndicator", room, typing: true }) },
      { store: world.store, sender: world.sender, clock, logger },
      { maxMessageBytes: 32_768, fanOut: { concurrency: 4, largeRoomSize: SHARD } },
    );
    for (const member of members) expect(world.framesOf(member)).toEqual([]);
  });
});

describe("large rooms: joinRoom", () => {
  it("joining a room larger than a shard reads one shard of names, counts the rest without reading them, and tells nobody", async () => {
    // GIVEN a room of 15 (shard 10), and a newcomer
    const { room, members } = await roomOf(15, "join-large");
    const newcomer = await world.connected("newcomer", ["lobby"]);
    const { logger } = captureLogs();
    world.table.calls.length = 0;

    // WHEN the newcomer joins it
    const joined = await joinRoom(
      { connectionId: newcomer, body: JSON.stringify({ action: "joinRoom", room }) },
      { store: world.store, sender: world.sender, clock: movingClock(), logger },
      { maxMessageBytes: 32_768, fanOut: { concurrency: 4, largeRoomSize: SHARD }, maxRoomsPerConnection: 20, maxMemberNames: 200, defaultRoom: "lobby" },
    );

    // THEN the answer counts all 16 memberships (counted by the store) and no member heard the join
    expect(joined.userCount).toBe(16);
    expect(world.table.calls.some((call) => call.action === "Query" && call.input["Select"] === "COUNT")).toBe(true);
    for (const member of members) expect(world.framesOf(member)).toEqual([]);
  });
});

describe("readFanOutPiece", () => {
  const valid = { kind: "deliver", fanOutId: "f", room: "r", frame: "{}", callback: CALLBACK, generation: 1, connectionIds: ["a"] };
  it("accepts a dispatch and a delivery piece", () => {
    expect(readFanOutPiece(valid)).toEqual(valid);
    const dispatch = { kind: "dispatch", fanOutId: "f", room: "r", frame: "{}", callback: CALLBACK, generation: 2, cursor: "c" };
    expect(readFanOutPiece(dispatch)).toEqual(dispatch);
  });
  it.each([
    ["not an object", "piece"],
    ["no kind", { ...valid, kind: undefined }],
    ["generation 0", { ...valid, generation: 0 }],
    [`generation ${MAX_GENERATION + 1}`, { ...valid, generation: MAX_GENERATION + 1 }],
    ["no ids", { ...valid, connectionIds: [] }],
    ["an id that is not a string", { ...valid, connectionIds: [1] }],
    ["no callback", { ...valid, callback: undefined }],
    ["a dispatch without cursor", { ...valid, kind: "dispatch" }],
    ["a dispatch past the last dispatch generation", { ...valid, kind: "dispatch", cursor: "c", generation: MAX_DISPATCH_GENERATION + 1 }],
  ])("refuses %s as InvalidFanOutPieceError", (_label, event) => {
    expect(() => readFanOutPiece(event)).toThrow(InvalidFanOutPieceError);
  });
});
