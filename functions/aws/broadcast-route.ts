import type { FanOutOptions } from "../core/fan-out.ts";
import type { Frame } from "../../contract/frames.ts";
import type { JoinRoomSettings, ActionInput, RoomActionDependencies } from "../core/room-actions.ts";
import type { MessageRate } from "../core/message-rate.ts";
import { DEFAULT_ROOM } from "../../contract/routes.ts";
import { lazySenders } from "./management-api-senders.ts";
import { readBroadcastSettings } from "./settings.ts";
import { twoWayRoute } from "./two-way-route.ts";
import type { ProxyResult, WebSocketEvent } from "./websocket-event.ts";
import type { LambdaContext } from "./request-log-fields.ts";

/** A core action that answers its caller and posts to other connections. */
export type BroadcastAction = (
  input: ActionInput,
  dependencies: RoomActionDependencies,
  settings: BroadcastActionSettings,
) => Promise<Frame>;

/** Every setting a broadcasting action may use; each action declares the ones it reads. */
export interface BroadcastActionSettings extends JoinRoomSettings {
  readonly fanOut: FanOutOptions;
  readonly rate: MessageRate;
}

/**
 * The Lambda handler of a two-way route that broadcasts (`joinRoom`,
 * `leaveRoom`, `privateMessage`, `typingIndicator`): the broadcast settings,
 * the container's store and a `@connections` sender for the caller's API and
 * stage, handed to `action`. Each handler file binds its action in one line,
 * so esbuild still bundles each route on its own.
 */
export function broadcastRoute(action: BroadcastAction): (event: WebSocketEvent, context?: LambdaContext) => Promise<ProxyResult> {
  const senders = lazySenders();
  return twoWayRoute(readBroadcastSettings, ({ event, connectionId, body, settings, ...dependencies }) =>
    action(
      { connectionId, body },
      { ...dependencies, sender: senders(settings.fanOutConcurrency).senderFor(event.requestContext) },
      {
        maxMessageBytes: settings.maxMessageBytes,
        fanOut: { concurrency: settings.fanOutConcurrency, largeRoomSize: settings.fanOutShardSize },
        maxRoomsPerConnection: settings.maxRoomsPerConnection,
        maxMemberNames: settings.maxMemberNames,
        defaultRoom: DEFAULT_ROOM,
        rate: { maxPerMinute: settings.maxMessagesPerMinute },
      },
    ),
  );
}
