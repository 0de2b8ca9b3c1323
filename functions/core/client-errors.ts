/**
 * Errors the client caused. Their messages are written for the client and are
 * safe to send back; anything else is a server fault and is never echoed
 * (see error-frame.ts).
 */


import type { ClientErrorCode } from "../../contract/frames.ts";

export type { ClientErrorCode };

export abstract class ClientError extends Error {
  abstract readonly code: ClientErrorCode;
}

/** The body is not JSON, or is JSON but not an object. */
export class InvalidJsonError extends ClientError {
  readonly code = "invalid_json";

  constructor(options?: ErrorOptions) {
    super("The message must be a JSON object, for example {\"action\":\"onMessage\",\"message\":\"hi\"}.", options);
    this.name = "InvalidJsonError";
  }
}

/** The body names no action, or one no route handles. */
export class UnknownActionError extends ClientError {
  readonly code = "unknown_action";

  constructor(
    /** The action the client sent, if it sent one as a string. */
    readonly action: string | undefined,
    readonly validActions: readonly string[],
  ) {
    super(
      action === undefined
        ? `The message has no "action". Valid actions: ${validActions.join(", ")}.`
        : `Unknown action ${JSON.stringify(action)}. Valid actions: ${validActions.join(", ")}.`,
    );
    this.name = "UnknownActionError";
  }
}

/** A required field is absent. */
export class MissingFieldError extends ClientError {
  readonly code = "missing_field";

  constructor(readonly field: string) {
    super(`The field "${field}" is required.`);
    this.name = "MissingFieldError";
  }
}

/** A field is present but not what the action accepts. */
export class InvalidFieldError extends ClientError {
  readonly code = "invalid_field";

  constructor(
    readonly field: string,
    /** What the field must be, phrased to finish "must be …". */
    readonly expected: string,
  ) {
    super(`The field "${field}" must be ${expected}.`);
    this.name = "InvalidFieldError";
  }
}

/** The body is larger than the configured limit. */
export class TooLargeError extends ClientError {
  readonly code = "too_large";

  constructor(
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`The message is ${bytes} bytes; the limit is ${limitBytes} bytes.`);
    this.name = "TooLargeError";
  }
}

/** A display name breaks the naming rules (see identity.ts). */
export class InvalidNameError extends ClientError {
  readonly code = "invalid_name";

  constructor(readonly rules: string) {
    super(`The name must be ${rules}.`);
    this.name = "InvalidNameError";
  }
}

/** The action needs the connection to be in the room, and it is not. */
export class NotMemberError extends ClientError {
  readonly code = "not_member";

  constructor(readonly room: string) {
    super(`You are not in the room ${JSON.stringify(room)}; send {"action":"joinRoom","room":${JSON.stringify(room)}} first.`);
    this.name = "NotMemberError";
  }
}

/** A private message's recipient has no open connection. */
export class UserOfflineError extends ClientError {
  readonly code = "user_offline";

  constructor(readonly user: string) {
    super(`${JSON.stringify(user)} is not online.`);
    this.name = "UserOfflineError";
  }
}

/** The name is held by another user (case-insensitively): bound to a signed-in user, or used by a connection. */
export class NameTakenError extends ClientError {
  readonly code = "name_taken";

  constructor(
    readonly requestedName: string,
    options?: ErrorOptions,
  ) {
    super(`The name ${JSON.stringify(requestedName)} is taken by another user.`, options);
    this.name = "NameTakenError";
  }
}

/** The connection sent more messages this minute than `max_messages_per_minute` allows. */
export class RateLimitedError extends ClientError {
  readonly code = "rate_limited";

  constructor(readonly limitPerMinute: number) {
    super(`You are sending messages too fast: at most ${limitPerMinute} a minute. Nothing of this one was sent; try again in a minute.`);
    this.name = "RateLimitedError";
  }
}

/** Joining the room would put the connection in more rooms than `max_rooms_per_connection`. */
export class TooManyRoomsError extends ClientError {
  readonly code = "too_many_rooms";

  constructor(readonly limit: number) {
    super(`You are in ${limit} rooms, the most one connection may be in; leave one first.`);
    this.name = "TooManyRoomsError";
  }
}
