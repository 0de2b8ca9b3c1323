import type { LogFields } from "../core/logger.ts";
import type { WebSocketEvent } from "./websocket-event.ts";

/** The part of the Lambda context the handlers use. */
export interface LambdaContext {
  readonly awsRequestId: string;
  /** How long the invocation has left; a broadcast hands on what it cannot serve well before it (invocation-deadline.ts). */
  getRemainingTimeInMillis?(): number;
}

/**
 * The fields every log line of one invocation carries: the connection and API
 * Gateway request ids to follow a client, and Lambda's request id to find the
 * invocation's REPORT line.
 */
export function requestLogFields(event: WebSocketEvent, context?: LambdaContext): LogFields {
  const { connectionId, requestId, routeKey } = event.requestContext;
  return context === undefined ? { connectionId, requestId, routeKey } : { connectionId, requestId, routeKey, awsRequestId: context.awsRequestId };
}
