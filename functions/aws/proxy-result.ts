import type { TwoWayAnswer } from "../core/two-way-answer.ts";
import type { ProxyResult } from "./websocket-event.ts";

/** A two-way route's answer as a proxy result: the frame as `body`, and no other keys. */
export function twoWayResult(answer: TwoWayAnswer): ProxyResult {
  return { statusCode: answer.status, body: JSON.stringify(answer.frame) };
}
