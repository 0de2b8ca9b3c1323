import { newTraceId } from "./ids.ts";

/**
 * Builders for the Lambda events API Gateway sends, in the shape of the real
 * captures (aws-lambda-go testdata, the AWS docs' authorizer input):
 * CONNECT and DISCONNECT carry headers, MESSAGE does not; query parameters
 * are absent, not `{}`, without a query string; `messageId` exists only on
 * MESSAGE; `requestId` equals `extendedRequestId`.
 */

/** What every event of one API shares. */
export interface ApiFacts {
  readonly apiId: string;
  readonly stage: string;
  /** What handlers use to call back: `127.0.0.1:<port>` locally. */
  readonly domainName: string;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly region: string;
  readonly accountId: string;
}

/** What every event of one connection shares. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent?: string;
  /** `requestContext.authorizer`, once a Lambda authorizer allowed the connection. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
}

/** The upgrade request as the client sent it. */
export interface HandshakeFacts {
  /** `IncomingMessage.rawHeaders`: names keep the client's spelling. */
  readonly rawHeaders: readonly string[];
  /** The raw query string without `?`, or undefined when the URL had none. */
  readonly rawQuery?: string;
  /** The port clients connected to (X-Forwarded-Port). */
  readonly port: number;
  /** http or https (X-Forwarded-Proto). */
  readonly protocol: string;
}

export type HeaderMap = Record<string, string>;
export type MultiValueHeaderMap = Record<string, string[]>;

/** Per invocation: API Gateway's request id (also the extended id) and the clock. */
export interface InvocationFacts {
  readonly requestId: string;
  readonly now: number;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `$context.requestTime`: CLF, always UTC, e.g. `20/Jan/2024:11:55:00 +0000`. */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

function requestContext(
  api: ApiFacts,
  connection: ConnectionFacts,
  invocation: InvocationFacts,
  routeKey: string,
  eventType: "CONNECT" | "MESSAGE" | "DISCONNECT",
  extra: { messageId?: string; disconnectStatusCode?: number; disconnectReason?: string; withAuthorizer: boolean },
): Record<string, unknown> {
  const identity: Record<string, string> = {};
  if (connection.userAgent !== undefined) identity.userAgent = connection.userAgent;
  identity.sourceIp = connection.sourceIp;
  const context: Record<string, unknown> = { routeKey };
  if (extra.messageId !== undefined) context.messageId = extra.messageId;
  if (extra.disconnectStatusCode !== undefined) context.disconnectStatusCode = extra.disconnectStatusCode;
  context.eventType = eventType;
  context.extendedRequestId = invocation.requestId;
  context.requestTime = formatRequestTime(invocation.now);
  context.messageDirection = "IN";
  if (extra.disconnectReason !== undefined) context.disconnectReason = extra.disconnectReason;
  context.stage = api.stage;
  context.connectedAt = connection.connectedAt;
  context.requestTimeEpoch = invocation.now;
  context.identity = identity;
  context.requestId = invocation.requestId;
  context.domainName = api.domainName;
  context.connectionId = connection.connectionId;
  context.apiId = api.apiId;
  if (extra.withAuthorizer && connection.authorizer !== undefined) context.authorizer = { ...connection.authorizer };
  return context;
}

/** Names of hop-by-hop headers the authorizer sees but the `$connect` integration does not. */
const HOP_HEADERS = new Set(["connection", "upgrade", "content-length"]);

/**
 * The headers API Gateway forwards for a handshake: the client's own (Host
 * replaced by the API's domain), plus X-Amzn-Trace-Id and X-Forwarded-*.
 */
function handshakeHeaders(api: ApiFacts, connection: ConnectionFacts, handshake: HandshakeFacts, now: number, forAuthorizer: boolean) {
  const multi: MultiValueHeaderMap = {};
  const raw = handshake.rawHeaders;
  let forwardedFor: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === "host") continue;
    if (lower === "x-forwarded-for") {
      forwardedFor = raw[i + 1]!;
      continue;
    }
    if (!forAuthorizer && HOP_HEADERS.has(lower)) continue;
    (multi[name] ??= []).push(raw[i + 1]!);
  }
  if (forAuthorizer && !Object.keys(multi).some((k) => k.toLowerCase() === "content-length")) multi["content-length"] = ["0"];
  multi.Host = [api.domainName];
  multi["X-Amzn-Trace-Id"] = [newTraceId(now)];
  multi["X-Forwarded-For"] = [forwardedFor ? `${forwardedFor}, ${connection.sourceIp}` : connection.sourceIp];
  multi["X-Forwarded-Port"] = [String(handshake.port)];
  multi["X-Forwarded-Proto"] = [handshake.protocol];
  return { headers: lastValues(multi), multiValueHeaders: multi };
}

