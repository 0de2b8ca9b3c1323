import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import type { RunningEmulator } from "../../local/emulator.ts";
import { SETTINGS } from "../../contract/settings.ts";
import type { AuthorizerEvent, AuthorizerResult } from "../../functions/aws/websocket-event.ts";
import { TestClient } from "../local/support/client.ts";
import { authorizerEvent } from "../functions/support/events.ts";
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from "../functions/support/jwks-server.ts";
import { stdoutLogsOf } from "../functions/support/stdout-logs.ts";
import {
  ChatUser,
  claims,
  issuerVariables,
  leave,
  opened,
  rawToken,
  received,
  reply,
  SECURITY_TIMEOUT_MS,
  signedIn,
  startDevChat,
  startStack,
  tokenFor,
  unique,
  type Frame,
} from "./support/chat.ts";

// Attack 1, impersonation: a display name is all a frame used to say about
// who wrote it, and a name was free for anyone once its owner's last
// connection closed. Every frame that names a person now carries the
// person's user id (derived from the verified identity), a signed-in user's
// name stays theirs while they are away, and a token's name comes only from
// the claims the deployment lists.

const users: ChatUser[] = [];
afterEach(() => {
  for (const user of users.splice(0)) user.client.ws.terminate();
});

function track(user: ChatUser): ChatUser {
  users.push(user);
  return user;
}

/** `text` sent to the lobby by `sender`, as `watcher` received it. */
async function lobbyMessage(sender: ChatUser, watcher: ChatUser, text: string): Promise<Frame> {
  const since = watcher.frames.length;
  const receipt = await reply(sender, { action: "onMessage", message: text });
  expect(receipt, `${sender.name}'s message "${text}"`).toMatchObject({ type: "sent" });
  return received(watcher, (f) => f.type === "message" && f.message === text, `the message "${text}"`, since);
}

const AN_ID = expect.stringMatching(/\S/);

