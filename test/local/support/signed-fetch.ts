import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";

/**
 * `fetch` for the emulator's `@connections` API, SigV4-signed with dummy
 * credentials exactly as the AWS SDK signs (the SDK's own signer,
 * `@smithy/signature-v4`), for tests that need a raw request the SDK would
 * not send (a percent-encoded path, a wrong stage, a body over the limit).
 */

class NodeSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === "string" ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === "string" ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
  reset(): void {
    throw new Error("not needed");
  }
}

export interface SignOptions {
  readonly region?: string;
  readonly service?: string;
  /** When the request was signed. @default now */
  readonly signingDate?: Date;
}

/** The headers a signed request carries (host, x-amz-date, x-amz-content-sha256, authorization, …). */
export async function signedHeaders(url: string, init: { method?: string; body?: string } = {}, options: SignOptions = {}): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({
    service: options.service ?? "execute-api",
    region: options.region ?? "us-east-1",
    credentials: { accessKeyId: "AKIDLOCALTEST", secretAccessKey: "any-secret" },
    sha256: NodeSha256,
  });
  const body = init.body;
  const signed = await signer.sign(
    {
      method: init.method ?? "GET",
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port === "" ? undefined : Number(target.port),
      // The path as sent: SignatureV4 encodes each segment once more for the canonical request, as the SDK does.
      path: target.pathname,
      query: {},
      headers: { host: target.host, ...(body === undefined ? {} : { "content-type": "application/octet-stream" }) },
      body,
    },
    options.signingDate === undefined ? {} : { signingDate: options.signingDate },
  );
  return signed.headers as Record<string, string>;
}

export async function signedFetch(url: string, init: { method?: string; body?: string } = {}, options: SignOptions = {}): Promise<Response> {
  const headers = await signedHeaders(url, init, options);
  delete headers.host; // fetch sets Host itself, to the same value
  return fetch(url, { method: init.method ?? "GET", body: init.body, headers });
}
