
/** What a client did wrong, as error frames name it (functions/PROTOCOL.md). */
export type ClientErrorCode =
  | "invalid_json"
  | "unknown_action"
  | "missing_field"
  | "too_large"
  | "invalid_field"
  | "invalid_name"
  | "not_member"
  | "user_offline"
  | "name_taken"
  | "rate_limited"
  | "too_many_rooms";

/**
 * The frames the chat sends to clients. Every frame is a JSON object with a
 * `type`; functions/PROTOCOL.md documents each one.
 *
 * Every field that names a person (`from`, `to`, `user`) has a sibling
 * ending in `Id` (`fromId`, `toId`, `userId`): the person's user id, stable
 * and derived from the verified identity (see contract/names.ts), so two
 * people are told apart even when their display names look alike.
 *
 * Part of the contract: no imports.
 */

/** A chat message, broadcast to every connection in the room and returned by `history`. */
export interface MessageFrame {
  readonly type: "message";
  readonly room: string;
  readonly message: string;
  /** The sender's display name when the message was sent. */
  readonly from: string;
  /** The sender's user id. */
  readonly fromId: string;
  /** ISO-8601: when API Gateway received the frame (`requestContext.requestTimeEpoch`). */
  readonly sentAt: string;
  /** The sequence number the sender gave (`seq`), or 0; orders its messages within one millisecond. */
  readonly seq: number;
  /** Unique per message: clients drop a frame whose id they have already shown. */
  readonly id: string;
}

/** The sender's receipt for a room message. */
export interface SentFrame {
  readonly type: "sent";
  readonly room: string;
  /** The message's id, as in the broadcast frame. */
  readonly id: string;
  /** Connections the message reached, the sender's included when it is in the room. */
  readonly delivered: number;
  /** Stale connections found during the broadcast and removed. */
  readonly pruned: number;
  /**
   * Members the message did not reach although their connection is live as
   * far as we know: posts that kept failing after the retries, or members
   * still inside their `$connect`.
   */
  readonly failed: number;
  /** Whether the message was written to the room's history. */
  readonly stored: boolean;
  /**
   * Present when the room was larger than one invocation serves
   * (`fan_out_shard_size`): the rest of the room gets the message from the
   * fan-out function, in flight when this receipt is sent, and `delivered`,
   * `pruned` and `failed` count only the members served synchronously. The
   * id names that fan-out in the logs. In such a room a member may get a
   * message twice (a retried piece): clients drop a message whose `id` they
   * have shown.
   */
  readonly fanOut?: string;
}

/** A private message, delivered to every connection of its recipient. */
export interface PrivateFrame {
  readonly type: "private";
  readonly from: string;
  readonly fromId: string;
  readonly to: string;
  readonly toId: string;
  readonly message: string;
  readonly sentAt: string;
}

/** The sender's receipt for a private message. */
export interface PrivateSentFrame {
  readonly type: "sent";
  /** The recipient's name as they display it. */
  readonly to: string;
  readonly toId: string;
  /** The recipient's connections the message reached. */
  readonly delivered: number;
}

/** Someone joined or left a room; sent to the room's other members. */
export interface PresenceFrame {
  readonly type: "presence";
  readonly room: string;
  readonly user: string;
  readonly userId: string;
  readonly event: "joined" | "left";
}

/** The answer to `joinRoom`. */
export interface JoinedFrame {
  readonly type: "joined";
  readonly room: string;
  /** The display names in the room, the caller's included, each once (kept for clients older than `users`). */
  readonly members: readonly string[];
  /** The room's users, the caller's included, each once, by name: at most MAX_MEMBER_NAMES of them. */
  readonly users: readonly RoomUser[];
  /** How many users are in the room in all (more than `users` lists when the room is large). */
  readonly userCount: number;
}

/** One user in a `joined` answer. */
export interface RoomUser {
  readonly name: string;
  readonly userId: string;
}

/** The answer to `leaveRoom`. */
export interface LeftFrame {
  readonly type: "left";
  readonly room: string;
}

/** Someone started or stopped typing; sent to the room's other members, never stored. */
export interface TypingFrame {
  readonly type: "typing";
  readonly room: string;
  readonly user: string;
  readonly userId: string;
  readonly typing: boolean;
}

/** The minimal answer to an action whose effect is seen by others only (`typingIndicator`). */
export interface AckFrame {
  readonly type: "ack";
  readonly requestAction: string;
}

/** The answer to `setName`. */
export interface NameFrame {
  readonly type: "name";
  readonly name: string;
  /** The caller's own user id, as other people's frames show it. */
  readonly userId: string;
}

/** The answer to `history`: a page of the room's messages, newest first. */
export interface HistoryFrame {
  readonly type: "history";
  readonly room: string;
  readonly messages: readonly MessageFrame[];
  /** Pass as `before` for the next (older) page; null when there is none. */
  readonly next: string | null;
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

export type Frame =
  | MessageFrame
  | SentFrame
  | PrivateFrame
  | PrivateSentFrame
  | PresenceFrame
  | JoinedFrame
  | LeftFrame
  | TypingFrame
  | AckFrame
  | NameFrame
  | HistoryFrame
  | ErrorFrame;