describe("identity: who a frame names (dev issuer)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevChat();
  });
  afterAll(async () => {
    await dev?.emulator.close();
  });

  it("user ids: every frame that names a person carries that person's user id beside the name", async () => {
    // GIVEN ada and ben, signed in
    const ada = track(await signedIn(dev, "ada"));
    const ben = track(await signedIn(dev, "ben"));
    // WHEN each asks for their own name
    const adaName = await reply(ada, { action: "setName", name: "ada" });
    const benName = await reply(ben, { action: "setName", name: "ben" });
    // THEN the answer says their user id too: two people, two ids, neither the raw token subject
    expect(adaName).toStrictEqual({ type: "name", name: "ada", userId: AN_ID });
    expect(benName).toStrictEqual({ type: "name", name: "ben", userId: AN_ID });
    const adaId = adaName.userId as string;
    const benId = benName.userId as string;
    expect(adaId).not.toBe(benId);
    for (const id of [adaId, benId]) expect(id).not.toContain("dev|");

    // WHEN ben is in a room and ada joins it
    const room = unique("ids");
    expect(await reply(ben, { action: "joinRoom", room })).toMatchObject({ type: "joined" });
    let since = ben.frames.length;
    const joined = await reply(ada, { action: "joinRoom", room });
    // THEN the answer lists the users with their ids and counts them (and keeps the names-only list)
    expect(joined).toMatchObject({ type: "joined", room, members: ["ada", "ben"], userCount: 2 });
    expect(joined.users).toHaveLength(2);
    expect(joined.users).toEqual(expect.arrayContaining([{ name: "ada", userId: adaId }, { name: "ben", userId: benId }]));
    // ... and ben's presence frame names ada with her id
    expect(await received(ben, (f) => f.type === "presence" && f.room === room, "ada's presence", since)).toStrictEqual({
      type: "presence",
      room,
      user: "ada",
      userId: adaId,
      event: "joined",
    });

    // WHEN ada types, writes to the room and writes to ben privately
    since = ben.frames.length;
    expect(await reply(ada, { action: "typingIndicator", room, typing: true })).toMatchObject({ type: "ack" });
    expect(await received(ben, (f) => f.type === "typing", "ada's typing frame", since)).toStrictEqual({ type: "typing", room, user: "ada", userId: adaId, typing: true });
    const text = unique("hello");
    since = ben.frames.length;
    expect(await reply(ada, { action: "onMessage", room, message: text })).toMatchObject({ type: "sent", room, delivered: 2 });
    expect(await received(ben, (f) => f.type === "message" && f.message === text, "ada's message", since)).toMatchObject({ type: "message", room, from: "ada", fromId: adaId });
    since = ben.frames.length;
    const privately = unique("psst");
    // THEN the receipt names the recipient as he displays himself, with his id, and the private frame names both
    expect(await reply(ada, { action: "privateMessage", to: "BEN", message: privately })).toStrictEqual({ type: "sent", to: "ben", toId: benId, delivered: 1 });
    expect(await received(ben, (f) => f.type === "private", "ada's private message", since)).toMatchObject({
      type: "private",
      from: "ada",
      fromId: adaId,
      to: "ben",
      toId: benId,
      message: privately,
    });
    // ... and history keeps the sender's id with each message
    const history = await reply(ben, { action: "history", room });
    expect(history).toMatchObject({ type: "history", room });
    expect(history.messages).toEqual([expect.objectContaining({ message: text, from: "ada", fromId: adaId })]);

    // WHEN ada leaves the room, THEN ben's presence frame names her with her id
    since = ben.frames.length;
    expect(await reply(ada, { action: "leaveRoom", room })).toStrictEqual({ type: "left", room });
    expect(await received(ben, (f) => f.type === "presence" && f.event === "left" && f.room === room, "ada's presence left", since)).toStrictEqual({
      type: "presence",
      room,
      user: "ada",
      userId: adaId,
      event: "left",
    });
  });

  it("user ids: one identity has one id on every connection, at once and after reconnecting; another identity has another", async () => {
    // GIVEN cleo on two connections, and dan
    const first = track(await signedIn(dev, "cleo"));
    const second = track(await signedIn(dev, "cleo"));
    const dan = track(await signedIn(dev, "dan"));
    // WHEN each connection asks for its name
    const ids = [await reply(first, { action: "setName", name: "cleo" }), await reply(second, { action: "setName", name: "cleo" })].map((frame) => frame.userId);
    const danId = (await reply(dan, { action: "setName", name: "dan" })).userId;
    // THEN both of cleo's connections have her one id, and dan has his own
    expect(ids[0]).toEqual(AN_ID);
    expect(ids[1]).toBe(ids[0]);
    expect(danId).toEqual(AN_ID);
    expect(danId).not.toBe(ids[0]);
    // WHEN cleo closes both and signs in again
    const since = dan.frames.length;
    first.close();
    second.close();
    await Promise.all([first.client.closed, second.client.closed]);
    await received(dan, (f) => f.type === "presence" && f.event === "left" && f.user === "cleo", "cleo leaving", since);
    const again = track(await signedIn(dev, "cleo"));
    // THEN her messages carry the same id
    expect(await lobbyMessage(again, dan, unique("back"))).toMatchObject({ from: "cleo", fromId: ids[0] });
  });

  it("names (attack 1): while alice is offline, bob cannot take her name in any case; she gets it back when she signs in again", async () => {
    // GIVEN alice and bob signed in; alice writes once (so bob saw her id), then closes her only connection
    const bob = track(await signedIn(dev, "bob"));
    const bobId = (await reply(bob, { action: "setName", name: "bob" })).userId;
    let alice = track(await signedIn(dev, "alice"));
    const aliceId = (await lobbyMessage(alice, bob, unique("hi from alice"))).fromId;
    await leave(alice, bob, "alice");
    // WHEN bob asks for her name, as she spelled it and in capitals
    const taken = await reply(bob, { action: "setName", name: "alice" });
    const takenUpper = await reply(bob, { action: "setName", name: "ALICE" });
    // THEN both are refused: the name is hers
    expect(taken).toMatchObject({ type: "error", code: "name_taken", requestAction: "setName" });
    expect(takenUpper).toMatchObject({ type: "error", code: "name_taken", requestAction: "setName" });
    // WHEN alice signs in again
    alice = track(await signedIn(dev, "alice"));
    // THEN her messages reach bob as alice, with her id, which is not bob's
    const message = await lobbyMessage(alice, bob, unique("alice is back"));
    expect(message).toMatchObject({ from: "alice", fromId: aliceId });
    expect(aliceId).toEqual(AN_ID);
    expect(message.fromId).not.toBe(bobId);
    // ... and asking for her own name is no conflict
    expect(await reply(alice, { action: "setName", name: "alice" })).toStrictEqual({ type: "name", name: "alice", userId: aliceId });
  });

  it("names: renaming frees the old name for others; the last name an identity set is the one its next connection gets", async () => {
    // GIVEN dora, who renames her only connection to dora2 and closes it, and eve
    const eve = track(await signedIn(dev, "eve"));
    const dora = track(await signedIn(dev, "dora"));
    const renamed = await reply(dora, { action: "setName", name: "dora2" });
    expect(renamed).toMatchObject({ type: "name", name: "dora2" });
    await leave(dora, eve, "dora2");
    // WHEN eve asks for "dora"
    // THEN she gets it: dora gave it up by renaming
    expect(await reply(eve, { action: "setName", name: "dora" })).toMatchObject({ type: "name", name: "dora" });
    // WHEN dora signs in again (her token still says preferred_username "dora")
    const back = track(await signedIn(dev, "dora"));
    // THEN she is dora2 again, with her id; and "dora2" stays hers
    expect(await lobbyMessage(back, eve, unique("dora is back"))).toMatchObject({ from: "dora2", fromId: renamed.userId });
    expect(await reply(eve, { action: "setName", name: "Dora2" })).toMatchObject({ type: "error", code: "name_taken" });
  });

  it("names: an impostor may pick a look-alike name (capital I for l), but his frames carry his own id, not the victim's", async () => {
    // GIVEN olivia, mallory and a watcher in the lobby
    const olivia = track(await signedIn(dev, "olivia"));
    const mallory = track(await signedIn(dev, "mallory"));
    const walt = track(await signedIn(dev, "walt"));
    const oliviaId = (await reply(olivia, { action: "setName", name: "olivia" })).userId;
    // WHEN mallory renames himself "oIivia" (it is another name: I is not l)
    const lookAlike = await reply(mallory, { action: "setName", name: "oIivia" });
    // THEN he may (names are ASCII, compared case-insensitively, nothing more) ...
    expect(lookAlike).toMatchObject({ type: "name", name: "oIivia", userId: AN_ID });
    // ... but he cannot take her name itself in any case
    expect(await reply(mallory, { action: "setName", name: "OLIVIA" })).toMatchObject({ type: "error", code: "name_taken" });
    // ... and what he writes carries his id, which is not hers, while hers carries hers
    const fake = await lobbyMessage(mallory, walt, unique("it is me, olivia"));
    const real = await lobbyMessage(olivia, walt, unique("that was not me"));
    expect(fake).toMatchObject({ from: "oIivia", fromId: lookAlike.userId });
    expect(real).toMatchObject({ from: "olivia", fromId: oliviaId });
    expect(oliviaId).toEqual(AN_ID);
    expect(fake.fromId).not.toBe(real.fromId);
  });

  it("names: a user who reconnects (new connection opening as the old one closes) keeps her name; nobody can take it meanwhile", async () => {
    // The user's side of fuzz.test.ts's OWN_NAME_LOST: the old connection's $disconnect released the claim the new one was using.
    const jack = track(await signedIn(dev, "jack"));
    const token = await tokenFor(dev, "ivy");
    let ivy = track(new ChatUser("ivy", await TestClient.open(`${dev.emulator.url}?token=${token}`)));
    for (let round = 0; round < 10; round += 1) {
      // GIVEN ivy reconnecting, as a page does after a network blip
      const previous = ivy;
      const since = jack.frames.length;
      const opening = TestClient.open(`${dev.emulator.url}?token=${token}`);
      previous.close();
      ivy = track(new ChatUser("ivy", await opening));
      // ... and the old connection's $disconnect done (the lobby is told it left)
      await received(jack, (f) => f.type === "presence" && f.event === "left" && f.user === "ivy", "ivy's old connection leaving", since, 5_000).catch(() => undefined);
      // WHEN jack asks for her name, THEN it is refused; and hers is still hers
      expect(await reply(jack, { action: "setName", name: "ivy" }), `round ${round}`).toMatchObject({ type: "error", code: "name_taken" });
      expect(await reply(ivy, { action: "setName", name: "ivy" }), `round ${round}`).toMatchObject({ type: "name", name: "ivy" });
    }
  });
});

