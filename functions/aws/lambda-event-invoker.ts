import { createHash } from "node:crypto";
import type { FanOutPiece } from "../core/fan-out-piece.ts";
import type { PieceInvoker } from "../core/piece-invoker.ts";
import { environmentCredentials, type AwsCredentials } from "./signed-connections-client.ts";
import { SigV4PostSigner } from "./sigv4-post-signer.ts";

export interface LambdaEventInvokerOptions {
  /** The function to invoke: its name or ARN. */
  readonly functionName: string;
  /**
   * Lambda's endpoint. @default `AWS_ENDPOINT_URL_LAMBDA` when set (the SDK's
   * convention; the emulator sets it), else `https://lambda.<region>.amazonaws.com`
   */
  readonly endpoint?: string;
  /** @default AWS_REGION */
  readonly region?: string;
  /** @default the Lambda environment's credentials */
  readonly credentials?: AwsCredentials;
  /** Attempts in all for a throttled (429) or failed (5xx) request. @default 3 */
  readonly maxAttempts?: number;
}

/** Lambda refused to queue the event: `name` is its error type (e.g. `ResourceNotFoundException`). */
export class LambdaInvokeError extends Error {
  constructor(
    override readonly name: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Queues a fan-out piece with Lambda's `Invoke` API, `InvocationType: Event`:
 * one signed POST whose 202 means Lambda has the event, will run it, and will
 * retry it if it fails. A few lines over `fetch` and the project's SigV4
 * signer rather than `@aws-sdk/client-lambda`, which would add its weight to
 * the onMessage bundle for this one call. Throttling (429) and 5xx are
 * retried with backoff and jitter; other refusals are thrown.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export class LambdaEventInvoker implements PieceInvoker {
  readonly #url: URL;
  readonly #path: string;
  readonly #region: string;
  readonly #credentials: AwsCredentials | undefined;
  readonly #maxAttempts: number;
  #signer: SigV4PostSigner | undefined;

  constructor(options: LambdaEventInvokerOptions) {
    const region = options.region ?? (process.env["AWS_REGION"] || process.env["AWS_DEFAULT_REGION"]);
    if (!region) throw new TypeError("LambdaEventInvoker: no region (AWS_REGION is not set)");
    this.#region = region;
    const endpoint = options.endpoint ?? (process.env["AWS_ENDPOINT_URL_LAMBDA"] || `https://lambda.${region}.amazonaws.com`);
    this.#url = new URL(endpoint);
    this.#path = `${this.#url.pathname.replace(/\/+$/, "")}/2015-03-31/functions/${encodeURIComponent(options.functionName)}/invocations`;
    this.#credentials = options.credentials;
    this.#maxAttempts = options.maxAttempts ?? 3;
  }

  async invoke(piece: FanOutPiece): Promise<void> {
    const body = JSON.stringify(piece);
    for (let attempt = 1; ; attempt++) {
      const response = await this.#post(body);
      if (response.status === 202) {
        await response.body?.cancel();
        return;
      }
      const text = await response.text();
      // x-amzn-ErrorType is `Name` or `Name:url`.
      const name = (response.headers.get("x-amzn-errortype") ?? `Http${response.status}`).split(":")[0]!;
      const retryable = response.status === 429 || response.status >= 500;
      if (!retryable || attempt >= this.#maxAttempts) {
        throw new LambdaInvokeError(name, response.status, `Lambda Invoke answered ${response.status} ${name}: ${text.slice(0, 200)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 100 * 2 ** attempt)));
    }
  }

  #post(body: string): Promise<Response> {
    const signer = (this.#signer ??= new SigV4PostSigner({ credentials: this.#credentials ?? environmentCredentials(), region: this.#region, service: "lambda" }));
    const headers = { host: this.#url.host, "content-type": "application/json", "x-amz-invocation-type": "Event" };
    const signed = signer.sign({ path: this.#path, headers, payloadHash: createHash("sha256").update(body).digest("hex") });
    // fetch sets Host from the URL itself (the value signed above).
    const { host: _host, ...sent } = signed;
    return fetch(new URL(this.#path, this.#url), { method: "POST", headers: sent, body });
  }
}
