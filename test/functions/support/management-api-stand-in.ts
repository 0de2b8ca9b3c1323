import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export const TEST_CERTIFICATE_PATH = new URL("../fixtures/tls/localhost-test-only.cert.pem", import.meta.url).pathname;
const TEST_KEY_PATH = new URL("../fixtures/tls/localhost-test-only.key.pem", import.meta.url).pathname;

export interface StandInOptions {
  readonly stage: string;
  /** Serve HTTPS with the test certificate, so `https://${domainName}/${stage}` reaches it. @default false */
  readonly tls?: boolean;
  /** How long each POST is held before the answer, so concurrent posts overlap. @default 0 */
  readonly holdMs?: number;
}

/**
 * The `@connections` API of API Gateway, as far as PostToConnection goes:
 * `POST /{stage}/@connections/{id}` answers 200 with an empty body; ids
 * marked gone get 410 with `x-amzn-ErrorType: GoneException` and an empty body
 * (as AWS sends it); throttled ids get 429 LimitExceededException a set
 * number of times; failing ids get the status asked for. A wrong stage gets
 * 403 ForbiddenException.
 */
export interface ManagementApiStandIn {
  /** `127.0.0.1:<port>`, for `requestContext.domainName` (HTTPS) or an `http://` endpoint. */
  readonly host: string;
  readonly stage: string;
  /** Bodies received per connection id, in order, as text. */
  readonly delivered: Map<string, string[]>;
  readonly gone: Set<string>;
  /** id → how many more posts to answer with 429. */
  readonly throttled: Map<string, number>;
  /** id → status to answer with, e.g. 500. */
  readonly failing: Map<string, number>;
  /** POSTs received, retries included. */
  readonly posts: number;
  /** The most POSTs that were being handled at the same moment. */
  readonly maxInFlight: number;
  /** Every POST as received: the raw path, the headers and the body. */
  readonly requests: ReceivedRequest[];
  /** Distinct TCP connections that carried a POST. */
  readonly sockets: number;
  close(): Promise<void>;
}

export interface ReceivedRequest {
  readonly method: string;
  /** As on the request line, still percent-encoded. */
  readonly path: string;
  readonly headers: IncomingMessage["headers"];
  readonly body: Buffer;
}

export async function startManagementApiStandIn(options: StandInOptions): Promise<ManagementApiStandIn> {
  const delivered = new Map<string, string[]>();
  const gone = new Set<string>();
  const throttled = new Map<string, number>();
  const failing = new Map<string, number>();
  let posts = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<unknown>();
  const prefix = `/${options.stage}/@connections/`;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const path = req.url ?? "";
      if (req.method !== "POST" || !path.startsWith(prefix)) {
        answer(res, 403, "ForbiddenException", { message: "Forbidden" });
        return;
      }
      posts++;
      requests.push({ method: req.method, path, headers: req.headers, body: Buffer.concat(chunks) });
      sockets.add(req.socket);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const connectionId = decodeURIComponent(path.slice(prefix.length));
      setTimeout(() => {
        inFlight--;
        const throttlesLeft = throttled.get(connectionId) ?? 0;
        if (throttlesLeft > 0) {
          throttled.set(connectionId, throttlesLeft - 1);
          answer(res, 429, "LimitExceededException", { message: "Rate exceeded" });
        } else if (gone.has(connectionId)) {
          answer(res, 410, "GoneException");
        } else if (failing.has(connectionId)) {
          answer(res, failing.get(connectionId)!, "InternalServerErrorException", { message: "Internal server error" });
        } else {
          delivered.set(connectionId, [...(delivered.get(connectionId) ?? []), Buffer.concat(chunks).toString("utf8")]);
          answer(res, 200);
        }
      }, options.holdMs ?? 0);
    });
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: readFileSync(TEST_CERTIFICATE_PATH), key: readFileSync(TEST_KEY_PATH) }, handle)
    : createHttpServer(handle);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    stage: options.stage,
    delivered,
    gone,
    throttled,
    failing,
    get posts() {
      return posts;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    requests,
    get sockets() {
      return sockets.size;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function answer(res: ServerResponse, status: number, errorType?: string, body?: unknown): void {
  const headers: Record<string, string> = { "x-amzn-RequestId": randomUUID() };
  if (errorType !== undefined) headers["x-amzn-ErrorType"] = errorType;
  if (body !== undefined) headers["content-type"] = "application/json";
  res.writeHead(status, headers);
  res.end(body === undefined ? undefined : JSON.stringify(body));
}
