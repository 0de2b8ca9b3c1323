import { InvalidFieldError, MissingFieldError } from "./client-errors.ts";
import type { ClientMessage } from "./client-message.ts";

/** What an `onMessage` asks for, validated. */
export interface SendMessageRequest {
  readonly message: string;
  readonly room: string;
}

/**
 * Room names become part of DynamoDB keys (`ROOM#<room>`, and the room index's
 * partition key), whose size is capped; a short cap keeps a bad name a client
 * error instead of a DynamoDB validation fault.
 */
export const MAX_ROOM_NAME_LENGTH = 128;

export function readSendMessageRequest(body: ClientMessage, defaultRoom: string): SendMessageRequest {
  const message = body["message"];
  if (message === undefined || message === null) {
    throw new MissingFieldError("message");
  }
  if (typeof message !== "string" || message.length === 0) {
    throw new InvalidFieldError("message", "a non-empty string");
  }
  const room = body["room"];
  if (room === undefined) {
    return { message, room: defaultRoom };
  }
  if (typeof room !== "string" || room.length === 0 || room.length > MAX_ROOM_NAME_LENGTH) {
    throw new InvalidFieldError("room", `a non-empty string of at most ${MAX_ROOM_NAME_LENGTH} characters`);
  }
  return { message, room };
}
