/**
 * The three ways to broadcast, each as a handler over the same table and
 * @connections stand-in.
 *
 * (a) and (b) are ports of the seed tutorial and of the AWS sample to this
 * project's table: their tables held one item per connection, ours holds
 * three (connection, membership, user entry) and many rooms, so their Scan
 * is filtered to the room's memberships (`room = :room`), which is what a
 * port of either to rooms would do. Everything else is as they wrote it.
 */
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { DeleteCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SenderTransport } from "../../functions/aws/management-api-senders.ts";
import type { Frame } from "../../contract/frames.ts";
import type { BroadcasterApi } from "./broadcaster.ts";
import type { ChildHandle } from "./rpc.ts";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";

export interface BroadcastWorld {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly room: string;
  /** `http://127.0.0.1:<port>/<stage>`: the stand-in. */
  readonly endpoint: string;
  readonly frame: Frame;
}

/** A broadcast handler: resolves when the Lambda would return. */
export type Broadcast = (world: BroadcastWorld) => Promise<unknown>;

export interface Contestant {
  readonly name: string;
  readonly broadcast: Broadcast;
  /**
   * After a run: waits for whatever the handler left running (the tutorial's
   * posts) and releases its sockets (the samples build a client per invocation).
   */
  settle?(): Promise<void>;
  /** Runs in the broadcaster child and times itself there: `broadcast` resolves to its {@link BroadcastRun}. */
  readonly remote?: boolean;
}

const roomFilter = (room: string) => ({
  FilterExpression: "#room = :room",
  ExpressionAttributeNames: { "#room": CONNECTION_TABLE.roomAttribute },
  ExpressionAttributeValues: { ":room": room },
});

/**
 * (a) The seed tutorial: a new client per invocation, one Scan, then
 * `forEach` posting without await, and `return {}` before any of it is done:
 * the Lambda returns (and freezes) with the posts still pending.
 */
export function tutorial(onUnhandled: (error: unknown) => void): Contestant {
  const clients: ApiGatewayManagementApiClient[] = [];
  let leftRunning: Promise<unknown> = Promise.resolve();
  return {
    name: "(a) tutorial: Scan + forEach, no await",
    broadcast: (world) => {
      const apigwManagementApi = new ApiGatewayManagementApiClient({ endpoint: world.endpoint });
      clients.push(apigwManagementApi);
      const send = async (connectionId: string, data: string): Promise<void> => {
        await apigwManagementApi.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: data }));
      };
      const message = JSON.stringify(world.frame);
      const posts: Promise<void>[] = [];
      leftRunning = world.client.send(new ScanCommand({ TableName: world.tableName, ...roomFilter(world.room) })).then((data) => {
        data.Items?.forEach((connection) => {
          // The tutorial leaves these rejections unhandled (Node would end the process); counted here instead.
          posts.push(send(String(connection[CONNECTION_TABLE.connectionIdAttribute]), message).catch(onUnhandled));
        });
        return Promise.all(posts);
      });
      return Promise.resolve({});
    },
    settle: async () => {
      await leftRunning;
      clients.splice(0).forEach((c) => c.destroy());
    },
  };
}

/**
 * (b) The AWS sample (simple-websockets-chat-app, sendmessage): one Scan
 * (no pagination), a client per invocation with the SDK's defaults, then
 * `Promise.all` over every item; a 410 deletes the scanned item, any other
 * error fails the invocation. `paginate` follows LastEvaluatedKey, which the
 * sample does not.
 */
export function awsSample(paginate: boolean): Contestant {
  const clients: ApiGatewayManagementApiClient[] = [];
  return {
    name: paginate ? "(b′) AWS sample, Scan paginated" : "(b) AWS sample: one Scan + Promise.all",
    broadcast: async (world) => {
      const { pk, sk } = { pk: CONNECTION_TABLE.partitionKey, sk: CONNECTION_TABLE.sortKey };
      const items: Record<string, unknown>[] = [];
      let exclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await world.client.send(
          new ScanCommand({
            TableName: world.tableName,
            ProjectionExpression: "#pk, #sk, connectionId",
            ...roomFilter(world.room),
            ExpressionAttributeNames: { "#pk": pk, "#sk": sk, "#room": CONNECTION_TABLE.roomAttribute },
            ExclusiveStartKey: exclusiveStartKey,
          }),
        );
        items.push(...(page.Items ?? []));
        exclusiveStartKey = paginate ? page.LastEvaluatedKey : undefined;
      } while (exclusiveStartKey !== undefined);

      const apigwManagementApi = new ApiGatewayManagementApiClient({ endpoint: world.endpoint });
      clients.push(apigwManagementApi);
      const postData = JSON.stringify(world.frame);
      const postCalls = items.map(async (item) => {
        try {
          await apigwManagementApi.send(new PostToConnectionCommand({ ConnectionId: String(item["connectionId"]), Data: postData }));
        } catch (e) {
          if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410) {
            await world.client.send(new DeleteCommand({ TableName: world.tableName, Key: { [pk]: item[pk], [sk]: item[sk] } }));
          } else {
            throw e;
          }
        }
      });
      try {
        await Promise.all(postCalls);
      } catch (e) {
        return { statusCode: 500, body: String(e) };
      }
      return { statusCode: 200, body: "Data sent." };
    },
    settle: async () => {
      clients.splice(0).forEach((c) => c.destroy());
    },
  };
}

/**
 * (c) Ours: functions/core's fan-out over the real DynamoDB store (Query on
 * the room index, pages streamed into the sends) and the real sender, run in
 * `broadcaster` (bench/fan-out/broadcaster.ts), a child process that keeps
 * its clients across invocations as a warm container keeps them and may sit
 * under a CPU quota.
 */
export function ours(options: { readonly broadcaster: ChildHandle<BroadcasterApi>; readonly transport: SenderTransport; readonly concurrency: number; readonly label?: string }): Contestant & { readonly concurrency: number } {
  return {
    name: options.label ?? `ours, ${options.transport === "lean" ? "lean" : "SDK"} sender, c=${options.concurrency}`,
    concurrency: options.concurrency,
    remote: true,
    broadcast: (world) =>
      options.broadcaster.call("run", { tableName: world.tableName, room: world.room, frame: world.frame, transport: options.transport, concurrency: options.concurrency }),
  };
}
