/** `onMessage`: broadcasts a chat message to its room and answers the sender with a receipt. */
import { createDocumentClient } from "./aws/document-client.ts";
import { DynamoDbConnectionStore } from "./aws/dynamodb-connection-store.ts";
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { ManagementApiSenders } from "./aws/management-api-senders.ts";
import { twoWayResult } from "./aws/proxy-result.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readOnMessageSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { systemClock } from "./core/clock.ts";
import { sendMessage } from "./core/send-message.ts";
import { answerTwoWay } from "./core/two-way-answer.ts";
import { DEFAULT_ROOM } from "./routes.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const dependencies = lazy(() => {
  const settings = readOnMessageSettings(process.env);
  const clock = systemClock();
  return {
    clock,
    store: new DynamoDbConnectionStore({ client: createDocumentClient(), tableName: settings.tableName, roomIndexName: settings.roomIndexName, sleep: clock.sleep }),
    senders: new ManagementApiSenders({ maxSockets: settings.fanOutConcurrency }),
    settings: { maxMessageBytes: settings.maxMessageBytes, defaultRoom: DEFAULT_ROOM, fanOut: { concurrency: settings.fanOutConcurrency } },
  };
});

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  const { connectionId, routeKey } = event.requestContext;
  const answer = await answerTwoWay(routeKey, log, () => {
    const { clock, store, senders, settings } = dependencies();
    const sender = senders.senderFor(event.requestContext);
    return sendMessage({ connectionId, body: event.body }, { store, sender, clock, logger: log }, settings);
  });
  return twoWayResult(answer);
}
