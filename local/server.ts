import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { Connection } from "./connections.ts";
import { describeError } from "./errors.ts";
import { FrameSizeWatcher } from "./frame-limit.ts";
import type { Gateway, HandshakeRequest } from "./gateway.ts";
import type { HostPolicy } from "./host-policy.ts";
import { LambdaInvokeApi } from "./lambda-api.ts";
import { ManagementApi } from "./management-api.ts";
import type { GatewayOptions } from "./options.ts";

/**
 * The emulator's one port: WebSocket upgrades on `/{stage}`, the
 * `@connections` API on `/{stage}/@connections/{id}`, Lambda's Invoke API on
 * `/2015-03-31/functions/{FunctionName}/invocations`, 426 for a plain GET on
 * the stage path and 404 elsewhere.
 *
 * Every request and upgrade, mounted pages included, first passes the
 * `HostPolicy`: a `Host` (and `Origin`, when present) it does not allow gets
 * 403 with a one-line JSON message naming the flag that widens it.
 *
 * The upgrade is held until the authorizer and `$connect` have answered, and
 * `ws` is told which subprotocol to confirm: only the one `$connect` returned
 * in `Sec-WebSocket-Protocol`, never one of its own choosing.
 */

export interface ServerParts {
  readonly gateway: Gateway;
  readonly management: ManagementApi;
  /** Lambda's Invoke API for the plan's functions. */
  readonly lambda?: LambdaInvokeApi;
  /** Plain HTTP pages mounted next to the API (`wsstack dev`: the dev issuer and the web page); tried in order. */
  readonly pages?: readonly HttpPage[];
}

