import type { Clock } from "./clock.ts";
import { InvalidFieldError, NotMemberError } from "./client-errors.ts";
import { parseClientMessage } from "./client-message.ts";
import type { ConnectionStore, MessageHistory, MessagePosition } from "./connection-store.ts";
import type { HistoryFrame } from "../../contract/frames.ts";
import type { ActionInput } from "./room-actions.ts";
import { isSequenceNumber, readHistoryRequest } from "./requests.ts";
import { MAX_MESSAGE_PAYLOAD_BYTES } from "../../contract/routes.ts";

/**
 * The most message JSON one `history` answer carries: API Gateway cannot
 * deliver an answer over its 128 KB message quota, and the frame's envelope
 * (room, cursor) needs a little room. Five 32 KB messages would not fit.
 */
export const HISTORY_PAGE_BYTES = MAX_MESSAGE_PAYLOAD_BYTES - 4 * 1024;

/**
 * `history`: a page of the room's messages, newest first. `next` is an
 * opaque cursor: sent back as `before`, it returns the page after (older
 * than) this one. Only members may read a room.
 */
export async function history(
  input: ActionInput,
  dependencies: { readonly store: ConnectionStore & MessageHistory; readonly clock: Clock },
  settings: { readonly maxMessageBytes: number },
): Promise<HistoryFrame> {
  const request = readHistoryRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  const before = request.before === undefined ? undefined : decodeCursor(request.before);
  const { store, clock } = dependencies;
  const membership = await store.membership(input.connectionId, request.room);
  if (membership === undefined) {
    throw new NotMemberError(request.room);
  }
  const page = await store.recentMessages(membership.roomName, {
    before,
    limit: request.limit,
    maxBytes: HISTORY_PAGE_BYTES,
    nowSeconds: Math.floor(clock.now().getTime() / 1000),
  });
  return { type: "history", room: membership.roomName, messages: page.messages, next: page.next === undefined ? null : encodeCursor(page.next) };
}

/** A position as an opaque cursor: base64url of `[sentAt, seq, id]` (`[sentAt, id]` for a message stored without `seq`). */
export function encodeCursor(position: MessagePosition): string {
  const parts = position.seq === undefined ? [position.sentAt, position.id] : [position.sentAt, position.seq, position.id];
  return btoa(JSON.stringify(parts)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ISO-8601 as Date#toISOString writes it: what sentAt always is.
const SENT_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The position in a cursor; anything that is not a cursor we wrote is invalid_field. */
export function decodeCursor(cursor: string): MessagePosition {
  try {
    const value: unknown = JSON.parse(atob(cursor.replace(/-/g, "+").replace(/_/g, "/")));
    if (Array.isArray(value) && (value.length === 2 || value.length === 3) && typeof value[0] === "string" && SENT_AT.test(value[0])) {
      const id: unknown = value[value.length - 1];
      const seq: unknown = value.length === 3 ? value[1] : undefined;
      if (typeof id === "string" && id.length > 0 && id.length <= 64 && (seq === undefined || isSequenceNumber(seq))) {
        return seq === undefined ? { sentAt: value[0], id } : { sentAt: value[0], seq, id };
      }
    }
  } catch {
    // Falls through to the client error: bad base64 or bad JSON is a bad cursor.
  }
  throw new InvalidFieldError("before", 'the "next" cursor of an earlier history answer');
}
