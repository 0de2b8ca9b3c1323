import { ClientError, UnknownActionError } from "./client-errors.ts";
import type { ErrorFrame } from "../../contract/frames.ts";

/**
 * The one place an error becomes a frame. A client error keeps its code and
 * message; anything else becomes `internal_error` with a fixed message, so a
 * server fault's message, stack or cause never reaches a client.
 */
export function toErrorFrame(error: unknown, requestAction: string | null): ErrorFrame {
  if (!(error instanceof ClientError)) {
    return { type: "error", code: "internal_error", message: "Something went wrong on our side; please try again.", requestAction };
  }
  const frame: ErrorFrame = { type: "error", code: error.code, message: error.message, requestAction };
  return error instanceof UnknownActionError ? { ...frame, validActions: error.validActions } : frame;
}
