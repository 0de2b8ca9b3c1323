import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { WebSocketEvent, WebSocketRequestContext } from "../../../functions/aws/websocket-event.ts";

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

/** An id in API Gateway's format: 11 random bytes as padded base64url, e.g. `R1kmxc2VNjMCFIA=`. */
export function newApiGatewayId(): string {
  return `${randomBytes(11).toString("base64url")}=`;
}

export function newConnectionIds(count: number): string[] {
  return Array.from({ length: count }, newApiGatewayId);
}
