/** `privateMessage`: delivers a message to every connection of the named user. */
import { lazySenders } from "./aws/management-api-senders.ts";
import { readBroadcastSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import { privateMessage } from "./core/private-message.ts";

const senders = lazySenders();

export const handler = twoWayRoute(readBroadcastSettings, ({ event, connectionId, body, settings, ...dependencies }) =>
  privateMessage(
    { connectionId, body },
    { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext) },
    { maxMessageBytes: settings.maxMessageBytes, fanOut: { concurrency: settings.fanOutConcurrency } },
  ),
);
