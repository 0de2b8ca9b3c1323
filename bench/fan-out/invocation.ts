/**
 * Child process: one warm Lambda container of the sharded fan-out, for the
 * onMessage function (`send`) or the fan-out function (`piece`). It holds
 * what a warm container holds (the document client the handlers build, the
 * `@connections` senders, the store) and runs the real cores, `sendMessage`
 * and `serveFanOutPiece`, with the deadline the real handlers compute
 * (`invocationDeadline` over a context whose remaining time starts at the
 * function's timeout). Its PieceInvoker asks the parent to queue the piece
 * (bench/fan-out/sharded.ts), which answers at once, as Lambda's 202 does.
 * The parent puts this process in a cgroup with the CPU quota of the
 * function's memory; DynamoDB and the stand-in stay outside it.
 */
import { createDocumentClient } from "../../functions/aws/document-client.ts";
import { DynamoDbConnectionStore } from "../../functions/aws/dynamodb-connection-store.ts";
import { invocationDeadline } from "../../functions/aws/invocation-deadline.ts";
import { ManagementApiSenders } from "../../functions/aws/management-api-senders.ts";
import { readOnMessageSettings } from "../../functions/aws/settings.ts";
import { systemClock } from "../../functions/core/clock.ts";
import { InvalidFanOutPieceError, readFanOutPiece, type FanOutPiece } from "../../functions/core/fan-out-piece.ts";
import type { Logger } from "../../functions/core/logger.ts";
import type { PieceInvoker } from "../../functions/core/piece-invoker.ts";
import { systemRandom } from "../../functions/core/random.ts";
import { sendMessage } from "../../functions/core/send-message.ts";
import { serveFanOutPiece } from "../../functions/core/serve-fan-out-piece.ts";
import { DEFAULT_ROOM } from "../../contract/routes.ts";
import { childOptions, request, serve } from "./rpc.ts";

// A type, not an interface: startChild takes its options as a plain record.
export type InvocationOptions = {
  /** The DynamoDB proxy, given to the SDK as AWS_ENDPOINT_URL_DYNAMODB. */
  readonly dynamoEndpoint: string;
  /** `http://127.0.0.1:<port>/<stage>`: the `@connections` stand-in. */
  readonly connectionsEndpoint: string;
};

/** One invocation as the child timed it, around the core call only. */
export interface InvocationRun {
  readonly ms: number;
  /** This process's CPU (user + system, every thread) during the call. */
  readonly cpuUs: number;
  /** Wall clock (ms since the epoch) when the call started. */
  readonly startedAt: number;
  /** ms after the start at which each piece this invocation handed on was queued. */
  readonly invokedAt: readonly number[];
  readonly result: unknown;
}

export interface InvocationApi {
  pid(): number;
  /** onMessage: `body` from `connectionId`, a member of the room. */
  send(args: { tableName: string; connectionId: string; body: string; timeoutMs: number }): Promise<InvocationRun>;
  /** The fan-out function, one piece. */
  /** The fan-out function, one piece: checked as the handler checks it (`result.dropped` names the problem), then served. */
  piece(args: { tableName: string; piece: FanOutPiece; timeoutMs: number }): Promise<InvocationRun>;
}

const options = childOptions<InvocationOptions>();
process.env["AWS_ENDPOINT_URL_DYNAMODB"] = options.dynamoEndpoint;
const clock = systemClock();
const random = systemRandom();
const client = createDocumentClient();
const stores = new Map<string, DynamoDbConnectionStore>();
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
// The settings as the deployed handlers read them: every variable at its default.
const settingsFor = (tableName: string) => readOnMessageSettings({ TABLE_NAME: tableName, FAN_OUT_FUNCTION_NAME: "bench-fan-out" });
const senders = new ManagementApiSenders({ endpointFor: () => options.connectionsEndpoint, maxSockets: settingsFor("any").fanOutConcurrency });
const callback = { domainName: "bench", stage: "bench" };

function storeFor(tableName: string): DynamoDbConnectionStore {
  let store = stores.get(tableName);
  if (store === undefined) {
    store = new DynamoDbConnectionStore({ client, tableName, sleep: clock.sleep });
    stores.set(tableName, store);
  }
  return store;
}

/** Runs `call` as one invocation: a context whose remaining time starts at the timeout, an invoker that queues at the parent. */
async function invocation(timeoutMs: number, call: (deadline: number, invoker: PieceInvoker) => Promise<unknown>): Promise<InvocationRun> {
  const startedAt = performance.timeOrigin + performance.now();
  const invokedAt: number[] = [];
  const invoker: PieceInvoker = {
    invoke: async (piece) => {
      await request(piece);
      invokedAt.push(performance.timeOrigin + performance.now() - startedAt);
    },
  };
  const context = { getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (performance.timeOrigin + performance.now() - startedAt)) };
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await call(invocationDeadline(context), invoker);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpu = process.cpuUsage(cpuStart);
  return { ms, cpuUs: cpu.user + cpu.system, startedAt, invokedAt, result };
}

const api: InvocationApi = {
  pid: () => process.pid,
  send: ({ tableName, connectionId, body, timeoutMs }) =>
    invocation(timeoutMs, (deadline, invoker) => {
      const settings = settingsFor(tableName);
      return sendMessage(
        { connectionId, body, receivedAt: Date.now(), callback },
        { store: storeFor(tableName), sender: senders.senderFor(callback), clock, random, logger: silent, invoker },
        {
          maxMessageBytes: settings.maxMessageBytes,
          defaultRoom: DEFAULT_ROOM,
          fanOut: { concurrency: settings.fanOutConcurrency, largeRoomSize: settings.fanOutShardSize, deadline },
          historyTtlSeconds: settings.historyTtlSeconds,
          maxStoredMessageBytes: settings.maxStoredMessageBytes,
          rate: { maxPerMinute: settings.maxMessagesPerMinute },
        },
      );
    }),
  piece: ({ tableName, piece: event, timeoutMs }) =>
    invocation(timeoutMs, (deadline, invoker) => {
      const settings = settingsFor(tableName);
      // As functions/fan-out.ts: a malformed piece is dropped, never served.
      let piece: FanOutPiece;
      try {
        piece = readFanOutPiece(event);
      } catch (error) {
        if (error instanceof InvalidFanOutPieceError) return Promise.resolve({ dropped: error.problem });
        throw error;
      }
      return serveFanOutPiece(
        piece,
        { store: storeFor(tableName), clock, invoker, logger: silent, sender: senders.senderFor(piece.callback) },
        { concurrency: settings.fanOutConcurrency, shardSize: settings.fanOutShardSize, deadline },
      );
    }),
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
