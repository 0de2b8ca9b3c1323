import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { amzDate, checkSignature } from "../../local/sigv4-check.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { signedFetch, signedHeaders } from "./support/signed-fetch.ts";

// The @connections API wants a SigV4-signed request, as on AWS. The emulator
// checks the shape (algorithm, credential scope, signed host, date within 5
// minutes), not the signature itself: it cannot know the secret.

describe("@connections signature check", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  const urlFor = (cid: string) => `${h.emulator.connectionUrl}/${encodeURIComponent(cid)}`;

  it("unsigned: POST, GET and DELETE get 403 MissingAuthenticationTokenException; nothing is delivered or closed", async () => {
    // GIVEN an open connection
    const { client, cid } = await h.connect();

    // WHEN a caller without a signature (a web page, curl) posts, reads and deletes
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await fetch(urlFor(cid), { method, body: method === "POST" ? "from a web page" : undefined });

      // THEN each gets API Gateway's answer
      expect(response.status, method).toBe(403);
      expect(response.headers.get("x-amzn-errortype"), method).toBe("MissingAuthenticationTokenException");
      expect(await response.json(), method).toEqual({ message: "Missing Authentication Token" });
    }
    expect(await client.framesAfter(200)).toEqual([]);
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    expect(h.logs.join("\n")).toMatch(/@connections POST \S+ → 403 MissingAuthenticationTokenException: .*--unsigned-connections/);
    client.close();
  });

  it("signed with any credentials: POST 200 and delivered, GET 200, DELETE 204, then 410", async () => {
    const { client, cid } = await h.connect();
    const post = await signedFetch(urlFor(cid), { method: "POST", body: "signed" });
    expect(post.status).toBe(200);
    expect(await client.next()).toBe("signed");
    expect((await signedFetch(urlFor(cid))).status).toBe(200);
    expect((await signedFetch(urlFor(cid), { method: "DELETE" })).status).toBe(204);
    expect((await client.closed).code).toBe(1000);
    expect((await signedFetch(urlFor(cid), { method: "POST", body: "late" })).status).toBe(410);
  });

  it("sdk: a client with made-up credentials works, as handlers' clients do", async () => {
    const { client, cid } = await h.connect();
    const sdk = new ApiGatewayManagementApiClient({ endpoint: h.emulator.managementEndpoint, region: "us-east-1", credentials: { accessKeyId: "made-up", secretAccessKey: "made-up", sessionToken: "made-up" } });
    try {
      expect((await sdk.send(new PostToConnectionCommand({ ConnectionId: cid, Data: "sdk" }))).$metadata.httpStatusCode).toBe(200);
      expect(await client.next()).toBe("sdk");
      expect((await sdk.send(new GetConnectionCommand({ ConnectionId: cid }))).ConnectedAt).toBeInstanceOf(Date);
    } finally {
      sdk.destroy();
      client.close();
    }
  });

  it("expired: a request signed 10 minutes ago gets 403 InvalidSignatureException 'Signature expired'", async () => {
    const { client, cid } = await h.connect();
    const response = await signedFetch(urlFor(cid), { method: "POST", body: "stale" }, { signingDate: new Date(Date.now() - 10 * 60_000) });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    expect(((await response.json()) as { message: string }).message).toMatch(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    expect(await client.framesAfter(100)).toEqual([]);
    client.close();
  });

  it("malformed: a bearer token, another service's or region's scope, and an unsigned host are refused with 403", async () => {
    const { client, cid } = await h.connect();
    const url = urlFor(cid);
    const bearer = await fetch(url, { method: "POST", body: "x", headers: { authorization: "Bearer abc" } });
    expect(bearer.status).toBe(403);
    expect(bearer.headers.get("x-amzn-errortype")).toBe("IncompleteSignatureException");
    expect(await bearer.json()).toEqual({ message: "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'." });

    const otherService = await signedFetch(url, { method: "POST", body: "x" }, { service: "execute-apis" });
    expect(otherService.status).toBe(403);
    expect(((await otherService.json()) as { message: string }).message).toBe("Credential should be scoped to correct service: 'execute-api'.");
    const otherRegion = await signedFetch(url, { method: "POST", body: "x" }, { region: "eu-west-1" });
    expect(otherRegion.status).toBe(403);

    const headers = await signedHeaders(url, { method: "POST", body: "x" });
    headers.authorization = headers.authorization!.replace(/SignedHeaders=[^,]*/, "SignedHeaders=x-amz-date");
    delete headers.host;
    const hostless = await fetch(url, { method: "POST", body: "x", headers });
    expect(hostless.status).toBe(403);
    expect(((await hostless.json()) as { message: string }).message).toBe("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    expect(await client.framesAfter(100)).toEqual([]);
    client.close();
  });
});

describe("@connections with unsignedConnections", () => {
  it("unsigned requests are delivered as before, and the start-up log says AWS refuses them", async () => {
    const h = await startHarness({ emulator: { unsignedConnections: true } });
    try {
      const { client, cid } = await h.connect();
      const response = await fetch(`${h.emulator.connectionUrl}/${encodeURIComponent(cid)}`, { method: "POST", body: "unsigned" });
      expect(response.status).toBe(200);
      expect(await client.next()).toBe("unsigned");
      expect(h.logs.join("\n")).toContain("@connections accepts unsigned requests (--unsigned-connections); AWS answers them 403");
      client.close();
    } finally {
      await h.close();
    }
  });
});

describe("checkSignature", () => {
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  const stamp = amzDate(now);
  const good = {
    host: "127.0.0.1:3001",
    "x-amz-date": stamp,
    authorization: `AWS4-HMAC-SHA256 Credential=AKID/${stamp.slice(0, 8)}/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"a".repeat(64)}`,
  };
  const check = (headers: Record<string, string>, at = now) => checkSignature(headers, { region: "us-east-1", now: at });

  it("accepts the SDK's shape with any key id, within 5 minutes either way", () => {
    expect(check(good)).toBeUndefined();
    expect(check(good, now + 4 * 60_000)).toBeUndefined();
    expect(check(good, now - 4 * 60_000)).toBeUndefined();
  });

  it("refuses what API Gateway refuses, with its texts", () => {
    expect(check({ host: good.host })).toEqual({ errorType: "MissingAuthenticationTokenException", message: "Missing Authentication Token" });
    expect(check({ ...good, authorization: "AWS4-HMAC-SHA256 Signature=x" })?.message).toBe(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Signature=x",
    );
    expect(check({ host: good.host, authorization: good.authorization })?.message).toMatch(/Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\./);
    expect(check(good, now + 6 * 60_000)?.message).toBe("Signature expired: 20260115T120000Z is now earlier than 20260115T120100Z (20260115T120600Z - 5 min.)");
    expect(check(good, now - 6 * 60_000)?.message).toBe("Signature not yet current: 20260115T120000Z is still later than 20260115T115900Z (20260115T115400Z + 5 min.)");
    expect(check({ ...good, authorization: good.authorization.replace(/Signature=a+/, "Signature=xyz") })?.errorType).toBe("InvalidSignatureException");
    expect(check({ ...good, authorization: good.authorization.replace("20260115/", "20260114/") })?.message).toMatch(/^Date in Credential scope does not match/);
    expect(check({ ...good, authorization: good.authorization.replace("host;x-amz-date", "host;x-amz-date;x-amz-security-token") })?.errorType).toBe("InvalidSignatureException");
  });
});
