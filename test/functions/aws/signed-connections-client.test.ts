import { SignatureV4 } from "@smithy/signature-v4";
import { createHash, createHmac } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignedConnectionsClient } from "../../../functions/aws/signed-connections-client.ts";
import { canonicalPath, canonicalPathAppend, SigV4PostSigner } from "../../../functions/aws/sigv4-post-signer.ts";
import { isGone, isThrottled } from "../../../functions/core/send-failure.ts";
import { useDummyAwsCredentials } from "../support/aws-test-environment.ts";
import { newApiGatewayId } from "../support/events.ts";
import { startManagementApiStandIn, type ManagementApiStandIn, type ReceivedRequest } from "../support/management-api-stand-in.ts";

// The SDK's own signer is the reference: the lean sender must sign exactly as it does.
class NodeSha256 {
  readonly #hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === "string" ? secret : new Uint8Array(ArrayBuffer.isView(secret) ? secret.buffer : secret);
    this.#hash = key === undefined ? createHash("sha256") : createHmac("sha256", key);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(typeof data === "string" ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.#hash.digest());
  }
  reset(): void {}
}

const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

function smithySigner(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }, region = "us-east-1"): SignatureV4 {
  return new SignatureV4({ service: "execute-api", region, credentials, sha256: NodeSha256 });
}

/** Re-signs a received request with the SDK's signer, at its own x-amz-date, over the headers it says it signed. */
async function signatureAsTheSdkComputesIt(request: ReceivedRequest, credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): Promise<string> {
  const authorization = String(request.headers["authorization"]);
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)![1]!.split(";");
  const amzDate = String(request.headers["x-amz-date"]);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) if (name !== "x-amz-date" && name !== "x-amz-security-token") headers[name] = String(request.headers[name]);
  const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization)![1]!;
  const signed = await smithySigner(credentials, region).sign(
    { method: request.method, protocol: "http:", hostname: "127.0.0.1", path: request.path, query: {}, headers, body: request.body },
    { signingDate },
  );
  return /Signature=([0-9a-f]{64})/.exec(String(signed.headers["authorization"]))![1]!;
}

let api: ManagementApiStandIn;
beforeAll(async () => {
  useDummyAwsCredentials();
  api = await startManagementApiStandIn({ stage: "prod" });
});
afterAll(async () => {
  await api?.close();
});

const frame = new TextEncoder().encode('{"type":"message","message":"héllo"}');

describe("SigV4PostSigner", () => {
  it("SigV4PostSigner: signs exactly as @smithy/signature-v4 does, with and without a session token", async () => {
    // GIVEN ids with characters that are encoded twice in the canonical path
    const ids = ["L0SM9cOFvHcCIhw=", "a+b/c=", "x!y'(z)*", newApiGatewayId()];
    for (const credentials of [CREDENTIALS, { ...CREDENTIALS, sessionToken: "FQoGZXIvYXdzEJr//token==" }]) {
      for (const id of ids) {
        const path = `/prod/@connections/${encodeURIComponent(id)}`;
        const headers = { host: "abc123.execute-api.eu-west-1.amazonaws.com", "content-type": "application/octet-stream", "content-length": String(frame.byteLength), "x-amz-content-sha256": createHash("sha256").update(frame).digest("hex") };
        const now = Date.UTC(2026, 10, 27, 13, 14, 15, 678);
        // WHEN both sign the same post at the same moment
        const ours = new SigV4PostSigner({ credentials, region: "eu-west-1", service: "execute-api" }).sign({ path, headers, payloadHash: headers["x-amz-content-sha256"] }, now);
        const reference = await smithySigner(credentials, "eu-west-1").sign(
          { method: "POST", protocol: "https:", hostname: headers.host, path, query: {}, headers, body: frame },
          { signingDate: new Date(now) },
        );
        // THEN the headers, signature included, are the same
        expect(ours).toEqual(reference.headers);
      }
    }
  });

  it("canonicalPathAppend: equals canonicalPath of the whole path for a single encoded id", () => {
    const prefix = canonicalPath("/prod/@connections/");
    for (const id of ["L0SM9cOFvHcCIhw=", "a+b/c=", "x!y'(z)*~._-", "é"]) {
      const segment = encodeURIComponent(id);
      expect(canonicalPathAppend(prefix, segment)).toBe(canonicalPath(`/prod/@connections/${segment}`));
    }
    expect(prefix).toBe("/prod/%40connections/");
  });
});

