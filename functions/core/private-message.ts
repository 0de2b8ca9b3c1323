import type { Clock } from "./clock.ts";
import { InvalidFieldError, UserOfflineError } from "./client-errors.ts";
import { parseClientMessage } from "./client-message.ts";
import { UnknownConnectionError, type ConnectionStore } from "./connection-store.ts";
import { deliver, type FanOutOptions } from "./fan-out.ts";
import type { PrivateFrame, PrivateSentFrame } from "../../contract/frames.ts";
import { isValidName } from "./identity.ts";
import type { Logger } from "./logger.ts";
import { checkMessageRate, type MessageRate } from "./message-rate.ts";
import type { ActionInput } from "./room-actions.ts";
import { readPrivateMessageRequest } from "./requests.ts";
import type { Sender } from "./sender.ts";

export interface PrivateMessageDependencies {
  readonly store: ConnectionStore;
  readonly sender: Sender;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * `privateMessage`: delivers a message to every open connection of the user
 * named `to` (names are matched case-insensitively). A user with no
 * connection, or none that is still open, is `user_offline`. It counts
 * against the sender's message rate as a room message does.
 */
export async function privateMessage(
  input: ActionInput,
  dependencies: PrivateMessageDependencies,
  settings: { readonly maxMessageBytes: number; readonly fanOut: FanOutOptions; readonly rate: MessageRate },
): Promise<PrivateSentFrame> {
  const { to, message } = readPrivateMessageRequest(parseClientMessage(input.body, settings.maxMessageBytes));
  if (!isValidName(to)) {
    // Not a name anyone can have; also keeps it out of a DynamoDB key.
    throw new InvalidFieldError("to", "a user name");
  }
  const { store, clock, logger } = dependencies;
  const [sender, recipients] = await Promise.all([store.connection(input.connectionId), store.userConnections(to)]);
  if (sender === undefined) {
    throw new UnknownConnectionError(input.connectionId);
  }
  if (recipients.length === 0) {
    throw new UserOfflineError(to);
  }
  await checkMessageRate(input.connectionId, { store, clock }, settings.rate);
  // A name is claimed by one user at a time, so every connection under it is theirs.
  const { userName: recipientName, userId: recipientId } = recipients[0]!;
  const frame: PrivateFrame = {
    type: "private",
    from: sender.userName,
    fromId: sender.userId,
    to: recipientName,
    toId: recipientId,
    message,
    sentAt: clock.now().toISOString(),
  };
  const result = await deliver({ recipients: [recipients], label: "private" }, frame, dependencies, settings.fanOut);
  logger.info("private message sent", { ...result });
  if (result.delivered === 0) {
    // Every connection we knew of was stale (and is now pruned), or failed.
    throw new UserOfflineError(to);
  }
  return { type: "sent", to: recipientName, toId: recipientId, delivered: result.delivered };
}
