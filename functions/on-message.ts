/** `onMessage`: broadcasts a chat message to its room, stores it in the room's history and answers with a receipt. */
import { invocationDeadline } from "./aws/invocation-deadline.ts";
import { LambdaEventInvoker } from "./aws/lambda-event-invoker.ts";
import { lazy } from "./aws/lazy.ts";
import { callbackDomain, lazySenders } from "./aws/management-api-senders.ts";
import { readOnMessageSettings } from "./aws/settings.ts";
import { twoWayRoute } from "./aws/two-way-route.ts";
import type { FanOutPiece } from "./core/fan-out-piece.ts";
import { sendMessage } from "./core/send-message.ts";
import { DEFAULT_ROOM } from "../contract/routes.ts";

const senders = lazySenders();
// Built at the first hand-off, so a room that never needs one never needs Lambda's endpoint or region.
const lambda = lazy(() => new LambdaEventInvoker({ functionName: readOnMessageSettings(process.env).fanOutFunctionName }));
const invoker = { invoke: (piece: FanOutPiece) => lambda().invoke(piece) };

export const handler = twoWayRoute(readOnMessageSettings, ({ event, connectionId, body, settings, context, ...dependencies }) =>
  sendMessage(
    { connectionId, body, receivedAt: event.requestContext.requestTimeEpoch, callback: { domainName: callbackDomain(event.requestContext), stage: event.requestContext.stage } },
    { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext), invoker },
    {
      maxMessageBytes: settings.maxMessageBytes,
      defaultRoom: DEFAULT_ROOM,
      fanOut: { concurrency: settings.fanOutConcurrency, largeRoomSize: settings.fanOutShardSize, deadline: invocationDeadline(context) },
      historyTtlSeconds: settings.historyTtlSeconds,
      maxStoredMessageBytes: settings.maxStoredMessageBytes,
      rate: { maxPerMinute: settings.maxMessagesPerMinute },
    },
  ),
);
