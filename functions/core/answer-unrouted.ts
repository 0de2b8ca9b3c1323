import { actionOf, parseClientMessage, type ClientMessage } from "./client-message.ts";
import { UnknownActionError } from "./client-errors.ts";
import type { Logger } from "./logger.ts";
import { answerError, type TwoWayAnswer } from "./two-way-answer.ts";

export interface UnroutedSettings {
  readonly maxMessageBytes: number;
  /** The actions that do have a route, named in the answer so the client can correct itself. */
  readonly validActions: readonly string[];
}

/**
 * `$default`: API Gateway sends here whatever matched no route. The answer
 * names the first problem found: too large, not a JSON object, or an action
 * that is missing or unknown.
 */
export function answerUnrouted(body: string | undefined, settings: UnroutedSettings, logger: Logger): TwoWayAnswer {
  let message: ClientMessage;
  try {
    message = parseClientMessage(body, settings.maxMessageBytes);
  } catch (error) {
    return answerError(error, null, logger);
  }
  const action = actionOf(message);
  if (action !== undefined && settings.validActions.includes(action)) {
    // Route keys match exactly, so this means the route is missing from the deployed API.
    logger.warn("a valid action reached $default; is its route deployed?", { action });
  }
  return answerError(new UnknownActionError(action, settings.validActions), action ?? null, logger);
}
