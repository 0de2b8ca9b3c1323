import { InvalidFieldError, MissingFieldError } from "./client-errors.ts";
import type { ClientMessage } from "./client-message.ts";
import { checkName } from "./identity.ts";
import { MAX_ROOM_NAME_LENGTH, parseRoomName, ROOM_NAME_RULES } from "../../contract/rooms.ts";

export { MAX_ROOM_NAME_LENGTH };

/**
 * Reading the fields of client actions. Each reader throws the ClientError
 * that names the first problem, before anything is read from the store.
 */

export const DEFAULT_HISTORY_LIMIT = 50;
export const MAX_HISTORY_LIMIT = 100;

/**
 * A lone UTF-16 surrogate: JSON may carry one (`"\ud800"`), but it is no
 * character. DynamoDB would store it as U+FFFD, so `"\ud800"` and
 * `"\udfff"` would name one room; text with one is refused instead.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `text` is valid Unicode: no lone surrogate. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** A required non-empty string of valid Unicode. */
export function requiredText(body: ClientMessage, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) {
    throw new MissingFieldError(field);
  }
  if (typeof value !== "string" || value.length === 0 || !isWellFormed(value)) {
    throw new InvalidFieldError(field, "a non-empty string of valid Unicode");
  }
  return value;
}

/**
 * The `room` field in NFC (contract/rooms.ts); `defaultRoom` when it is
 * absent and one is given, else it is required. Room names become part of
 * DynamoDB keys, whose size is capped: the length cap keeps a long name a
 * client error instead of a DynamoDB validation fault.
 */
export function roomField(body: ClientMessage, defaultRoom?: string): string {
  const room = body["room"];
  if (room === undefined || room === null) {
    if (defaultRoom !== undefined) return defaultRoom;
    throw new MissingFieldError("room");
  }
  const parsed = parseRoomName(room);
  if (parsed === undefined) {
    throw new InvalidFieldError("room", `a room name: ${ROOM_NAME_RULES}`);
  }
  return parsed.display;
}

/** A client sequence number: a non-negative safe integer. */
export function isSequenceNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The optional `seq` field: the client's sequence number for its messages, 0 when absent. */
export function sequenceField(body: ClientMessage): number {
  const seq = body["seq"];
  if (seq === undefined || seq === null) return 0;
  if (!isSequenceNumber(seq)) {
    throw new InvalidFieldError("seq", "a whole number from 0 to 9007199254740991, increasing with each message");
  }
  return seq;
}

/** `joinRoom`, `leaveRoom`: `{room}`. */
export function readRoomRequest(body: ClientMessage): { readonly room: string } {
  return { room: roomField(body) };
}

/** `privateMessage`: `{to, message}`. */
export function readPrivateMessageRequest(body: ClientMessage): { readonly to: string; readonly message: string } {
  const to = requiredText(body, "to");
  return { to, message: requiredText(body, "message") };
}

/** `typingIndicator`: `{room, typing}`. */
export function readTypingRequest(body: ClientMessage): { readonly room: string; readonly typing: boolean } {
  const room = roomField(body);
  const typing = body["typing"];
  if (typing === undefined || typing === null) {
    throw new MissingFieldError("typing");
  }
  if (typeof typing !== "boolean") {
    throw new InvalidFieldError("typing", "true or false");
  }
  return { room, typing };
}

/** `setName`: `{name}`; a string that breaks the naming rules is invalid_name. */
export function readSetNameRequest(body: ClientMessage): { readonly name: string } {
  const name = body["name"];
  if (name === undefined || name === null) {
    throw new MissingFieldError("name");
  }
  if (typeof name !== "string") {
    throw new InvalidFieldError("name", "a string");
  }
  return { name: checkName(name) };
}

/** `history`: `{room, before?, limit?}`; `before` stays opaque here (see history.ts). */
export function readHistoryRequest(body: ClientMessage): { readonly room: string; readonly before?: string; readonly limit: number } {
  const room = roomField(body);
  const limit = body["limit"] ?? DEFAULT_HISTORY_LIMIT;
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
    throw new InvalidFieldError("limit", `a whole number from 1 to ${MAX_HISTORY_LIMIT}`);
  }
  const before = body["before"];
  if (before === undefined || before === null) {
    return { room, limit };
  }
  if (typeof before !== "string" || before.length === 0) {
    throw new InvalidFieldError("before", 'the "next" cursor of an earlier history answer');
  }
  return { room, before, limit };
}
