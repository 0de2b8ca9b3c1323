import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ACTIONS } from "../../contract/routes.ts";
import { startDevServer, type DevServer } from "../../dev/cli.ts";
import { rejectedStatus, TestClient } from "../local/support/client.ts";

// Every action and every error code of functions/PROTOCOL.md, end to end: the
// synthesized stack, its bundled handlers and its authorizer, in the local
// emulator, with real WebSocket clients signed in by the dev issuer.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
type Frame = Record<string, unknown> & { type: string };

let dev: DevServer;
const clients: TestClient[] = [];

function synthesizeStack(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), "wsstack-e2e-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`synth failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return path.join(outdir, "stacks", "wsstack");
}

async function signIn(name: string): Promise<TestClient> {
  const response = await fetch(`${dev.issuer.issuer}/token?name=${encodeURIComponent(name)}`);
  const { token } = (await response.json()) as { token: string };
  const client = await TestClient.open(`${dev.emulator.url}?token=${token}`);
  clients.push(client);
  return client;
}

/** The next frame of `type`, skipping broadcasts of other types that may arrive first. */
async function next(client: TestClient, type: string): Promise<Frame> {
  for (;;) {
    const frame = JSON.parse(await client.next(15_000)) as Frame;
    if (frame.type === type) return frame;
  }
}

async function ask(client: TestClient, request: Record<string, unknown> | string, type: string): Promise<Frame> {
  client.send(typeof request === "string" ? request : JSON.stringify(request));
  return next(client, type);
}

