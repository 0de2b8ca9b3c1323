/** `$connect`: stores the connection and its membership of the default room. */
import { createDocumentClient } from "./aws/document-client.ts";
import { DynamoDbConnectionStore } from "./aws/dynamodb-connection-store.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readConnectSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { systemClock } from "./core/clock.ts";
import { connect } from "./core/connect.ts";
import { DEFAULT_ROOM } from "./routes.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readConnectSettings(process.env);
  const clock = systemClock();
  const store = new DynamoDbConnectionStore({ client: createDocumentClient(), tableName: settings.tableName, sleep: clock.sleep });
  return { settings, clock, store };
});

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  try {
    const { settings, clock, store } = dependencies();
    const { connectionId, connectedAt } = event.requestContext;
    await connect({ connectionId, connectedAt }, { store, clock }, { connectionTtlSeconds: settings.connectionTtlSeconds, room: DEFAULT_ROOM });
    log.info("connected", { room: DEFAULT_ROOM });
    return { statusCode: 200 };
  } catch (error) {
    // A connection we cannot record could never receive a broadcast: refuse the handshake.
    log.error("connect failed", { error });
    return { statusCode: 500 };
  }
}
