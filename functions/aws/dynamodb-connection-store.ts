import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { NameTakenError } from "../core/client-errors.ts";
import { utf8ByteLength } from "../core/client-message.ts";
import type {
  ConnectionRecord,
  ConnectionStore,
  Membership,
  MessageHistory,
  MessagePage,
  MessagePosition,
  NameClaims,
  NewConnection,
  NewMembership,
  RemovedConnection,
  RoomMember,
  RoomPage,
  UserConnection,
} from "../core/connection-store.ts";
import type { MessageFrame } from "../../contract/frames.ts";
import { isSignedIn, nameKey } from "../core/identity.ts";
import { roomKey } from "../../contract/rooms.ts";
import { orderKey } from "../../contract/message-order.ts";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
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

const { partitionKey, sortKey, roomAttribute, connectionIdAttribute, ttlAttribute, keys } = CONNECTION_TABLE;

type Item = Record<string, unknown>;
type QueryInput = Omit<ConstructorParameters<typeof QueryCommand>[0], "TableName" | "ExclusiveStartKey">;

/**
 * The chat's store on the single table described by CONNECTION_TABLE in
 * routes.ts (see the item layout there). Only history items live under
 * `ROOM#`, and only memberships carry `room`, so the room index lists exactly
 * a room's members. Never Scan; no transactions.
 */
