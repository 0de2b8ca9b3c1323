/**
 * Child process: the measured broadcaster, contestant (c). It holds what a
 * warm Lambda container holds (the document client the handlers build, the
 * `@connections` senders, one per transport and concurrency) and runs the
 * real core `fanOut` over the real DynamoDbConnectionStore against the
 * DynamoDB and stand-in children, timing wall clock and this process's CPU
 * around the call only. The parent may put this process in a cgroup with a
 * CPU quota, to run it on the share of a core Lambda gives the function's
 * memory size; DynamoDB and the stand-in stay outside the quota.
 */
import { createDocumentClient } from "../../functions/aws/document-client.ts";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import { ManagementApiSenders, type SenderTransport } from "../../functions/aws/management-api-senders.ts";
import { systemClock } from "../../functions/core/clock.ts";
import { fanOut, type FanOutResult } from "../../functions/core/fan-out.ts";
import type { Frame } from "../../contract/frames.ts";
import type { Logger } from "../../functions/core/logger.ts";
import { childOptions, serve } from "./rpc.ts";

// A type, not an interface: startChild takes its options as a plain record.
export type BroadcasterOptions = {
  /** The DynamoDB proxy, given to the SDK as AWS_ENDPOINT_URL_DYNAMODB, as the emulator gives it to functions. */
  readonly dynamoEndpoint: string;
  /** `http://127.0.0.1:<port>/<stage>`: the `@connections` stand-in. */
  readonly connectionsEndpoint: string;
};

export interface BroadcastRun {
  readonly ms: number;
  /** This process's CPU (user + system, every thread) during the call. */
  readonly cpuUs: number;
  /** Wall clock (ms since the epoch, sub-millisecond) when the call started, to set the stand-in's delivery times against. */
  readonly startedAt: number;
  readonly result: FanOutResult;
}

export interface BroadcasterApi {
  pid(): number;
  run(args: { tableName: string; room: string; frame: Frame; transport: SenderTransport; concurrency: number }): Promise<BroadcastRun>;
}

const options = childOptions<BroadcasterOptions>();
process.env["AWS_ENDPOINT_URL_DYNAMODB"] = options.dynamoEndpoint;
const clock = systemClock();
const client = createDocumentClient();
const senders = new Map<string, ManagementApiSenders>();
const stores = new Map<string, DynamoDbConnectionStore>();
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

const api: BroadcasterApi = {
  pid: () => process.pid,
  run: async ({ tableName, room, frame, transport, concurrency }) => {
    const key = `${transport}|${concurrency}`;
    let pool = senders.get(key);
    if (pool === undefined) {
      pool = new ManagementApiSenders({ endpointFor: () => options.connectionsEndpoint, maxSockets: concurrency, transport });
      senders.set(key, pool);
    }
    let store = stores.get(tableName);
    if (store === undefined) {
      store = new DynamoDbConnectionStore({ client, tableName, sleep: clock.sleep });
      stores.set(tableName, store);
    }
    const sender = pool.senderFor({ domainName: "bench", stage: "bench" });
    const startedAt = performance.timeOrigin + performance.now();
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const result = await fanOut(room, frame, { store, sender, clock, logger: silent }, { concurrency });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    return { ms, cpuUs: cpu.user + cpu.system, startedAt, result };
  },
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
