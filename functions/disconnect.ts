/** `$disconnect`: deletes the connection and all its room memberships. */
import { createDocumentClient } from "./aws/document-client.ts";
import { DynamoDbConnectionStore } from "./aws/dynamodb-connection-store.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readDisconnectSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { systemClock } from "./core/clock.ts";
import { disconnect } from "./core/disconnect.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readDisconnectSettings(process.env);
  return { store: new DynamoDbConnectionStore({ client: createDocumentClient(), tableName: settings.tableName, sleep: systemClock().sleep }) };
});

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  try {
    const removed = await disconnect(event.requestContext.connectionId, dependencies());
    const { disconnectStatusCode, disconnectReason } = event.requestContext;
    log.info("disconnected", { rooms: removed.rooms, hadConnection: removed.hadConnection, disconnectStatusCode, disconnectReason });
    return { statusCode: 200 };
  } catch (error) {
    // API Gateway ignores the result; the records' TTL removes what we could not.
    log.error("disconnect failed", { error });
    return { statusCode: 500 };
  }
}
