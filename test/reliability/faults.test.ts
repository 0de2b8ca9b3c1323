import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import type { EmulatorOptions } from "../../local/emulator.ts";
import { HandshakeRejected } from "../local/support/client.ts";
import { ChatProcess } from "./support/chat-process.ts";
import { signIn, startChat, synthesizeChatStack, RELIABILITY_TIMEOUT_MS } from "./support/chat-stack.ts";
import { ChatTable } from "./support/chat-table.ts";
import { ChatUser, isGatewayError, type Frame } from "./support/chat-user.ts";
import { DynamoDbFaultProxy, randomFaults } from "./support/dynamodb-fault-proxy.ts";
import { seededRandom } from "./support/seeded-random.ts";
import { integrationOf, lambdaNamed, stackVariant } from "./support/stack-variant.ts";

// The chat under faults: the synthesized stack in the emulator, real `ws`
// clients signed in by the dev issuer, the table read through the real
// DynamoDB API. Every test checks that nothing was lost or duplicated: each
// message id reaches each member of its room exactly once, receipts say what
// happened, and the table holds no half-done state (a message stored but not
// broadcast, a membership or user entry without its connection record).

let stackDir: string;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(() => {
  stackDir = synthesizeChatStack();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function chat(options: Partial<EmulatorOptions> = {}): Promise<{ dev: DevServer; table: ChatTable }> {
  const dev = await startChat(options);
  cleanups.push(() => dev.emulator.close());
  const table = await ChatTable.at(dev.emulator.dynamoDbEndpoint!);
  cleanups.push(() => table.destroy());
  return { dev, table };
}

async function user(dev: DevServer, name: string): Promise<ChatUser> {
  const chatUser = new ChatUser(name, await signIn(dev, name));
  cleanups.push(() => chatUser.client.ws.terminate());
  return chatUser;
}

/** Signs users in one after the other, so each `$connect` has finished before the next starts. */
async function users(dev: DevServer, ...names: string[]): Promise<ChatUser[]> {
  const out: ChatUser[] = [];
  for (const name of names) out.push(await user(dev, name));
  return out;
}

const isReceipt = (frame: Frame) => frame.type === "sent";
const isReply = (frame: Frame) => frame.type === "sent" || frame.type === "error" || isGatewayError(frame);

async function join(member: ChatUser, room: string): Promise<void> {
  const reply = await member.ask({ action: "joinRoom", room }, (f) => (f.type === "joined" && f.room === room) || f.type === "error", `joined ${room}`);
  expect(reply).toMatchObject({ type: "joined", room });
}

/** Sends one message and returns the reply: a receipt, an error frame or API Gateway's error frame. */
function say(member: ChatUser, message: string, room?: string): Promise<Frame> {
  return member.ask({ action: "onMessage", message, ...(room === undefined ? {} : { room }) }, isReply, `reply to "${message}"`);
}

/** Sends several messages at once; resolves to one reply per message, in arrival order. */
async function sayAll(member: ChatUser, messages: readonly { message: string; room?: string }[]): Promise<Frame[]> {
  const before = member.frames.length;
  for (const { message, room } of messages) member.send({ action: "onMessage", message, ...(room === undefined ? {} : { room }) });
  return member.waitFor((frames) => {
    const replies = frames.slice(before).filter(isReply);
    return replies.length >= messages.length ? replies : undefined;
  }, `${messages.length} replies`);
}

/** Every receipt's message id has reached each of `members` exactly once, and nothing else arrived. */
async function expectEachOnce(members: readonly ChatUser[], expectedIds: readonly string[]): Promise<void> {
  for (const member of members) {
    await member.waitFor((frames) => expectedIds.every((id) => frames.some((f) => f.type === "message" && f.id === id)) || undefined, `all ${expectedIds.length} messages`);
  }
  for (const member of members) {
    const counts = member.messageIdCounts();
    expect([...counts.entries()].filter(([, n]) => n !== 1), `${member.name}: ids received more than once`).toEqual([]);
    expect([...counts.keys()].sort(), `${member.name}: ids received`).toEqual([...expectedIds].sort());
  }
}

async function connectionIdOf(table: ChatTable, name: string): Promise<string> {
  const ids = (await table.state()).connectionsOfUser(name);
  expect(ids, `connections of ${name}`).toHaveLength(1);
  return ids[0]!;
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("faults: lost clients and a lost $disconnect", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  it("clients killed without a close frame: $disconnect runs, their records go, `left` reaches each of their rooms", async () => {
    // GIVEN alice, bob and carol in the lobby, alice and bob also in ops, and a few messages exchanged
    const { dev, table } = await chat();
    const [alice, bob, carol] = await users(dev, "alice", "bob", "carol");
    await join(alice!, "ops");
    await join(bob!, "ops");
    const lobbyIds: string[] = [];
    const opsIds: string[] = [];
    for (const member of [alice!, bob!, carol!]) lobbyIds.push(String((await say(member, `hello from ${member.name}`)).id));
    opsIds.push(String((await say(bob!, "ops only", "ops")).id));
    const bobId = await connectionIdOf(table, "bob");
    const carolId = await connectionIdOf(table, "carol");
    expect((await table.state()).roomsOf(bobId)).toEqual(["lobby", "ops"]);

    // WHEN bob's socket is destroyed and carol's terminated: neither sends a close frame
    bob!.destroy();
    await alice!.waitFor((frames) => frames.some((f) => f.type === "presence" && f.event === "left" && f.user === "bob" && f.room === "ops") || undefined, "bob left ops");
    carol!.client.ws.terminate();

    // THEN their rooms are told they left, once per room
    await alice!.waitFor((frames) => frames.some((f) => f.type === "presence" && f.event === "left" && f.user === "carol") || undefined, "carol left");
    expect(alice!.presence("left").map((f) => `${f.user}@${f.room}`).sort()).toEqual(["bob@lobby", "bob@ops", "carol@lobby"]);
    expect(carol!.presence("left", "ops")).toEqual([]);
    // AND their connection records, memberships, user and identity entries are gone; their names stay theirs (bound to their identities)
    const after = await table.state();
    expect(after.ofConnection(bobId)).toEqual([]);
    expect(after.ofConnection(carolId)).toEqual([]);
    expect(after.claims.map((c) => c.pk).sort()).toEqual(["NAME#alice", "NAME#bob", "NAME#carol"]);
    expect(after.orphans()).toEqual([]);
    // AND the room keeps working for those left, with nothing pruned
    const receipt = await say(alice!, "anyone?");
    expect(receipt).toMatchObject({ type: "sent", delivered: 1, pruned: 0, stored: true });
    lobbyIds.push(String(receipt.id));
    // AND nothing was lost or duplicated on the way
    await expectEachOnce([alice!], [...lobbyIds, ...opsIds]);
    expect([...bob!.messageIdCounts().keys()].sort()).toEqual([...lobbyIds.slice(0, 3), ...opsIds].sort());
    expect([...carol!.messageIdCounts().keys()].sort()).toEqual(lobbyIds.slice(0, 3).sort());
    expect([...after.history("lobby"), ...after.history("ops")].map((m) => m["messageId"]).sort()).toEqual([...lobbyIds.slice(0, 3), ...opsIds].sort());
  });

  it("$disconnect never runs (emulator killed, restarted with --data): the TTL sweep removes expired records, the next broadcast prunes the stale ids, history and name claims survive", async () => {
    // (The restart keeps the port, so the dev issuer keeps its URL, the tokens' `iss`: users keep their user ids and bound names.)
    // GIVEN the emulator in its own process, keeping its data in a folder, with alice, bob and carol chatting
    const dataDir = mkdtempSync(path.join(tmpdir(), "wsstack-faults-data-"));
    const args = ["--data", dataDir, "--ttl-sweep-seconds", "3600"];
    const first = await ChatProcess.start(stackDir, args);
    cleanups.push(() => first.stop());
    const table1 = await ChatTable.at(first.dynamoDbEndpoint);
    cleanups.push(() => table1.destroy());
    const alice = await first.signIn("alice");
    const bob = await first.signIn("bob");
    const carol = await first.signIn("carol");
    await join(alice, "ops");
    const before: string[] = [];
    for (const member of [alice, bob, carol]) before.push(String((await say(member, `before the crash, ${member.name}`)).id));
    const opsId = String((await say(alice, "ops, before the crash", "ops")).id);
    await expectEachOnce([bob, carol], before);
    await expectEachOnce([alice], [...before, opsId]);
    const state1 = await table1.state();
    const [aliceId, bobId, carolId] = ["alice", "bob", "carol"].map((name) => state1.connectionsOfUser(name)[0]!);
    // carol's connection records expired while the emulator was down, as after hours without $disconnect
    // (her name claim did not: it is bound to her for name_binding_days)
    const expiredAt = Math.floor(Date.now() / 1000) - 60;
    const carolItems = state1.ofConnection(carolId!);
    for (const item of carolItems) await table1.update(item, { expiresAt: expiredAt });

    // WHEN the process is killed: no close frames, no $disconnect
    await first.kill();
    for (const member of [alice, bob, carol]) expect((await member.client.closed).code).toBe(1006);
    expect(state1.connectionIds()).toEqual([aliceId, bobId, carolId].sort());
    table1.destroy();
    // AND it starts again on the same data, and on the same port
    const second = await ChatProcess.start(stackDir, [...args, "--port", new URL(first.url).port]);
    cleanups.push(() => second.stop());
    const table = await ChatTable.at(second.dynamoDbEndpoint);
    cleanups.push(() => table.destroy());

    // THEN the start-up sweep has deleted carol's expired items, and only those
    const restarted = await table.state();
    expect(restarted.ofConnection(carolId!)).toEqual([]);
    expect(restarted.connectionIds()).toEqual([aliceId, bobId].sort());
    expect(restarted.claims.map((c) => c.pk).sort()).toEqual(["NAME#alice", "NAME#bob", "NAME#carol"]);
    expect(second.log()).toContain(`TTL sweep: deleted ${carolItems.length} expired item(s)`);
    // AND history survived
    expect(restarted.history("lobby").map((m) => m["messageId"]).sort()).toEqual([...before].sort());
    expect(restarted.history("ops").map((m) => m["messageId"])).toEqual([opsId]);
    expect(restarted.orphans()).toEqual([]);

    // AND name claims survived: another user cannot take bob's name, alice gets hers back
    const dave = await second.signIn("dave");
    cleanups.push(() => dave.client.ws.terminate());
    expect(await dave.ask({ action: "setName", name: "bob" }, (f) => f.type === "name" || f.type === "error", "setName answer")).toMatchObject({ type: "error", code: "name_taken" });
    const alice2 = await second.signIn("alice");
    cleanups.push(() => alice2.client.ws.terminate());
    await dave.waitFor((frames) => frames.find((f) => f.type === "presence" && f.event === "joined" && f.room === "lobby" && f.user === "alice"), "alice joined");
    // AND history is served after the restart
    const served = await dave.ask({ action: "history", room: "lobby" }, (f) => f.type === "history", "history");
    expect((served.messages as Frame[]).map((m) => m.id).sort()).toEqual([...before].sort());

    // WHEN the stale records are older than the $connect window (as if the restart had taken five
    // minutes) and dave broadcasts
    const oldConnectedAt = Date.now() - 5 * 60_000;
    for (const item of restarted.all.filter((i) => i.pk === `CONN#${aliceId}` || i.pk === `CONN#${bobId}`)) await table.update(item, { connectedAt: oldConnectedAt });
    const receipt = await say(dave, "after the restart");

    // THEN the broadcast reached the two live connections and pruned the two stale ids
    expect(receipt).toMatchObject({ type: "sent", delivered: 2, pruned: 2, stored: true });
    await expectEachOnce([dave, alice2], [String(receipt.id)]);
    const final = await table.state();
    expect(final.ofConnection(aliceId!)).toEqual([]);
    expect(final.ofConnection(bobId!)).toEqual([]);
    expect(final.connectionIds()).toHaveLength(2);
    // every name stays bound to its user, connected (alice, dave) or not (bob, carol)
    expect(final.claims.map((c) => c.pk).sort()).toEqual(["NAME#alice", "NAME#bob", "NAME#carol", "NAME#dave"]);
    expect(final.orphans()).toEqual([]);
    expect(final.history("lobby").map((m) => m["messageId"]).sort()).toEqual([...before, receipt.id].sort());
    report("kill -9 + restart", { sent: 5, delivered: 3 * 3 + 1 + 2, lost: 0, duplicated: 0, pruned: 2, swept: carolItems.length });
  });
});

describe("faults: DynamoDB errors", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  async function chatBehindProxy(): Promise<{ dev: DevServer; table: ChatTable; proxy: DynamoDbFaultProxy }> {
    const proxy = await DynamoDbFaultProxy.start();
    cleanups.push(() => proxy.close());
    const { dev, table } = await chat({ functionsDynamoDbEndpoint: proxy.url });
    proxy.target = dev.emulator.dynamoDbEndpoint;
    return { dev, table, proxy };
  }

  it("15% of calls throttled or failing, retried by the SDK: every action completes, once, and the table ends clean", async () => {
    // GIVEN a proxy answering 15% of the handlers' DynamoDB calls with ProvisionedThroughputExceeded,
    // Throttling or a 500, on every attempt but the SDK's last
    const { dev, table, proxy } = await chatBehindProxy();
    proxy.rule = randomFaults({ rate: 0.15, seed: 9, spareLastAttempt: true });
    // WHEN six users sign in, three join ops, and everyone sends at once: 4 lobby messages each, 3 ops messages each for the three
    const everyone = await users(dev, "ann", "ben", "cat", "dan", "eve", "fay");
    const ops = everyone.slice(0, 3);
    for (const member of ops) await join(member, "ops");
    const replies = (
      await Promise.all(
        everyone.map((member) =>
          sayAll(member, [
            ...Array.from({ length: 4 }, (_, i) => ({ message: `${member.name} lobby ${i}` })),
            ...(ops.includes(member) ? Array.from({ length: 3 }, (_, i) => ({ message: `${member.name} ops ${i}`, room: "ops" })) : []),
          ]),
        ),
      )
    ).flat();

    // THEN every message got its receipt: stored, nothing pruned or failed, and delivered to the whole
    // room by this invocation, or, when the SDK's retries ate its broadcast share of the invocation
    // (a loaded machine), the rest handed to the fan-out function, which the receipt names
    expect(replies.filter((r) => !isReceipt(r))).toEqual([]);
    for (const receipt of replies) {
      const roomSize = receipt.room === "ops" ? 3 : 6;
      expect(receipt).toMatchObject({ pruned: 0, failed: 0, stored: true });
      expect(receipt.delivered).toBeLessThanOrEqual(roomSize);
      if (receipt.delivered !== roomSize) expect(receipt, "a receipt short of the room names its fan-out").toMatchObject({ fanOut: receipt.id });
    }
    const lobbyIds = replies.filter((r) => r.room === "lobby").map((r) => String(r.id));
    const opsIds = replies.filter((r) => r.room === "ops").map((r) => String(r.id));
    expect(lobbyIds).toHaveLength(24);
    expect(opsIds).toHaveLength(9);
    // AND each member got each message of its rooms exactly once, and none of the others
    await expectEachOnce(ops, [...lobbyIds, ...opsIds]);
    await expectEachOnce(everyone.slice(3), lobbyIds);
    // AND every later arrival was announced to each earlier one exactly once
    everyone.forEach((member, i) => {
      const joined = member.presence("joined", "lobby").map((f) => String(f.user));
      expect(joined.sort(), `${member.name}: lobby joins seen`).toEqual(everyone.slice(i + 1).map((m) => m.name).sort());
    });
    // AND the history holds exactly the messages
    const state = await table.state();
    expect(state.history("lobby").map((m) => m["messageId"]).sort()).toEqual([...lobbyIds].sort());
    expect(state.history("ops").map((m) => m["messageId"]).sort()).toEqual([...opsIds].sort());
    expect(state.orphans()).toEqual([]);

    // WHEN everyone leaves
    for (const member of everyone) member.close();
    // THEN every $disconnect completes: no connection, membership, user or identity entry is left; each name stays bound to its user
    const emptied = await eventually(() => table.state(), (s) => s.connections.length + s.memberships.length + s.userEntries.length + s.identityEntries.length === 0, "records after everyone left");
    expect(emptied.claims.map((c) => c.pk).sort()).toEqual(everyone.map((m) => `NAME#${m.name}`).sort());
    expect(emptied.history("lobby")).toHaveLength(24);
    // AND the faults really happened, of every kind
    expect(proxy.faultCount("ProvisionedThroughputExceededException")).toBeGreaterThan(0);
    expect(proxy.faultCount("ThrottlingException")).toBeGreaterThan(0);
    expect(proxy.faultCount("InternalServerError")).toBeGreaterThan(0);
    report("DynamoDB 15%, retried", { calls: proxy.callCount(), faults: proxy.faultCount(), sent: replies.length, delivered: 24 * 6 + 9 * 3, lost: 0, duplicated: 0 });
  });

  it("a call failing on every attempt gives internal_error (or stored:false) and leaves no half-done state", async () => {
    // GIVEN ann, ben and cat in the lobby
    const { dev, table, proxy } = await chatBehindProxy();
    const [ann, ben, cat] = await users(dev, "ann", "ben", "cat");
    const annId = await connectionIdOf(table, "ann");
    const delivered: string[] = [];

    // WHEN the read of ann's membership fails on every attempt
    proxy.rule = (call) => (call.operation === "GetItem" && call.body.includes(`CONN#${annId}`) && call.body.includes("ROOM#lobby") ? "InternalServerError" : undefined);
    const refused = await say(ann!, "never sent");
    proxy.rule = undefined;
    // THEN ann gets internal_error, and the message went nowhere
    expect(refused).toMatchObject({ type: "error", code: "internal_error", requestAction: "onMessage" });
    expect(proxy.faultCount("InternalServerError"), "attempts of the failing call").toBeGreaterThanOrEqual(2);

    // WHEN the history write fails on every attempt
    proxy.rule = (call) => (call.operation === "PutItem" && call.body.includes('"MSG#') ? "InternalServerError" : undefined);
    const unstored = await say(ben!, "broadcast, not stored");
    proxy.rule = undefined;
    // THEN the room still gets it, and the receipt says it was not stored
    expect(unstored).toMatchObject({ type: "sent", delivered: 3, pruned: 0, stored: false });
    delivered.push(String(unstored.id));

    // WHEN dan's $connect cannot store his connection
    proxy.rule = (call) => (call.operation === "BatchWriteItem" && call.body.includes("USER#dan") ? "InternalServerError" : undefined);
    const status = await user(dev, "dan").then(
      () => 200,
      (error: unknown) => (error instanceof HandshakeRejected ? error.status : -1),
    );
    proxy.rule = undefined;
    // THEN the handshake is refused with 500, and no record of it is left half-written
    expect(status).toBe(500);
    expect((await table.state()).connectionsOfUser("dan")).toEqual([]);
    expect((await table.state()).orphans()).toEqual([]);
    // AND dan can connect again, under his own name
    const dan = await user(dev, "dan");
    await ann!.waitFor((frames) => frames.find((f) => f.type === "presence" && f.event === "joined" && f.user === "dan"), "dan joined");

    // WHEN cat's $disconnect cannot read her records
    const catId = await connectionIdOf(table, "cat");
    let lastAttemptFailed = false;
    proxy.rule = (call) => {
      if (call.operation !== "Query" || !call.body.includes(`CONN#${catId}`)) return undefined;
      lastAttemptFailed ||= call.attempt >= call.maxAttempts;
      return "InternalServerError";
    };
    cat!.close();
    await eventually(async () => lastAttemptFailed, (done) => done, "the last attempt of cat's $disconnect Query");
    await cat!.client.closed;
    proxy.rule = undefined;
    // THEN her records stay whole (connection, membership, user entry), for the next broadcast or the TTL to remove
    const stale = await table.state();
    expect(stale.roomsOf(catId)).toEqual(["lobby"]);
    expect(stale.connectionsOfUser("cat")).toEqual([catId]);
    expect(stale.orphans()).toEqual([]);

    // AND the connections that saw errors stay usable, and nothing was lost or duplicated
    const after = await say(ann!, "still here");
    // cat's id answers 410 but is inside its $connect window, so it is kept, not counted as delivered
    expect(after).toMatchObject({ type: "sent", delivered: 3, pruned: 0, stored: true });
    delivered.push(String(after.id));
    await expectEachOnce([ann!, ben!], delivered);
    await expectEachOnce([dan], [String(after.id)]);
    expect((await table.state()).history("lobby").map((m) => m["messageId"])).toEqual([after.id]);
  });

  // onMessage reads the room's members before it stores or sends anything (functions/core/send-message.ts).
  it("a member Query failing on every attempt gives internal_error and stores nothing", async () => {
    const { dev, table, proxy } = await chatBehindProxy();
    const [ann, ben] = await users(dev, "ann", "ben");
    proxy.rule = (call) => (call.operation === "Query" && call.body.includes('"byRoom"') && call.body.includes('"lobby"') ? "InternalServerError" : undefined);
    const reply = await say(ann!, "half done?");
    proxy.rule = undefined;
    expect(reply).toMatchObject({ type: "error", code: "internal_error", requestAction: "onMessage" });
    expect(ann!.messages()).toEqual([]);
    expect(ben!.messages()).toEqual([]);
    expect((await table.state()).history("lobby")).toEqual([]);
  });
});

describe("faults: the @connections API", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  it("20% of posts answered 429 or 500: backoff delivers each once; a recipient that always fails is left out of `delivered` and holds up no one", async () => {
    // GIVEN a management API that answers 20% of posts with 429 or 500 (at most twice in a row for one
    // frame to one connection, so the fan-out's four attempts get through), and always 500 for one recipient
    const random = seededRandom(20);
    const failures = new Map<string, number>();
    const counts = { 429: 0, 500: 0, broken: 0 };
    let broken: string | undefined;
    const { dev, table } = await chat({
      managementApiFaults: ({ connectionId, data }) => {
        if (connectionId === broken) {
          counts.broken++;
          return 500;
        }
        const key = `${connectionId} ${createHash("sha1").update(data).digest("hex")}`;
        const failed = failures.get(key) ?? 0;
        if (failed >= 2 || random() >= 0.2) return undefined;
        failures.set(key, failed + 1);
        const status = random() < 0.5 ? 429 : 500;
        counts[status]++;
        return status;
      },
    });
    const everyone = await users(dev, "ann", "ben", "cat", "dan", "eve");
    const [ann, , , , eve] = everyone;
    broken = await connectionIdOf(table, "eve");

    // WHEN everyone sends 5 messages at once
    const replies = (await Promise.all(everyone.map((member) => sayAll(member, Array.from({ length: 5 }, (_, i) => ({ message: `${member.name} ${i}` })))))).flat();

    // THEN every sender gets its receipt, eve's included: 4 of the 5 members reached, eve never
    expect(replies.filter((r) => !isReceipt(r))).toEqual([]);
    for (const receipt of replies) expect(receipt).toMatchObject({ delivered: 4, pruned: 0, failed: 1, stored: true });
    const ids = replies.map((r) => String(r.id));
    // AND every other member got every message exactly once; eve got none, and is still connected
    await expectEachOnce(everyone.slice(0, 4), ids);
    expect(eve!.messages()).toEqual([]);
    expect(eve!.client.ws.readyState).toBe(eve!.client.ws.OPEN);
    expect((await table.state()).connectionsOfUser("eve")).toEqual([broken]);
    // AND the faults happened: retried ones of both kinds, and four attempts per post to eve
    expect(counts[429]).toBeGreaterThan(0);
    expect(counts[500]).toBeGreaterThan(0);
    expect(counts.broken).toBeGreaterThanOrEqual(25 * 4);
    // AND once eve's posts succeed again, she gets the next message once
    broken = undefined;
    const later = await say(ann!, "eve, can you hear me?");
    expect(later).toMatchObject({ delivered: 5 });
    await expectEachOnce([eve!], [String(later.id)]);
    report("@connections 20% 429/500", { sent: replies.length + 1, delivered: 25 * 4 + 5, lost: 0, duplicated: 0, injected429: counts[429], injected500: counts[500], brokenPosts: counts.broken });
  });
});

