import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import { anonymousUserId, signedInUserId } from "../../functions/core/identity.ts";
import type { AuthorizerEvent, WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { AUTHORIZER, CLIENT_ACTIONS, LAMBDA_ROUTES } from "../../contract/routes.ts";
import { startConnectionTable, type ConnectionTableUnderTest, type RecordedCall } from "./support/connection-table.ts";
import { authorizerEvent, fixtureEvent, messageEvent, newApiGatewayId } from "./support/events.ts";
import { startJwksServer, TEST_AUDIENCE, TEST_ISSUER, type JwksServer } from "./support/jwks-server.ts";
import { startManagementApiStandIn, TEST_CERTIFICATE_PATH, type ManagementApiStandIn } from "./support/management-api-stand-in.ts";

// Each adapter is bundled as the stack bundles it (stacks/bundle-handler.ts)
// and invoked in a fresh Node process, the way Lambda loads index.mjs: nothing
// from this process's module graph leaks in. The bundles call the management
// API at the AWS-documented https://${domainName}/${stage}; the stand-in
// serves HTTPS with a test certificate that the child process trusts through
// NODE_EXTRA_CA_CERTS.
//
// Each broadcast includes a recipient whose connection is gone, so the
// pruning path runs too, and the DynamoDB calls recorded must be exactly the
// route's `access` in routes.ts: no call it is not granted, and no grant it
// does not use.

const FUNCTIONS = path.resolve(import.meta.dirname, "../../functions");
const REQUIRE_BANNER = 'import { createRequire as __wsstackCreateRequire } from "node:module"; const require = __wsstackCreateRequire(import.meta.url);';
const run = promisify(execFile);

let outDir: string;
let table: ConnectionTableUnderTest;
let api: ManagementApiStandIn;
let jwks: JwksServer;
let store: DynamoDbConnectionStore;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), "wsstack-bundles-"));
  [table, api, jwks] = await Promise.all([startConnectionTable(), startManagementApiStandIn({ stage: "prod", tls: true }), startJwksServer()]);
  store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
});
afterAll(async () => {
  await Promise.all([api?.close(), table?.close(), jwks?.close()]);
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Bundles with the options of stacks/bundle-handler.ts. */
async function bundle(entry: string): Promise<string> {
  const outfile = path.join(outDir, path.basename(entry, ".ts"), "index.mjs");
  await build({
    entryPoints: [path.join(FUNCTIONS, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    mainFields: ["module", "main"],
    target: "node20",
    minify: true,
    treeShaking: true,
    legalComments: "none",
    banner: { js: REQUIRE_BANNER },
    logLevel: "silent",
  });
  return outfile;
}

// Imports the bundle, checks its exports and invokes the handler once.
const INVOKER = `
const [file, event] = process.argv.slice(1);
const bundle = await import(new URL("file://" + file).href);
let result = null, thrown = null;
try {
  result = typeof bundle.handler === "function" ? await bundle.handler(JSON.parse(event), { awsRequestId: "bundle-test" }) : null;
} catch (error) {
  thrown = String(error && error.message);
}
process.stdout.write("\\nRESULT " + JSON.stringify({ exports: Object.keys(bundle), handlerType: typeof bundle.handler, result, thrown }) + "\\n");
`;

interface Invocation {
  readonly exports: string[];
  readonly handlerType: string;
  readonly result: { statusCode: number; body?: string } & Record<string, unknown>;
  readonly thrown: string | null;
  readonly logs: Record<string, unknown>[];
  readonly dynamoCalls: RecordedCall[];
}

async function invokeInFreshProcess(bundleFile: string, event: WebSocketEvent | AuthorizerEvent): Promise<Invocation> {
  table.calls.length = 0;
  const { stdout } = await run(process.execPath, ["--input-type=module", "--no-warnings", "-e", INVOKER, bundleFile, JSON.stringify(event)], {
    env: {
      PATH: process.env["PATH"] ?? "",
      TABLE_NAME: table.tableName,
      FAN_OUT_FUNCTION_NAME: "wsstack-fan-out",
      AUTH_ENABLED: "false",
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      NODE_EXTRA_CA_CERTS: TEST_CERTIFICATE_PATH,
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      JWKS_URL: jwks.url,
      NAME_CLAIMS: "preferred_username",
      LOG_LEVEL: "debug",
    },
  });
  const lines = stdout.split("\n").filter((line) => line.length > 0);
  const resultLine = lines.find((line) => line.startsWith("RESULT "));
  if (resultLine === undefined) throw new Error(`The bundle printed no result:\n${stdout}`);
  const logs = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...(JSON.parse(resultLine.slice("RESULT ".length)) as Omit<Invocation, "logs" | "dynamoCalls">), logs, dynamoCalls: [...table.calls] };
}

/** The DynamoDB calls are exactly what routes.ts grants the route, on the table and on the room index. */
function expectExactlyGrantedActions(routeKey: string, calls: readonly RecordedCall[]): void {
  const access = LAMBDA_ROUTES.find((route) => route.routeKey === routeKey)!.access;
  const used = (onIndex: boolean) => [...new Set(calls.filter((call) => (call.input["IndexName"] !== undefined) === onIndex).map((call) => call.action))].sort();
  expect({ table: used(false), roomIndex: used(true) }, `${routeKey}'s DynamoDB calls`).toEqual({
    table: [...(access.table ?? [])].sort(),
    roomIndex: [...(access.roomIndex ?? [])].sort(),
  });
}

function frame(invocation: Invocation): Record<string, unknown> {
  expect(Object.keys(invocation.result).sort()).toEqual(["body", "statusCode"]);
  return JSON.parse(invocation.result.body!) as Record<string, unknown>;
}

function framesOf(connectionId: string): Record<string, unknown>[] {
  return (api.delivered.get(connectionId) ?? []).map((text) => JSON.parse(text) as Record<string, unknown>);
}

/**
 * Stores a connection of a signed-in user in the given rooms (its name
 * unclaimed, so tests can reuse names). Signed in, so pruning a gone one
 * also reads its name binding, as every route that prunes may.
 */
async function seed(userName: string, rooms: readonly string[], options: { readonly gone?: boolean } = {}): Promise<string> {
  const connectionId = newApiGatewayId();
  const userId = idOf(connectionId);
  await store.addConnection({ connectionId, userId, userName, connectedAt: Date.now() - 60_000, joinedAt: Date.now(), rooms, expiresAt: 2_000_000_000 });
  if (options.gone) api.gone.add(connectionId);
  return connectionId;
}

/** The user id of a seeded connection. */
function idOf(connectionId: string): string {
  return `u-${connectionId}`;
}

function room(label: string): string {
  return `${label}-${newApiGatewayId().slice(0, 6)}`;
}

/** The requestContext that points a handler's @connections calls at the HTTPS stand-in. */
function at(connectionId: string) {
  return { connectionId, domainName: api.host, stage: api.stage };
}

describe("handler bundles", () => {
  it("bundle: connect.ts stores the named connection in the lobby and tells the lobby", async () => {
    // GIVEN a lobby member, a gone lobby member, and the bundled $connect handler
    const member = await seed("LobbyMember", ["lobby"]);
    await seed("LobbyGhost", ["lobby"], { gone: true });
    const file = await bundle("connect.ts");
    const connectionId = newApiGatewayId();
    // WHEN a fresh process invokes it with a CONNECT event asking for ?name=Ada
    const event = { ...fixtureEvent("connect-event", { requestContext: at(connectionId) }), queryStringParameters: { name: "Ada" } };
    const invocation = await invokeInFreshProcess(file, event);
    // THEN it exports handler, answers exactly {statusCode:200}, the items exist and the lobby heard of Ada
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result).toStrictEqual({ statusCode: 200 });
    expect((await table.itemsOf(connectionId)).map((item) => [item["sk"], item["userName"]]).sort()).toEqual([["META", "Ada"], ["ROOM#lobby", "Ada"]]);
    expect(framesOf(member)).toContainEqual({ type: "presence", room: "lobby", user: "Ada", userId: await anonymousUserId(connectionId), event: "joined" });
    expectExactlyGrantedActions("$connect", invocation.dynamoCalls);
    expect(invocation.logs).toContainEqual(expect.objectContaining({ message: "connected", connectionId, userName: "Ada", awsRequestId: "bundle-test" }));
  });

  it("bundle: on-message.ts broadcasts through https://{domainName}/{stage} and stores the message", async () => {
    // GIVEN two members of a room, a gone one, and the bundled onMessage handler
    const r = room("bundle");
    const [sender, listener] = [await seed("Sender", [r]), await seed("Listener", [r])];
    await seed("Ghost", [r], { gone: true });
    const file = await bundle("on-message.ts");
    // WHEN the sender's message arrives
    const invocation = await invokeInFreshProcess(file, messageEvent("onMessage", { action: "onMessage", room: r, message: "Hello everyone" }, at(sender)));
    // THEN both got the message frame, and the sender the receipt as the body of a two-key proxy result
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result.statusCode).toBe(200);
    expect(frame(invocation)).toMatchObject({ type: "sent", room: r, delivered: 2, pruned: 1, stored: true });
    for (const id of [sender, listener]) {
      expect(framesOf(id)[0]).toMatchObject({ type: "message", room: r, message: "Hello everyone", from: "Sender", fromId: idOf(sender), id: expect.any(String) });
    }
    expect((await store.recentMessages(r, { limit: 5, nowSeconds: 1 })).messages).toHaveLength(1);
    expectExactlyGrantedActions("onMessage", invocation.dynamoCalls);
  });

  it("bundle: join-room.ts answers with the members and tells them", async () => {
    const r = room("join");
    const [joiner, member] = [await seed("Joiner", ["lobby"]), await seed("Member", [r])];
    const ghost = await seed("Ghost", [r], { gone: true });
    const file = await bundle("join-room.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("joinRoom", { action: "joinRoom", room: r }, at(joiner)));
    expect(invocation.exports).toEqual(["handler"]);
    expect(frame(invocation)).toEqual({
      type: "joined",
      room: r,
      members: ["Ghost", "Joiner", "Member"],
      users: [
        { name: "Ghost", userId: idOf(ghost) },
        { name: "Joiner", userId: idOf(joiner) },
        { name: "Member", userId: idOf(member) },
      ],
      userCount: 3,
    });
    expect(framesOf(member)).toEqual([{ type: "presence", room: r, user: "Joiner", userId: idOf(joiner), event: "joined" }]);
    expectExactlyGrantedActions("joinRoom", invocation.dynamoCalls);
  });

  it("bundle: leave-room.ts leaves the room and tells the others", async () => {
    const r = room("leave");
    const [leaver, member] = [await seed("Leaver", [r]), await seed("Member", [r])];
    await seed("Ghost", [r], { gone: true });
    const file = await bundle("leave-room.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("leaveRoom", { action: "leaveRoom", room: r }, at(leaver)));
    expect(frame(invocation)).toEqual({ type: "left", room: r });
    expect(framesOf(member)).toEqual([{ type: "presence", room: r, user: "Leaver", userId: idOf(leaver), event: "left" }]);
    expectExactlyGrantedActions("leaveRoom", invocation.dynamoCalls);
  });

  it("bundle: private-message.ts delivers to the user's live connection and prunes the gone one", async () => {
    const from = await seed("Whisperer", ["lobby"]);
    const to = await seed("Confidant", ["lobby"]);
    // A stale connection under the same name, from an earlier session of another user (so pruning it
    // releases its claim). Its id sorts after the live one's, which is listed first and names the recipient.
    const stale = `${to}~stale`;
    await store.addConnection({ connectionId: stale, userId: idOf(stale), userName: "Confidant", connectedAt: 1, joinedAt: 1, rooms: [], expiresAt: 2_000_000_000 });
    api.gone.add(stale);
    const file = await bundle("private-message.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("privateMessage", { action: "privateMessage", to: "confidant", message: "psst" }, at(from)));
    expect(frame(invocation)).toEqual({ type: "sent", to: "Confidant", toId: idOf(to), delivered: 1 });
    expect(framesOf(to)).toEqual([{ type: "private", from: "Whisperer", fromId: idOf(from), to: "Confidant", toId: idOf(to), message: "psst", sentAt: expect.any(String) }]);
    expectExactlyGrantedActions("privateMessage", invocation.dynamoCalls);
  });

  it("bundle: typing-indicator.ts tells the others and stores nothing", async () => {
    const r = room("typing");
    const [typist, member] = [await seed("Typist", [r]), await seed("Member", [r])];
    await seed("Ghost", [r], { gone: true });
    const file = await bundle("typing-indicator.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("typingIndicator", { action: "typingIndicator", room: r, typing: true }, at(typist)));
    expect(frame(invocation)).toEqual({ type: "ack", requestAction: "typingIndicator" });
    expect(framesOf(member)).toEqual([{ type: "typing", room: r, user: "Typist", userId: idOf(typist), typing: true }]);
    expect(framesOf(typist)).toEqual([]);
    expectExactlyGrantedActions("typingIndicator", invocation.dynamoCalls);
  });

  it("bundle: set-name.ts renames the connection everywhere", async () => {
    const r = room("rename");
    const connectionId = await seed("OldName", [r]);
    const file = await bundle("set-name.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("setName", { action: "setName", name: "New Name" }, at(connectionId)));
    expect(frame(invocation)).toEqual({ type: "name", name: "New Name", userId: idOf(connectionId) });
    expect((await table.itemsOf(connectionId)).map((item) => item["userName"])).toEqual(["New Name", "New Name"]);
    expectExactlyGrantedActions("setName", invocation.dynamoCalls);
  });

  it("bundle: history.ts answers with the room's messages", async () => {
    const r = room("history");
    const reader = await seed("Reader", [r]);
    await store.appendMessage({ type: "message", room: r, message: "earlier", from: "Someone", fromId: "u-someone", sentAt: "2024-01-20T11:55:04.112Z", seq: 1, id: "m1" }, 4_000_000_000);
    const file = await bundle("history.ts");
    const invocation = await invokeInFreshProcess(file, messageEvent("history", { action: "history", room: r }, at(reader)));
    expect(frame(invocation)).toEqual({
      type: "history",
      room: r,
      messages: [{ type: "message", room: r, message: "earlier", from: "Someone", fromId: "u-someone", sentAt: "2024-01-20T11:55:04.112Z", seq: 1, id: "m1" }],
      next: null,
    });
    expectExactlyGrantedActions("history", invocation.dynamoCalls);
  });

  it("bundle: disconnect.ts removes the connection and tells its rooms", async () => {
    // GIVEN a stored connection in a room with another member, and the bundled $disconnect handler
    const r = room("bye");
    const [connectionId, member] = [await seed("Leaving", [r]), await seed("Member", [r])];
    const file = await bundle("disconnect.ts");
    // WHEN a fresh process invokes it with the captured DISCONNECT event
    const invocation = await invokeInFreshProcess(file, fixtureEvent("disconnect-event", { requestContext: at(connectionId) }));
    // THEN the items are gone and the room heard it
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result).toStrictEqual({ statusCode: 200 });
    expect(await table.itemsOf(connectionId)).toEqual([]);
    expect(framesOf(member)).toEqual([{ type: "presence", room: r, user: "Leaving", userId: idOf(connectionId), event: "left" }]);
    expectExactlyGrantedActions("$disconnect", invocation.dynamoCalls);
  });

  it("bundle: default.ts answers with an error frame listing every action", async () => {
    const file = await bundle("default.ts");
    const invocation = await invokeInFreshProcess(file, fixtureEvent("default-message-event"));
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result.statusCode).toBe(400);
    expect(frame(invocation)).toMatchObject({ type: "error", code: "unknown_action", validActions: [...CLIENT_ACTIONS] });
    expect(invocation.dynamoCalls).toEqual([]);
  });

  it("bundle: authorizer.ts allows a valid token against a JWKS served over HTTP, touching no table", async () => {
    const file = await bundle(AUTHORIZER.entry);
    const token = await jwks.sign({ sub: "sub-bundle", preferred_username: "bundler" });
    const event = authorizerEvent(token);
    const invocation = await invokeInFreshProcess(file, event);
    expect(invocation.exports).toEqual(["handler"]);
    const userId = await signedInUserId(TEST_ISSUER, "sub-bundle");
    expect(invocation.result).toStrictEqual({
      principalId: userId,
      policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }] },
      context: { userId, userName: "bundler" },
    });
    expect(invocation.dynamoCalls).toEqual([]);
  });

  it("bundle: default.ts and authorizer.ts carry no AWS SDK", async () => {
    // Neither touches an AWS service; an SDK in their bundles would only slow cold starts.
    expect(statSync(await bundle("default.ts")).size).toBeLessThan(50_000);
    expect(statSync(await bundle(AUTHORIZER.entry)).size).toBeLessThan(80_000);
  });
});
