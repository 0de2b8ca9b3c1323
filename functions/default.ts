/** `$default`: answers anything no other route matched with an error frame naming the problem. */
import { createJsonLogger, logLevelFrom } from "./aws/json-logger.ts";
import { lazy } from "./aws/lazy.ts";
import { twoWayResult } from "./aws/proxy-result.ts";
import { requestLogFields, type LambdaContext } from "./aws/request-log-fields.ts";
import { readDefaultRouteSettings } from "./aws/settings.ts";
import type { ProxyResult, WebSocketEvent } from "./aws/websocket-event.ts";
import { answerUnrouted } from "./core/answer-unrouted.ts";
import { answerError, type TwoWayAnswer } from "./core/two-way-answer.ts";
import { CLIENT_ACTIONS } from "../contract/routes.ts";

const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
const settings = lazy(() => readDefaultRouteSettings(process.env));

export async function handler(event: WebSocketEvent, context?: LambdaContext): Promise<ProxyResult> {
  const log = logger().child(requestLogFields(event, context));
  let answer: TwoWayAnswer;
  try {
    answer = answerUnrouted(event.body, { maxMessageBytes: settings().maxMessageBytes, validActions: CLIENT_ACTIONS }, log);
  } catch (error) {
    answer = answerError(error, null, log);
  }
  return twoWayResult(answer);
}
