/** `joinRoom`: adds the connection to a room, answers with the members' names and tells the others. */
import { lazySenders } from "./aws/management-api-senders.ts";
import { readBroadcastSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { joinRoom } from "./core/room-actions.ts";

const senders = lazySenders();

export const handler = twoWayRoute(readBroadcastSettings, ({ event, connectionId, body, settings, ...dependencies }) =>
  joinRoom(
    { connectionId, body },
    { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext) },
    { maxMessageBytes: settings.maxMessageBytes, fanOut: { concurrency: settings.fanOutConcurrency } },
  ),
);
