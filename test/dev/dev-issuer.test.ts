import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorOptions, parseArgs, startDevServer, type DevServer } from "../../dev/cli.ts";
import { DEV_AUDIENCE } from "../../dev/dev-issuer.ts";
import { startEmulator } from "../../local/emulator.ts";
import { rejectedStatus, TestClient } from "../local/support/client.ts";

// The dev issuer against the project's own synthesized stack: the real
// $connect authorizer (jose, JWKS fetched over HTTP from the emulator's port)
// and the real handlers, driven by a real ws client.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
let stackDir: string;
let dev: DevServer;

/** Synthesizes main.ts into a private folder, as `wsstack dev` does, so concurrent runs never share cdktf.out. */
function synthesizeStack(): string {
  const outdir = mkdtempSync(path.join(tmpdir(), "wsstack-dev-issuer-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`synth failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return path.join(outdir, "stacks", "wsstack");
}

/** A GET with exactly this Host header (fetch cannot set it): what a DNS-rebinding page sends. */
function statusWithHost(url: string, host: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers: { Host: host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });
}

async function devToken(name: string): Promise<Response> {
  return fetch(`${dev.issuer.issuer}/token?name=${encodeURIComponent(name)}`);
}

/** Frames until one of `type` arrives (presence and other broadcasts may come first). */
async function frameOfType(client: TestClient, type: string): Promise<Record<string, unknown>> {
  for (;;) {
    const frame = JSON.parse(await client.next(10_000)) as Record<string, unknown>;
    if (frame.type === type) return frame;
  }
}

beforeAll(async () => {
  stackDir = synthesizeStack();
  dev = await startDevServer({ source: stackDir, port: 0, log: () => undefined });
});

afterAll(async () => {
  await dev?.emulator.close();
});

describe("dev issuer", () => {
  it("token: a token for alice connects, and her messages and presence carry her name", async () => {
    // GIVEN tokens from the dev issuer
    const response = await devToken("alice");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-wsstack-dev-only")).toBe("never deployed");
    const body = (await response.json()) as { token: string; expiresIn: number; userName: string };
    expect(body).toMatchObject({ expiresIn: 3600, userName: "alice" });
    const bobToken = ((await (await devToken("bob")).json()) as { token: string }).token;

    // WHEN both connect and alice speaks in a room they share
    const bob = await TestClient.open(`${dev.emulator.url}?token=${bobToken}`);
    bob.send(JSON.stringify({ action: "joinRoom", room: "dev-issuer" }));
    await frameOfType(bob, "joined");
    const alice = await TestClient.open(`${dev.emulator.url}?token=${body.token}`);
    alice.send(JSON.stringify({ action: "joinRoom", room: "dev-issuer" }));
    const joined = await frameOfType(alice, "joined");
    alice.send(JSON.stringify({ action: "onMessage", room: "dev-issuer", message: "hi bob" }));

    // THEN the events name alice
    expect(joined.members).toEqual(["alice", "bob"]);
    expect(await frameOfType(bob, "presence")).toMatchObject({ room: "lobby", user: "alice", event: "joined" });
    expect(await frameOfType(bob, "presence")).toMatchObject({ room: "dev-issuer", user: "alice", event: "joined" });
    expect(await frameOfType(bob, "message")).toMatchObject({ room: "dev-issuer", from: "alice", message: "hi bob" });
    alice.close();
    bob.close();
  });

  it("token: the claims are the documented ones (iss on this port, aud wsstack-dev, sub dev|<name>, 1 h)", async () => {
    const { token } = (await (await devToken("Carol Smith")).json()) as { token: string };
    const claims = JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: `http://127.0.0.1:${dev.emulator.port}/_dev`, aud: DEV_AUDIENCE, sub: "dev|Carol Smith", preferred_username: "Carol Smith" });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
  });

  it("connect: no token is refused with 401", async () => {
    expect(await rejectedStatus(dev.emulator.url)).toBe(401);
  });

  it("connect: a token signed by another key, with the same claims and kid, is refused with 401", async () => {
    const { token } = (await (await devToken("mallory")).json()) as { token: string };
    const header = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString("utf8")) as { kid: string };
    const stranger = await generateKeyPair("ES256");
    const forged = await new SignJWT({ preferred_username: "mallory" })
      .setProtectedHeader({ alg: "ES256", kid: header.kid })
      .setIssuer(dev.issuer.issuer)
      .setAudience(DEV_AUDIENCE)
      .setSubject("dev|mallory")
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(stranger.privateKey);
    expect(await rejectedStatus(`${dev.emulator.url}?token=${forged}`)).toBe(401);
  });

  it("token: an invalid name is refused with 400 and a JSON error naming the rules", async () => {
    for (const name of ["", "a<script>", " alice", "x".repeat(33)]) {
      const response = await devToken(name);
      expect(response.status).toBe(400);
      expect(response.headers.get("x-wsstack-dev-only")).toBe("never deployed");
      expect(await response.json()).toMatchObject({ error: "invalid_name", message: expect.stringMatching(/1 to 32 characters/) });
    }
  });

  it("jwks: serves the public key only, marked dev-only", async () => {
    const response = await fetch(`${dev.issuer.issuer}/jwks.json`);
    expect(response.headers.get("x-wsstack-dev-only")).toBe("never deployed");
    const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256", use: "sig" });
    expect(keys[0]).not.toHaveProperty("d");
  });

  it("emulate: without the dev flag nothing is mounted under /_dev or /", async () => {
    const emulator = await startEmulator({ source: stackDir, port: 0, log: () => undefined, variables: { auth_enabled: "false" } });
    try {
      const origin = emulator.managementEndpoint.replace(/\/dev$/, "");
      expect((await fetch(`${origin}/_dev/token?name=alice`)).status).toBe(404);
      expect((await fetch(`${origin}/`)).status).toBe(404);
    } finally {
      await emulator.close();
    }
  });

  it("exposure: /_dev/token, /_dev/jwks.json and the page answer only loopback Host headers (DNS rebinding gets 403)", async () => {
    const port = dev.emulator.port;
    for (const path of ["/_dev/token?name=alice", "/_dev/jwks.json", "/"]) {
      expect(await statusWithHost(`http://127.0.0.1:${port}${path}`, `evil.example:${port}`), path).toBe(403);
      expect(await statusWithHost(`http://127.0.0.1:${port}${path}`, `localhost:${port}`), path).toBe(200);
    }
  });

  it("exposure: a page on evil.example cannot open a WebSocket with a dev token (403); the chat page's own origin can", async () => {
    const { token } = (await (await devToken("alice")).json()) as { token: string };
    expect(await rejectedStatus(`${dev.emulator.url}?token=${token}`, undefined, { origin: "https://evil.example" })).toBe(403);
    const fromPage = await TestClient.open(`${dev.emulator.url}?token=${token}`, undefined, { origin: new URL(dev.pageUrl).origin });
    fromPage.close();
  });

  it("exposure: with --no-auth on a non-loopback --host (and --allow-host) dev starts, and no issuer is mounted", async () => {
    const server = await startDevServer({ source: stackDir, port: 0, host: "0.0.0.0", allowedHosts: ["devbox.lan"], log: () => undefined, variables: { auth_enabled: "false" } });
    try {
      expect(server.auth).toBe(false);
      expect((await fetch(`http://127.0.0.1:${server.emulator.port}/_dev/token?name=alice`)).status).toBe(404);
      expect(await statusWithHost(`http://127.0.0.1:${server.emulator.port}/`, "devbox.lan")).toBe(200);
    } finally {
      await server.emulator.close();
    }
  });

  it("cli: --no-auth is --var auth_enabled=false, and an explicit --var wins", () => {
    const noAuth = parseArgs(["dev", "--no-auth"]);
    expect(emulatorOptions("stack", noAuth.flags, {}).variables).toEqual({ auth_enabled: "false" });
    const explicit = parseArgs(["dev", "--no-auth", "--var", "auth_enabled=true"]);
    // the --var stays a --var (text, read per the variable's type), and --no-auth adds nothing over it
    expect(emulatorOptions("stack", explicit.flags, {})).toMatchObject({ vars: ["auth_enabled=true"] });
    expect(emulatorOptions("stack", explicit.flags, {}).variables).toBeUndefined();
  });

  it("dev: an explicit --var for the JWT settings is kept instead of the dev issuer's", async () => {
    const server = await startDevServer({ source: stackDir, port: 0, log: () => undefined, variables: { jwt_audience: "my-app" } });
    try {
      const { token } = (await (await fetch(`${server.issuer.issuer}/token?name=alice`)).json()) as { token: string };
      // The dev token says aud wsstack-dev; the authorizer now expects my-app.
      expect(await rejectedStatus(`${server.emulator.url}?token=${token}`)).toBe(401);
    } finally {
      await server.emulator.close();
    }
  });
});