export class DynamoDbConnectionStore implements ConnectionStore, NameClaims, MessageHistory {
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
    const { connectionId, userId, userName, expiresAt } = connection;
    const connectionItem = {
      ...connectionKey(connectionId),
      [connectionIdAttribute]: connectionId,
      userId,
      userName,
      connectedAt: connection.connectedAt,
      [ttlAttribute]: expiresAt,
    };
    const membershipItems = connection.rooms.map((room) =>
      membershipItem({ connectionId, room, userName, userId, connectedAt: connection.connectedAt, joinedAt: connection.joinedAt, expiresAt }, room),
    );
    const identityEntry = { [partitionKey]: keys.identity + userId, [sortKey]: keys.connection + connectionId, [connectionIdAttribute]: connectionId, [ttlAttribute]: expiresAt };
    const items = [connectionItem, ...membershipItems, userEntryItem(connectionId, userId, userName, expiresAt), identityEntry];
    await this.#writeAll(items.map((Item) => ({ PutRequest: { Item } })));
  }

  async removeConnection(connectionId: string): Promise<RemovedConnection> {
    return this.#remove(connectionId, await this.#connectionItems(connectionId));
  }

  async removeStaleConnection(connectionId: string, connectedBefore: number): Promise<RemovedConnection | undefined> {
    const items = await this.#connectionItems(connectionId);
    // Items written before connectedAt was stored have none; they are old by definition.
    const young = items.some((item) => typeof item["connectedAt"] === "number" && item["connectedAt"] >= connectedBefore);
    return young ? undefined : this.#remove(connectionId, items);
  }

  #connectionItems(connectionId: string): Promise<Item[]> {
    return this.#queryAll({
      KeyConditionExpression: "#pk = :pk",
      ProjectionExpression: "#sk, userName, userId, roomName, connectedAt",
      ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey },
      ExpressionAttributeValues: { ":pk": keys.connection + connectionId },
      ConsistentRead: true,
    });
  }

  async #remove(connectionId: string, items: readonly Item[]): Promise<RemovedConnection> {
    const meta = items.find((item) => item[sortKey] === keys.connectionSortKey);
    const userName = optionalString((meta ?? items[0])?.["userName"]);
    const userId = optionalString((meta ?? items[0])?.["userId"]);
    const requests: WriteRequest[] = items.map((item) => ({ DeleteRequest: { Key: { [partitionKey]: keys.connection + connectionId, [sortKey]: item[sortKey] } } }));
    if (userName !== undefined) {
      requests.push({ DeleteRequest: { Key: userEntryKey(userName, connectionId) } });
    }
    if (userId !== undefined) {
      requests.push({ DeleteRequest: { Key: { [partitionKey]: keys.identity + userId, [sortKey]: keys.connection + connectionId } } });
    }
    await this.#writeAll(requests);
    if (userName !== undefined && userId !== undefined) {
      await this.#releaseClaimIfUnused(userName, userId);
    }
    const memberships = items.filter((item) => String(item[sortKey]).startsWith(keys.room));
    return {
      connectionId,
      hadConnection: meta !== undefined,
      rooms: memberships.map((item) => String(item[sortKey]).slice(keys.room.length)),
      roomNames: memberships.map((item) => optionalString(item["roomName"]) ?? String(item[sortKey]).slice(keys.room.length)),
      ...(userName === undefined ? {} : { userName }),
      ...(userId === undefined ? {} : { userId }),
    };
  }

  async connection(connectionId: string): Promise<ConnectionRecord | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: connectionKey(connectionId), ConsistentRead: true }));
    if (Item === undefined) return undefined;
    return {
      connectionId,
      userId: userIdOf(Item, connectionId),
      userName: displayName(Item),
      ...(typeof Item["connectedAt"] === "number" ? { connectedAt: Item["connectedAt"] } : {}),
      expiresAt: Number(Item[ttlAttribute]),
    };
  }

  async *roomMembers(room: string): AsyncIterable<readonly RoomMember[]> {
    // The index is sparse (only memberships carry `room`), so this reads exactly the room's members.
    for await (const items of this.#pages({
      IndexName: this.#roomIndexName,
      KeyConditionExpression: "#room = :room",
      ProjectionExpression: "#connectionId, userName, userId",
      ExpressionAttributeNames: { "#room": roomAttribute, "#connectionId": connectionIdAttribute },
      ExpressionAttributeValues: { ":room": roomKey(room) },
    })) {
      yield items.map((item) => {
        const userName = optionalString(item["userName"]);
        const userId = optionalString(item["userId"]);
        return { connectionId: String(item[connectionIdAttribute]), ...(userName === undefined ? {} : { userName }), ...(userId === undefined ? {} : { userId }) };
      });
    }
  }

  async roomPage(room: string, page: { readonly limit: number; readonly cursor?: string }): Promise<RoomPage> {
    const output = await this.#client.send(
      new QueryCommand({
        TableName: this.#tableName,
        IndexName: this.#roomIndexName,
        KeyConditionExpression: "#room = :room",
        // Ids only: a page of a 100,000-member room is read, unmarshalled and passed on at a fraction of CPU Lambda gives.
        ProjectionExpression: "#connectionId",
        ExpressionAttributeNames: { "#room": roomAttribute, "#connectionId": connectionIdAttribute },
        ExpressionAttributeValues: { ":room": roomKey(room) },
        Limit: page.limit,
        ExclusiveStartKey: page.cursor === undefined ? undefined : decodeCursor(page.cursor),
      }),
    );
    const connectionIds = (output.Items ?? []).map((item) => String(item[connectionIdAttribute]));
    return output.LastEvaluatedKey === undefined ? { connectionIds } : { connectionIds, cursor: encodeCursor(output.LastEvaluatedKey) };
  }

  async roomSize(room: string): Promise<number> {
    // Select COUNT reads (and bills) every item but returns none: no unmarshalling, 1 MB of index per call.
    let count = 0;
    let exclusiveStartKey: Item | undefined;
    do {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: this.#roomIndexName,
          KeyConditionExpression: "#room = :room",
          ExpressionAttributeNames: { "#room": roomAttribute },
          ExpressionAttributeValues: { ":room": roomKey(room) },
          Select: "COUNT",
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      count += output.Count ?? 0;
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
    return count;
  }

  async membership(connectionId: string, room: string): Promise<Membership | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: membershipKey(connectionId, room), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : membershipOf(Item, connectionId);
  }

  async joinRoom(membership: NewMembership): Promise<{ readonly alreadyMember: boolean; readonly roomName: string }> {
    // The first spelling stays the room's name; each join renews the item's TTL with its membership's.
    const { Attributes: room } = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { [partitionKey]: keys.room + roomKey(membership.room), [sortKey]: keys.roomNameSortKey },
        UpdateExpression: "SET roomName = if_not_exists(roomName, :name), #expiresAt = :expiresAt",
        ExpressionAttributeNames: { "#expiresAt": ttlAttribute },
        ExpressionAttributeValues: { ":name": membership.room, ":expiresAt": membership.expiresAt },
        ReturnValues: "ALL_NEW",
      }),
    );
    const roomName = optionalString(room?.["roomName"]) ?? membership.room;
    const { Attributes } = await this.#client.send(
      new PutCommand({ TableName: this.#tableName, Item: membershipItem(membership, roomName), ReturnValues: "ALL_OLD" }),
    );
    return { alreadyMember: Attributes !== undefined, roomName };
  }

  async roomsOf(connectionId: string): Promise<readonly string[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :room)",
      ProjectionExpression: "#sk",
      ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey },
      ExpressionAttributeValues: { ":pk": keys.connection + connectionId, ":room": keys.room },
      ConsistentRead: true,
    });
    return items.map((item) => String(item[sortKey]).slice(keys.room.length));
  }

  async leaveRoom(connectionId: string, room: string): Promise<Membership | undefined> {
    const { Attributes } = await this.#client.send(
      new DeleteCommand({ TableName: this.#tableName, Key: membershipKey(connectionId, room), ReturnValues: "ALL_OLD" }),
    );
    return Attributes === undefined ? undefined : membershipOf(Attributes, connectionId);
  }

  async identityConnections(userId: string, nowSeconds: number): Promise<readonly string[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :conn)",
      FilterExpression: "#expiresAt > :now",
      ProjectionExpression: "#connectionId",
      ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey, "#expiresAt": ttlAttribute, "#connectionId": connectionIdAttribute },
      ExpressionAttributeValues: { ":pk": keys.identity + userId, ":conn": keys.connection, ":now": nowSeconds },
      ConsistentRead: true,
    });
    return items.map((item) => String(item[connectionIdAttribute]));
  }

  async countMessage(connectionId: string, budget: { readonly window: number; readonly limit: number }): Promise<boolean> {
    // Usually one write: another message in the same window, under the limit.
    if (await this.#addToWindow(connectionId, budget)) return true;
    if (await this.#startWindow(connectionId, budget.window)) return true;
    // Another message of this connection started the window between our two writes: count in it.
    return this.#addToWindow(connectionId, budget);
  }

  /** Adds one to the count of `window`; false when the count is of another window, or at the limit. */
  async #addToWindow(connectionId: string, budget: { readonly window: number; readonly limit: number }): Promise<boolean> {
    return this.#conditionally(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: "ADD rateCount :one",
        ConditionExpression: "rateWindow = :window AND rateCount < :limit",
        ExpressionAttributeValues: { ":one": 1, ":window": budget.window, ":limit": budget.limit },
      }),
    );
  }

  /** Starts `window` with a count of one; false when it has started already (or the connection is gone). */
  async #startWindow(connectionId: string, window: number): Promise<boolean> {
    return this.#conditionally(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: connectionKey(connectionId),
        UpdateExpression: "SET rateWindow = :window, rateCount = :one",
        ConditionExpression: "attribute_exists(#pk) AND (attribute_not_exists(rateWindow) OR rateWindow <> :window)",
        ExpressionAttributeNames: { "#pk": partitionKey },
        ExpressionAttributeValues: { ":one": 1, ":window": window },
      }),
    );
  }

  /** Sends a conditional write; says whether its condition held. */
  async #conditionally(command: UpdateCommand): Promise<boolean> {
    try {
      await this.#client.send(command);
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async userConnections(userName: string): Promise<readonly UserConnection[]> {
    const items = await this.#queryAll({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": partitionKey },
      ExpressionAttributeValues: { ":pk": keys.user + nameKey(userName) },
      // A private message right after a connect or a rename must find the new entry.
      ConsistentRead: true,
    });
    return items.map((item) => ({ connectionId: String(item[connectionIdAttribute]), userName: displayName(item), userId: userIdOf(item, String(item[connectionIdAttribute])) }));
  }

  async rename(connectionId: string, userName: string): Promise<{ readonly previousName: string } | undefined> {
    const items = await this.#queryAll({
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": partitionKey },
      ExpressionAttributeValues: { ":pk": keys.connection + connectionId },
      ConsistentRead: true,
    });
    const meta = items.find((item) => item[sortKey] === keys.connectionSortKey);
    if (meta === undefined) return undefined;
    const previousName = displayName(meta);
    const userId = userIdOf(meta, connectionId);
    const expiresAt = Number(meta[ttlAttribute]);
    // BatchWriteItem rewrites whole items: the connection and its memberships with the new name.
    const requests: WriteRequest[] = items.map((item) => ({ PutRequest: { Item: { ...item, userName } } }));
    const nameChanged = nameKey(previousName) !== nameKey(userName);
    if (nameChanged) {
      // One batch may not touch a key twice, so the entry is only deleted when its key changes.
      requests.push({ DeleteRequest: { Key: userEntryKey(previousName, connectionId) } });
    }
    requests.push({ PutRequest: { Item: userEntryItem(connectionId, userId, userName, expiresAt) } });
    await this.#writeAll(requests);
    if (nameChanged) {
      await this.#releaseClaimIfUnused(previousName, userId);
    }
    return { previousName };
  }

  async claimName(claim: { readonly name: string; readonly userId: string; readonly expiresAt: number; readonly nowSeconds: number }): Promise<void> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...claimKey(claim.name), userId: claim.userId, userName: claim.name, [ttlAttribute]: claim.expiresAt },
          // Free, ours already, or a claim whose TTL passed but which DynamoDB has not deleted yet.
          ConditionExpression: "attribute_not_exists(#pk) OR #userId = :me OR #expiresAt < :now",
          ExpressionAttributeNames: { "#pk": partitionKey, "#userId": "userId", "#expiresAt": ttlAttribute },
          ExpressionAttributeValues: { ":me": claim.userId, ":now": claim.nowSeconds },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) {
        throw new NameTakenError(claim.name, { cause: error });
      }
      throw error;
    }
  }

  async boundName(userId: string, nowSeconds: number): Promise<string | undefined> {
    const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: bindingKey(userId), ConsistentRead: true }));
    // TTL deletion lags expiry: a lapsed binding is no binding.
    return Item === undefined || !(Number(Item[ttlAttribute]) > nowSeconds) ? undefined : optionalString(Item["userName"]);
  }

  async bindName(binding: { readonly userId: string; readonly name: string; readonly expiresAt: number }): Promise<void> {
    await this.#client.send(new PutCommand({ TableName: this.#tableName, Item: { ...bindingKey(binding.userId), userName: binding.name, [ttlAttribute]: binding.expiresAt } }));
  }

  async appendMessage(message: MessageFrame, expiresAt: number): Promise<void> {
    // No `room` attribute: that would put the message in the room index as a member.
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: {
          ...historyKey(message.room, message),
          messageId: message.id,
          message: message.message,
          from: message.from,
          fromId: message.fromId,
          sentAt: message.sentAt,
          seq: message.seq,
          [ttlAttribute]: expiresAt,
        },
      }),
    );
  }

  async recentMessages(
    room: string,
    options: { readonly before?: MessagePosition; readonly limit: number; readonly maxBytes?: number; readonly nowSeconds: number },
  ): Promise<MessagePage> {
    const before = options.before === undefined ? undefined : historyKey(room, options.before)[sortKey];
    // One more than asked, to know whether an older page exists without a trailing empty one.
    const wanted = options.limit + 1;
    const messages: MessageFrame[] = [];
    const positions: MessagePosition[] = [];
    let bytes = 0;
    let full = false;
    let exclusiveStartKey: Item | undefined;
    do {
      const output = await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: before === undefined ? "#pk = :pk AND begins_with(#sk, :msg)" : "#pk = :pk AND #sk < :before",
          // TTL deletion lags expiry by up to days: expired messages are skipped here.
          FilterExpression: "#expiresAt > :now",
          ExpressionAttributeNames: { "#pk": partitionKey, "#sk": sortKey, "#expiresAt": ttlAttribute },
          ExpressionAttributeValues: { ":pk": keys.room + roomKey(room), ":now": options.nowSeconds, ...(before === undefined ? { ":msg": keys.message } : { ":before": before }) },
          ScanIndexForward: false,
          Limit: Math.min(this.#pageSize ?? wanted, wanted - messages.length),
          ExclusiveStartKey: exclusiveStartKey,
        }),
      );
      for (const item of output.Items ?? []) {
        const seq = typeof item["seq"] === "number" ? item["seq"] : undefined;
        const sentAt = String(item["sentAt"]);
        const id = String(item["messageId"]);
        // Messages stored before they carried the sender's id show an empty one: who sent them is not known.
        const fromId = optionalString(item["fromId"]) ?? "";
        const message: MessageFrame = { type: "message", room, message: String(item["message"]), from: String(item["from"]), fromId, sentAt, seq: seq ?? 0, id };
        // A page must fit in one WebSocket message: past maxBytes, the page ends and `next` points here.
        bytes += utf8ByteLength(JSON.stringify(message)) + 1;
        if (options.maxBytes !== undefined && bytes > options.maxBytes && messages.length > 0) {
          full = true;
          break;
        }
        messages.push(message);
        positions.push(seq === undefined ? { sentAt, id } : { sentAt, seq, id });
      }
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (!full && exclusiveStartKey !== undefined && messages.length < wanted);
    if (full) {
      return { messages, next: positions[positions.length - 1]! };
    }
    if (messages.length <= options.limit) {
      return { messages };
    }
    return { messages: messages.slice(0, options.limit), next: positions[options.limit - 1]! };
  }

  /**
   * Deletes the name's claim unless another connection of the same user still
   * shows that name, or it is the signed-in user's bound name. The delete is
   * conditional on the claim still being this user's, so a name another user
   * claimed meanwhile is left alone.
   */
  async #releaseClaimIfUnused(userName: string, userId: string): Promise<void> {
    if (isSignedIn(userId)) {
      const { Item } = await this.#client.send(new GetCommand({ TableName: this.#tableName, Key: bindingKey(userId), ConsistentRead: true }));
      const bound = optionalString(Item?.["userName"]);
      if (bound !== undefined && nameKey(bound) === nameKey(userName)) return;
    }
    const stillUsed = (await this.#queryAll({
      KeyConditionExpression: "#pk = :pk",
      ProjectionExpression: "userId",
      ExpressionAttributeNames: { "#pk": partitionKey },
      ExpressionAttributeValues: { ":pk": keys.user + nameKey(userName) },
      ConsistentRead: true,
    })).some((item) => item["userId"] === userId);
    if (stillUsed) return;
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#tableName,
          Key: claimKey(userName),
          ConditionExpression: "#userId = :me",
          ExpressionAttributeNames: { "#userId": "userId" },
          ExpressionAttributeValues: { ":me": userId },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  #writeAll(requests: readonly WriteRequest[]): Promise<void> {
    return batchWriteAll(this.#client, this.#tableName, requests, { sleep: this.#sleep });
  }

  async #queryAll(query: QueryInput): Promise<Item[]> {
    const items: Item[] = [];
    for await (const page of this.#pages(query)) items.push(...page);
    return items;
  }

  /** Follows LastEvaluatedKey until the Query is exhausted, one page at a time. */
  async *#pages(query: QueryInput): AsyncGenerator<readonly Item[]> {
    let exclusiveStartKey: Item | undefined;
    do {
      const output = await this.#client.send(
        new QueryCommand({ ...query, TableName: this.#tableName, Limit: this.#pageSize, ExclusiveStartKey: exclusiveStartKey }),
      );
      yield output.Items ?? [];
      exclusiveStartKey = output.LastEvaluatedKey;
    } while (exclusiveStartKey !== undefined);
  }
}

