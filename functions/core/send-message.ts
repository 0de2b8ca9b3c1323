import type { Clock } from "./clock.ts";
import { parseClientMessage } from "./client-message.ts";
import type { ConnectionStore } from "./connection-store.ts";
import { fanOut, type FanOutOptions } from "./fan-out.ts";
import type { MessageFrame, SentFrame } from "./frames.ts";
import type { Logger } from "./logger.ts";
import { readSendMessageRequest } from "./send-message-request.ts";
import type { Sender } from "./sender.ts";

export interface SendMessageInput {
  /** The sender's connection id. */
  readonly connectionId: string;
  /** The raw MESSAGE body. */
  readonly body: string | undefined;
}

export interface SendMessageDependencies {
  readonly store: ConnectionStore;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SendMessageSettings {
  readonly maxMessageBytes: number;
  /** Where a message without `room` goes. */
  readonly defaultRoom: string;
  readonly fanOut: FanOutOptions;
}

/**
 * `onMessage`: validates the message, broadcasts it to the room (the sender
 * included, when it is a member, so every client renders the conversation
 * from the same frames) and returns the sender's receipt. Client mistakes
 * throw a ClientError before anything is sent.
 */
export async function sendMessage(
  input: SendMessageInput,
  dependencies: SendMessageDependencies,
  settings: SendMessageSettings,
): Promise<SentFrame> {
  const request = readSendMessageRequest(parseClientMessage(input.body, settings.maxMessageBytes), settings.defaultRoom);
  const frame: MessageFrame = {
    type: "message",
    room: request.room,
    message: request.message,
    from: input.connectionId,
    sentAt: dependencies.clock.now().toISOString(),
  };
  const result = await fanOut(request.room, frame, dependencies, settings.fanOut);
  dependencies.logger.info("message broadcast", { room: request.room, ...result });
  return { type: "sent", room: request.room, delivered: result.delivered, pruned: result.pruned };
}