function lastValues(multi: MultiValueHeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [key, values] of Object.entries(multi)) out[key] = values[values.length - 1]!;
  return out;
}

/** Query parameters, or nothing at all when the URL had no query string. */
function queryParameters(rawQuery: string | undefined): Record<string, unknown> {
  if (rawQuery === undefined || rawQuery === "") return {};
  const multi: MultiValueHeaderMap = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) (multi[key] ??= []).push(value);
  return { queryStringParameters: lastValues(multi), multiValueQueryStringParameters: multi };
}

function stageVariables(api: ApiFacts): Record<string, unknown> {
  return Object.keys(api.stageVariables).length > 0 ? { stageVariables: { ...api.stageVariables } } : {};
}

export function buildConnectEvent(api: ApiFacts, connection: ConnectionFacts, handshake: HandshakeFacts, invocation: InvocationFacts) {
  const { headers, multiValueHeaders } = handshakeHeaders(api, connection, handshake, invocation.now, false);
  return {
    headers,
    multiValueHeaders,
    ...queryParameters(handshake.rawQuery),
    ...stageVariables(api),
    requestContext: requestContext(api, connection, invocation, "$connect", "CONNECT", { withAuthorizer: true }),
    isBase64Encoded: false,
  };
}

/** The REQUEST authorizer's input for `$connect`. */
export function buildAuthorizerEvent(api: ApiFacts, connection: ConnectionFacts, handshake: HandshakeFacts, invocation: InvocationFacts) {
  const { headers, multiValueHeaders } = handshakeHeaders(api, connection, handshake, invocation.now, true);
  const query = queryParameters(handshake.rawQuery);
  return {
    type: "REQUEST",
    methodArn: `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/$connect`,
    headers,
    multiValueHeaders,
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    ...query,
    stageVariables: { ...api.stageVariables },
    requestContext: requestContext(api, connection, invocation, "$connect", "CONNECT", { withAuthorizer: false }),
  };
}

export function buildMessageEvent(api: ApiFacts, connection: ConnectionFacts, invocation: InvocationFacts, routeKey: string, messageId: string, body: string) {
  return {
    requestContext: requestContext(api, connection, invocation, routeKey, "MESSAGE", { messageId, withAuthorizer: true }),
    body,
    isBase64Encoded: false,
    ...stageVariables(api),
  };
}

export function buildDisconnectEvent(api: ApiFacts, connection: ConnectionFacts, invocation: InvocationFacts, statusCode: number, reason: string) {
  // The real event carries this fixed header set, not the handshake's headers.
  const multiValueHeaders: MultiValueHeaderMap = {
    Host: [api.domainName],
    "x-api-key": [""],
    "X-Forwarded-For": [connection.sourceIp],
    "x-restapi": [""],
  };
  return {
    headers: lastValues(multiValueHeaders),
    multiValueHeaders,
    ...stageVariables(api),
    requestContext: requestContext(api, connection, invocation, "$disconnect", "DISCONNECT", {
      disconnectStatusCode: statusCode,
      disconnectReason: reason,
      withAuthorizer: true,
    }),
    isBase64Encoded: false,
  };
}
