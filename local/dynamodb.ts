import { mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  type CreateTableCommandInput,
  type Projection,
} from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import { EmulatorError } from "./errors.ts";
import type { TableIndexPlan, TablePlan } from "./plan.ts";

/**
 * Local DynamoDB: dynalite on a free loopback port, with every
 * `aws_dynamodb_table` of the plan created as declared (keys, attributes,
 * global and local secondary indexes with their projections). In memory by
 * default; with `dataDir` the data survive restarts and tables that already
 * exist are kept as they are. dynalite has no TTL: items whose TTL attribute
 * has passed are never deleted locally.
 */

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: what AWS_ENDPOINT_URL_DYNAMODB points at. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export async function startDynamoDb(tables: readonly TablePlan[], options: { dataDir?: string; region: string; log: (line: string) => void }): Promise<LocalDynamoDb> {
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
  client.destroy();
  return { endpoint, close };
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
