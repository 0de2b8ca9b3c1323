import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AuthorizerEvent, WebSocketEvent, WebSocketRequestContext } from "../../../functions/aws/websocket-event.ts";

type FixtureName = "connect-event" | "disconnect-event" | "on-message-event" | "default-message-event";

/** A real-shaped event from the fixtures, with fresh request ids and the given overrides. */
export function fixtureEvent(
  name: FixtureName,
  overrides: { readonly requestContext?: Partial<WebSocketRequestContext>; readonly body?: string } = {},
): WebSocketEvent {
  const fixture = JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), "utf8")) as WebSocketEvent;
  const requestId = newApiGatewayId();
  const event: WebSocketEvent = {
    ...fixture,
    requestContext: { ...fixture.requestContext, requestId, extendedRequestId: requestId, ...overrides.requestContext },
  };
  return overrides.body === undefined ? event : { ...event, body: overrides.body };
}

/** The REQUEST authorizer event of `$connect`, carrying `token` as its query parameter. */
export function authorizerEvent(token: string | undefined, connectionId = newApiGatewayId()): AuthorizerEvent {
  const fixture = JSON.parse(readFileSync(new URL("../fixtures/authorizer-event.json", import.meta.url), "utf8")) as AuthorizerEvent;
  const requestId = newApiGatewayId();
  const query = token === undefined ? {} : { queryStringParameters: { token }, multiValueQueryStringParameters: { token: [token] } };
  const { queryStringParameters: _q, multiValueQueryStringParameters: _m, ...rest } = fixture as AuthorizerEvent & { multiValueQueryStringParameters?: unknown };
  return { ...rest, ...query, requestContext: { ...fixture.requestContext, connectionId, requestId, extendedRequestId: requestId } };
}

/** A MESSAGE event of `routeKey` with `body`, from the captured onMessage event. */
export function messageEvent(routeKey: string, body: unknown, requestContext: Partial<WebSocketRequestContext> = {}): WebSocketEvent {
  return fixtureEvent("on-message-event", { requestContext: { routeKey, ...requestContext }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** An id in API Gateway's format: 11 random bytes as padded base64url, e.g. `R1kmxc2VNjMCFIA=`. */
export function newApiGatewayId(): string {
  return `${randomBytes(11).toString("base64url")}=`;
}

export function newConnectionIds(count: number): string[] {
  return Array.from({ length: count }, newApiGatewayId);
}
