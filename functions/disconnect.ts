/** `$disconnect`: deletes the connection, its memberships and its name, and tells its rooms it left. */
import { connectionStoreFor } from "./aws/connection-store-for.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { ManagementApiSenders } from "./aws/management-api-senders.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readDisconnectSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { systemClock } from "./core/clock.ts";
import { disconnect } from "./core/disconnect.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readDisconnectSettings(process.env);
  const clock = systemClock();
  const store = connectionStoreFor(settings, clock);
  return { settings, clock, store, senders: new ManagementApiSenders({ maxSockets: settings.fanOutConcurrency }) };
});

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  try {
    const { settings, clock, store, senders } = dependencies();
    const removed = await disconnect(
      event.requestContext.connectionId,
      { store, clock, sender: senders.senderFor(event.requestContext), logger: log },
      { fanOut: { concurrency: settings.fanOutConcurrency, largeRoomSize: settings.fanOutShardSize } },
    );
    const { disconnectStatusCode, disconnectReason } = event.requestContext;
    log.info("disconnected", { rooms: removed.rooms, hadConnection: removed.hadConnection, userName: removed.userName, disconnectStatusCode, disconnectReason });
    return { statusCode: 200 };
  } catch (error) {
    // API Gateway ignores the result; the records' TTL removes what we could not.
    log.error("disconnect failed", { error });
    return { statusCode: 500 };
  }
}
