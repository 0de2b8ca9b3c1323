/** `$connect`: settles the connection's name, stores it in the default room and tells the room. */
import { connectionStoreFor } from "./aws/connection-store-for.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { ManagementApiSenders } from "./aws/management-api-senders.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readConnectSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { systemClock } from "./core/clock.ts";
import { connect, ConnectionRefusedError } from "./core/connect.ts";
import { identityFromAuthorizer } from "./core/identity.ts";
import { systemRandom } from "./core/random.ts";
import { DEFAULT_ROOM } from "../contract/routes.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readConnectSettings(process.env);
  const clock = systemClock();
  const store = connectionStoreFor(settings, clock);
  return { settings, clock, store, random: systemRandom(), senders: new ManagementApiSenders({ maxSockets: settings.fanOutConcurrency }) };
});

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  try {
    const { settings, clock, store, random, senders } = dependencies();
    const { connectionId, connectedAt, authorizer } = event.requestContext;
    const authorized = identityFromAuthorizer(authorizer);
    const requestedName = event.queryStringParameters?.["name"];
    const connection = await connect(
      { connectionId, connectedAt, ...(authorized === undefined ? {} : { authorized }), ...(requestedName === undefined ? {} : { requestedName }) },
      { store, clock, random, sender: senders.senderFor(event.requestContext), logger: log },
      {
        connectionTtlSeconds: settings.connectionTtlSeconds,
        nameBindingSeconds: settings.nameBindingSeconds,
        authRequired: settings.authEnabled,
        maxConnectionsPerUser: settings.maxConnectionsPerUser,
        room: DEFAULT_ROOM,
        fanOut: { concurrency: settings.fanOutConcurrency, largeRoomSize: settings.fanOutShardSize },
      },
    );
    log.info("connected", { room: DEFAULT_ROOM, userId: connection.userId, userName: connection.userName });
    return { statusCode: 200 };
  } catch (error) {
    if (error instanceof ConnectionRefusedError) {
      // The handshake fails with this status; the reason stays in our log.
      log.warn("connection refused", { statusCode: error.statusCode, reason: error.reason });
      return { statusCode: error.statusCode };
    }
    // A connection we cannot record could never receive a broadcast: refuse the handshake.
    log.error("connect failed", { error });
    return { statusCode: 500 };
  }
}
