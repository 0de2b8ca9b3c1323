import type { IncomingMessage, ServerResponse } from "node:http";
import type { ConnectionRegistry } from "./connections.ts";
import { AWS_ID_PATTERN, newAwsId } from "./ids.ts";
import type { GatewayOptions } from "./options.ts";
import { checkSignature } from "./sigv4-check.ts";
import { readLimitedBody } from "./read-limited-body.ts";

/**
 * The `@connections` management API: PostToConnection, GetConnection and
 * DeleteConnection, with the status codes and error wire format of the
 * service model. Errors carry `x-amzn-ErrorType`, which is what the SDK v3
 * reads to name the exception; a 410 has an empty body, as on AWS.
 *
 * Requests must be SigV4-signed, as on AWS (sigv4-check.ts: the shape is
 * checked, not the signature, since the emulator cannot know the secret);
 * `signature: undefined` accepts unsigned requests (`--unsigned-connections`).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-how-to-call-websocket-api-connections.html
 */

const CONNECTIONS_PATH = /^\/(?:([^/]+)\/)?(?:@|%40)connections(?:\/([^/]*))?\/?$/i;

/** What DeleteConnection reports to `$disconnect`; a close made through the API cannot carry its own. */
const DELETE_REASON = "Connection Closed Normally";

/**
 * Asked for every PostToConnection: a status to answer instead of delivering
 * it, 429 (`LimitExceededException`, API Gateway throttling) or 500
 * (`InternalServerErrorException`), or undefined to deliver normally. It
 * sees the post's data, so a test can tell a retry from a new frame.
 */
export type ManagementApiFault = (post: { readonly connectionId: string; readonly data: Buffer }) => 429 | 500 | undefined;

/** What a signed request is checked against. */
export interface SignatureRequirement {
  /** The region the credential scope must name. */
  readonly region: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export class ManagementApi {
  constructor(
    private readonly stage: string,
    private readonly connections: ConnectionRegistry,
    private readonly options: GatewayOptions,
    private readonly log: (line: string) => void,
    private readonly fault?: ManagementApiFault,
    /** Undefined: unsigned requests are accepted. */
    private readonly signature?: SignatureRequirement,
  ) {}

  /** Whether the path is an `@connections` path (for this stage or not); such requests are answered here. */
  static matches(rawPath: string): boolean {
    return CONNECTIONS_PATH.test(rawPath);
  }

  async handle(request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void> {
    const requestId = newAwsId();
    response.setHeader("x-amzn-RequestId", requestId);
    // Authentication comes first, as on AWS: an unsigned request learns nothing, not even whether the stage exists.
    if (this.signature !== undefined) {
      const refusal = checkSignature(request.headers, { region: this.signature.region, now: (this.signature.now ?? Date.now)() });
      if (refusal !== undefined) {
        await drain(request);
        this.log(`@connections ${request.method} ${rawPath} → 403 ${refusal.errorType}: ${refusal.message} (sign with any credentials, as the AWS SDK does, or start with --unsigned-connections)`);
        return sendError(response, 403, refusal.errorType, { message: refusal.message });
      }
    }
    const match = CONNECTIONS_PATH.exec(rawPath)!;
    const [, stage, rawId] = match;
    // A missing or wrong stage is what the SDK produced before it kept the endpoint's path: AWS answers 403.
    if (stage !== this.stage || rawId === undefined || rawId === "") {
      await drain(request);
      return sendError(response, 403, "ForbiddenException", { message: "Forbidden" });
    }
    let connectionId: string;
    try {
      connectionId = decodeURIComponent(rawId);
    } catch {
      await drain(request);
      return sendError(response, 400, "BadRequestException", { message: "Invalid connectionId" });
    }
    if (this.options.strictConnectionIds && !AWS_ID_PATTERN.test(connectionId)) {
      await drain(request);
      return sendError(response, 400, "BadRequestException", { message: `Invalid connectionId: ${connectionId}` });
    }
    switch (request.method) {
      case "POST":
        return this.post(request, response, connectionId);
      case "GET":
        await drain(request);
        return this.get(response, connectionId);
      case "DELETE":
        await drain(request);
        return this.delete(response, connectionId);
      default:
        await drain(request);
        return sendError(response, 403, "ForbiddenException", { message: "Forbidden" });
    }
  }

  private async post(request: IncomingMessage, response: ServerResponse, connectionId: string): Promise<void> {
    const { body } = await readLimitedBody(request, this.options.maxMessageBytes);
    if (body === undefined) {
      return sendError(response, 413, "PayloadTooLargeException", { message: "The data has exceeded the maximum size allowed." });
    }
    // Throttling and server faults come before the connection is looked up, as on AWS.
    const fault = this.fault?.({ connectionId, data: body });
    if (fault !== undefined) {
      this.log(`@connections POST ${connectionId} → ${fault} (injected fault)`);
      return fault === 429
        ? sendError(response, 429, "LimitExceededException", { message: "Rate exceeded" })
        : sendError(response, 500, "InternalServerErrorException", { message: "Internal server error" });
    }
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return sendGone(response);
    const binary = this.options.binaryFramesForNonUtf8 && !isUtf8(body);
    connection.send(body, binary, this.options.outboundFrameBytes);
    this.log(`@connections POST ${connectionId} ${body.length} bytes → 200`);
    response.writeHead(200, { "content-length": "0" }).end();
  }

  private get(response: ServerResponse, connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return sendGone(response);
    const body = JSON.stringify({
      connectedAt: new Date(connection.facts.connectedAt).toISOString(),
      identity: { sourceIp: connection.facts.sourceIp, userAgent: connection.facts.userAgent ?? "" },
      lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
    });
    response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  }

  private delete(response: ServerResponse, connectionId: string): void {
    const connection = this.connections.get(connectionId);
    if (connection === undefined) return sendGone(response);
    connection.close(1000, "", DELETE_REASON);
    this.log(`@connections DELETE ${connectionId} → 204`);
    response.writeHead(204).end();
  }
}

function sendGone(response: ServerResponse): void {
  response.writeHead(410, { "x-amzn-ErrorType": "GoneException", "content-length": "0" }).end();
}

function sendError(response: ServerResponse, status: number, type: string, body: { message: string }): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, { "x-amzn-ErrorType": type, "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}


/** Reads and drops the request body, so an answer can be sent on a kept-alive connection. */
export function drain(request: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    request.resume();
    request.on("end", resolve);
    request.on("error", () => resolve());
    if (request.complete) resolve();
  });
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function isUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}
