/** `onMessage`: broadcasts a chat message to its room, stores it in the room's history and answers with a receipt. */
import { lazySenders } from "./aws/management-api-senders.ts";
import { readOnMessageSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { sendMessage } from "./core/send-message.ts";
import { DEFAULT_ROOM } from "../contract/routes.ts";

const senders = lazySenders();

export const handler = twoWayRoute(readOnMessageSettings, ({ event, connectionId, body, settings, ...dependencies }) =>
  sendMessage(
    { connectionId, body, receivedAt: event.requestContext.requestTimeEpoch },
    { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext) },
    {
      maxMessageBytes: settings.maxMessageBytes,
      defaultRoom: DEFAULT_ROOM,
      fanOut: { concurrency: settings.fanOutConcurrency },
      historyTtlSeconds: settings.historyTtlSeconds,
      maxStoredMessageBytes: settings.maxStoredMessageBytes,
      rate: { maxPerMinute: settings.maxMessagesPerMinute },
    },
  ),
);
