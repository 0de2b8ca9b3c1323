import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DescribeTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../local/emulator.ts";
import { TestClient } from "./support/client.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { signedFetch } from "./support/signed-fetch.ts";
import { baseDocument, writeStack } from "./support/stack.ts";

// The Lambda side of the emulator: module formats, MOCK routes, crashes and hangs, logs, DynamoDB.

const INTERNAL_ERROR = /^\{"message": "Internal server error", "connectionId":"[A-Za-z0-9_-]{15}=", "requestId":"[A-Za-z0-9_-]{15}="\}$/;

describe("handlers and integrations", () => {
  let h: Harness;
  beforeAll(async () => {
    const document = baseDocument();
    document.resource.aws_lambda_function!.join!.timeout = 1; // so a hang is cut short
    h = await startHarness({ document });
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("runs a CommonJS callback-style handler with Lambda's context and its own environment, warm across calls", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "commonjs" }));
    const first = JSON.parse(await client.next()) as Record<string, unknown>;
    client.send(JSON.stringify({ action: "commonjs" }));
    const second = JSON.parse(await client.next()) as Record<string, unknown>;
    expect(first).toMatchObject({
      kind: "commonjs",
      routeKey: "commonjs",
      functionName: "conf-commonjs",
      memoryLimitInMB: "256",
      hasRemainingTime: true,
      greeting: "hello from commonjs",
      dynamoEndpoint: h.emulator.dynamoDbEndpoint,
    });
    expect(second.invocations).toBe((first.invocations as number) + 1);
    client.close();
  });

  it("runs an ES module handler (index.js with type: module)", async () => {
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "esm" }));
    expect(JSON.parse(await client.next())).toEqual({ kind: "esm", routeKey: "esm", connectionId: expect.any(String), functionName: "conf-esm", greeting: "hello from esm" });
    client.close();
  });

  it("answers a MOCK two-way route with its response template ($context variables rendered)", async () => {
    const client = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect")[0]!.event.requestContext.connectionId;
    client.send(JSON.stringify({ action: "mock" }));
    const answer = JSON.parse(await client.next()) as { pong: boolean; connectionId: string; requestId: string };
    expect(answer.pong).toBe(true);
    expect(answer.connectionId).toBe(cid);
    expect(answer.requestId).toMatch(/^[A-Za-z0-9_-]{15}=$/);
    client.close();
  });

  it("a handler that exits its runtime gets Internal server error; the next call gets a fresh worker", async () => {
    const client = await TestClient.open(h.emulator.url);
    h.control.script("join", { exit: true });
    client.send(JSON.stringify({ action: "join" }));
    expect(await client.next()).toMatch(INTERNAL_ERROR);
    h.control.script("join", { return: { statusCode: 200 } });
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "join" && h.control.of("join").length === 2);
    expect(await client.framesAfter(200)).toEqual([]);
    client.close();
  });

  it("a handler that hangs past its Lambda timeout gets Internal server error; other connections are unaffected", async () => {
    const stuck = await TestClient.open(h.emulator.url);
    const other = await TestClient.open(h.emulator.url);
    h.control.script("join", { hang: true });
    stuck.send(JSON.stringify({ action: "join" }));
    h.control.script("echo", { return: { statusCode: 200, body: "unaffected" } });
    other.send(JSON.stringify({ action: "echo" }));
    expect(await other.next()).toBe("unaffected");
    expect(await stuck.next()).toMatch(INTERNAL_ERROR);
    expect(h.logs.some((line) => line.includes("Task timed out after 1.00 seconds"))).toBe(true);
    stuck.close();
    other.close();
  });

  it("prints handler console output prefixed with the function name and request id, and one line per invocation", async () => {
    h.control.script("join", { log: "visible in the emulator log", return: { statusCode: 200 } });
    const client = await TestClient.open(h.emulator.url);
    client.send(JSON.stringify({ action: "join" }));
    const invocation = await h.control.waitFor((i) => i.key === "join");
    const deadline = Date.now() + 5_000;
    while (!h.logs.some((l) => l.includes("visible in the emulator log")) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const line = h.logs.find((l) => l.includes("visible in the emulator log"))!;
    expect(line).toMatch(/^\[conf-join\] \S+\t[0-9a-f-]{36}\tINFO\tvisible in the emulator log$/);
    expect(invocation.remainingMs).toBeGreaterThan(0);
    expect(h.logs.some((l) => /^join → conf-join \d+ ms 200$/.test(l))).toBe(true);
    client.close();
  });

  it("a malformed frame (invalid UTF-8 text) closes only that connection (1007) and runs $disconnect", async () => {
    const bad = await TestClient.open(h.emulator.url);
    const cid = h.control.of("$connect").at(-1)!.event.requestContext.connectionId;
    const good = await TestClient.open(h.emulator.url);
    bad.ws.send(Buffer.from([0xc3, 0x28]), { binary: false });
    expect((await bad.closed).code).toBe(1007);
    await h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);
    h.control.script("echo", { return: { statusCode: 200, body: "fine" } });
    good.send(JSON.stringify({ action: "echo" }));
    expect(await good.next()).toBe("fine");
    good.close();
  });

  it("@connections answers 400 BadRequestException for an id not in AWS's format", async () => {
    const response = await signedFetch(`${h.emulator.connectionUrl}/not-an-id`, { method: "POST", body: "x" });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("BadRequestException");
  });

  it("creates every declared DynamoDB table with its keys, GSI projection and LSI", async () => {
    const dynamo = new DynamoDBClient({ endpoint: h.emulator.dynamoDbEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: "conf-connections" }));
    dynamo.destroy();
    expect(Table?.KeySchema).toEqual([
      { AttributeName: "pk", KeyType: "HASH" },
      { AttributeName: "sk", KeyType: "RANGE" },
    ]);
    const gsi = Table?.GlobalSecondaryIndexes?.[0];
    expect(gsi?.IndexName).toBe("byRoom");
    expect(gsi?.Projection).toEqual({ ProjectionType: "INCLUDE", NonKeyAttributes: ["userName"] });
    expect(Table?.LocalSecondaryIndexes?.[0]?.IndexName).toBe("byJoinedAt");
  });
});

describe("DynamoDB persistence", () => {
  it("keeps tables and items in --data across restarts", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "wsstack-data-"));
    const source = writeStack(baseDocument());
    const options = { source, port: 0, dataDir, log: () => undefined };
    const first = await startEmulator(options);
    const item = { pk: { S: "CONN#a" }, sk: { S: "META" } };
    const client = (endpoint: string) => new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    const writer = client(first.dynamoDbEndpoint!);
    await writer.send(new PutItemCommand({ TableName: "conf-connections", Item: item }));
    writer.destroy();
    await first.close();
    const logs: string[] = [];
    const second = await startEmulator({ ...options, log: (line) => logs.push(line) });
    const reader = client(second.dynamoDbEndpoint!);
    const { Item } = await reader.send(new GetItemCommand({ TableName: "conf-connections", Key: item }));
    reader.destroy();
    await second.close();
    expect(Item).toEqual(item);
    expect(logs.some((l) => l.includes("DynamoDB table conf-connections kept"))).toBe(true);
  });
});
