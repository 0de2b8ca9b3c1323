/** `typingIndicator`: tells the room's other members that the sender is typing, or stopped; stores nothing. */
import { lazySenders } from "./aws/management-api-senders.ts";
import { readBroadcastSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { typingIndicator } from "./core/room-actions.ts";

const senders = lazySenders();

export const handler = twoWayRoute(readBroadcastSettings, ({ event, connectionId, body, settings, ...dependencies }) =>
  typingIndicator(
    { connectionId, body },
    { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext) },
    { maxMessageBytes: settings.maxMessageBytes, fanOut: { concurrency: settings.fanOutConcurrency } },
  ),
);
