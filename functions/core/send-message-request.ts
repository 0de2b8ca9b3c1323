import type { ClientMessage } from "./client-message.ts";
import { requiredText, roomField } from "./requests.ts";

export { MAX_ROOM_NAME_LENGTH } from "./requests.ts";

/** What an `onMessage` asks for, validated. */
export interface SendMessageRequest {
  readonly message: string;
  readonly room: string;
}

export function readSendMessageRequest(body: ClientMessage, defaultRoom: string): SendMessageRequest {
  const message = requiredText(body, "message");
  return { message, room: roomField(body, defaultRoom) };
}