describe("identity: without sign-in (auth_enabled = false)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let dev: DevServer;
  beforeAll(async () => {
    dev = await startDevChat({ [SETTINGS.authEnabled.variable]: "false" });
  });
  afterAll(async () => {
    await dev?.emulator.close();
  });

  it("user ids: every anonymous connection is its own user, even under the same ?name= again", async () => {
    // GIVEN two anonymous connections
    const kim = track(await opened(`${dev.emulator.url}?name=kim`, "kim"));
    const lee = track(await opened(`${dev.emulator.url}?name=lee`, "lee"));
    const kimId = (await reply(kim, { action: "setName", name: "kim" })).userId;
    const leeId = (await reply(lee, { action: "setName", name: "lee" })).userId;
    // THEN each has an id, and they differ
    expect(kimId).toEqual(AN_ID);
    expect(leeId).toEqual(AN_ID);
    expect(kimId).not.toBe(leeId);
    // WHEN kim leaves and comes back under the same name
    await leave(kim, lee, "kim");
    const kimAgain = track(await opened(`${dev.emulator.url}?name=kim`, "kim again"));
    const message = await lobbyMessage(kimAgain, lee, unique("kim again"));
    // THEN the new connection is a new user: nothing carries over without an identity
    expect(message.fromId).toEqual(AN_ID);
    expect(message.fromId).not.toBe(kimId);
    expect(message.fromId).not.toBe(leeId);
  });
});