async function expectError(client: TestClient, request: Record<string, unknown> | string, code: string, requestAction: string | null): Promise<Frame> {
  const frame = await ask(client, request, "error");
  expect(frame).toMatchObject({ type: "error", code, requestAction });
  expect(frame.message).toEqual(expect.any(String));
  expect(JSON.stringify(frame)).not.toMatch(/at \w+ \(|\.ts:\d+|Exception/);
  return frame;
}

beforeAll(async () => {
  dev = await startDevServer({ source: synthesizeStack(), port: 0, log: () => undefined });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await dev?.emulator.close();
});

describe("chat protocol through the emulator", () => {
  it("$connect: refuses a missing token with 401 before any handler runs", async () => {
    expect(await rejectedStatus(dev.emulator.url)).toBe(401);
    expect(await rejectedStatus(`${dev.emulator.url}?token=not-a-jwt`)).toBe(401);
  });

  it("onMessage: the seed's message right after connecting reaches everyone in the lobby, the sender gets a receipt", async () => {
    const alice = await signIn("e2e-alice");
    const bob = await signIn("e2e-bob");
    alice.send(JSON.stringify({ action: "onMessage", message: "Hello everyone" }));
    const expected = { type: "message", room: "lobby", message: "Hello everyone", from: "e2e-alice" };
    expect(await next(bob, "message")).toMatchObject(expected);
    expect(await next(alice, "message")).toMatchObject(expected);
    expect(await next(alice, "sent")).toMatchObject({ room: "lobby", pruned: 0, stored: true });
  });

  it("joinRoom / leaveRoom: members listed, presence joined and left, several rooms at once", async () => {
    const carol = await signIn("e2e-carol");
    const dave = await signIn("e2e-dave");
    expect(await ask(carol, { action: "joinRoom", room: "e2e-ops" }, "joined")).toMatchObject({ room: "e2e-ops", members: ["e2e-carol"] });
    expect(await ask(carol, { action: "joinRoom", room: "e2e-dev" }, "joined")).toMatchObject({ room: "e2e-dev" });
    expect(await ask(dave, { action: "joinRoom", room: "e2e-ops" }, "joined")).toMatchObject({ members: ["e2e-carol", "e2e-dave"] });
    expect(await next(carol, "presence")).toMatchObject({ room: "e2e-ops", user: "e2e-dave", event: "joined" });
    expect(await ask(dave, { action: "leaveRoom", room: "e2e-ops" }, "left")).toMatchObject({ room: "e2e-ops" });
    expect(await next(carol, "presence")).toMatchObject({ room: "e2e-ops", user: "e2e-dave", event: "left" });
  });

  it("presence: a connection that drops without leaveRoom is announced as left", async () => {
    const erin = await signIn("e2e-erin");
    const frank = await signIn("e2e-frank");
    await ask(erin, { action: "joinRoom", room: "e2e-drop" }, "joined");
    await ask(frank, { action: "joinRoom", room: "e2e-drop" }, "joined");
    expect(await next(erin, "presence")).toMatchObject({ room: "e2e-drop", user: "e2e-frank", event: "joined" });
    frank.close(1001, "gone");
    expect(await next(erin, "presence")).toMatchObject({ room: "e2e-drop", user: "e2e-frank", event: "left" });
  });

  it("onMessage: goes to the named room only, and history returns it newest first", async () => {
    const gina = await signIn("e2e-gina");
    const hank = await signIn("e2e-hank");
    await ask(gina, { action: "joinRoom", room: "e2e-history" }, "joined");
    await ask(gina, { action: "onMessage", room: "e2e-history", message: "first" }, "sent");
    await ask(gina, { action: "onMessage", room: "e2e-history", message: "second" }, "sent");
    const history = await ask(gina, { action: "history", room: "e2e-history", limit: 1 }, "history");
    expect((history.messages as Frame[]).map((m) => m.message)).toEqual(["second"]);
    const older = await ask(gina, { action: "history", room: "e2e-history", limit: 5, before: history.next }, "history");
    expect((older.messages as Frame[]).map((m) => m.message)).toEqual(["first"]);
    expect(older.next).toBeNull();
    expect(await hank.framesAfter(300)).not.toContainEqual(expect.stringContaining('"first"'));
  });

  it("privateMessage: reaches every connection of that user only; an offline user is an error", async () => {
    const ivan = await signIn("e2e-ivan");
    const judyPhone = await signIn("e2e-judy");
    const judyLaptop = await signIn("e2e-judy");
    expect(await ask(ivan, { action: "privateMessage", to: "e2e-judy", message: "psst" }, "sent")).toMatchObject({ to: "e2e-judy", delivered: 2 });
    for (const judy of [judyPhone, judyLaptop]) expect(await next(judy, "private")).toMatchObject({ from: "e2e-ivan", to: "e2e-judy", message: "psst" });
    await expectError(ivan, { action: "privateMessage", to: "nobody-here", message: "hi" }, "user_offline", "privateMessage");
  });

  it("typingIndicator: others in the room see it, the typist does not", async () => {
    const kim = await signIn("e2e-kim");
    const lee = await signIn("e2e-lee");
    await ask(kim, { action: "joinRoom", room: "e2e-typing" }, "joined");
    await ask(lee, { action: "joinRoom", room: "e2e-typing" }, "joined");
    expect(await ask(kim, { action: "typingIndicator", room: "e2e-typing", typing: true }, "ack")).toMatchObject({ requestAction: "typingIndicator" });
    expect(await next(lee, "typing")).toMatchObject({ room: "e2e-typing", user: "e2e-kim", typing: true });
    expect((await kim.framesAfter(300)).filter((f) => f.includes('"typing"'))).toEqual([]);
  });

  it("setName: renames; invalid names and another user's name are refused", async () => {
    const mia = await signIn("e2e-mia");
    await signIn("e2e-ned");
    expect(await ask(mia, { action: "setName", name: "e2e-mia2" }, "name")).toMatchObject({ name: "e2e-mia2" });
    await expectError(mia, { action: "setName", name: "  bad  name!" }, "invalid_name", "setName");
    await expectError(mia, { action: "setName", name: "E2E-NED" }, "name_taken", "setName");
  });

  it("ping: answered by the MOCK integration with pong", async () => {
    const olga = await signIn("e2e-olga");
    expect(await ask(olga, { action: "ping" }, "pong")).toEqual({ type: "pong" });
  });

  it("errors: invalid_json, unknown_action, missing_field, invalid_field, not_member, too_large", async () => {
    const pat = await signIn("e2e-pat");
    await expectError(pat, "not json", "invalid_json", null);
    const unknown = await expectError(pat, { action: "dance" }, "unknown_action", "dance");
    expect(unknown.validActions).toEqual([...CLIENT_ACTIONS]);
    await expectError(pat, { action: "onMessage" }, "missing_field", "onMessage");
    await expectError(pat, { action: "typingIndicator", room: "lobby", typing: "yes" }, "invalid_field", "typingIndicator");
    await expectError(pat, { action: "history", room: "e2e-not-mine" }, "not_member", "history");
    // API Gateway closes a connection on any single frame over 32 KB, so a larger
    // message arrives as a fragmented message: two frames of 20 KB.
    const big = JSON.stringify({ action: "onMessage", message: "x".repeat(40_000) });
    pat.ws.send(big.slice(0, 20_000), { fin: false });
    pat.ws.send(big.slice(20_000), { fin: true });
    expect(await next(pat, "error")).toMatchObject({ code: "too_large", requestAction: "onMessage" });
  });

  it("errors: internal_error when the table is gone, with no internals in the frame", async () => {
    // GIVEN a signed-in client, WHEN the connection table disappears (a server fault)
    const quinn = await signIn("e2e-quinn");
    const dynamo = new DynamoDBClient({ endpoint: dev.emulator.dynamoDbEndpoint!, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    await dynamo.send(new DeleteTableCommand({ TableName: "wsstack-connections" }));
    // THEN the next action is answered with the generic internal_error frame
    await expectError(quinn, { action: "history", room: "lobby" }, "internal_error", "history");
  });
});
