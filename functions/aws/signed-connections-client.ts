/**
 * PostToConnection without the SDK's command stack: one SigV4-signed HTTP POST
 * per recipient over a keep-alive socket pool.
 *
 * Why: the SDK's `PostToConnectionCommand` costs about 250 µs of CPU per post
 * (middleware, endpoint resolution, serialisation, signing, response parsing),
 * which caps a 10,000-recipient broadcast at about 3 s whatever the
 * concurrency. This client does only what a post needs: the payload's hash is
 * computed once per frame, the request is signed by a SigV4 signer made for
 * this one request shape (sigv4-post-signer.ts; same signature as the SDK's
 * `@smithy/signature-v4`, a third of its CPU), the path is built from the id,
 * and the answer's status and `x-amzn-ErrorType` become an error named as
 * the SDK would name it. See docs/performance.md, "Broadcast fan-out".
 *
 * Requests go through `https.request` / `http.request` looked up on the module
 * objects at call time, so the local emulator's patch of `https.request` (it
 * sends the handler's `https://127.0.0.1:<port>` traffic over http) applies.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { canonicalPath, canonicalPathAppend, SigV4PostSigner } from "./sigv4-post-signer.ts";

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedConnectionsClientOptions {
  /** `https://{domainName}/{stage}` (or `http://…` for a local stand-in). */
  readonly endpoint: string;
  /** Sockets in the pool: the most posts in flight at once. */
  readonly maxSockets: number;
  /** @default the Lambda environment's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) */
  readonly credentials?: AwsCredentials;
  /** @default AWS_REGION */
  readonly region?: string;
  /** A post with no answer for this long fails with TimeoutError. @default 5000 */
  readonly requestTimeoutMs?: number;
}

/** A failed post, shaped as the SDK shapes service errors: `name`, `$fault`, `$metadata.httpStatusCode`. */
export class ConnectionsApiError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: { readonly httpStatusCode: number; readonly requestId?: string };

  constructor(name: string, status: number, message: string, requestId?: string) {
    super(message);
    this.name = name;
    this.$fault = status >= 500 ? "server" : "client";
    this.$metadata = requestId === undefined ? { httpStatusCode: status } : { httpStatusCode: status, requestId };
  }
}

/** What AWS answers without `x-amzn-ErrorType` (or what the SDK would call it). */
const NAME_BY_STATUS: Readonly<Record<number, string>> = {
  400: "BadRequestException",
  403: "ForbiddenException",
  410: "GoneException",
  413: "PayloadTooLargeException",
  429: "LimitExceededException",
};

/** Credentials from the Lambda environment, read when the first post is signed. */
export function environmentCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  const accessKeyId = env["AWS_ACCESS_KEY_ID"];
  const secretAccessKey = env["AWS_SECRET_ACCESS_KEY"];
  if (!accessKeyId || !secretAccessKey) {
    throw Object.assign(new Error("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set"), { name: "CredentialsProviderError" });
  }
  const sessionToken = env["AWS_SESSION_TOKEN"];
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

interface PreparedPayload {
  readonly data: Uint8Array;
  readonly body: Buffer;
  /**
   * What is written: the body as text when it is UTF-8 (a frame always is),
   * because Node writes a string body in one write with the headers, and a
   * Buffer body as a second buffer of a writev.
   */
  readonly wire: string | Buffer;
  readonly sha256: string;
  /** The headers every post of this frame carries before signing. */
  readonly headers: Readonly<Record<string, string>>;
  /** The same as a flat `[name, value, …]` list. */
  readonly rawHeaders: readonly string[];
}

/**
 * The `@connections` API of one endpoint. Build one per endpoint and keep it
 * for the container's life, so its sockets are reused across invocations.
 */
export class SignedConnectionsClient {
  readonly #secure: boolean;
  readonly #hostname: string;
  readonly #port: number | undefined;
  /** The `Host` header: `hostname[:port]`, the port only when it is not the scheme's default. */
  readonly #host: string;
  /** `/{stage}/@connections/`. */
  readonly #pathPrefix: string;
  /** The prefix as SigV4 canonicalises it. */
  readonly #canonicalPrefix: string;
  readonly #agent: http.Agent;
  readonly #requestTimeoutMs: number;
  readonly #credentials: AwsCredentials | undefined;
  readonly #region: string | undefined;
  // Built at the first post, so a missing variable fails (and logs) the post rather than the handler's init.
  #signer: SigV4PostSigner | undefined;
  // The last frame posted: a broadcast posts the same bytes to every recipient.
  #payload: PreparedPayload | undefined;
  /** Requests in flight and when each started, for the watchdog. */
  readonly #inFlight = new Map<http.ClientRequest, number>();
  #watchdog: NodeJS.Timeout | undefined;

