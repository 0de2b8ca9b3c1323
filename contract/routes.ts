/**
 * The route manifest: the one description of the WebSocket API that the
 * stack (stacks/chat-backend.ts), the handlers (functions/default.ts lists the
 * valid actions from it) and the clients read. The local emulator does not
 * read it: it runs what the stack synthesized from it.
 *
 * Part of the contract: no imports, so it bundles into a handler at no cost.
 */

/** What a handler touches in the connection table; the stack grants exactly this. */
export interface TableAccess {
  /** DynamoDB actions on the table itself (its base-table ARN). */
  readonly table?: readonly DynamoDbAction[];
  /** DynamoDB actions on the room index (`<table ARN>/index/<roomIndexName>`). */
  readonly roomIndex?: readonly DynamoDbAction[];
}

export type DynamoDbAction = "GetItem" | "PutItem" | "DeleteItem" | "UpdateItem" | "Query" | "BatchWriteItem";

interface RouteBase {
  /** The API Gateway route key, e.g. `$connect` or `onMessage`. */
  readonly routeKey: string;
  /** Short, stable name used for the function, its role and log group: `<prefix>-<name>`. */
  readonly name: string;
  /**
   * Two-way routes have a `$default` route response, so the integration's
   * answer reaches the caller as one frame in the context of its message.
   */
  readonly twoWay: boolean;
  /** One line for the README protocol table and the module documentation. */
  readonly description: string;
}

/** A route served by its own Lambda function (AWS_PROXY integration). */
export interface LambdaRouteDefinition extends RouteBase {
  readonly kind: "lambda";
  /** Handler source, relative to `functions/`; bundled by esbuild into its own zip. */
  readonly entry: string;
  /** The DynamoDB access the handler needs. */
  readonly access: TableAccess;
  /** Whether the handler posts to connections through the `@connections` API. */
  readonly manageConnections: boolean;
}

/**
 * A route API Gateway answers itself (MOCK integration plus a route response),
 * with no Lambda invocation to pay for or wait on.
 */
export interface MockRouteDefinition extends RouteBase {
  readonly kind: "mock";
  readonly twoWay: true;
  /** The frame sent back: the integration response template, static JSON. */
  readonly response: string;
}

export type RouteDefinition = LambdaRouteDefinition | MockRouteDefinition;

