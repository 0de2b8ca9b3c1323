import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ConnectionStore, NewConnection, RemovedConnection } from "../core/connection-store.ts";
import { CONNECTION_TABLE } from "../routes.ts";
import { batchWriteAll, type WriteRequest } from "./batch-write.ts";

export interface DynamoDbConnectionStoreOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default CONNECTION_TABLE.roomIndexName */
  readonly roomIndexName?: string;
  /**
   * Items per Query page. Unset lets DynamoDB fill pages up to 1 MB; tests set
   * it low to exercise pagination.
   */
  readonly pageSize?: number;
  /** Waits between BatchWriteItem retries. */
  readonly sleep: (ms: number) => Promise<void>;
}

const { partitionKey, sortKey, roomAttribute, connectionIdAttribute, ttlAttribute } = CONNECTION_TABLE;
const CONNECTION_PREFIX = "CONN#";
const ROOM_PREFIX = "ROOM#";
const CONNECTION_SORT_KEY = "META";

/**
 * The connection store on the single table described by CONNECTION_TABLE in
 * routes.ts. It uses only the actions routes.ts grants: BatchWriteItem to add
 * and delete, Query on the table for one connection's items, and Query on the
 * room index for a room's members. Never Scan.
 */
export class DynamoDbConnectionStore implements ConnectionStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #roomIndexName: string;
  readonly #pageSize: number | undefined;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoDbConnectionStoreOptions) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#roomIndexName = options.roomIndexName ?? CONNECTION_TABLE.roomIndexName;
    this.#pageSize = options.pageSize;
    this.#sleep = options.sleep;
  }

  async addConnection(connection: NewConnection): Promise<void> {
    const pk = CONNECTION_PREFIX + connection.connectionId;
    const connectionItem = {
      [partitionKey]: pk,
      [sortKey]: CONNECTION_SORT_KEY,
      [connectionIdAttribute]: connection.connectionId,
      connectedAt: connection.connectedAt,
      [ttlAttribute]: connection.expiresAt,
    };
    const membershipItems = connection.rooms.map((room) => ({
      [partitionKey]: pk,
      [sortKey]: ROOM_PREFIX + room,
      [roomAttribute]: room,
      [connectionIdAttribute]: connection.connectionId,
      joinedAt: connection.joinedAt,
      [ttlAttribute]: connection.expiresAt,
    }));
    const requests: WriteRequest[] = [connectionItem, ...membershipItems].map((Item) => ({ PutRequest: { Item } }));
    await batchWriteAll(this.#client, this.#tableName, requests, { sleep: this.#sleep });
  }

  async removeConnection(connectionId: string): Promise<RemovedConnection> {
    const pk = CONNECTION_PREFIX + connectionId;
    const sortKeys: string[] = [];
    for await (const items of this.#pages({
      KeyConditionExpression: "#pk = :pk",
      ProjectionExpression: "#sk",
      ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey },
      ExpressionAttributeValues: { ":pk": pk },
    })) {
      sortKeys.push(...items.map((item) => String(item[sortKey])));
    }
    const requests: WriteRequest[] = sortKeys.map((sk) => ({ DeleteRequest: { Key: { [partitionKey]: pk, [sortKey]: sk } } }));
    await batchWriteAll(this.#client, this.#tableName, requests, { sleep: this.#sleep });
    return {
      connectionId,
      hadConnection: sortKeys.includes(CONNECTION_SORT_KEY),
      rooms: sortKeys.filter((sk) => sk.startsWith(ROOM_PREFIX)).map((sk) => sk.slice(ROOM_PREFIX.length)),
    };
  }

  async *roomMembers(room: string): AsyncIterable<readonly string[]> {
    // The index is sparse (only memberships carry `room`), so this reads exactly the room's members.
    for await (const items of this.#pages({
      IndexName: this.#roomIndexName,
      KeyConditionExpression: "#room = :room",
      ProjectionExpression: "#connectionId",
      ExpressionAttributeNames: { "#room": roomAttribute, "#connectionId": connectionIdAttribute },
      ExpressionAttributeValues: { ":room": room },
    })) {
      yield items.map((item) => String(item[connectionIdAttribute]));
    }
  }

  /** Follows LastEvaluatedKey until the Query is exhausted, one page at a time. */
  async *#pages(
    query: Omit<ConstructorParameters<typeof QueryCommand>[0], "TableName" | "ExclusiveStartKey" | "Limit">,
  ): AsyncGenerator<readonly Record<string, unknown>[]> {
    let exclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const output = await this.#client.send(
        new QueryCommand({ ...query, TableName: this.#tableName, Limit: this.#pageSize, ExclusiveStartKey: exclusiveStartKey }),
      );
      yield output.Items ?? [];
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }
}
