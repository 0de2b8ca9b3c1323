import type { FanOutPiece } from "./fan-out-piece.ts";

/**
 * The port through which a broadcast hands a piece to another invocation of
 * the fan-out function (Lambda `Invoke` with `InvocationType: Event` on AWS).
 * Resolves once Lambda has queued the event (202); from then on Lambda runs
 * it, and retries it if it fails. Rejects when the event could not be queued.
 */
export interface PieceInvoker {
  invoke(piece: FanOutPiece): Promise<void>;
}
