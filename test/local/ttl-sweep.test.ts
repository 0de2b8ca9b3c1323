import {
  BatchWriteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { emulatorOptions, parseArgs } from "../../local/cli.ts";
import { sweepExpiredItems } from "../../local/dynamodb.ts";
import { startEmulator, type RunningEmulator } from "../../local/emulator.ts";
import { loadPlan, type TablePlan } from "../../local/plan.ts";
import { baseDocument, writeStack, type TerraformJson } from "./support/stack.ts";

// dynalite has no TTL, so the emulator deletes expired items itself. These
// tests put items through the real DynamoDB API into the fixture stack's
// table (`ttl { attribute_name = "expiresAt", enabled = true }`) and read
// back what a sweep left.

const TABLE = "conf-connections";
const running: RunningEmulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

async function start(options: { ttlSweepMs?: number; dataDir?: string; document?: TerraformJson; log?: string[] } = {}): Promise<{ emulator: RunningEmulator; db: DynamoDBClient }> {
  const emulator = await startEmulator({
    source: writeStack(options.document ?? baseDocument()),
    port: 0,
    ttlSweepMs: options.ttlSweepMs,
    dataDir: options.dataDir,
    log: (line) => options.log?.push(line),
  });
  running.push(emulator);
  const db = new DynamoDBClient({ endpoint: emulator.dynamoDbEndpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  return { emulator, db };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An item keyed `pk`/`sk`, with `expiresAt` as given (a number, a string, or absent). */
function item(pk: string, expiresAt?: number | string): Record<string, AttributeValue> {
  return {
    pk: { S: pk },
    sk: { S: "META" },
    ...(expiresAt === undefined ? {} : { expiresAt: typeof expiresAt === "number" ? { N: String(expiresAt) } : { S: expiresAt } }),
  };
}

async function put(db: DynamoDBClient, items: Record<string, AttributeValue>[]): Promise<void> {
  for (let i = 0; i < items.length; i += 25) {
    await db.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
}

async function keys(db: DynamoDBClient, table = TABLE): Promise<string[]> {
  const found: string[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
    found.push(...(page.Items ?? []).map((i) => i.pk!.S!));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return found.sort();
}

describe("plan: ttl", () => {
  it("ttl: an enabled block gives the table its TTL attribute; disabled or absent gives none", async () => {
    // GIVEN the fixture table (enabled), and copies with the block disabled and removed
    const table = async (document: TerraformJson) => (await loadPlan({ source: writeStack(document) })).tables[0]!;
    const disabled = baseDocument();
    (disabled.resource.aws_dynamodb_table!.connections!.ttl as Record<string, unknown>).enabled = false;
    const absent = baseDocument();
    delete absent.resource.aws_dynamodb_table!.connections!.ttl;
    const listed = baseDocument();
    listed.resource.aws_dynamodb_table!.connections!.ttl = [{ attribute_name: "${var.prefix}Expiry", enabled: "${true}" }];
    // THEN
    expect((await table(baseDocument())).ttlAttribute).toBe("expiresAt");
    expect((await table(disabled)).ttlAttribute).toBeUndefined();
    expect((await table(absent)).ttlAttribute).toBeUndefined();
    expect((await table(listed)).ttlAttribute).toBe("confExpiry");
  });

  it("ttl: enabled without attribute_name is refused with the address", async () => {
    const document = baseDocument();
    document.resource.aws_dynamodb_table!.connections!.ttl = { enabled: true };
    await expect(loadPlan({ source: writeStack(document) })).rejects.toThrow(/aws_dynamodb_table\.connections.*ttl\.attribute_name/);
  });
});

describe("TTL sweep", () => {
  it("sweep: deletes only items whose TTL is a past epoch second, across Scan pages", async () => {
    // GIVEN a running emulator with the periodic sweep off, and a table of
    // 600 items (two Scan pages of at most 500): expired, expiring later, without TTL, a TTL of another
    // type, and a TTL older than five years (which DynamoDB never deletes)
    const { emulator, db } = await start({ ttlSweepMs: 0 });
    const now = nowSeconds();
    const expired = Array.from({ length: 350 }, (_, i) => item(`expired-${String(i).padStart(4, "0")}`, now - 1 - (i % 3_600)));
    const kept = [
      ...Array.from({ length: 230 }, (_, i) => item(`future-${String(i).padStart(4, "0")}`, now + 3_600 + i)),
      ...Array.from({ length: 10 }, (_, i) => item(`none-${i}`)),
      ...Array.from({ length: 5 }, (_, i) => item(`text-${i}`, String(now - 100))),
      ...Array.from({ length: 5 }, (_, i) => item(`ancient-${i}`, now - 6 * 365 * 86_400)),
    ];
    await put(db, [...expired, ...kept]);
    // WHEN it sweeps
    const deleted = await emulator.sweepExpiredItems();
    // THEN exactly the expired items are gone
    expect(deleted).toBe(350);
    expect(await keys(db)).toEqual(kept.map((i) => i.pk!.S!).sort());
    // AND a second sweep finds nothing more
    expect(await emulator.sweepExpiredItems()).toBe(0);
  });

  it("sweep: an item renewed between the Scan and its delete is kept", async () => {
    // GIVEN two expired items, and a client that renews one of them right after the sweep's Scan
    const { emulator, db } = await start({ ttlSweepMs: 0 });
    const now = nowSeconds();
    await put(db, [item("renewed", now - 10), item("expired", now - 10)]);
    const table = emulator.plan.tables[0] as TablePlan & { ttlAttribute: string };
    const renewingClient = {
      send: async (command: Parameters<DynamoDBClient["send"]>[0]) => {
        const output = await db.send(command as ScanCommand);
        if (command instanceof ScanCommand) {
          await db.send(
            new UpdateItemCommand({
              TableName: TABLE,
              Key: { pk: { S: "renewed" }, sk: { S: "META" } },
              UpdateExpression: "SET expiresAt = :later",
              ExpressionAttributeValues: { ":later": { N: String(now + 3_600) } },
            }),
          );
        }
        return output;
      },
    } as Pick<DynamoDBClient, "send">;
    // WHEN the sweep runs through it
    const deleted = await sweepExpiredItems(renewingClient, table, now);
    // THEN the renewed item survives, the other one does not
    expect(deleted).toBe(1);
    expect(await keys(db)).toEqual(["renewed"]);
  });

  it("sweep: runs every ttlSweepMs and logs one line per sweep that deleted something", async () => {
    // GIVEN an emulator sweeping every 100 ms
    const log: string[] = [];
    const { db } = await start({ ttlSweepMs: 100, log });
    expect(log.filter((line) => line.startsWith("TTL sweep"))).toEqual([]);
    // WHEN an item expires (its TTL one second ago) next to one that does not
    await put(db, [item("expired", nowSeconds() - 1), item("future", nowSeconds() + 3_600)]);
    // THEN a later sweep deletes it without being asked, and says so once
    const deadline = Date.now() + 10_000;
    while ((await keys(db)).includes("expired") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await keys(db)).toEqual(["future"]);
    const lines = log.filter((line) => line.startsWith("TTL sweep"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^TTL sweep: deleted 1 expired item\(s\) from conf-connections \(expiresAt < \d+\)$/);
  });

  it("sweep: a restart with dataDir deletes at start-up what expired while the emulator was down", async () => {
    // GIVEN data kept in a folder, with an item that has expired and one that has not
    const dataDir = mkdtempSync(path.join(tmpdir(), "wsstack-ttl-"));
    const first = await start({ dataDir, ttlSweepMs: 3_600_000 });
    await first.db.send(new PutItemCommand({ TableName: TABLE, Item: item("expired", nowSeconds() - 5) }));
    await first.db.send(new PutItemCommand({ TableName: TABLE, Item: item("future", nowSeconds() + 3_600) }));
    await running.pop()!.close();
    // WHEN the emulator starts again on that folder (its next periodic sweep an hour away)
    const second = await start({ dataDir, ttlSweepMs: 3_600_000 });
    // THEN the expired item is already gone once start-up is done
    expect(await keys(second.db)).toEqual(["future"]);
  });

  it("sweep: ttlSweepMs 0 turns sweeping off, start-up sweep included", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "wsstack-ttl-"));
    const first = await start({ dataDir, ttlSweepMs: 0 });
    await first.db.send(new PutItemCommand({ TableName: TABLE, Item: item("expired", nowSeconds() - 5) }));
    await running.pop()!.close();
    const second = await start({ dataDir, ttlSweepMs: 0 });
    expect(await keys(second.db)).toEqual(["expired"]);
  });

  it("sweep: tables without an enabled ttl are never swept", async () => {
    const document = baseDocument();
    delete document.resource.aws_dynamodb_table!.connections!.ttl;
    const { emulator, db } = await start({ document, ttlSweepMs: 0 });
    await put(db, [item("expired", nowSeconds() - 5)]);
    expect(await emulator.sweepExpiredItems()).toBe(0);
    expect(await keys(db)).toEqual(["expired"]);
  });

  it("--ttl-sweep-seconds: sets ttlSweepMs; 0 is off", async () => {
    const options = (...argv: string[]) => emulatorOptions("s", parseArgs(["emulate", "s", ...argv]).flags, {});
    expect(options("--ttl-sweep-seconds", "5").ttlSweepMs).toBe(5_000);
    expect(options("--ttl-sweep-seconds=0").ttlSweepMs).toBe(0);
    expect(options().ttlSweepMs).toBeUndefined();
    expect(() => options("--ttl-sweep-seconds", "-1")).toThrow("--ttl-sweep-seconds must be a whole number");
  });

  it("--functions-dynamodb-endpoint: sets functionsDynamoDbEndpoint; a value that is not an http(s) URL is refused", async () => {
    const options = (...argv: string[]) => emulatorOptions("s", parseArgs(["emulate", "s", ...argv]).flags, {});
    expect(options("--functions-dynamodb-endpoint", "http://127.0.0.1:8000").functionsDynamoDbEndpoint).toBe("http://127.0.0.1:8000");
    expect(options().functionsDynamoDbEndpoint).toBeUndefined();
    expect(() => options("--functions-dynamodb-endpoint", "127.0.0.1:8000")).toThrow("must be an http:// or https:// URL");
  });
});