  constructor(options: SignedConnectionsClientOptions) {
    const url = new URL(options.endpoint);
    if (url.protocol !== "https:" && url.protocol !== "http:") {
      throw new TypeError(`endpoint must be an http(s) URL: ${options.endpoint}`);
    }
    this.#secure = url.protocol === "https:";
    // URL keeps IPv6 hosts bracketed; http.request wants them bare.
    this.#hostname = url.hostname.replace(/^\[(.*)\]$/, "$1");
    this.#port = url.port === "" ? undefined : Number(url.port);
    this.#host = url.host;
    this.#pathPrefix = `${url.pathname.replace(/\/+$/, "")}/@connections/`;
    this.#canonicalPrefix = canonicalPath(this.#pathPrefix);
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, scheduling: "lifo" as const };
    this.#agent = this.#secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
    this.#credentials = options.credentials;
    this.#region = options.region;
  }

  /** POST `data` to `/{stage}/@connections/{connectionId}`; rejects with a {@link ConnectionsApiError} on a non-2xx answer. */
  async post(connectionId: string, data: Uint8Array): Promise<void> {
    const payload = this.#prepare(data);
    const segment = encodeURIComponent(connectionId);
    const path = this.#pathPrefix + segment;
    // An id of "." or ".." would be a path step, not a segment: let the general canonicalisation handle it.
    const canonical = segment === "." || segment === ".." || segment === "" ? undefined : canonicalPathAppend(this.#canonicalPrefix, segment);
    const signer = this.#signerNow();
    const { amzDate, authorization } = signer.authorize({ path, canonicalPath: canonical, headers: payload.headers, payloadHash: payload.sha256 });
    // A flat [name, value, …] list: Node writes it as given, skipping the per-header bookkeeping of an object.
    const headers = [...payload.rawHeaders, "x-amz-date", amzDate, "authorization", authorization];
    if (signer.sessionToken !== undefined) headers.push("x-amz-security-token", signer.sessionToken);
    try {
      await this.#send(path, headers, payload.wire);
    } catch (error) {
      // A kept-alive socket the server closed while idle (or while the
      // container was frozen) fails the first write; a fresh socket will not.
      if (!isStaleSocket(error)) throw error;
      await this.#send(path, headers, payload.wire);
    }
  }

  /** Closes the pooled sockets. */
  destroy(): void {
    this.#agent.destroy();
  }

  #signerNow(): SigV4PostSigner {
    return (this.#signer ??= new SigV4PostSigner({
      credentials: this.#credentials ?? environmentCredentials(),
      region: this.#region ?? (process.env["AWS_REGION"] || process.env["AWS_DEFAULT_REGION"] || missingRegion()),
      service: "execute-api",
    }));
  }

  #prepare(data: Uint8Array): PreparedPayload {
    const last = this.#payload;
    if (last !== undefined && last.data === data) return last;
    const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const sha256 = createHash("sha256").update(body).digest("hex");
    const headers = {
      host: this.#host,
      "content-type": "application/octet-stream",
      "content-length": String(body.byteLength),
      "x-amz-content-sha256": sha256,
    };
    const prepared = { data, body, wire: isUtf8(body) ? body.toString("utf8") : body, sha256, headers, rawHeaders: Object.entries(headers).flat() };
    this.#payload = prepared;
    return prepared;
  }

  #send(path: string, headers: string[], body: string | Buffer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      // Looked up now, not at import: the emulator patches https.request after handlers load.
      const request = (this.#secure ? https : http).request(
        { hostname: this.#hostname, port: this.#port, method: "POST", path, headers, agent: this.#agent },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            response.resume();
            response.once("end", () => {
              this.#untrack(request);
              resolve();
            });
            return;
          }
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.once("end", () => {
            this.#untrack(request);
            reject(errorFrom(status, response.headers, Buffer.concat(chunks).toString("utf8")));
          });
        },
      );
      this.#track(request);
      request.once("error", (error: Error) => {
        this.#untrack(request);
        reject(Object.assign(error, { reusedSocket: request.reusedSocket }));
      });
      request.end(body);
    });
  }

  // One coarse timer for all posts rather than a socket timer per request:
  // a per-request timeout costs about as much CPU as signing the request.
  #track(request: http.ClientRequest): void {
    this.#inFlight.set(request, Date.now());
    this.#watchdog ??= setInterval(() => this.#expire(), Math.max(10, Math.min(1_000, this.#requestTimeoutMs / 4))).unref();
  }

  #untrack(request: http.ClientRequest): void {
    this.#inFlight.delete(request);
    if (this.#inFlight.size === 0 && this.#watchdog !== undefined) {
      clearInterval(this.#watchdog);
      this.#watchdog = undefined;
    }
  }

  #expire(): void {
    const oldest = Date.now() - this.#requestTimeoutMs;
    for (const [request, startedAt] of this.#inFlight) {
      if (startedAt > oldest) break; // insertion order is start order
      this.#inFlight.delete(request);
      request.destroy(Object.assign(new Error(`no answer within ${this.#requestTimeoutMs} ms`), { name: "TimeoutError" }));
    }
  }
}

function errorFrom(status: number, headers: http.IncomingHttpHeaders, text: string): ConnectionsApiError {
  // `x-amzn-ErrorType` may carry a suffix: `GoneException:http://internal.amazon.com/...`.
  const typeHeader = headers["x-amzn-errortype"];
  const fromHeader = (Array.isArray(typeHeader) ? typeHeader[0] : typeHeader)?.split(":")[0]?.trim();
  const name = fromHeader || NAME_BY_STATUS[status] || (status >= 500 ? "InternalServerErrorException" : "UnknownError");
  let message = `${name} (HTTP ${status})`;
  if (text !== "") {
    try {
      const parsed = JSON.parse(text) as { message?: unknown; Message?: unknown };
      const said = parsed.message ?? parsed.Message;
      if (typeof said === "string" && said !== "") message = said;
    } catch {
      // Not JSON: keep the generic message.
    }
  }
  const requestId = headers["x-amzn-requestid"];
  return new ConnectionsApiError(name, status, message, typeof requestId === "string" ? requestId : undefined);
}

function isStaleSocket(error: unknown): boolean {
  const { code, reusedSocket } = error as { code?: unknown; reusedSocket?: unknown };
  return reusedSocket === true && (code === "ECONNRESET" || code === "EPIPE");
}

function missingRegion(): never {
  throw Object.assign(new Error("AWS_REGION is not set"), { name: "ConfigError" });
}
