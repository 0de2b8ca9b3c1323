/**
 * The Lambda proxy event API Gateway sends for WebSocket routes, and the
 * result it accepts. Declared here, from captured events, so the handlers need
 * no `@types/aws-lambda`, whose type also leaves out fields real events carry
 * (identity, authorizer, headers, disconnect code and reason).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mapping-template-reference.html
 */

export interface WebSocketRequestContext {
  /** The route key as configured, e.g. `$connect`, `onMessage`, `$default`. */
  readonly routeKey: string;
  readonly eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
  readonly connectionId: string;
  /** Unique per invocation; equal to `extendedRequestId`. */
  readonly requestId: string;
  readonly extendedRequestId?: string;
  /** MESSAGE events only. */
  readonly messageId?: string;
  /** With `stage`, where the `@connections` callback API lives. */
  readonly domainName: string;
  readonly stage: string;
  readonly apiId: string;
  /** ms since the epoch; the same in every event of one connection. */
  readonly connectedAt: number;
  readonly requestTime?: string;
  readonly requestTimeEpoch?: number;
  readonly messageDirection?: "IN";
  readonly identity?: { readonly sourceIp: string; readonly userAgent?: string };
  /** What a `$connect` Lambda authorizer put in its context, when there is one. */
  readonly authorizer?: Readonly<Record<string, unknown>>;
  /** DISCONNECT events only. */
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
}

export interface WebSocketEvent {
  readonly requestContext: WebSocketRequestContext;
  /** MESSAGE events only: the text frame as sent, byte for byte. */
  readonly body?: string;
  readonly isBase64Encoded: boolean;
  /** CONNECT and DISCONNECT events only. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[]>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
}

/**
 * The proxy result. Only these keys: API Gateway treats a result with any
 * other key as malformed and answers the client "Internal server error".
 */
export interface ProxyResult {
  readonly statusCode: number;
  /** On a two-way route, sent to the caller as one text frame whatever the status. */
  readonly body?: string;
}

/**
 * The event of a REQUEST authorizer on `$connect`.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 */
export interface AuthorizerEvent {
  readonly type: "REQUEST";
  /** `arn:aws:execute-api:{region}:{account}:{api-id}/{stage}/$connect` */
  readonly methodArn: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly queryStringParameters?: Readonly<Record<string, string>>;
  readonly stageVariables?: Readonly<Record<string, string>>;
  readonly requestContext: Omit<WebSocketRequestContext, "authorizer">;
}

/**
 * What an authorizer answers: an IAM policy for `methodArn`, and a context of
 * string, number or boolean values that API Gateway passes to every later
 * event of the connection as `requestContext.authorizer`.
 */
export interface AuthorizerResult {
  readonly principalId: string;
  readonly policyDocument: {
    readonly Version: "2012-10-17";
    readonly Statement: readonly [{ readonly Action: "execute-api:Invoke"; readonly Effect: "Allow" | "Deny"; readonly Resource: string }];
  };
  readonly context: Readonly<Record<string, string | number | boolean>>;
}