/** A room page's cursor: the Query's LastEvaluatedKey (string attributes only on this table and index), as base64url JSON. */
function encodeCursor(key: Item): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The cursor back to an ExclusiveStartKey; anything that is not one fails as InvalidRoomCursorError. */
function decodeCursor(cursor: string): Item {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidRoomCursorError();
  }
  if (typeof key !== "object" || key === null || Array.isArray(key) || !Object.values(key).every((value) => typeof value === "string")) {
    throw new InvalidRoomCursorError();
  }
  return key as Item;
}

/** A room page's cursor that this store did not write. */
export class InvalidRoomCursorError extends Error {
  override readonly name = "InvalidRoomCursorError";
  constructor() {
    super("not a room page cursor");
  }
}

function connectionKey(connectionId: string): Item {
  return { [partitionKey]: keys.connection + connectionId, [sortKey]: keys.connectionSortKey };
}

function membershipKey(connectionId: string, room: string): Item {
  return { [partitionKey]: keys.connection + connectionId, [sortKey]: keys.room + roomKey(room) };
}

function membershipItem(membership: NewMembership, roomName: string): Item {
  return {
    ...membershipKey(membership.connectionId, membership.room),
    [roomAttribute]: roomKey(membership.room),
    roomName,
    [connectionIdAttribute]: membership.connectionId,
    userName: membership.userName,
    userId: membership.userId,
    ...(membership.connectedAt === undefined ? {} : { connectedAt: membership.connectedAt }),
    joinedAt: membership.joinedAt,
    [ttlAttribute]: membership.expiresAt,
  };
}

