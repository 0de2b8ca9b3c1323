/**
 * Child process: local DynamoDB (dynalite, in memory) behind a recording
 * proxy, as bench/fan-out/dynamo.ts, that also answers what each call cost.
 *
 * The proxy adds `ReturnConsumedCapacity: TOTAL` to every request that takes
 * it (dynalite does not check signatures, so the changed body is accepted)
 * and keeps, per call: the action, which items it touched (by the table's
 * item kinds, contract/connection-table.ts), whether it failed and why, and
 * the capacity units dynalite computed. Answers are passed on byte for byte,
 * so the SDK's CRC32 check still holds.
 *
 * Dynalite computes capacity as DynamoDB does for the base table (1 WCU per
 * started KB written, 1 RCU per started 4 KB read strongly, 0.5 eventually),
 * with two gaps the proxy fills with estimates, kept apart in the numbers:
 * a failed conditional write comes back without any (DynamoDB charges it by
 * the item's size; every such write here touches a connection item under
 * 1 KB: 1 WCU), and a Query that finds nothing is charged 0 (DynamoDB rounds
 * a read up to the next 4 KB, so: 1 RCU strongly consistent, 0.5 eventually).
 * Writes to the room index (memberships) are not in dynalite's numbers.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html
 */
import dynalite from "dynalite";
import { Agent, createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CONNECTION_TABLE, connectionTableCreateInput } from "../../contract/connection-table.ts";
import { serve } from "../fan-out/rpc.ts";

export interface TracedCall {
  readonly action: string;
  /** What it read or wrote, e.g. `connection item`, `room index`, `3 puts, 1 delete`. */
  readonly target: string;
  /** The DynamoDB error name when it failed, e.g. `ConditionalCheckFailedException`. */
  readonly error?: string;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Read units the proxy estimated (a read that found nothing), included in readUnits. */
  readonly estimatedReadUnits: number;
  /** Write units the proxy estimated (a failed conditional write), included in writeUnits. */
  readonly estimatedWriteUnits: number;
  /** Items a BatchWriteItem or DeleteItem asked to delete. */
  readonly deletes: number;
}

export interface CostStats {
  readonly calls: Record<string, number>;
  readonly trace: readonly TracedCall[];
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly estimatedReadUnits: number;
  readonly estimatedWriteUnits: number;
  readonly deletes: number;
}

export interface CostDynamoApi {
  endpoint(): string;
  tableDefinition(args: { tableName: string }): unknown;
  reset(): void;
  /** The calls since the last reset; `trace: false` leaves the per-call list out (a disconnect makes thousands of prune calls). */
  stats(args?: { trace?: boolean }): CostStats;
}

type AttributeValue = { S?: string };
type Key = Record<string, AttributeValue>;
interface RequestBody {
  IndexName?: string;
  Key?: Key;
  Item?: Key;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  KeyConditionExpression?: string;
  RequestItems?: Record<string, { PutRequest?: unknown; DeleteRequest?: unknown }[]>;
  ReturnConsumedCapacity?: string;
  ConsistentRead?: boolean;
}
type Capacity = { CapacityUnits?: number };

const { partitionKey, sortKey, keys } = CONNECTION_TABLE;
const TAKES_CAPACITY = new Set(["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchWriteItem", "BatchGetItem"]);
const READS = new Set(["GetItem", "Query", "Scan", "BatchGetItem"]);

/** The item kind of a key, in the words of contract/connection-table.ts. */
export function itemKind(pk: string, sk: string): string {
  if (pk.startsWith(keys.connection)) return sk === keys.connectionSortKey ? "connection item" : sk.startsWith(keys.room) ? "membership" : "connection's item";
  if (pk.startsWith(keys.user)) return "user entry";
  if (pk.startsWith(keys.name)) return "name claim";
  if (pk.startsWith(keys.identity)) return sk === keys.bindingSortKey ? "name binding" : "identity entry";
  if (pk.startsWith(keys.room)) return sk === keys.roomNameSortKey ? "room name" : "message";
  return "other";
}

/** What a Query reads: its partition's kind, narrowed by a `begins_with` on the sort key. */
function queryKind(body: RequestBody): string {
  if (body.IndexName !== undefined) return "room index";
  const values = Object.values(body.ExpressionAttributeValues ?? {}).map((v) => v.S ?? "");
  const pk = values.find((v) => [keys.connection, keys.user, keys.identity, keys.room, keys.name].some((p) => v.startsWith(p))) ?? "";
  const narrowed = /begins_with/.test(body.KeyConditionExpression ?? "") ? values.find((v) => v !== pk && v !== "") : undefined;
  if (pk.startsWith(keys.connection)) return narrowed === keys.room ? "connection's memberships" : "connection's items";
  if (pk.startsWith(keys.user)) return "user entries";
  if (pk.startsWith(keys.identity)) return "identity's connections";
  if (pk.startsWith(keys.room)) return "room history";
  return "other";
}

