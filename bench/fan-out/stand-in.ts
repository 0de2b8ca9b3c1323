/**
 * Child process: the `@connections` API of API Gateway as far as
 * PostToConnection goes, on a real `node:http` server with keep-alive.
 * Every POST is answered after a fixed latency: 410 GoneException (header,
 * empty body, as AWS sends it) for the ids marked gone, 429
 * LimitExceededException (header-coded) for the first post to each id marked
 * throttled, 200 otherwise. Optionally (off unless configured) it
 * enforces an account rate limit as API Gateway does: a token bucket of
 * `perSecond` tokens a second holding at most `burst`, and a POST that finds
 * it empty is answered 429 LimitExceededException. Counts what it answered
 * and when, and the sockets it saw.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { TokenBucket, type RateLimit } from "./rate-limit.ts";
import { childOptions, serve } from "./rpc.ts";

export interface StandInStats {
  /** POSTs received, retries included. */
  readonly posts: number;
  /** 200s answered at or before `until`. */
  readonly deliveredByUntil: number;
  /** 200s answered in all. */
  readonly delivered: number;
  readonly answeredGone: number;
  readonly answeredThrottled: number;
  /** 429s answered because the account rate limit's bucket was empty. */
  readonly answeredRateLimited: number;
  /** Wall clock of the last 200 (ms since the epoch), or null if none. */
  readonly lastDeliveredAt: number | null;
  /** POSTs that carried `Authorization: AWS4-HMAC-SHA256 …` with an execute-api scope. */
  readonly signed: number;
  readonly maxInFlight: number;
  /** Distinct TCP connections that carried a POST since the last reset. */
  readonly sockets: number;
  /** Distinct connection ids delivered to at least once. */
  readonly distinctDelivered: number;
}

export interface StandInApi {
  address(): { host: string; stage: string };
  /** `rateLimit` absent: no account limit (the default). */
  configure(args: { gone: string[]; throttleOnce: string[]; latencyMs: number; rateLimit?: RateLimit }): void;
  reset(): void;
  stats(args: { until: number }): StandInStats;
  /** Resolves once nothing is in flight and no POST arrived for `quietMs`. */
  waitIdle(args: { quietMs: number }): Promise<void>;
}

const { stage } = childOptions<{ stage: string }>();
const prefix = `/${stage}/@connections/`;
let latencyMs = 20;
let gone = new Set<string>();
let throttleOnce = new Set<string>();
let throttledAlready = new Set<string>();
let posts = 0;
let deliveredAt: number[] = [];
let distinctDelivered = new Set<string>();
let answeredGone = 0;
let answeredThrottled = 0;
let answeredRateLimited = 0;
let rateLimit: RateLimit | undefined;
let bucket: TokenBucket | undefined;
let signed = 0;
let inFlight = 0;
let maxInFlight = 0;
let sockets = new Set<Socket>();
let lastPostAt = 0;

const now = (): number => performance.timeOrigin + performance.now();

function answer(res: ServerResponse, status: number, errorType?: string, body?: string): void {
  const headers: Record<string, string | number> = { "x-amzn-RequestId": "bench", "content-length": body === undefined ? 0 : Buffer.byteLength(body) };
  if (errorType !== undefined) headers["x-amzn-ErrorType"] = errorType;
  if (body !== undefined) headers["content-type"] = "application/json";
  res.writeHead(status, headers);
  res.end(body);
}

const server = createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (req: IncomingMessage, res: ServerResponse) => {
  req.resume();
  req.on("end", () => {
    const url = req.url ?? "";
    if (req.method !== "POST" || !url.startsWith(prefix)) {
      answer(res, 403, "ForbiddenException", '{"message":"Forbidden"}');
      return;
    }
    posts++;
    lastPostAt = now();
    sockets.add(req.socket);
    if (/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/execute-api\/aws4_request/.test(req.headers.authorization ?? "")) signed++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const id = decodeURIComponent(url.slice(prefix.length));
    const allowed = bucket === undefined || bucket.take(lastPostAt);
    setTimeout(() => {
      inFlight--;
      if (!allowed) {
        answeredRateLimited++;
        answer(res, 429, "LimitExceededException", '{"message":"Too Many Requests"}');
      } else if (throttleOnce.has(id) && !throttledAlready.has(id)) {
        throttledAlready.add(id);
        answeredThrottled++;
        answer(res, 429, "LimitExceededException", '{"message":"Rate exceeded"}');
      } else if (gone.has(id)) {
        answeredGone++;
        answer(res, 410, "GoneException");
      } else {
        deliveredAt.push(now());
        distinctDelivered.add(id);
        answer(res, 200);
      }
    }, latencyMs);
  });
});
server.keepAliveTimeout = 60_000;
server.headersTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

const api: StandInApi = {
  address: () => ({ host, stage }),
  configure: (args) => {
    gone = new Set(args.gone);
    throttleOnce = new Set(args.throttleOnce);
    latencyMs = args.latencyMs;
    rateLimit = args.rateLimit;
    bucket = rateLimit === undefined ? undefined : new TokenBucket(rateLimit, now());
  },
  reset: () => {
    posts = 0;
    deliveredAt = [];
    distinctDelivered = new Set();
    answeredGone = 0;
    answeredThrottled = 0;
    answeredRateLimited = 0;
    bucket = rateLimit === undefined ? undefined : new TokenBucket(rateLimit, now());
    signed = 0;
    maxInFlight = inFlight;
    sockets = new Set();
    throttledAlready = new Set();
  },
  stats: ({ until }) => ({
    posts,
    deliveredByUntil: deliveredAt.filter((t) => t <= until).length,
    delivered: deliveredAt.length,
    answeredGone,
    answeredThrottled,
    answeredRateLimited,
    lastDeliveredAt: deliveredAt.length ? deliveredAt[deliveredAt.length - 1]! : null,
    signed,
    maxInFlight,
    sockets: sockets.size,
    distinctDelivered: distinctDelivered.size,
  }),
  waitIdle: ({ quietMs }) =>
    new Promise<void>((resolve) => {
      const check = (): void => {
        if (inFlight === 0 && now() - lastPostAt >= quietMs) resolve();
        else setTimeout(check, 20);
      };
      check();
    }),
};
serve(api as unknown as Record<string, (...args: never[]) => unknown>);
