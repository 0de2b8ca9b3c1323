/**
 * Child process: the measured `$disconnect`. It holds what a warm Lambda
 * container holds (the document client the handlers build, the
 * `@connections` senders, a JSON logger) and runs the real core `disconnect`
 * against the DynamoDB and stand-in children, timing wall clock and this
 * process's CPU around the call only. The parent may put this process in a
 * cgroup with a CPU quota, to run it on the share of a core Lambda gives
 * the function's memory size.
 */
import { createDocumentClient } from "../../functions/aws/document-client.ts";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import { createJsonLogger } from "../../functions/aws/json-logger.ts";
import { ManagementApiSenders } from "../../functions/aws/management-api-senders.ts";
import { systemClock } from "../../functions/core/clock.ts";
import { disconnect } from "../../functions/core/disconnect.ts";
import { childOptions, serve } from "../fan-out/rpc.ts";

// A type, not an interface: startChild takes its options as a plain record.
export type RunnerOptions = {
  /** The DynamoDB proxy, given to the SDK as AWS_ENDPOINT_URL_DYNAMODB, as the emulator gives it to functions. */
  readonly dynamoEndpoint: string;
  /** `http://127.0.0.1:<port>/<stage>`: the `@connections` stand-in. */
  readonly connectionsEndpoint: string;
  /** Posts in flight per broadcast, and sockets to the stand-in, as the handler sets them. */
  readonly fanOutConcurrency: number;
};

export interface DisconnectRun {
  readonly ms: number;
  /** When the connection's own items were deleted (removeConnection resolved), ms from the call; the presence broadcasts follow. */
  readonly deletedMs: number;
  /** This process's CPU (user + system, every thread) during the call. */
  readonly cpuUs: number;
  readonly rooms: number;
  readonly hadConnection: boolean;
  /** Lines the JSON logger wrote (Lambda ships each to CloudWatch). */
  readonly logLines: number;
}

export interface RunnerApi {
  pid(): number;
  run(args: { tableName: string; connectionId: string }): Promise<DisconnectRun>;
}

const options = childOptions<RunnerOptions>();
process.env["AWS_ENDPOINT_URL_DYNAMODB"] = options.dynamoEndpoint;
const clock = systemClock();
const client = createDocumentClient();
const senders = new ManagementApiSenders({ endpointFor: () => options.connectionsEndpoint, maxSockets: options.fanOutConcurrency });
const sender = senders.senderFor({ domainName: "bench", stage: "bench" });
/** The real store, noting when the connection's own deletes are done (prunes of others use removeStaleConnection). */
class TimedStore extends DynamoDbConnectionStore {
  removedAt: bigint | undefined;
  override async removeConnection(connectionId: string): ReturnType<DynamoDbConnectionStore["removeConnection"]> {
    const removed = await super.removeConnection(connectionId);
    this.removedAt = process.hrtime.bigint();
    return removed;
  }
}

const stores = new Map<string, TimedStore>();
let logLines = 0;
// The handler's logger at its default level; the lines are counted, not printed, so the table on stdout stays clean.
const logger = createJsonLogger({ level: "info", write: () => void logLines++ });

const api: RunnerApi = {
  pid: () => process.pid,
  run: async ({ tableName, connectionId }) => {
    let store = stores.get(tableName);
    if (store === undefined) {
      store = new TimedStore({ client, tableName, sleep: clock.sleep });
      stores.set(tableName, store);
    }
    logLines = 0;
    store.removedAt = undefined;
    const log = logger.child({ connectionId, requestId: `bench-${Date.now()}` });
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    const removed = await disconnect(connectionId, { store, clock, sender, logger: log }, { fanOut: { concurrency: options.fanOutConcurrency } });
    // The handler logs this line before it returns, so it is timed too.
    log.info("disconnected", { rooms: removed.rooms, hadConnection: removed.hadConnection });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    const deletedMs = store.removedAt === undefined ? Number.NaN : Number(store.removedAt - start) / 1e6;
    return { ms, deletedMs, cpuUs: cpu.user + cpu.system, rooms: removed.rooms.length, hadConnection: removed.hadConnection, logLines };
  },
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
