import type { Clock } from "../core/clock.ts";
import { systemClock } from "../core/clock.ts";
import type { Frame } from "../../contract/frames.ts";
import { identityFromAuthorizer, type Identity } from "../core/identity.ts";
import type { Logger } from "../core/logger.ts";
import { systemRandom, type Random } from "../core/random.ts";
import { answerTwoWay } from "../core/two-way-answer.ts";
import { connectionStoreFor } from "./connection-store-for.ts";
import type { DynamoDbConnectionStore } from "./dynamodb-connection-store.ts";
import type { Environment } from "./env.ts";
import { createJsonLogger, logLevelFrom } from "./json-logger.ts";
import { lazy } from "./lazy.ts";
import { twoWayResult } from "./proxy-result.ts";
import { requestLogFields, type LambdaContext } from "./request-log-fields.ts";
import type { TableSettings } from "./settings.ts";
import type { ProxyResult, WebSocketEvent } from "./websocket-event.ts";

/** What a two-way route's action gets: the request, the settings and the container's dependencies. */
export interface RouteRequest<S> {
  readonly event: WebSocketEvent;
  readonly connectionId: string;
  /** The raw MESSAGE body. */
  readonly body: string | undefined;
  /** Who the `$connect` authorizer said this is, when the API has one. */
  readonly authorized: Identity | undefined;
  readonly settings: S;
  readonly store: DynamoDbConnectionStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** Lambda's context, when the runtime gave one. */
  readonly context: LambdaContext | undefined;
}

/**
 * The Lambda handler of a two-way chat route: builds the settings, store and
 * clock once per container, runs `act`, and answers with its frame, or with
 * the error frame of whatever it threw (see two-way-answer.ts).
 */
export function twoWayRoute<S extends TableSettings>(
  readSettings: (env: Environment) => S,
  act: (request: RouteRequest<S>) => Promise<Frame>,
): (event: WebSocketEvent, context?: LambdaContext) => Promise<ProxyResult> {
  const logger = lazy(() => createJsonLogger({ level: logLevelFrom(process.env) }));
  const dependencies = lazy(() => {
    const settings = readSettings(process.env);
    const clock = systemClock();
    const store = connectionStoreFor(settings, clock);
    return { settings, clock, store, random: systemRandom() };
  });
  return async (event, context) => {
    const log = logger().child(requestLogFields(event, context));
    const { connectionId, routeKey, authorizer } = event.requestContext;
    const answer = await answerTwoWay(routeKey, log, () =>
      act({ event, connectionId, body: event.body, authorized: identityFromAuthorizer(authorizer), ...dependencies(), logger: log, context }),
    );
    return twoWayResult(answer);
  };
}