describe("identity: names from token claims (name_claims)", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let jwks: JwksServer;
  let stack: RunningEmulator;
  beforeAll(async () => {
    jwks = await startJwksServer();
    // The stack as deployed, with its defaults (name_claims = ["cognito:username"]), trusting this test's issuer.
    stack = await startStack(issuerVariables(jwks));
  });
  afterAll(async () => {
    await stack?.close();
    await jwks?.close();
  });

  const connect = async (payload: Record<string, unknown>, label: string) =>
    track(await opened(`${stack.url}?token=${await rawToken(jwks, claims(payload))}`, label));

  it("names: with the default name_claims, a token's name comes from cognito:username only; name, email and preferred_username never name anyone", async () => {
    // GIVEN carol, whose token has a cognito:username
    const carol = await connect({ sub: "sub-carol", "cognito:username": "carol", preferred_username: "admin" }, "carol");
    // WHEN mallory signs in with a token whose name, email and preferred_username say "admin", and no cognito:username
    const mallory = await connect({ sub: "sub-mallory", name: "admin", email: "admin@evil.example", preferred_username: "admin" }, "mallory");
    // ... and trudy with an invalid cognito:username
    const trudy = await connect({ sub: "sub-trudy", "cognito:username": "not a name!", name: "admin", email: "admin@evil.example" }, "trudy");
    // THEN carol is carol, whatever her other claims say
    const fromCarol = await lobbyMessage(carol, mallory, unique("hello"));
    expect(fromCarol).toMatchObject({ from: "carol", fromId: AN_ID });
    // ... under an id derived from her identity, not her token's subject itself
    expect(fromCarol.fromId).not.toContain("sub-carol");
    // ... and neither mallory nor trudy is "admin": each is user- and 8 characters of their user id
    const fromMallory = await lobbyMessage(mallory, carol, unique("i am admin"));
    const fromTrudy = await lobbyMessage(trudy, carol, unique("no, i am admin"));
    for (const frame of [fromMallory, fromTrudy]) {
      expect(frame.from).toMatch(/^user-[A-Za-z0-9_-]{8}$/);
      expect(frame.fromId).toEqual(AN_ID);
      expect(frame.fromId as string).toContain((frame.from as string).slice("user-".length));
    }
    expect(fromMallory.from).not.toBe(fromTrudy.from);
  });
});

describe("identity: the authorizer reads the claims name_claims lists, in order", { timeout: SECURITY_TIMEOUT_MS }, () => {
  let jwks: JwksServer;
  const variables = [SETTINGS.jwtIssuer, SETTINGS.jwtAudience, SETTINGS.jwksUrl, SETTINGS.nameClaims].map((setting) => setting.environment.name);
  const saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
  beforeAll(async () => {
    jwks = await startJwksServer();
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await jwks?.close();
  });

  /** The real authorizer as a fresh container runs it, with this environment. */
  async function authorize(token: string, nameClaims: string): Promise<AuthorizerResult | Error> {
    Object.assign(process.env, {
      [SETTINGS.jwtIssuer.environment.name]: TEST_ISSUER,
      [SETTINGS.jwtAudience.environment.name]: TEST_AUDIENCE,
      [SETTINGS.jwksUrl.environment.name]: jwks.url,
      [SETTINGS.nameClaims.environment.name]: nameClaims,
    });
    vi.resetModules();
    const { handler } = (await import("../../functions/authorizer.ts")) as { handler: (event: AuthorizerEvent) => Promise<AuthorizerResult> };
    const { result } = await stdoutLogsOf(() => handler(authorizerEvent(token)).catch((error: unknown) => error as Error));
    return result;
  }

  const userNameOf = (result: AuthorizerResult | Error) => (result instanceof Error ? `refused: ${result.message}` : result.context?.["userName"]);

  it("names: the first listed claim that is a valid name wins; claims not listed are never used", async () => {
    const listed = "cognito:username,preferred_username";
    // GIVEN tokens whose claims disagree
    const both = await rawToken(jwks, claims({ sub: "s-1", "cognito:username": "erin", preferred_username: "dora", name: "admin" }));
    const firstInvalid = await rawToken(jwks, claims({ sub: "s-2", "cognito:username": "not a name!", preferred_username: "dora", name: "admin" }));
    const unlisted = await rawToken(jwks, claims({ sub: "s-3", name: "admin", email: "admin@evil.example" }));
    // WHEN the authorizer, told to read cognito:username then preferred_username, verifies them
    // THEN the first valid one in that order names the user, and an unlisted claim never does
    expect(userNameOf(await authorize(both, listed))).toBe("erin");
    expect(userNameOf(await authorize(firstInvalid, listed))).toBe("dora");
    expect(userNameOf(await authorize(unlisted, listed))).toMatch(/^user-/);
  });
});