function userEntryKey(userName: string, connectionId: string): Item {
  return { [partitionKey]: keys.user + nameKey(userName), [sortKey]: keys.connection + connectionId };
}

function userEntryItem(connectionId: string, userId: string, userName: string, expiresAt: number): Item {
  return { ...userEntryKey(userName, connectionId), [connectionIdAttribute]: connectionId, userId, userName, [ttlAttribute]: expiresAt };
}

function bindingKey(userId: string): Item {
  return { [partitionKey]: keys.identity + userId, [sortKey]: keys.bindingSortKey };
}

function claimKey(name: string): Item {
  return { [partitionKey]: keys.name + nameKey(name), [sortKey]: keys.claimSortKey };
}

function historyKey(room: string, position: MessagePosition): Item {
  // Messages stored before `seq` existed keep their `<sentAt>#<id>` keys; both sort by time first.
  const place = position.seq === undefined ? `${position.sentAt}#${position.id}` : orderKey(position);
  return { [partitionKey]: keys.room + roomKey(room), [sortKey]: keys.message + place };
}

function membershipOf(item: Item, connectionId: string): Membership {
  const room = String(item[sortKey]).slice(keys.room.length);
  return { connectionId, room, roomName: optionalString(item["roomName"]) ?? room, userName: displayName(item), userId: userIdOf(item, connectionId) };
}

// Items written before user ids were hashed carry the old `anon:<id>` or a raw `sub`; they expire within hours.
function userIdOf(item: Item, connectionId: string): string {
  return optionalString(item["userId"]) ?? `anon:${connectionId}`;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

// Records written before connections had names have none; they expire within hours.
function displayName(item: Item): string {
  return optionalString(item["userName"]) ?? "guest";
}

function isConditionalCheckFailed(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "ConditionalCheckFailedException";
}
