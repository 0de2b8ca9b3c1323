import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  type AttributeValue,
  type CreateTableCommandInput,
  type Projection,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { describeError, EmulatorError } from "./errors.ts";
import type { TableIndexPlan, TablePlan } from "./plan.ts";

/**
 * Local DynamoDB: dynalite on a free loopback port, with every
 * `aws_dynamodb_table` of the plan created as declared (keys, attributes,
 * global and local secondary indexes with their projections). In memory by
 * default; with `dataDir` the data survive restarts and tables that already
 * exist are kept as they are.
 *
 * dynalite has no TTL, so the emulator sweeps expired items itself (see
 * {@link sweepExpiredItems}): once at start-up, so a restart with `dataDir`
 * drops what expired while it was down, then every `ttlSweepMs`.
 */

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL_DYNAMODB points at. */
  readonly endpoint: string;
  /** Sweeps every table with an enabled `ttl` now; resolves to the number of items deleted. */
  sweepExpiredItems(): Promise<number>;
  close(): Promise<void>;
}

export interface LocalDynamoDbOptions {
  readonly dataDir?: string;
  readonly region: string;
  readonly log: (line: string) => void;
  /** Time between TTL sweeps; 0 turns sweeping off (the start-up sweep too). @default 60_000 */
  readonly ttlSweepMs?: number;
}

/** How often expired items are deleted locally. AWS gives no schedule (typically within days); a minute keeps local data tidy. */
export const DEFAULT_TTL_SWEEP_MS = 60_000;

export async function startDynamoDb(tables: readonly TablePlan[], options: LocalDynamoDbOptions): Promise<LocalDynamoDb> {
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  // No CREATING delay: tables are ACTIVE as soon as they exist, so handlers never race table creation.
  const server = dynalite({ path: options.dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  const client = new DynamoDBClient({ endpoint, region: options.region, credentials: { accessKeyId: "local", secretAccessKey: "local" } });
  try {
    for (const table of tables) {
      try {
        await client.send(new CreateTableCommand(createTableInput(table)));
        options.log(`DynamoDB table ${table.name} created (${table.address})`);
      } catch (error) {
        if (error instanceof ResourceInUseException) {
          options.log(`DynamoDB table ${table.name} kept (already in ${options.dataDir})`);
          continue;
        }
        throw new EmulatorError(`${table.address}: cannot create table ${table.name}: ${(error as Error).message}`, { cause: error });
      }
    }
    // Even with createTableMs 0 a table is CREATING for a moment; handlers must never see that.
    for (const table of tables) await waitUntilActive(client, table);
  } catch (error) {
    client.destroy();
    await close();
    throw error;
  }
  const sweeper = new TtlSweeper(client, tables, options.log);
  const interval = options.ttlSweepMs ?? DEFAULT_TTL_SWEEP_MS;
  if (interval > 0) {
    // Awaited, so nothing that expired while the emulator was down is served.
    await sweeper.sweep();
    sweeper.every(interval);
  }
  return {
    endpoint,
    sweepExpiredItems: () => sweeper.sweep(),
    close: async () => {
      await sweeper.stop();
      client.destroy();
      await close();
    },
  };
}

/**
 * Runs {@link sweepExpiredItems} over every table with an enabled `ttl`, one
 * sweep at a time (a sweep asked for while one runs waits for it, then runs).
 */
class TtlSweeper {
  private readonly tables: readonly (TablePlan & { readonly ttlAttribute: string })[];
  private running: Promise<number> = Promise.resolve(0);
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly client: DynamoDBClient,
    tables: readonly TablePlan[],
    private readonly log: (line: string) => void,
  ) {
    this.tables = tables.filter((table): table is TablePlan & { ttlAttribute: string } => table.ttlAttribute !== undefined);
  }

  sweep(): Promise<number> {
    this.running = this.running.then(() => this.sweepAll());
    return this.running;
  }

  every(intervalMs: number): void {
    if (this.tables.length === 0) return;
    const next = () => {
      if (this.stopped) return;
      // Not an interval: a sweep slower than the period is never overlapped by the next one.
      this.timer = setTimeout(() => void this.sweep().finally(next), intervalMs);
      this.timer.unref();
    };
    next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private async sweepAll(): Promise<number> {
    let deleted = 0;
    for (const table of this.tables) {
      const nowSeconds = Math.floor(Date.now() / 1000);
      try {
        const count = await sweepExpiredItems(this.client, table, nowSeconds);
        if (count > 0) this.log(`TTL sweep: deleted ${count} expired item(s) from ${table.name} (${table.ttlAttribute} < ${nowSeconds})`);
        deleted += count;
      } catch (error) {
        this.log(`TTL sweep of ${table.name} failed: ${describeError(error)}`);
      }
    }
    return deleted;
  }
}

/** Items a sweep reads per Scan page: bounds the deletes in flight from one page. */
const SWEEP_PAGE_ITEMS = 500;
/** Deletes in flight at once. */
const SWEEP_CONCURRENCY = 8;
/** AWS leaves alone items whose TTL is more than five years in the past (a likely milliseconds or garbage value). */
const TTL_MAX_AGE_SECONDS = 5 * 365 * 86_400;

/**
 * Deletes the items of `table` whose TTL attribute is a Number (epoch
 * seconds) below `nowSeconds`, as DynamoDB's TTL does: items without the
 * attribute, or with a value of another type, in the future, or more than
 * five years in the past, are kept. The table is Scanned page by page, and
 * each delete is conditional on the item still being expired, so an item
 * renewed between the Scan and its delete is kept. Returns how many items
 * were deleted.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 */
export async function sweepExpiredItems(
  client: Pick<DynamoDBClient, "send">,
  table: TablePlan & { readonly ttlAttribute: string },
  nowSeconds: number,
): Promise<number> {
  const names = { "#ttl": table.ttlAttribute };
  const values: Record<string, AttributeValue> = { ":now": { N: String(nowSeconds) }, ":oldest": { N: String(nowSeconds - TTL_MAX_AGE_SECONDS) } };
  // A Number-typed comparison: an attribute of another type never matches.
  const expired = "#ttl < :now AND #ttl >= :oldest";
  const keyNames = [table.hashKey, ...(table.rangeKey === undefined ? [] : [table.rangeKey])];
  let deleted = 0;
  let exclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: table.name,
        FilterExpression: expired,
        ProjectionExpression: keyNames.map((_, i) => `#k${i}`).join(", "),
        ExpressionAttributeNames: { ...names, ...Object.fromEntries(keyNames.map((name, i) => [`#k${i}`, name])) },
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        Limit: SWEEP_PAGE_ITEMS,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let start = 0; start < keys.length; start += SWEEP_CONCURRENCY) {
      const results = await Promise.all(
        keys.slice(start, start + SWEEP_CONCURRENCY).map(async (key) => {
          try {
            await client.send(
              new DeleteItemCommand({ TableName: table.name, Key: key, ConditionExpression: expired, ExpressionAttributeNames: names, ExpressionAttributeValues: values }),
            );
            return 1;
          } catch (error) {
            // Renewed (or deleted) since the Scan read it.
            if (error instanceof ConditionalCheckFailedException || (error as { name?: unknown }).name === "ConditionalCheckFailedException") return 0;
            throw error;
          }
        }),
      );
      for (const result of results) deleted += result;
    }
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey !== undefined);
  return deleted;
}