/** A plain HTTP handler on the emulator's port. It never sees the stage path, `@connections` or the Invoke API. */
export interface HttpPage {
  handles(rawPath: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void>;
}

export class GatewayServer {
  readonly http: Server;
  private readonly wss: WebSocketServer;
  /** The subprotocol `$connect` chose for each pending upgrade. */
  private readonly protocols = new WeakMap<IncomingMessage, string>();
  private parts: ServerParts | undefined;
  /** Set when shutdown begins: a client reconnecting at once must not land on a server that is stopping its workers. */
  private refusing = false;
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly stage: string,
    private readonly options: GatewayOptions,
    private readonly log: (line: string) => void,
    private readonly hosts: HostPolicy,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxMessageBytes,
      handleProtocols: (_offered, request) => this.protocols.get(request) ?? false,
    });
    this.http = createServer((request, response) => {
      this.onRequest(request, response).catch((error: unknown) => {
        this.log(`HTTP ${request.method} ${request.url} failed: ${describeError(error)}`);
        if (!response.headersSent) response.writeHead(500).end();
        else response.destroy();
      });
    });
    this.http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.onUpgrade(request, socket, head).catch((error: unknown) => {
        this.log(`upgrade ${request.url} failed: ${describeError(error)}`);
        rejectHandshake(socket, 500);
      });
    });
    this.http.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** Starts listening before the gateway exists, so the chosen port can go into the functions' environment. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(port, host, () => {
        this.http.off("error", reject);
        resolve((this.http.address() as AddressInfo).port);
      });
    });
  }

  attach(parts: ServerParts): void {
    this.parts = parts;
  }

  /** New handshakes get 503 from now on; open connections are unaffected. */
  refuseNewConnections(): void {
    this.refusing = true;
  }

  private async onRequest(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawPath = (request.url ?? "/").split("?")[0]!;
    const refusal = this.hosts.check(request);
    if (refusal !== undefined) {
      this.log(`refused ${request.method} ${rawPath}: ${refusal.message}`);
      request.resume();
      const body = JSON.stringify({ message: refusal.message });
      return void response.writeHead(403, { "content-type": "application/json", "content-length": Buffer.byteLength(body), connection: "close" }).end(body);
    }
    if (this.parts === undefined) return void response.writeHead(503).end();
    if (ManagementApi.matches(rawPath)) return this.parts.management.handle(request, response, rawPath);
    if (this.parts.lambda !== undefined && LambdaInvokeApi.matches(rawPath)) return this.parts.lambda.handle(request, response, rawPath);
    request.resume();
    if (this.isStagePath(rawPath)) {
      const body = JSON.stringify({ message: "Upgrade Required" });
      return void response.writeHead(426, { "content-type": "application/json", upgrade: "websocket", "content-length": Buffer.byteLength(body) }).end(body);
    }
    const page = this.parts.pages?.find((candidate) => candidate.handles(rawPath));
    if (page !== undefined) return page.handle(request, response, rawPath);
    const body = JSON.stringify({ message: "Not Found" });
    response.writeHead(404, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  }

  private isStagePath(rawPath: string): boolean {
    return rawPath === `/${this.stage}` || rawPath === `/${this.stage}/`;
  }

  private async onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on("error", (error) => this.log(`socket error: ${describeError(error)}`));
    const [rawPath, rawQuery] = splitUrl(request.url ?? "/");
    const refusal = this.hosts.check(request);
    if (refusal !== undefined) {
      this.log(`refused upgrade ${rawPath}: ${refusal.message}`);
      return rejectHandshake(socket, 403, JSON.stringify({ message: refusal.message }));
    }
    if (this.parts === undefined || this.refusing) return rejectHandshake(socket, 503);
    if (!this.isStagePath(rawPath)) return rejectHandshake(socket, 404);
    if (!isValidWebSocketRequest(request)) return rejectHandshake(socket, 400);
    const gateway = this.parts.gateway;
    const sourceIp = (request.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
    const query = rawQuery === undefined ? undefined : new URLSearchParams(rawQuery);
    const handshake: HandshakeRequest = {
      rawHeaders: request.rawHeaders,
      rawQuery,
      port: request.socket.localPort ?? 0,
      protocol: "http",
      sourceIp,
      userAgent: request.headers["user-agent"],
      header: (name) => headerValue(request, name),
      query: (name) => query?.getAll(name).at(-1),
    };
    const outcome = await gateway.admit(handshake);
    if (!outcome.accepted) {
      this.log(`$connect rejected → HTTP ${outcome.status}`);
      rejectHandshake(socket, outcome.status);
      if (outcome.throttled !== true) void gateway.rejected(outcome.facts);
      return;
    }
    if (socket.destroyed) {
      // The client gave up while $connect ran; there is no connection to open.
      this.log(`client left during $connect (${outcome.facts.connectionId})`);
      return;
    }
    if (outcome.protocol !== undefined) this.protocols.set(request, outcome.protocol);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection = gateway.open(ws, outcome.facts);
      this.wire(ws, connection, socket);
    });
  }

  private wire(ws: WebSocket, connection: Connection, socket: Duplex): void {
    const gateway = this.parts!.gateway;
    if (this.options.maxFrameBytes > 0) {
      const watcher = new FrameSizeWatcher(this.options.maxFrameBytes, () => connection.close(1009, "Message too big"));
      // Ahead of ws's own listener, so an oversize frame is flagged before ws could deliver it.
      socket.prependListener("data", (chunk: Buffer) => watcher.feed(chunk));
    }
    ws.on("message", (data, isBinary) => {
      if (!connection.isOpen) return;
      if (isBinary) {
        // API Gateway routes text only; a binary frame closes the connection with 1003 (unsupported data).
        connection.close(1003, "Binary frames are not supported");
        return;
      }
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString("utf8");
      gateway.message(connection, text).catch((error: unknown) => this.log(`message on ${connection.id} failed: ${describeError(error)}`));
    });
    ws.on("ping", () => {
      if (this.options.pingResetsIdle) connection.touch();
    });
    ws.on("error", (error: Error & { code?: string }) => {
      // ws closes the socket itself (1009 for maxPayload, 1002/1007 for protocol errors); remember why.
      if (error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") connection.closeCause ??= { code: 1009, reason: "" };
      this.log(`connection ${connection.id}: ${error.message}`);
    });
    ws.on("close", (code, reason) => {
      void gateway.disconnected(connection, code, reason.toString("utf8"));
    });
  }

  /** Stops accepting, then drops every remaining socket (open WebSockets must be closed before). */
  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.http.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.http.closeAllConnections();
    });
  }
}

function splitUrl(url: string): [string, string | undefined] {
  const index = url.indexOf("?");
  return index < 0 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}

function headerValue(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** The checks `ws` would make, done before `$connect` runs so a bad handshake never invokes it. */
function isValidWebSocketRequest(request: IncomingMessage): boolean {
  const key = request.headers["sec-websocket-key"];
  const version = request.headers["sec-websocket-version"];
  return (
    request.method === "GET" &&
    (request.headers.upgrade ?? "").toLowerCase() === "websocket" &&
    typeof key === "string" &&
    /^[+/0-9A-Za-z]{22}==$/.test(key) &&
    (version === "13" || version === "8")
  );
}

function rejectHandshake(socket: Duplex, status: number, message?: string): void {
  if (socket.destroyed) return;
  const body = message ?? (status === 401 ? '{"message":"Unauthorized"}' : status === 403 ? '{"message":"Forbidden"}' : status === 429 ? '{"message":"Too Many Requests"}' : "");
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
