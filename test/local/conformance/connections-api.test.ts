import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { sleep, startHarness, type Harness } from "../support/harness.ts";
import { signedFetch } from "../support/signed-fetch.ts";

// Spec §15, "@connections" (41-49).

const NEVER_EXISTED = "AAAAAAAAAAAAAAA=";

describe("@connections management API", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  const connect = () => h.connect();
  const urlFor = (cid: string) => `${h.emulator.connectionUrl}/${encodeURIComponent(cid)}`;

  it("§15.41 POST with body hello answers 200 with an empty body and the client receives hello", async () => {
    const { client, cid } = await connect();
    const response = await signedFetch(urlFor(cid), { method: "POST", body: "hello" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    expect(await client.next()).toBe("hello");
    client.close();
  });

  it("§15.42 the SDK v3 PostToConnectionCommand resolves with 200 and the client receives the data", async () => {
    const { client, cid } = await connect();
    const out = await h.sdk.send(new PostToConnectionCommand({ ConnectionId: cid, Data: "hi" }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(await client.next()).toBe("hi");
    client.close();
  });

  it("§15.43 /dev/%40connections/<id with %3D> is the same as /dev/@connections/<id>", async () => {
    const { client, cid } = await connect();
    const base = h.emulator.managementEndpoint;
    const response = await signedFetch(`${base}/%40connections/${cid.replace(/=/g, "%3D")}`, { method: "POST", body: "encoded" });
    expect(response.status).toBe(200);
    expect(await client.next()).toBe("encoded");
    client.close();
  });

  it("§15.44 a path without the stage, or with a wrong stage, answers 403 ForbiddenException", async () => {
    const { client, cid } = await connect();
    const origin = new URL(h.emulator.managementEndpoint).origin;
    for (const url of [`${origin}/@connections/${encodeURIComponent(cid)}`, `${origin}/bad/@connections/${encodeURIComponent(cid)}`]) {
      const response = await signedFetch(url, { method: "POST", body: "x" });
      expect(response.status, url).toBe(403);
      expect(response.headers.get("x-amzn-errortype"), url).toBe("ForbiddenException");
    }
    const stageless = new ApiGatewayManagementApiClient({ endpoint: origin, region: "us-east-1", credentials: { accessKeyId: "x", secretAccessKey: "x" } });
    await expect(stageless.send(new PostToConnectionCommand({ ConnectionId: cid, Data: "x" }))).rejects.toMatchObject({ name: "ForbiddenException" });
    stageless.destroy();
    expect(client.frames).toEqual([]);
    client.close();
  });

  it("§15.45 Data over 131072 bytes answers 413 PayloadTooLargeException; exactly 131072 is delivered whole", async () => {
    const { client, cid } = await connect();
    const tooBig = await signedFetch(urlFor(cid), { method: "POST", body: "a".repeat(131_073) });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get("x-amzn-errortype")).toBe("PayloadTooLargeException");
    expect(typeof ((await tooBig.json()) as { message?: unknown }).message).toBe("string");
    const payload = "b".repeat(131_072);
    const ok = await signedFetch(urlFor(cid), { method: "POST", body: payload });
    expect(ok.status).toBe(200);
    expect(await client.next()).toBe(payload);
    client.close();
  });

  it("§15.46 GET answers connectedAt, identity and lastActiveAt; the SDK parses Dates; lastActiveAt advances", async () => {
    const { client, cid, connectedAt } = await connect();
    const response = await signedFetch(urlFor(cid));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { connectedAt: string; identity: { sourceIp: string; userAgent: string }; lastActiveAt: string };
    expect(body.connectedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Date.parse(body.connectedAt)).toBe(connectedAt);
    expect(body.identity).toEqual({ sourceIp: "127.0.0.1", userAgent: expect.any(String) });
    const before = await h.sdk.send(new GetConnectionCommand({ ConnectionId: cid }));
    expect(before.ConnectedAt).toBeInstanceOf(Date);
    expect(before.LastActiveAt).toBeInstanceOf(Date);
    await sleep(20);
    client.send(JSON.stringify({ action: "join" }));
    await h.control.waitFor((i) => i.key === "join");
    const after = await h.sdk.send(new GetConnectionCommand({ ConnectionId: cid }));
    expect(after.LastActiveAt!.getTime()).toBeGreaterThan(before.LastActiveAt!.getTime());
    client.close();
  });

  it("§15.47 DELETE answers 204, closes with 1000, runs $disconnect with 'Connection Closed Normally', then GET is 410", async () => {
    const { client, cid } = await connect();
    const response = await signedFetch(urlFor(cid), { method: "DELETE" });
    expect(response.status).toBe(204);
    expect((await client.closed).code).toBe(1000);
    const disconnect = await h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);
    expect(disconnect.event.requestContext).toMatchObject({ disconnectStatusCode: 1000, disconnectReason: "Connection Closed Normally" });
    expect((await signedFetch(urlFor(cid))).status).toBe(410);
    const sdkDelete = await h.sdk.send(new DeleteConnectionCommand({ ConnectionId: (await connect()).cid })).then((out) => out.$metadata.httpStatusCode);
    expect(sdkDelete).toBe(204);
  });

  it("§15.48 unknown or closed ids answer 410 GoneException with an empty body; the SDK names it GoneException", async () => {
    const { client, cid } = await connect();
    client.close();
    await client.closed;
    await h.control.waitFor((i) => i.key === "$disconnect" && i.event.requestContext.connectionId === cid);
    for (const id of [NEVER_EXISTED, cid]) {
      for (const method of ["POST", "GET", "DELETE"]) {
        const response = await signedFetch(urlFor(id), { method, body: method === "POST" ? "x" : undefined });
        expect(response.status, `${method} ${id}`).toBe(410);
        expect(response.headers.get("x-amzn-errortype")).toBe("GoneException");
        expect(await response.text()).toBe("");
      }
      const error = await h.sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: "x" })).then(
        () => undefined,
        (e: { name: string; $metadata: { httpStatusCode?: number } }) => e,
      );
      expect(error?.name).toBe("GoneException");
      expect(error?.$metadata.httpStatusCode).toBe(410);
    }
  });

  it("§15.49 a handler that builds https://${domainName}/${stage} posts with the SDK unmodified", async () => {
    h.control.script("join", { post: { data: "from the handler" }, return: { statusCode: 200 } });
    const { client } = await connect();
    client.send(JSON.stringify({ action: "join" }));
    expect(await client.next()).toBe("from the handler");
    const report = await h.control.waitForReport((r) => r.post !== undefined);
    expect(report.post).toEqual({ ok: true, status: 200 });
    client.close();
  });
});