describe("SignedConnectionsClient", () => {
  const client = (options: Partial<ConstructorParameters<typeof SignedConnectionsClient>[0]> = {}) =>
    new SignedConnectionsClient({ endpoint: `http://${api.host}/prod`, maxSockets: 8, ...options });

  it("SignedConnectionsClient: POSTs the bytes to /{stage}/@connections/{id}, SigV4-signed for execute-api, the id's '=' encoded", async () => {
    // GIVEN a connection id in API Gateway's format (it ends in '=')
    const connectionId = newApiGatewayId();
    // WHEN a frame is posted to it
    await client().post(connectionId, frame);
    // THEN the stand-in got the bytes under that id, on the encoded path, with a SigV4 signature the SDK's signer agrees with
    expect(api.delivered.get(connectionId)).toEqual([new TextDecoder().decode(frame)]);
    const request = api.requests.find((r) => r.path.endsWith(encodeURIComponent(connectionId)))!;
    expect(request.path).toBe(`/prod/@connections/${connectionId.slice(0, -1)}%3D`);
    expect(request.headers["authorization"]).toMatch(/^AWS4-HMAC-SHA256 Credential=test\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(request.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request.headers["x-amz-content-sha256"]).toBe(createHash("sha256").update(frame).digest("hex"));
    expect(request.headers["content-length"]).toBe(String(frame.byteLength));
    expect(String(request.headers["authorization"])).toContain(`Signature=${await signatureAsTheSdkComputesIt(request, { accessKeyId: "test", secretAccessKey: "test" })}`);
  });

  it("SignedConnectionsClient: signs with the Lambda environment's session token", async () => {
    // GIVEN temporary credentials in the environment, as Lambda provides them
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "ASIATEST", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "session/token+=", AWS_REGION: "eu-central-1" });
    try {
      const connectionId = newApiGatewayId();
      // WHEN a frame is posted
      await client().post(connectionId, frame);
      // THEN the token is sent and signed, in the environment's region
      const request = api.requests.find((r) => r.path.endsWith(encodeURIComponent(connectionId)))!;
      expect(request.headers["x-amz-security-token"]).toBe("session/token+=");
      expect(request.headers["authorization"]).toMatch(/Credential=ASIATEST\/\d{8}\/eu-central-1\/execute-api\/aws4_request, SignedHeaders=[^,]*x-amz-security-token/);
      expect(String(request.headers["authorization"])).toContain(
        `Signature=${await signatureAsTheSdkComputesIt(request, { accessKeyId: "ASIATEST", secretAccessKey: "secret", sessionToken: "session/token+=" })}`,
      );
    } finally {
      process.env = saved;
    }
  });

  it("SignedConnectionsClient: a 410 with an empty body rejects as GoneException with the status", async () => {
    const connectionId = newApiGatewayId();
    api.gone.add(connectionId);
    const error = await client().post(connectionId, frame).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "GoneException", $metadata: { httpStatusCode: 410 } });
    expect(isGone(error)).toBe(true);
  });

  it("SignedConnectionsClient: a 429 rejects as LimitExceededException after one request (the fan-out retries)", async () => {
    const connectionId = newApiGatewayId();
    api.throttled.set(connectionId, 1);
    const postsBefore = api.posts;
    const error = await client().post(connectionId, frame).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: "LimitExceededException", message: "Rate exceeded", $metadata: { httpStatusCode: 429 } });
    expect(isThrottled(error)).toBe(true);
    expect(api.posts - postsBefore).toBe(1);
  });

  it("SignedConnectionsClient: other statuses reject with the service's error name and status; a wrong stage is 403", async () => {
    const connectionId = newApiGatewayId();
    api.failing.set(connectionId, 500);
    await expect(client().post(connectionId, frame)).rejects.toMatchObject({ name: "InternalServerErrorException", $fault: "server", $metadata: { httpStatusCode: 500 } });
    await expect(client({ endpoint: `http://${api.host}/dev` }).post(newApiGatewayId(), frame)).rejects.toMatchObject({
      name: "ForbiddenException",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("SignedConnectionsClient: a post with no answer fails with TimeoutError", async () => {
    const slow = await startManagementApiStandIn({ stage: "prod", holdMs: 2_000 });
    try {
      const error = await new SignedConnectionsClient({ endpoint: `http://${slow.host}/prod`, maxSockets: 1, requestTimeoutMs: 50 })
        .post(newApiGatewayId(), frame)
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ name: "TimeoutError" });
    } finally {
      await slow.close();
    }
  });

  it("SignedConnectionsClient: reuses keep-alive sockets, never more than maxSockets", async () => {
    // GIVEN a stand-in that holds each post, so posts overlap
    const held = await startManagementApiStandIn({ stage: "prod", holdMs: 5 });
    const pooled = new SignedConnectionsClient({ endpoint: `http://${held.host}/prod`, maxSockets: 6 });
    try {
      // WHEN 320 posts are made 40 at a time, in two rounds
      for (let round = 0; round < 2; round++) {
        await Promise.all(Array.from({ length: 40 }, async () => {
          for (let i = 0; i < 4; i++) await pooled.post(newApiGatewayId(), frame);
        }));
      }
      // THEN all arrived over at most 6 connections, and they did overlap
      expect(held.posts).toBe(320);
      expect(held.sockets).toBeLessThanOrEqual(6);
      expect(held.maxInFlight).toBeGreaterThan(1);
    } finally {
      pooled.destroy();
      await held.close();
    }
  });

  it("SignedConnectionsClient: uses https.request as it is at call time, so the emulator's redirect of https to http applies", async () => {
    // GIVEN a client for https://127.0.0.1:<port>/prod built before the patch, as a handler's is
    const pooled = new SignedConnectionsClient({ endpoint: `https://${api.host}/prod`, maxSockets: 2 });
    const original = https.request;
    // WHEN https.request is patched afterwards to send such requests over http (as local/lambda-worker.ts does)
    https.request = ((options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void) =>
      http.request({ ...options, protocol: "http:", agent: new http.Agent({ keepAlive: true }) }, callback)) as typeof https.request;
    try {
      const connectionId = newApiGatewayId();
      await pooled.post(connectionId, frame);
      // THEN the post reached the plain-http stand-in
      expect(api.delivered.get(connectionId)).toHaveLength(1);
    } finally {
      https.request = original;
      pooled.destroy();
    }
  });
});
