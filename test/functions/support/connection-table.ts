import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import dynalite from "dynalite";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CONNECTION_TABLE, connectionTableCreateInput } from "../../../contract/connection-table.ts";

/** One DynamoDB call as seen on the wire. */
export interface RecordedCall {
  /** The action, e.g. `Query`, from the `X-Amz-Target` header. */
  readonly action: string;
  readonly input: Record<string, unknown>;
}

/**
 * A real DynamoDB API (dynalite, in memory) holding the connection table as
 * contract/connection-table.ts describes it, behind a small recording proxy. The proxy lets tests
 * see which actions handlers call (a Scan would show up) and make the next
 * BatchWriteItem answer "all unprocessed", which dynalite never does.
 */
export interface ConnectionTableUnderTest {
  /** The proxy's URL: point SDK clients here. */
  readonly endpoint: string;
  readonly tableName: string;
  readonly client: DynamoDBDocumentClient;
  readonly calls: RecordedCall[];
  /** The next `count` BatchWriteItem calls return every request as UnprocessedItems without writing. */
  leaveNextBatchWritesUnprocessed(count: number): void;
  /** Every item under `CONN#<connectionId>`. */
  itemsOf(connectionId: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export async function startConnectionTable(tableName = "wsstack-test-connections"): Promise<ConnectionTableUnderTest> {
  const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoPort = await listen(dynamo);
  const calls: RecordedCall[] = [];
  let unprocessedToFake = 0;

  const proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const action = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
      const input = body.length > 0 ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>) : {};
      calls.push({ action, input });
      if (action === "BatchWriteItem" && unprocessedToFake > 0) {
        unprocessedToFake--;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ UnprocessedItems: input["RequestItems"] }));
        return;
      }
      const forward = httpRequest(
        { host: "127.0.0.1", port: dynamoPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on("error", (error) => res.destroy(error));
      forward.end(body);
    });
  });
  const proxyPort = await listen(proxy);
  const endpoint = `http://127.0.0.1:${proxyPort}`;

  const raw = new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  await raw.send(createTableCommand(tableName));
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  calls.length = 0;

  return {
    endpoint,
    tableName,
    client,
    calls,
    leaveNextBatchWritesUnprocessed: (count) => {
      unprocessedToFake = count;
    },
    itemsOf: async (connectionId) => {
      const output = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": CONNECTION_TABLE.partitionKey },
          ExpressionAttributeValues: { ":pk": CONNECTION_TABLE.keys.connection + connectionId },
          ConsistentRead: true,
        }),
      );
      return output.Items ?? [];
    },
    close: async () => {
      raw.destroy();
      await Promise.all([close(proxy), close(dynamo)]);
    },
  };
}

function createTableCommand(tableName: string): CreateTableCommand {
  return new CreateTableCommand(connectionTableCreateInput(tableName));
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
