import type { ClientErrorCode } from "./client-errors.ts";

/** The frames the chat sends to clients. Every frame is a JSON object with a `type`. */

/** A chat message, broadcast to every connection in the room. */
export interface MessageFrame {
  readonly type: "message";
  readonly room: string;
  readonly message: string;
  /** Who sent it: the sender's connection id until connections carry a user name. */
  readonly from: string;
  /** ISO-8601, from the server's clock when the message was accepted. */
  readonly sentAt: string;
}

/** The sender's receipt for a message it sent. */
export interface SentFrame {
  readonly type: "sent";
  readonly room: string;
  /** Connections the message reached, the sender included when it is in the room. */
  readonly delivered: number;
  /** Stale connections found during the broadcast and removed. */
  readonly pruned: number;
}

export type ErrorCode = ClientErrorCode | "internal_error";

/** The answer to a message the chat could not act on. */
export interface ErrorFrame {
  readonly type: "error";
  readonly code: ErrorCode;
  readonly message: string;
  /** The action the client asked for, or null when it named none we could read. */
  readonly requestAction: string | null;
  /** Present only for `unknown_action`. */
  readonly validActions?: readonly string[];
}

export type Frame = MessageFrame | SentFrame | ErrorFrame;
