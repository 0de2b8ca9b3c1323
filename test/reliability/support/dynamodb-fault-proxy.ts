import { randomUUID } from "node:crypto";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { seededRandom } from "./seeded-random.ts";

/**
 * An HTTP proxy in front of the DynamoDB API (the emulator's dynalite) that
 * answers some calls with the errors DynamoDB sends under load, in its JSON
 * wire format (`x-amzn-ErrorType` plus a `__type` body, as the SDK reads
 * them), and forwards the rest unchanged. The handlers reach it through the
 * emulator's `functionsDynamoDbEndpoint`.
 *
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html
 */

/** The faults a call can be answered with. */
export type DynamoDbFault =
  /** 400: the table's (or an index's) throughput is exceeded; the SDK retries it as throttling. */
  | "ProvisionedThroughputExceededException"
  /** 400: the account's request rate is exceeded; throttling too. */
  | "ThrottlingException"
  /** 500: DynamoDB failed; the SDK retries it as transient. */
  | "InternalServerError"
  /** No answer until the caller gives up (its Lambda times out) or the proxy closes. */
  | "hang";

export const ERROR_FAULTS = ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"] as const;

/** One DynamoDB API call as the proxy sees it. */
export interface DynamoDbCall {
  /** From `X-Amz-Target`: `PutItem`, `Query`, `BatchWriteItem`, … */
  readonly operation: string;
  /** The request body (the call's JSON). */
  readonly body: string;
  /** From the SDK's `amz-sdk-request: attempt=N; max=M` header; 1 of 1 when absent. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

/** Decides, per call, whether it gets a fault (and which) or is forwarded. */
export type FaultRule = (call: DynamoDbCall) => DynamoDbFault | undefined;

const WIRE: Record<Exclude<DynamoDbFault, "hang">, { status: number; type: string; message: string }> = {
  ProvisionedThroughputExceededException: {
    status: 400,
    type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  },
  ThrottlingException: {
    status: 400,
    type: "com.amazon.coral.availability#ThrottlingException",
    message: "Rate of requests exceeds the allowed throughput.",
  },
  InternalServerError: {
    status: 500,
    type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
    message: "Internal server error",
  },
};

export class DynamoDbFaultProxy {
  /** Where the calls go when they get no fault: set once the emulator's dynalite is up. */
  target: string | undefined;
  /** The current rule; none forwards every call. */
  rule: FaultRule | undefined;
  /** Calls seen, per operation. */
  readonly calls = new Map<string, number>();
  /** Faults answered, per fault. */
  readonly faults = new Map<DynamoDbFault, number>();
  readonly #hung = new Set<ServerResponse>();
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  private constructor(
    private readonly server: http.Server,
    readonly url: string,
  ) {}

  static async start(): Promise<DynamoDbFaultProxy> {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const proxy = new DynamoDbFaultProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on("request", (request, response) => void proxy.#handle(request, response));
    return proxy;
  }

  /** Faults answered so far, all kinds. */
  faultCount(fault?: DynamoDbFault): number {
    if (fault !== undefined) return this.faults.get(fault) ?? 0;
    return [...this.faults.values()].reduce((sum, n) => sum + n, 0);
  }

  callCount(): number {
    return [...this.calls.values()].reduce((sum, n) => sum + n, 0);
  }

  /** Requests being held by a `hang` fault right now. */
  get hanging(): number {
    return this.#hung.size;
  }

  /**
   * Ends every held request by resetting its connection; the SDK takes that
   * as a transient network error and retries, under whatever rule is set then.
   */
  releaseHung(): void {
    for (const response of this.#hung) response.socket?.destroy();
    this.#hung.clear();
  }

  async close(): Promise<void> {
    for (const response of this.#hung) response.destroy();
    this.#hung.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.#agent.destroy();
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const operation = String(request.headers["x-amz-target"] ?? "").split(".").at(-1) ?? "";
    const retry = /attempt=(\d+);\s*max=(\d+)/.exec(String(request.headers["amz-sdk-request"] ?? ""));
    const call: DynamoDbCall = { operation, body: body.toString("utf8"), attempt: retry ? Number(retry[1]) : 1, maxAttempts: retry ? Number(retry[2]) : 1 };
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const fault = this.rule?.(call);
    if (fault !== undefined) this.faults.set(fault, (this.faults.get(fault) ?? 0) + 1);
    if (fault === "hang") {
      this.#hung.add(response);
      response.on("close", () => this.#hung.delete(response));
      return;
    }
    if (fault !== undefined) {
      const { status, type, message } = WIRE[fault];
      const text = JSON.stringify({ __type: type, message });
      response
        .writeHead(status, {
          "content-type": "application/x-amz-json-1.0",
          "content-length": Buffer.byteLength(text),
          "x-amzn-ErrorType": type.split("#")[1]!,
          "x-amzn-RequestId": randomUUID(),
        })
        .end(text);
      return;
    }
    this.#forward(request, body, response);
  }

  #forward(request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    if (this.target === undefined) {
      response.writeHead(503).end("the fault proxy has no target yet");
      return;
    }
    const target = new URL(this.target);
    const upstream = http.request(
      {
        agent: this.#agent,
        hostname: target.hostname,
        port: target.port,
        method: request.method,
        path: request.url,
        // The signature covers `host`; dynalite does not check it, so the original headers pass as they are.
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", (error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(String(error));
    });
    upstream.end(body);
  }
}


/**
 * A share `rate` of calls gets one of the three error faults, chosen evenly.
 * With `spareLastAttempt`, a call on the SDK's last attempt is always
 * forwarded, so every call succeeds within the SDK's retries; without it,
 * a call can fail for good.
 */
export function randomFaults(options: { readonly rate: number; readonly seed: number; readonly spareLastAttempt: boolean }): FaultRule {
  const random = seededRandom(options.seed);
  return (call) => {
    if (options.spareLastAttempt && call.attempt >= call.maxAttempts) return undefined;
    if (random() >= options.rate) return undefined;
    return ERROR_FAULTS[Math.floor(random() * ERROR_FAULTS.length)]!;
  };
}
