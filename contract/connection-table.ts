/**
 * The connection table's schema: the one description that the construct
 * (stacks/connection-table.ts) declares, the store
 * (functions/aws/dynamodb-connection-store.ts) writes, and the tests and the
 * fan-out bench create their tables from. Single-table design:
 *
 * | item            | pk                    | sk                         | other attributes                                                                   |
 * |-----------------|-----------------------|----------------------------|------------------------------------------------------------------------------------|
 * | connection      | `CONN#<id>`           | `META`                     | connectionId, userId, userName, connectedAt, expiresAt, rateWindow, rateCount      |
 * | membership      | `CONN#<id>`           | `ROOM#<key>`               | room (= key), roomName, connectionId, userId, userName, connectedAt, joinedAt, expiresAt |
 * | user entry      | `USER#<lower(name)>`  | `CONN#<id>`                | connectionId, userId, userName, expiresAt                                          |
 * | name claim      | `NAME#<lower(name)>`  | `CLAIM`                    | userId, userName, expiresAt                                                        |
 * | identity entry  | `IDENT#<userId>`      | `CONN#<id>`                | connectionId, expiresAt                                                            |
 * | name binding    | `IDENT#<userId>`      | `BINDING`                  | userName, expiresAt                                                                |
 * | room name       | `ROOM#<key>`          | `NAME`                     | roomName (the first spelling), expiresAt                                           |
 * | message         | `ROOM#<key>`          | `MSG#<sentAt>#<seq>#<id>`  | messageId, message, from, fromId, sentAt, seq, expiresAt                           |
 *
 * `<key>` is the room's match key (contract/rooms.ts): `Lobby` and `lobby`
 * are one room, shown under the spelling its room-name item keeps.
 * The room index (partition `room`, sort `connectionId`) is sparse: only
 * memberships carry `room`, so a broadcast Queries exactly its recipients.
 * A disconnect Queries `pk = CONN#<id>` and deletes what it finds plus its
 * user entry: O(memberships). A private message Queries `USER#<name>`
 * (consistently). A name claim is written with a condition (free, the
 * user's own, or expired), so two users never hold one name; a signed-in
 * user's claim and binding last `name_binding_days` past the last use, and
 * survive their connections. `$connect` counts a user's open connections
 * with a Query on `IDENT#<userId>`. A message counts against its sender's
 * rate with one conditional UpdateItem on the connection item. A room's
 * history is a Query on `ROOM#<room>`, newest first. Every item has a TTL:
 * connection items the connection TTL, messages the history TTL.
 *
 * Part of the contract: no imports.
 */
export const CONNECTION_TABLE = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Key attributes and their DynamoDB types: the table's and the index's keys. */
  attributes: [
    { name: "pk", type: "S" },
    { name: "sk", type: "S" },
    { name: "room", type: "S" },
    { name: "connectionId", type: "S" },
  ],
  roomIndexName: "byRoom",
  roomAttribute: "room",
  connectionIdAttribute: "connectionId",
  ttlAttribute: "expiresAt",
  /** Non-key attributes copied into the room index, so member lists need no extra reads. */
  roomIndexProjection: ["userName", "userId"],
  /** Key prefixes and fixed sort keys of the items above. */
  keys: {
    connection: "CONN#",
    connectionSortKey: "META",
    room: "ROOM#",
    user: "USER#",
    name: "NAME#",
    claimSortKey: "CLAIM",
    identity: "IDENT#",
    bindingSortKey: "BINDING",
    roomNameSortKey: "NAME",
    message: "MSG#",
  },
} as const;

/**
 * The table as DynamoDB's CreateTable takes it (on-demand, the room index
 * included): what tests and the fan-out bench create locally, matching what
 * the stack declares. Plain data, so the contract needs no SDK.
 */
export function connectionTableCreateInput(tableName: string) {
  const t = CONNECTION_TABLE;
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: t.attributes.map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: t.partitionKey, KeyType: "HASH" as const },
      { AttributeName: t.sortKey, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: t.roomIndexName,
        KeySchema: [
          { AttributeName: t.roomAttribute, KeyType: "HASH" as const },
          { AttributeName: t.connectionIdAttribute, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "INCLUDE" as const, NonKeyAttributes: [...t.roomIndexProjection] },
      },
    ],
  };
}
