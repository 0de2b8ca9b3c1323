/**
 * The order of a room's messages, the same for every member and for
 * `history`: by `sentAt` (when API Gateway received the frame), then by the
 * sender's `seq`, then by `id`.
 *
 * API Gateway invokes a route concurrently, so the broadcasts of one sender's
 * quick messages can overtake each other; what they carry does not. Frames
 * of one connection reach API Gateway in the order sent, so `sentAt` never
 * goes backwards for one sender, and `seq` orders the sender's messages that
 * share a millisecond. Clients place messages by this order, not by arrival.
 */

/** What a message's place depends on. */
export interface MessageOrder {
  readonly sentAt: string;
  /** The sender's sequence number; 0 when the client sent none. */
  readonly seq?: number;
  readonly id: string;
}

/** Negative when `a` comes first: for `Array#sort`. */
export function compareMessages(a: MessageOrder, b: MessageOrder): number {
  if (a.sentAt !== b.sentAt) return a.sentAt < b.sentAt ? -1 : 1;
  const seqA = a.seq ?? 0;
  const seqB = b.seq ?? 0;
  if (seqA !== seqB) return seqA < seqB ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

/** Digits of a `seq` in a sort key: every safe integer fits, so keys sort as numbers. */
const SEQ_DIGITS = 16;

/**
 * The message's place as a string that sorts the same way as
 * {@link compareMessages}: `<sentAt>#<seq, zero-padded>#<id>`.
 */
export function orderKey(message: MessageOrder): string {
  return `${message.sentAt}#${String(message.seq ?? 0).padStart(SEQ_DIGITS, "0")}#${message.id}`;
}
