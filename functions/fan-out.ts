/**
 * The fan-out function: serves one piece of a large room's broadcast
 * (functions/core/serve-fan-out-piece.ts). No route invokes it: onMessage
 * and the function itself do, asynchronously, and Lambda retries a piece
 * that fails. A malformed event is logged and dropped: a retry could not
 * make it valid.
 */
import { connectionStoreFor } from "./aws/connection-store-for.ts";
import { invocationDeadline } from "./aws/invocation-deadline.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { LambdaEventInvoker } from "./aws/lambda-event-invoker.ts";
import { lazy } from "./aws/lazy.ts";
import { ManagementApiSenders } from "./aws/management-api-senders.ts";
import type { LambdaContext } from "./aws/request-log-fields.ts";
import { readFanOutSettings } from "./aws/settings.ts";
import { systemClock } from "./core/clock.ts";
import { InvalidFanOutPieceError, readFanOutPiece } from "./core/fan-out-piece.ts";
import { serveFanOutPiece, type FanOutPieceResult } from "./core/serve-fan-out-piece.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readFanOutSettings(process.env);
  const clock = systemClock();
  return {
    settings,
    clock,
    store: connectionStoreFor(settings, clock),
    senders: new ManagementApiSenders({ maxSockets: settings.fanOutConcurrency }),
    invoker: new LambdaEventInvoker({ functionName: settings.fanOutFunctionName }),
  };
});

export async function handler(event: unknown, context?: LambdaContext): Promise<FanOutPieceResult | undefined> {
  const log = logger().child(context === undefined ? {} : { awsRequestId: context.awsRequestId });
  let piece;
  try {
    piece = readFanOutPiece(event);
  } catch (error) {
    if (!(error instanceof InvalidFanOutPieceError)) throw error;
    log.error("fan-out event dropped", { problem: error.problem });
    return undefined;
  }
  const deadline = invocationDeadline(context);
  const { settings, clock, store, senders, invoker } = dependencies();
  // Thrown errors reach Lambda, which retries the piece (see serveFanOutPiece).
  return serveFanOutPiece(
    piece,
    { store, clock, invoker, logger: log, sender: senders.senderFor(piece.callback) },
    { concurrency: settings.fanOutConcurrency, shardSize: settings.fanOutShardSize, deadline },
  );
}