async function waitUntilActive(client: DynamoDBClient, table: TablePlan): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table.name }));
    if (Table?.TableStatus === "ACTIVE") return;
    if (Date.now() > deadline) throw new EmulatorError(`${table.address}: table ${table.name} is still ${Table?.TableStatus} after 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function createTableInput(table: TablePlan): CreateTableCommandInput {
  const throughput = (read: number, write: number) =>
    table.billingMode === "PROVISIONED" ? { ProvisionedThroughput: { ReadCapacityUnits: read, WriteCapacityUnits: write } } : {};
  const keys = (hash: string, range?: string) => [
    { AttributeName: hash, KeyType: "HASH" as const },
    ...(range ? [{ AttributeName: range, KeyType: "RANGE" as const }] : []),
  ];
  const projection = (index: TableIndexPlan): Projection => ({
    ProjectionType: index.projectionType as Projection["ProjectionType"],
    ...(index.projectionType === "INCLUDE" ? { NonKeyAttributes: [...index.nonKeyAttributes] } : {}),
  });
  return {
    TableName: table.name,
    AttributeDefinitions: table.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type as "S" | "N" | "B" })),
    KeySchema: keys(table.hashKey, table.rangeKey),
    BillingMode: table.billingMode,
    ...throughput(table.readCapacity, table.writeCapacity),
    ...(table.globalIndexes.length > 0
      ? {
          GlobalSecondaryIndexes: table.globalIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keys(index.hashKey, index.rangeKey),
            Projection: projection(index),
            ...throughput(index.readCapacity, index.writeCapacity),
          })),
        }
      : {}),
    ...(table.localIndexes.length > 0
      ? {
          LocalSecondaryIndexes: table.localIndexes.map((index) => ({
            IndexName: index.name,
            KeySchema: keys(index.hashKey, index.rangeKey),
            Projection: projection(index),
          })),
        }
      : {}),
  };
}
