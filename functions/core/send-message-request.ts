import type { ClientMessage } from "./client-message.ts";
import { requiredText, roomField, sequenceField } from "./requests.ts";

export { MAX_ROOM_NAME_LENGTH } from "./requests.ts";

/** What an `onMessage` asks for, validated. */
export interface SendMessageRequest {
  readonly message: string;
  readonly room: string;
  /** The client's sequence number, 0 when it sent none. */
  readonly seq: number;
}

export function readSendMessageRequest(body: ClientMessage, defaultRoom: string): SendMessageRequest {
  const message = requiredText(body, "message");
  return { message, room: roomField(body, defaultRoom), seq: sequenceField(body) };
}