function describe(action: string, body: RequestBody): { target: string; deletes: number } {
  if (action === "Query") return { target: queryKind(body), deletes: 0 };
  if (action === "BatchWriteItem") {
    const requests = Object.values(body.RequestItems ?? {}).flat();
    const deletes = requests.filter((r) => r.DeleteRequest !== undefined).length;
    return { target: `${requests.length - deletes} puts, ${deletes} deletes`, deletes };
  }
  const key = body.Key ?? body.Item;
  const kind = key === undefined ? "other" : itemKind(key[partitionKey]?.S ?? "", key[sortKey]?.S ?? "");
  return { target: kind, deletes: action === "DeleteItem" ? 1 : 0 };
}

function units(consumed: Capacity | Capacity[] | undefined): number {
  if (consumed === undefined) return 0;
  return (Array.isArray(consumed) ? consumed : [consumed]).reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const dynamo = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const dynamoPort = await listen(dynamo);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let calls: Record<string, number> = {};
let trace: TracedCall[] = [];

const proxy = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const action = String(req.headers["x-amz-target"] ?? "").split(".").pop() ?? "";
    calls[action] = (calls[action] ?? 0) + 1;
    let payload = Buffer.concat(chunks);
    let body: RequestBody = {};
    try {
      body = JSON.parse(payload.toString("utf8")) as RequestBody;
    } catch {
      // Not JSON (e.g. a health check): forwarded as it came.
    }
    const headers = { ...req.headers };
    if (TAKES_CAPACITY.has(action) && body.ReturnConsumedCapacity === undefined) {
      payload = Buffer.from(JSON.stringify({ ...body, ReturnConsumedCapacity: "TOTAL" }));
      headers["content-length"] = String(payload.length);
    }
    const { target, deletes } = describe(action, body);
    const forward = request({ host: "127.0.0.1", port: dynamoPort, method: req.method, path: req.url, headers, agent }, (answer) => {
      const received: Buffer[] = [];
      answer.on("data", (chunk: Buffer) => received.push(chunk));
      answer.on("end", () => {
        const text = Buffer.concat(received);
        let parsed: { ConsumedCapacity?: Capacity | Capacity[]; __type?: string } = {};
        try {
          parsed = JSON.parse(text.toString("utf8")) as typeof parsed;
        } catch {
          // An empty or non-JSON answer carries no capacity.
        }
        const error = answer.statusCode === 200 ? undefined : (parsed.__type ?? `HTTP ${answer.statusCode}`).split("#").pop();
        const consumed = units(parsed.ConsumedCapacity);
        const reads = READS.has(action);
        const estimatedWrite = error === "ConditionalCheckFailedException" ? 1 : 0;
        const estimatedRead = reads && error === undefined && consumed === 0 ? (body.ConsistentRead ? 1 : 0.5) : 0;
        trace.push({
          action,
          target,
          ...(error === undefined ? {} : { error }),
          readUnits: reads ? consumed + estimatedRead : 0,
          writeUnits: reads ? 0 : consumed + estimatedWrite,
          estimatedReadUnits: estimatedRead,
          estimatedWriteUnits: estimatedWrite,
          deletes: error === undefined ? deletes : 0,
        });
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        res.end(text);
      });
    });
    forward.on("error", (error) => res.destroy(error));
    forward.end(payload);
  });
});
const proxyPort = await listen(proxy);

const api: CostDynamoApi = {
  endpoint: () => `http://127.0.0.1:${proxyPort}`,
  tableDefinition: ({ tableName }) => connectionTableCreateInput(tableName),
  reset: () => {
    calls = {};
    trace = [];
  },
  stats: (args) => {
    const sum = (pick: (c: TracedCall) => number): number => trace.reduce((total, c) => total + pick(c), 0);
    return {
      calls,
      trace: args?.trace === false ? [] : trace,
      readUnits: sum((c) => c.readUnits),
      writeUnits: sum((c) => c.writeUnits),
      estimatedReadUnits: sum((c) => c.estimatedReadUnits),
      estimatedWriteUnits: sum((c) => c.estimatedWriteUnits),
      deletes: sum((c) => c.deletes),
    };
  },
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
