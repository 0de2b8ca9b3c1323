import type { Clock } from "./clock.ts";
import { NotMemberError, TooLargeError } from "./client-errors.ts";
import { parseClientMessage, utf8ByteLength } from "./client-message.ts";
import type { ConnectionStore, MessageHistory, RoomMember } from "./connection-store.ts";
import { deliver, type FanOutOptions, type FanOutResult } from "./fan-out.ts";
import type { MessageFrame, SentFrame } from "../../contract/frames.ts";
import type { Logger } from "./logger.ts";
import { checkMessageRate, type MessageRate } from "./message-rate.ts";
import type { Random } from "./random.ts";
import { readSendMessageRequest } from "./send-message-request.ts";
import type { Sender } from "./sender.ts";
import type { PieceInvoker } from "./piece-invoker.ts";

export interface SendMessageInput {
  /** The sender's connection id. */
  readonly connectionId: string;
  /** The raw MESSAGE body. */
  readonly body: string | undefined;
  /**
   * When API Gateway received the frame (`requestContext.requestTimeEpoch`),
   * ms since the epoch: the message's `sentAt`, so concurrent invocations
   * cannot reorder one sender's messages. The clock's time when absent.
   */
  readonly receivedAt?: number;
  /** The sender's API and stage (its request context's), for the fan-out function's posts. */
  readonly callback?: { readonly domainName: string; readonly stage: string };
}

export interface SendMessageDependencies {
  readonly store: ConnectionStore & MessageHistory;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Hands the rest of a large room to the fan-out function; needed with `fanOut.largeRoomSize`. */
  readonly invoker?: PieceInvoker;
}

export interface SendMessageSettings {
  readonly maxMessageBytes: number;
  /** Where a message without `room` goes. */
  readonly defaultRoom: string;
  readonly fanOut: FanOutOptions;
  /** How long the room's history keeps the message. */
  readonly historyTtlSeconds: number;
  /** The longest message text, in UTF-8 bytes, the room gets and its history keeps. */
  readonly maxStoredMessageBytes: number;
  readonly rate: MessageRate;
}

/**
 * `onMessage`: checks the sender is in the room, broadcasts the message to
 * the room (the sender included, so every client renders the conversation
 * from the same frames), stores it in the room's history and returns the
 * sender's receipt. Client mistakes throw a ClientError before anything is
 * sent.
 *
 * A text over `maxStoredMessageBytes` is `too_large`, and a message past the
 * sender's rate is `rate_limited`: neither is sent or stored. The rate is
 * counted after the cheap checks, so refused messages cost nothing from it.
 *
 * The room's members are read first: a store fault there is an
 * `internal_error` with nothing stored and nothing sent, so a client that
 * retries never makes a duplicate. With `fanOut.largeRoomSize` (the
 * deployed handler's `fan_out_shard_size`) only its first page is read; a
 * room with more members gets the rest through the fan-out function, whose
 * dispatcher is invoked with the room's cursor before anything is sent (a
 * failure to invoke it is the same `internal_error`). The receipt then
 * counts this invocation's share and names the fan-out (`fanOut`).
 *
 * After that nothing can fail the message: the history write starts before
 * the broadcast and runs alongside it, so the room never waits on it (a
 * failed write is `stored: false`), and a failed post counts against that
 * recipient only. With `fanOut.deadline`, recipients still throttled at the
 * deadline are handed to the fan-out function rather than dropped. Both are
 * awaited before returning, because Lambda freezes the process once the
 * handler returns.
 */
export async function sendMessage(
  input: SendMessageInput,
  dependencies: SendMessageDependencies,
  settings: SendMessageSettings,
): Promise<SentFrame> {
  const request = readSendMessageRequest(parseClientMessage(input.body, settings.maxMessageBytes), settings.defaultRoom);
  const bytes = utf8ByteLength(request.message);
  if (bytes > settings.maxStoredMessageBytes) {
    throw new TooLargeError(bytes, settings.maxStoredMessageBytes);
  }
  const { store, clock, random, logger } = dependencies;
  const membership = await store.membership(input.connectionId, request.room);
  if (membership === undefined) {
    throw new NotMemberError(request.room);
  }
  const now = clock.now();
  await checkMessageRate(input.connectionId, { store, clock }, settings.rate);
  const frame: MessageFrame = {
    type: "message",
    room: membership.roomName,
    message: request.message,
    from: membership.userName,
    fromId: membership.userId,
    sentAt: new Date(input.receivedAt ?? now.getTime()).toISOString(),
    seq: request.seq,
    id: random.uuid(),
  };
  const payload = JSON.stringify(frame);
  const { largeRoomSize, deadline } = settings.fanOut;
  const { invoker } = dependencies;
  const { callback } = input;
  if ((largeRoomSize !== undefined || deadline !== undefined) && (invoker === undefined || callback === undefined)) {
    throw new TypeError("sendMessage: fanOut.largeRoomSize and fanOut.deadline hand recipients on, and need an invoker and the callback");
  }
  const piece = { fanOutId: frame.id, room: request.room, frame: payload, callback: callback!, generation: 1 };
  // The commit point: once the members are known (and a large room's rest handed on), the message is accepted.
  const members: RoomMember[] = [];
  let handedOn = false;
  if (largeRoomSize === undefined) {
    for await (const page of store.roomMembers(request.room)) members.push(...page);
  } else {
    // One more than a shard: DynamoDB gives a cursor whenever a page is full, so a room of exactly a shard
    // would otherwise cost an invocation that reads an empty page. Only a larger room is handed on.
    const page = await store.roomPage(request.room, { limit: largeRoomSize + 1 });
    members.push(...page.connectionIds.map((connectionId) => ({ connectionId })));
    if (page.cursor !== undefined && page.connectionIds.length > largeRoomSize) {
      await invoker!.invoke({ ...piece, kind: "dispatch", cursor: page.cursor });
      handedOn = true;
    }
  }
  const stored = store.appendMessage(frame, Math.floor(now.getTime() / 1000) + settings.historyTtlSeconds).then(
    () => true,
    (error: unknown) => {
      // The room has the message already; failing the receipt would only invite a duplicate resend.
      logger.error("history write failed", { room: request.room, messageId: frame.id, error });
      return false;
    },
  );
  const [broadcast, wasStored] = await Promise.allSettled([deliver({ recipients: [members], label: request.room }, frame, dependencies, settings.fanOut), stored]);
  if (broadcast.status === "rejected") {
    throw broadcast.reason;
  }
  const { leftover, ...result }: FanOutResult = broadcast.value;
  let failed = result.failed + result.connecting;
  if (leftover.length > 0) {
    // Still throttled at the deadline: the fan-out function serves them, so a 429 costs time, not the message.
    try {
      await invoker!.invoke({ ...piece, kind: "deliver", connectionIds: leftover });
      handedOn = true;
    } catch (error) {
      failed += leftover.length;
      logger.error("could not hand throttled recipients on", { room: frame.room, messageId: frame.id, recipients: leftover.length, error });
    }
  }
  const storedValue = wasStored.status === "fulfilled" && wasStored.value;
  logger.info("message broadcast", { room: frame.room, messageId: frame.id, stored: storedValue, ...result, handedOn: leftover.length, ...(handedOn ? { fanOut: frame.id } : {}) });
  return {
    type: "sent",
    room: frame.room,
    id: frame.id,
    delivered: result.delivered,
    pruned: result.pruned,
    failed,
    stored: storedValue,
    ...(handedOn ? { fanOut: frame.id } : {}),
  };
}
