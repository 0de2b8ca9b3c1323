import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../local/emulator.ts";
import { HostPolicy, hostnameOf, isLoopbackName } from "../../local/host-policy.ts";
import type { HttpPage } from "../../local/server.ts";
import { rawUpgrade, TestClient } from "./support/client.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { signedHeaders } from "./support/signed-fetch.ts";
import { baseDocument, writeStack } from "./support/stack.ts";

// DNS rebinding and cross-site WebSockets: a page on evil.example must not
// reach the emulator, neither as `Host: evil.example` (its name rebound to
// 127.0.0.1) nor as `Origin: http://evil.example` on a handshake to
// ws://127.0.0.1. Loopback names pass at any port; --allow-host widens it.

/** A mounted page, as `wsstack dev` mounts its issuer. */
const page: HttpPage = {
  handles: (rawPath) => rawPath === "/_page",
  handle: async (_request, response) => void response.writeHead(200, { "content-type": "text/plain" }).end("page"),
};

/** A plain HTTP request with exactly these headers (fetch cannot set Host). */
function rawRequest(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: init.method ?? "GET", headers: init.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    request.end(init.body);
  });
}

describe("Host and Origin checks", () => {
  let h: Harness;
  let origin: string;
  let port: string;
  beforeAll(async () => {
    h = await startHarness({ emulator: { pages: () => [page] } });
    origin = new URL(h.emulator.managementEndpoint).origin;
    port = new URL(origin).port;
  });
  afterAll(() => h.close());
  beforeEach(() => h.control.reset());

  it("host: a foreign Host gets 403 with a one-line message naming --allow-host, on the stage, a mounted page and @connections", async () => {
    // GIVEN a client that reached the port under another name (DNS rebinding)
    const { client, cid } = await h.connect();
    const connectionUrl = `${h.emulator.connectionUrl}/${encodeURIComponent(cid)}`;
    const signed = await signedHeaders(connectionUrl, { method: "POST", body: "x" });

    // WHEN it asks for the stage path, the mounted page and a (signed) post to a live connection
    const answers = await Promise.all([
      rawRequest(`${origin}/dev`, { headers: { Host: `evil.example:${port}` } }),
      rawRequest(`${origin}/_page`, { headers: { Host: `evil.example:${port}` } }),
      rawRequest(connectionUrl, { method: "POST", headers: { ...signed, host: `evil.example:${port}` }, body: "x" }),
    ]);

    // THEN every answer is 403 with the same one-line message, and nothing was delivered
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.body).not.toContain("\n");
      const { message } = JSON.parse(answer.body) as { message: string };
      expect(message).toMatch(/^Host "evil\.example:\d+" is not allowed: .*--allow-host evil\.example /);
    }
    expect(await client.framesAfter(200)).toEqual([]);
    client.close();
  });

  it("host: localhost, 127.0.0.1 and [::1] at any port are loopback and pass", async () => {
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST:1", "127.0.0.1"]) {
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: host } })).status, host).toBe(200);
    }
  });

  it("host: *.localhost and a name that only starts like a loopback one are refused by default", async () => {
    for (const host of [`app.localhost:${port}`, `localhost.evil.example:${port}`, `127.0.0.1.nip.io:${port}`]) {
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: host } })).status, host).toBe(403);
    }
  });

  it("upgrade: a foreign Host is refused with 403 before $connect runs", async () => {
    const answer = await rawUpgrade(h.emulator.url, { Host: `evil.example:${port}` });
    expect(answer.status).toBe(403);
    expect(h.control.of("$connect")).toEqual([]);
  });

  it("origin: a page on evil.example gets its handshake refused (403) and $connect never runs", async () => {
    const answer = await rawUpgrade(h.emulator.url, { Origin: "http://evil.example" });
    expect(answer.status).toBe(403);
    expect((await rawUpgrade(h.emulator.url, { Origin: "null" })).status).toBe(403);
    expect(h.control.of("$connect")).toEqual([]);
  });

  it("origin: absent (wscat, SDKs), the emulator's own origin and other loopback origins are accepted", async () => {
    for (const pageOrigin of [undefined, origin, "http://localhost:5173", "https://127.0.0.1"]) {
      const client = await TestClient.open(h.emulator.url, undefined, pageOrigin === undefined ? {} : { origin: pageOrigin });
      client.close();
    }
    expect(h.control.of("$connect")).toHaveLength(4);
  });

  it("origin: a cross-site plain request (a page's fetch to a mounted page) is refused too", async () => {
    expect((await rawRequest(`${origin}/_page`, { headers: { Origin: "https://evil.example" } })).status).toBe(403);
    expect((await rawRequest(`${origin}/_page`, { headers: { Origin: origin } })).status).toBe(200);
  });
});

