import { ClientError } from "./client-errors.ts";
import { toErrorFrame } from "./error-frame.ts";
import type { Frame } from "../../contract/frames.ts";
import type { Logger } from "./logger.ts";

/**
 * What a two-way route answers: one frame for the caller, and a status that
 * only tells logs and metrics apart, since API Gateway delivers the frame
 * whatever the status.
 */
export interface TwoWayAnswer {
  readonly status: 200 | 400 | 500;
  readonly frame: Frame;
}

/** Runs a two-way action; whatever it throws becomes an error answer. */
export async function answerTwoWay(requestAction: string | null, logger: Logger, act: () => Promise<Frame>): Promise<TwoWayAnswer> {
  try {
    return { status: 200, frame: await act() };
  } catch (error) {
    return answerError(error, requestAction, logger);
  }
}

/** A client error is answered as it is; a server fault is logged in full and answered generically. */
export function answerError(error: unknown, requestAction: string | null, logger: Logger): TwoWayAnswer {
  if (error instanceof ClientError) {
    logger.info("client error", { code: error.code, requestAction, reason: error.message });
    return { status: 400, frame: toErrorFrame(error, requestAction) };
  }
  logger.error("request failed", { requestAction, error });
  return { status: 500, frame: toErrorFrame(error, requestAction) };
}
