/**
 * One asynchronous invocation's share of a large room's broadcast: the frame
 * (serialised once, by the sender's invocation) and either a cursor into the
 * room's membership (the dispatcher: read the rest of the room, page by page,
 * and invoke one piece per page) or the connection ids of one page.
 *
 * The wire form of the fan-out function's event. `onMessage` and the fan-out
 * function write it, only the fan-out function reads it, and it is validated
 * on the way in: a malformed event is dropped with a log line, never retried.
 */
export type FanOutPiece = DispatchPiece | DeliveryPiece;

interface PieceBase {
  /** Names the broadcast in every log line of every piece: the message's id. */
  readonly fanOutId: string;
  /** The room as the sender named it (the store matches it by its key): for the room page reads and the logs. */
  readonly room: string;
  /** The frame, as the JSON text every recipient gets. */
  readonly frame: string;
  /** Where the `@connections` API of the sender's API and stage lives (its request context's). */
  readonly callback: { readonly domainName: string; readonly stage: string };
  /**
   * How many invocations led to this one (the sender's is 0). Bounded by
   * MAX_GENERATION so a piece that keeps running short of time cannot chain
   * forever, and below the 16 at which Lambda's recursive loop detection
   * would stop the chain.
   */
  readonly generation: number;
}

/** Reads the room from `cursor` on and invokes one DeliveryPiece per page. */
export interface DispatchPiece extends PieceBase {
  readonly kind: "dispatch";
  readonly cursor: string;
}

/** Posts the frame to each of `connectionIds`. */
export interface DeliveryPiece extends PieceBase {
  readonly kind: "deliver";
  readonly connectionIds: readonly string[];
}

/**
 * The deepest chain of invocations one broadcast may make (see
 * PieceBase.generation): under Lambda's 16, counting the sender's.
 */
export const MAX_GENERATION = 15;

/**
 * The deepest a dispatcher hands the rest of the room to another
 * dispatcher. One past it reads on past its deadline instead (a dispatcher
 * reads about 90 pages of ids in its share of 10 s at 256 MB, so that takes
 * a room of some 400,000 members at the default shard size), which leaves
 * every delivery piece at least 10 generations to hand throttled
 * recipients on.
 */
export const MAX_DISPATCH_GENERATION = 4;

/** The fan-out function's event is not a FanOutPiece. */
export class InvalidFanOutPieceError extends Error {
  override readonly name = "InvalidFanOutPieceError";
  constructor(readonly problem: string) {
    super(`not a fan-out piece: ${problem}`);
  }
}

/** Checks the fan-out function's event and returns it as a piece; throws InvalidFanOutPieceError naming the first problem. */
export function readFanOutPiece(event: unknown): FanOutPiece {
  if (typeof event !== "object" || event === null || Array.isArray(event)) throw new InvalidFanOutPieceError("not an object");
  const e = event as Record<string, unknown>;
  for (const field of ["fanOutId", "room", "frame"] as const) {
    if (typeof e[field] !== "string" || e[field] === "") throw new InvalidFanOutPieceError(`${field} must be a non-empty string`);
  }
  const generation = e["generation"];
  if (typeof generation !== "number" || !Number.isInteger(generation) || generation < 1 || generation > MAX_GENERATION) {
    throw new InvalidFanOutPieceError(`generation must be a whole number from 1 to ${MAX_GENERATION}`);
  }
  const callback = e["callback"] as Record<string, unknown> | undefined;
  if (typeof callback !== "object" || callback === null || typeof callback["domainName"] !== "string" || callback["domainName"] === "" || typeof callback["stage"] !== "string" || callback["stage"] === "") {
    throw new InvalidFanOutPieceError("callback must hold a domainName and a stage");
  }
  const base = {
    fanOutId: e["fanOutId"] as string,
    room: e["room"] as string,
    frame: e["frame"] as string,
    callback: { domainName: callback["domainName"] as string, stage: callback["stage"] as string },
    generation,
  };
  if (e["kind"] === "dispatch") {
    if (typeof e["cursor"] !== "string" || e["cursor"] === "") throw new InvalidFanOutPieceError("cursor must be a non-empty string");
    if (generation > MAX_DISPATCH_GENERATION) throw new InvalidFanOutPieceError(`a dispatcher's generation is at most ${MAX_DISPATCH_GENERATION}`);
    return { ...base, kind: "dispatch", cursor: e["cursor"] };
  }
  if (e["kind"] === "deliver") {
    const ids = e["connectionIds"];
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === "string" && id !== "")) {
      throw new InvalidFanOutPieceError("connectionIds must be a non-empty list of connection ids");
    }
    return { ...base, kind: "deliver", connectionIds: ids as string[] };
  }
  throw new InvalidFanOutPieceError('kind must be "dispatch" or "deliver"');
}