describe("widening the Host check", () => {
  it("allowedHosts: the named host (and *.suffix) passes as Host and as Origin; others still do not", async () => {
    const h = await startHarness({ emulator: { allowedHosts: ["devbox.lan", "*.localhost"], pages: () => [page] } });
    try {
      const origin = new URL(h.emulator.managementEndpoint).origin;
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: "devbox.lan:3001" } })).status).toBe(200);
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: "chat.localhost" } })).status).toBe(200);
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: "evil.example" } })).status).toBe(403);
      const client = await TestClient.open(h.emulator.url, undefined, { origin: "http://devbox.lan:3001" });
      client.close();
      expect((await rawUpgrade(h.emulator.url, { Origin: "http://evil.example" })).status).toBe(403);
    } finally {
      await h.close();
    }
  });

  it("allowAnyHost: any Host passes, but a cross-site Origin is still refused; a same-origin page is accepted", async () => {
    const h = await startHarness({ emulator: { allowAnyHost: true, pages: () => [page] } });
    try {
      const origin = new URL(h.emulator.managementEndpoint).origin;
      const port = new URL(origin).port;
      expect(h.logs.join("\n")).toMatch(/warning: --allow-any-host/);
      expect((await rawRequest(`${origin}/_page`, { headers: { Host: "tunnel.example" } })).status).toBe(200);
      expect((await rawUpgrade(h.emulator.url, { Origin: "http://evil.example" })).status).toBe(403);
      expect((await rawUpgrade(h.emulator.url, { Host: `tunnel.example:${port}`, Origin: `http://tunnel.example:${port}` })).status).toBe(101);
    } finally {
      await h.close();
    }
  });

  it("host option: a non-loopback listen address without allowedHosts fails to start, naming the flags; with them it starts and warns", async () => {
    const source = writeStack(baseDocument());
    await expect(startEmulator({ source, port: 0, host: "0.0.0.0", log: () => undefined })).rejects.toThrow(
      "--host 0.0.0.0 makes the emulator reachable from other machines; name the hosts clients will use with --allow-host <name> (repeatable), or pass --allow-any-host",
    );
    const logs: string[] = [];
    const emulator = await startEmulator({ source, port: 0, host: "0.0.0.0", allowedHosts: ["devbox.lan"], log: (line) => logs.push(line) });
    try {
      expect(logs.join("\n")).toContain("warning: listening on 0.0.0.0");
      expect(emulator.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/dev$/);
      expect((await rawRequest(emulator.managementEndpoint, { headers: { Host: "evil.example" } })).status).toBe(403);
    } finally {
      await emulator.close();
    }
  });

  it("allowedHosts: an entry with a scheme or port is refused before anything listens", async () => {
    await expect(startEmulator({ source: writeStack(baseDocument()), port: 0, allowedHosts: ["http://devbox.lan:3001"], log: () => undefined })).rejects.toThrow(
      /--allow-host expects a host name or IP address without scheme or port/,
    );
  });
});

describe("HostPolicy", () => {
  it("hostnameOf: strips the port and IPv6 brackets; malformed values are undefined", () => {
    expect(hostnameOf("Example.COM:80")).toBe("example.com");
    expect(hostnameOf("[::1]:3001")).toBe("::1");
    expect(hostnameOf("[::1]")).toBe("::1");
    expect(hostnameOf("localhost")).toBe("localhost");
    expect(hostnameOf("[::1")).toBeUndefined();
    expect(hostnameOf("a:b")).toBeUndefined();
  });

  it("isLoopbackName: localhost, 127/8 and ::1 only", () => {
    for (const name of ["localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"]) expect(isLoopbackName(name), name).toBe(true);
    for (const name of ["0.0.0.0", "::", "10.0.0.1", "app.localhost", "localhost.", "127.0.0.1.nip.io", "evil.example"]) expect(isLoopbackName(name), name).toBe(false);
  });

  it("checkOrigin: a wildcard entry matches names under it, not the bare suffix", () => {
    const policy = new HostPolicy({ allowedHosts: ["*.example.test"] });
    expect(policy.checkOrigin("https://a.example.test", "127.0.0.1:3001")).toBeUndefined();
    expect(policy.checkOrigin("https://example.test", "127.0.0.1:3001")?.message).toMatch(/--allow-host example\.test$/);
  });
});
