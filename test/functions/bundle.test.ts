import { build } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import type { ProxyResult, WebSocketEvent } from "../../functions/aws/websocket-event.ts";
import { LAMBDA_ROUTES } from "../../functions/routes.ts";
import { startConnectionTable, type ConnectionTableUnderTest, type RecordedCall } from "./support/connection-table.ts";
import { fixtureEvent, newApiGatewayId } from "./support/events.ts";
import { startManagementApiStandIn, TEST_CERTIFICATE_PATH, type ManagementApiStandIn } from "./support/management-api-stand-in.ts";

// Each adapter is bundled as the stack bundles it and invoked in a fresh Node
// process, the way Lambda loads index.mjs: nothing from this process's module
// graph leaks in. The bundles call the management API at the AWS-documented
// https://${domainName}/${stage}; the stand-in serves HTTPS with a test
// certificate that the child process trusts through NODE_EXTRA_CA_CERTS.

const FUNCTIONS = path.resolve(import.meta.dirname, "../../functions");
const REQUIRE_BANNER = 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);';
const run = promisify(execFile);

let outDir: string;
let table: ConnectionTableUnderTest;
let api: ManagementApiStandIn;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), "wsstack-bundles-"));
  table = await startConnectionTable();
  api = await startManagementApiStandIn({ stage: "prod", tls: true });
});
afterAll(async () => {
  await api?.close();
  await table?.close();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

async function bundle(entry: string): Promise<string> {
  const outfile = path.join(outDir, path.basename(entry, ".ts"), "index.mjs");
  await build({
    entryPoints: [path.join(FUNCTIONS, entry)],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    banner: { js: REQUIRE_BANNER },
    logLevel: "silent",
  });
  return outfile;
}

// Imports the bundle, checks its exports and invokes the handler once.
const INVOKER = `
const [file, event] = process.argv.slice(1);
const bundle = await import(new URL("file://" + file).href);
const result = typeof bundle.handler === "function" ? await bundle.handler(JSON.parse(event), { awsRequestId: "bundle-test" }) : null;
process.stdout.write("\\nRESULT " + JSON.stringify({ exports: Object.keys(bundle), handlerType: typeof bundle.handler, result }) + "\\n");
`;

interface Invocation {
  readonly exports: string[];
  readonly handlerType: string;
  readonly result: ProxyResult;
  readonly logs: Record<string, unknown>[];
  readonly dynamoCalls: RecordedCall[];
}

async function invokeInFreshProcess(bundleFile: string, event: WebSocketEvent): Promise<Invocation> {
  table.calls.length = 0;
  const { stdout } = await run(process.execPath, ["--input-type=module", "--no-warnings", "-e", INVOKER, bundleFile, JSON.stringify(event)], {
    env: {
      PATH: process.env["PATH"] ?? "",
      TABLE_NAME: table.tableName,
      AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      NODE_EXTRA_CA_CERTS: TEST_CERTIFICATE_PATH,
      LOG_LEVEL: "debug",
    },
  });
  const lines = stdout.split("\n").filter((line) => line.length > 0);
  const resultLine = lines.find((line) => line.startsWith("RESULT "));
  if (resultLine === undefined) throw new Error(`The bundle printed no result:\n${stdout}`);
  const logs = lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...(JSON.parse(resultLine.slice("RESULT ".length)) as Omit<Invocation, "logs" | "dynamoCalls">), logs, dynamoCalls: [...table.calls] };
}

/** Each DynamoDB call must be one routes.ts grants the route, on the table or on the room index. */
function expectOnlyGrantedActions(routeKey: string, calls: readonly RecordedCall[]): void {
  const access = LAMBDA_ROUTES.find((route) => route.routeKey === routeKey)!.access;
  for (const call of calls) {
    const granted = call.input["IndexName"] === undefined ? access.table : access.roomIndex;
    expect(granted ?? [], `${routeKey} called ${call.action}${call.input["IndexName"] ? " on the index" : ""}`).toContain(call.action);
  }
}

async function seed(connectionId: string, room: string): Promise<void> {
  const store = new DynamoDbConnectionStore({ client: table.client, tableName: table.tableName, sleep: async () => {} });
  await store.addConnection({ connectionId, connectedAt: Date.now(), joinedAt: Date.now(), rooms: [room], expiresAt: 2_000_000_000 });
}

describe("handler bundles", () => {
  it("bundle: connect.ts bundles, exports handler, and stores a connection in dynalite", async () => {
    // GIVEN the bundled $connect handler
    const file = await bundle("connect.ts");
    const connectionId = newApiGatewayId();
    // WHEN a fresh process invokes it with a CONNECT event
    const invocation = await invokeInFreshProcess(file, fixtureEvent("connect-event", { requestContext: { connectionId } }));
    // THEN it exports handler, answers exactly {statusCode:200}, and the items exist
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result).toStrictEqual({ statusCode: 200 });
    expect((await table.itemsOf(connectionId)).map((item) => item["sk"]).sort()).toEqual(["META", "ROOM#lobby"]);
    expectOnlyGrantedActions("$connect", invocation.dynamoCalls);
    expect(invocation.logs).toContainEqual(expect.objectContaining({ message: "connected", connectionId, awsRequestId: "bundle-test" }));
  });

  it("bundle: on-message.ts bundles, exports handler, and broadcasts through https://{domainName}/{stage}", async () => {
    // GIVEN two connections in a room of their own and the bundled onMessage handler
    const [sender, listener] = [newApiGatewayId(), newApiGatewayId()];
    await seed(sender, "bundle-room");
    await seed(listener, "bundle-room");
    const file = await bundle("on-message.ts");
    // WHEN the sender's message arrives, with domainName and stage pointing at the HTTPS stand-in
    const event = fixtureEvent("on-message-event", {
      requestContext: { connectionId: sender, domainName: api.host, stage: api.stage },
      body: '{"action":"onMessage","room":"bundle-room","message":"Hello everyone"}',
    });
    const invocation = await invokeInFreshProcess(file, event);
    // THEN both got the message frame, and the sender the receipt as the body of a two-key proxy result
    expect(invocation.exports).toEqual(["handler"]);
    expect(Object.keys(invocation.result).sort()).toEqual(["body", "statusCode"]);
    expect(invocation.result.statusCode).toBe(200);
    expect(JSON.parse(invocation.result.body!)).toStrictEqual({ type: "sent", room: "bundle-room", delivered: 2, pruned: 0 });
    for (const id of [sender, listener]) {
      expect(JSON.parse(api.delivered.get(id)![0]!)).toMatchObject({ type: "message", room: "bundle-room", message: "Hello everyone", from: sender });
    }
    expectOnlyGrantedActions("onMessage", invocation.dynamoCalls);
  });

  it("bundle: default.ts bundles, exports handler, and answers with an error frame", async () => {
    const file = await bundle("default.ts");
    const invocation = await invokeInFreshProcess(file, fixtureEvent("default-message-event"));
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result.statusCode).toBe(400);
    expect(JSON.parse(invocation.result.body!)).toMatchObject({ type: "error", code: "unknown_action", validActions: ["onMessage"] });
    expect(invocation.dynamoCalls).toEqual([]);
  });

  it("bundle: disconnect.ts bundles, exports handler, and removes the connection from dynalite", async () => {
    // GIVEN a stored connection and the bundled $disconnect handler
    const connectionId = newApiGatewayId();
    await seed(connectionId, "lobby");
    const file = await bundle("disconnect.ts");
    // WHEN a fresh process invokes it with the captured DISCONNECT event
    const invocation = await invokeInFreshProcess(file, fixtureEvent("disconnect-event", { requestContext: { connectionId } }));
    // THEN the items are gone
    expect(invocation.exports).toEqual(["handler"]);
    expect(invocation.result).toStrictEqual({ statusCode: 200 });
    expect(await table.itemsOf(connectionId)).toEqual([]);
    expectOnlyGrantedActions("$disconnect", invocation.dynamoCalls);
  });

  it("bundle: default.ts carries no AWS SDK", async () => {
    // $default touches no AWS service; an SDK in its bundle would only slow cold starts.
    const file = await bundle("default.ts");
    expect(statSync(file).size).toBeLessThan(50_000);
  });
});