// Each `access` lists exactly the calls the handler makes (test/functions/bundle.test.ts
// checks every recorded call against it). Routes that broadcast also prune stale
// connections: removing one Queries its items, BatchWrites their deletion, Queries
// the entries under its name, Gets a signed-in user's name binding and may
// DeleteItem the name's claim. Sending a message UpdateItems the sender's rate count.
export const ROUTES: readonly RouteDefinition[] = [
  {
    kind: "lambda",
    routeKey: "$connect",
    name: "connect",
    entry: "connect.ts",
    twoWay: false,
    description: "Claims the connection's name, stores it with its lobby membership (each with a TTL) and tells the lobby it joined.",
    access: { table: ["GetItem", "PutItem", "BatchWriteItem", "Query", "DeleteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "$disconnect",
    name: "disconnect",
    entry: "disconnect.ts",
    twoWay: false,
    description: "Deletes the connection, its memberships and its name, and tells each of its rooms it left.",
    access: { table: ["GetItem", "Query", "BatchWriteItem", "DeleteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "onMessage",
    name: "on-message",
    entry: "on-message.ts",
    twoWay: true,
    description: "Broadcasts {message, from, sentAt, id} to the room (default lobby) and stores it in the room's history; answers with a receipt.",
    access: { table: ["GetItem", "PutItem", "UpdateItem", "Query", "BatchWriteItem", "DeleteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "joinRoom",
    name: "join-room",
    entry: "join-room.ts",
    twoWay: true,
    description: "Adds the connection to a room, answers with the members' names and tells the others it joined.",
    access: { table: ["GetItem", "PutItem", "UpdateItem", "Query", "BatchWriteItem", "DeleteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "leaveRoom",
    name: "leave-room",
    entry: "leave-room.ts",
    twoWay: true,
    description: "Removes the connection from a room and tells the others it left.",
    access: { table: ["GetItem", "DeleteItem", "Query", "BatchWriteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "privateMessage",
    name: "private-message",
    entry: "private-message.ts",
    twoWay: true,
    description: "Delivers a message to every connection of the named user; answers with the number reached.",
    access: { table: ["GetItem", "UpdateItem", "Query", "BatchWriteItem", "DeleteItem"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "typingIndicator",
    name: "typing-indicator",
    entry: "typing-indicator.ts",
    twoWay: true,
    description: "Tells the room's other members that the sender started or stopped typing; stores nothing.",
    access: { table: ["GetItem", "Query", "BatchWriteItem", "DeleteItem"], roomIndex: ["Query"] },
    manageConnections: true,
  },
  {
    kind: "lambda",
    routeKey: "setName",
    name: "set-name",
    entry: "set-name.ts",
    twoWay: true,
    description: "Sets the connection's display name, refusing invalid names and names another user holds.",
    access: { table: ["GetItem", "PutItem", "Query", "BatchWriteItem", "DeleteItem"] },
    manageConnections: false,
  },
  {
    kind: "lambda",
    routeKey: "history",
    name: "history",
    entry: "history.ts",
    twoWay: true,
    description: "Answers with a page of the room's recent messages, newest first, and a cursor for the page before.",
    access: { table: ["GetItem", "Query"] },
    manageConnections: false,
  },
  {
    kind: "mock",
    routeKey: "ping",
    name: "ping",
    twoWay: true,
    response: '{"type":"pong"}',
    description: 'Answers {"type":"pong"} from API Gateway itself, with no Lambda: a keep-alive and latency probe.',
  },
  {
    kind: "lambda",
    routeKey: "$default",
    name: "default",
    entry: "default.ts",
    twoWay: true,
    description: "Answers anything no other route matched with an error frame naming the problem.",
    access: {},
    manageConnections: false,
  },
];

/**
 * A function no route invokes: other functions invoke it asynchronously
 * (Lambda `Invoke` with `InvocationType: Event`), and Lambda retries it on
 * error. It gets the route functions' environment, the named table access
 * and, when `manageConnections`, the `@connections` grant.
 */
export interface WorkerFunctionDefinition {
  /** Short, stable name used for the function, its role and log group: `<prefix>-<name>`. */
  readonly name: string;
  /** Handler source, relative to `functions/`. */
  readonly entry: string;
  readonly access: TableAccess;
  readonly manageConnections: boolean;
  /** Which functions may invoke it (`lambda:InvokeFunction` on this function's ARN alone), by name. */
  readonly invokedBy: readonly string[];
  readonly description: string;
}

/**
 * Serves a large room's broadcast in pieces (docs/performance.md, "Large
 * rooms"). `onMessage` delivers the room's first `fan_out_shard_size`
 * members itself and hands the room's cursor to one invocation of this
 * function, which reads the rest of the room in pages and invokes itself
 * once per page with that page's connection ids; a piece that runs short of
 * time hands its undelivered ids to one more invocation. Pruning a stale
 * connection needs the same table access as any broadcasting route.
 */
export const FAN_OUT_FUNCTION: WorkerFunctionDefinition = {
  name: "fan-out",
  entry: "fan-out.ts",
  access: { table: ["GetItem", "Query", "BatchWriteItem", "DeleteItem"], roomIndex: ["Query"] },
  manageConnections: true,
  invokedBy: ["on-message", "fan-out"],
  description: "Delivers one piece of a large room's message (a page of the room, read from a cursor or given as connection ids); invoked asynchronously by onMessage and by itself.",
};

/** The routes served by a Lambda function. */
export const LAMBDA_ROUTES: readonly LambdaRouteDefinition[] = ROUTES.filter((r): r is LambdaRouteDefinition => r.kind === "lambda");

/** The actions a client may send: every custom route key (those not starting with `$`). */
export const CLIENT_ACTIONS: readonly string[] = ROUTES.filter((r) => !r.routeKey.startsWith("$")).map((r) => r.routeKey);

/** The REQUEST authorizer on `$connect`: verifies a JWT from the `token` query parameter. */
export interface AuthorizerDefinition {
  /** Short, stable name used for the function, its role and log group. */
  readonly name: string;
  /** Handler source, relative to `functions/`. */
  readonly entry: string;
  /**
   * Where API Gateway finds the credential. A query parameter, because
   * browsers cannot set headers on a WebSocket handshake. A missing or empty
   * one is refused with 401 before the authorizer is invoked.
   */
  readonly identitySource: string;
  readonly description: string;
}

export const AUTHORIZER: AuthorizerDefinition = {
  name: "authorizer",
  entry: "authorizer.ts",
  identitySource: "route.request.querystring.token",
  description: "Verifies the JWT in ?token= against the issuer's JWKS; passes the user's name and sub to every later event.",
};

/**
 * API Gateway's largest single WebSocket frame: a bigger one closes the
 * connection with 1009 before any route runs. Clients keep each action's
 * frame within it; a message up to 128 KB must be sent fragmented.
 */
export const MAX_FRAME_BYTES = 32 * 1024;

/**
 * API Gateway's largest WebSocket message, all its frames together, in either
 * direction: an answer or a post over it cannot be delivered.
 */
export const MAX_MESSAGE_PAYLOAD_BYTES = 128 * 1024;

/** The room every connection joins on `$connect`, and where `onMessage` without `room` goes. */
export const DEFAULT_ROOM = "lobby";