describe("faults: a handler that times out", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  it("a Lambda timeout gives `Internal server error`, an integration timeout `Endpoint request timed out`; the connection stays usable and others are unaffected", async () => {
    // GIVEN the chat with on-message's Lambda timeout at 2 s and join-room's integration timeout at
    // 2 s (its Lambda keeps 10 s), and DynamoDB calls about the victim's connection hanging on demand
    const variant = stackVariant(stackDir, (resources) => {
      lambdaNamed(resources, "on-message").timeout = 2;
      integrationOf(resources, "join-room").timeout_milliseconds = 2_000;
    });
    const proxy = await DynamoDbFaultProxy.start();
    cleanups.push(() => proxy.close());
    const dev = await startChat({ source: variant, functionsDynamoDbEndpoint: proxy.url });
    cleanups.push(() => dev.emulator.close());
    proxy.target = dev.emulator.dynamoDbEndpoint;
    const table = await ChatTable.at(dev.emulator.dynamoDbEndpoint!);
    cleanups.push(() => table.destroy());
    const [victim, other] = await users(dev, "victim", "other");
    const victimId = await connectionIdOf(table, "victim");
    const delivered: string[] = [];
    // warm both functions, so no cold start counts against the short timeouts
    delivered.push(String((await say(victim!, "warm-up")).id));
    await join(victim!, "warm");

    // WHEN the victim's DynamoDB calls hang and it sends a message
    proxy.rule = (call) => (call.operation === "GetItem" && call.body.includes(`CONN#${victimId}`) ? "hang" : undefined);
    const failed = say(victim!, "into the void");
    // THEN meanwhile the other connection chats as usual, and the victim still receives
    const meanwhile = await say(other!, "business as usual");
    expect(meanwhile).toMatchObject({ type: "sent", delivered: 2 });
    delivered.push(String(meanwhile.id));
    // AND the victim gets API Gateway's error frame once its function times out
    expect(await failed).toEqual({ message: "Internal server error", connectionId: victimId, requestId: expect.any(String) });

    // WHEN a joinRoom hangs past its integration's timeout
    const timedOut = await victim!.ask({ action: "joinRoom", room: "side" }, (f) => isGatewayError(f) || f.type === "joined", "joinRoom answer");
    // THEN the victim gets API Gateway's timeout frame
    expect(timedOut).toEqual({ message: "Endpoint request timed out", connectionId: victimId, requestId: expect.any(String) });
    // AND once its DynamoDB call fails for good, the late join-room ends without joining
    expect(proxy.hanging).toBe(1);
    let gaveUp = false;
    proxy.rule = (call) => {
      if (call.operation !== "GetItem" || !call.body.includes(`CONN#${victimId}`)) return undefined;
      gaveUp ||= call.attempt >= call.maxAttempts;
      return "InternalServerError";
    };
    proxy.releaseHung();
    await eventually(async () => gaveUp, (done) => done, "the hung join-room giving up");
    proxy.rule = undefined;

    // AND the same connection works again, for both actions
    const alive = await say(victim!, "back again");
    expect(alive).toMatchObject({ type: "sent", delivered: 2, stored: true });
    delivered.push(String(alive.id));
    await join(victim!, "side2");
    // AND nothing of the failed actions happened, and nothing was lost or duplicated
    await expectEachOnce([victim!, other!], delivered);
    const state = await table.state();
    expect(state.roomsOf(victimId)).toEqual(["lobby", "side2", "warm"]);
    expect(state.history("lobby").map((m) => m["messageId"]).sort()).toEqual([...delivered].sort());
    expect(state.orphans()).toEqual([]);
  });
});

/** One line per test with the figures for the closing note of issue 9. */
function report(test: string, figures: Record<string, number>): void {
  console.log(`[faults] ${test}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(", ")}`);
}
