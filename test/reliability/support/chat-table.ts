import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { CONNECTION_TABLE } from "../../../contract/connection-table.ts";
import { roomKey } from "../../../contract/rooms.ts";

/**
 * The chat's table read through the real DynamoDB API (the emulator's
 * dynalite, never the fault proxy), sorted into the item kinds of the
 * data model (contract/connection-table.ts): connections and memberships
 * under `CONN#<id>`, users' connection entries under `USER#<name>`, identity
 * entries under `IDENT#<userId>` / `CONN#<id>`, name claims under
 * `NAME#<name>` (with their bindings, `IDENT#<userId>` / `BINDING`, they
 * outlive a signed-in user's connections), history under `ROOM#<key>` /
 * `MSG#…`.
 */

export type Item = Record<string, unknown> & { pk: string; sk: string };

const { keys } = CONNECTION_TABLE;

export class ChatTable {
  private constructor(
    private readonly client: DynamoDBDocumentClient,
    readonly name: string,
  ) {}

  /** The table at `endpoint`: the only one there, as the chat stack declares one. */
  static async at(endpoint: string): Promise<ChatTable> {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } }));
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.length !== 1) throw new Error(`expected one table at ${endpoint}, found ${TableNames.join(", ") || "none"}`);
    return new ChatTable(client, TableNames[0]!);
  }

  async items(): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(new ScanCommand({ TableName: this.name, ExclusiveStartKey: start, ConsistentRead: true }));
      items.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  async state(): Promise<TableState> {
    return new TableState(await this.items());
  }

  /** Sets attributes of one item, as if it had been written with them. */
  async update(item: Pick<Item, "pk" | "sk">, values: Record<string, unknown>): Promise<void> {
    const names = Object.keys(values);
    await this.client.send(
      new UpdateCommand({
        TableName: this.name,
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(", ")}`,
        ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
        ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])),
        ConditionExpression: "attribute_exists(pk)",
      }),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}

/** One reading of the table, by item kind. */
export class TableState {
  constructor(readonly all: readonly Item[]) {}

  /** `CONN#<id>` / `META` items. */
  get connections(): Item[] {
    return this.all.filter((i) => i.pk.startsWith(keys.connection) && i.sk === keys.connectionSortKey);
  }

  /** `CONN#<id>` / `ROOM#<room>` items. */
  get memberships(): Item[] {
    return this.all.filter((i) => i.pk.startsWith(keys.connection) && i.sk.startsWith(keys.room));
  }

  /** `USER#<name>` / `CONN#<id>` items. */
  get userEntries(): Item[] {
    return this.all.filter((i) => i.pk.startsWith(keys.user));
  }

  /** `IDENT#<userId>` / `CONN#<id>` items: a user's open connections, which `$connect` counts. */
  get identityEntries(): Item[] {
    return this.all.filter((i) => i.pk.startsWith(keys.identity) && i.sk.startsWith(keys.connection));
  }

  /** `NAME#<name>` / `CLAIM` items. */
  get claims(): Item[] {
    return this.all.filter((i) => i.pk.startsWith(keys.name));
  }

  /** History items of `room` (any spelling: rooms are kept under their key), oldest first. */
  history(room: string): Item[] {
    return this.all.filter((i) => i.pk === keys.room + roomKey(room) && i.sk.startsWith(keys.message)).sort((a, b) => (a.sk < b.sk ? -1 : 1));
  }

  /** The ids of the connections that have a connection record. */
  connectionIds(): string[] {
    return this.connections.map((i) => i.pk.slice(keys.connection.length)).sort();
  }

  /** Every item of one connection: its record, memberships, user entry and identity entry. */
  ofConnection(connectionId: string): Item[] {
    return this.all.filter(
      (i) => i.pk === keys.connection + connectionId || ((i.pk.startsWith(keys.user) || i.pk.startsWith(keys.identity)) && i.sk === keys.connection + connectionId),
    );
  }

  /** Rooms a connection is a member of. */
  roomsOf(connectionId: string): string[] {
    return this.memberships.filter((i) => i.pk === keys.connection + connectionId).map((i) => String(i["room"])).sort();
  }

  /** The connection ids whose user entry is under `name` (case-insensitive). */
  connectionsOfUser(name: string): string[] {
    return this.userEntries.filter((i) => i.pk === keys.user + name.toLowerCase()).map((i) => String(i["connectionId"])).sort();
  }

  /**
   * What must never be: a membership, a user entry or an identity entry
   * whose connection record is missing (a broadcast would reach an id nobody
   * can clean up through its record; `$connect` would count a connection that
   * is gone), described one line each.
   */
  orphans(): string[] {
    const connections = new Set(this.connectionIds());
    const lines: string[] = [];
    for (const m of this.memberships) {
      const id = m.pk.slice(keys.connection.length);
      if (!connections.has(id)) lines.push(`membership ${m.pk} ${m.sk} without its connection record`);
    }
    for (const u of this.userEntries) {
      const id = u.sk.slice(keys.connection.length);
      if (!connections.has(id)) lines.push(`user entry ${u.pk} ${u.sk} without its connection record`);
    }
    for (const e of this.identityEntries) {
      const id = e.sk.slice(keys.connection.length);
      if (!connections.has(id)) lines.push(`identity entry ${e.pk} ${e.sk} without its connection record`);
    }
    for (const c of this.connectionIds()) {
      if (!this.userEntries.some((u) => u.sk === keys.connection + c)) lines.push(`connection ${c} without its user entry`);
    }
    return lines;
  }
}
