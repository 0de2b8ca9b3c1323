import type { IncomingMessage, ServerResponse } from "node:http";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from "jose";
import { isValidName, NAME_RULES } from "../contract/names.ts";
import { EmulatorError } from "../local/errors.ts";
import { isLoopbackName } from "../local/host-policy.ts";
import type { HttpPage } from "../local/server.ts";
import { SETTINGS } from "../contract/settings.ts";

/**
 * DEV ONLY, never deployed: a token issuer for `wsstack dev`, so the stack's
 * real `$connect` authorizer (functions/authorizer.ts, jose against a JWKS)
 * runs locally without an identity provider.
 *
 * It holds one ES256 key pair, generated in memory at start and never
 * written anywhere, publishes its public half at `GET /_dev/jwks.json`, and
 * signs a token for any valid name at `GET /_dev/token?name=<name>`. Anyone
 * who can reach the port can be anyone: that is the point for development,
 * and why the stack never contains it, every answer says so in
 * `X-Wsstack-Dev-Only`, and it refuses to run anywhere but on a loopback
 * address (assertIssuerHost; the emulator's Host and Origin checks keep web
 * pages of other sites away from it).
 *
 * @see functions/PROTOCOL.md "Connecting" for the claims the authorizer reads.
 */

/** Every `/_dev/*` answer carries this header, so no one mistakes it for a real issuer. */
export const DEV_ONLY_HEADER = { "x-wsstack-dev-only": "never deployed" } as const;

export const DEV_AUDIENCE = "wsstack-dev";
/** One hour. Only `$connect` checks it, and the web page fetches a fresh token for every connection attempt. */
export const DEV_TOKEN_SECONDS = 60 * 60;
const PREFIX = "/_dev";

export interface DevToken {
  readonly token: string;
  /** Seconds until `exp`. */
  readonly expiresIn: number;
  readonly userName: string;
}

/** The name asked for breaks the naming rules the handlers enforce. */
/** The issuer would be reachable from other machines. */
export class ExposedDevIssuerError extends EmulatorError {}

/**
 * Refuses a listen address other than a loopback one (127.0.0.1, localhost,
 * ::1): anyone who reaches the issuer can sign in as anyone.
 */
export function assertIssuerHost(host: string): void {
  if (isLoopbackName(host)) return;
  throw new ExposedDevIssuerError(
    `the DEV-ONLY token issuer signs a token for any name, so anyone who reaches it can sign in as anyone: it runs only on a loopback --host (127.0.0.1, localhost, ::1), not ${JSON.stringify(host)}. ` +
      `Drop --host, or use --no-auth (no issuer; anyone connects with ?name=), or wsstack emulate with a real identity provider`,
  );
}

export class InvalidDevNameError extends Error {
  constructor(readonly requested: string | null) {
    super(`name must be ${NAME_RULES} (got ${requested === null ? "none" : JSON.stringify(requested)})`);
    this.name = "InvalidDevNameError";
  }
}

export class DevIssuer implements HttpPage {
  private constructor(
    /** `http://127.0.0.1:<port>/_dev`: the `iss` of its tokens. */
    readonly issuer: string,
    private readonly privateKey: CryptoKey,
    private readonly jwks: { readonly keys: readonly JWK[] },
    private readonly kid: string,
  ) {}

  /** `origin` is where the emulator will listen (`http://127.0.0.1:3001`); it must be known before the plan loads. */
  static async create(origin: string): Promise<DevIssuer> {
    assertIssuerHost(new URL(origin).hostname);
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const publicJwk = await exportJWK(publicKey);
    // A kid per run, so a browser holding a token from an earlier run gets a clean "no matching key" 401.
    const kid = `wsstack-dev-${Date.now().toString(36)}`;
    return new DevIssuer(`${origin}${PREFIX}`, privateKey, { keys: [{ ...publicJwk, kid, alg: "ES256", use: "sig" }] }, kid);
  }

  /** The Terraform variables that point the stack's authorizer at this issuer. */
  variables(): Record<string, string> {
    return {
      [SETTINGS.jwtIssuer.variable]: this.issuer,
      [SETTINGS.jwtAudience.variable]: DEV_AUDIENCE,
      [SETTINGS.jwksUrl.variable]: `${this.issuer}/jwks.json`,
      // This issuer sets preferred_username itself, from the name it was asked for, so the claim is its word.
      [SETTINGS.nameClaims.variable]: JSON.stringify(["preferred_username"]),
    };
  }

  async token(name: string | null): Promise<DevToken> {
    if (!isValidName(name)) throw new InvalidDevNameError(name);
    const token = await new SignJWT({ preferred_username: name })
      .setProtectedHeader({ alg: "ES256", kid: this.kid, typ: "JWT" })
      .setIssuer(this.issuer)
      .setAudience(DEV_AUDIENCE)
      .setSubject(`dev|${name}`)
      .setIssuedAt()
      .setExpirationTime(`${DEV_TOKEN_SECONDS}s`)
      .sign(this.privateKey);
    return { token, expiresIn: DEV_TOKEN_SECONDS, userName: name };
  }

  handles(rawPath: string): boolean {
    return rawPath === PREFIX || rawPath.startsWith(`${PREFIX}/`);
  }

  async handle(request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void> {
    const url = new URL(request.url ?? "/", "http://dev.invalid");
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, { message: "Method Not Allowed" }, { allow: "GET" });
    if (rawPath === `${PREFIX}/jwks.json`) return send(response, 200, this.jwks);
    if (rawPath === `${PREFIX}/token`) {
      try {
        return send(response, 200, await this.token(url.searchParams.get("name")));
      } catch (error) {
        if (error instanceof InvalidDevNameError) return send(response, 400, { error: "invalid_name", message: error.message });
        throw error;
      }
    }
    return send(response, 404, { message: "Not Found", paths: [`${PREFIX}/token?name=<name>`, `${PREFIX}/jwks.json`] });
  }
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      ...DEV_ONLY_HEADER,
      ...headers,
      "content-type": "application/json; charset=utf-8",
      // Tokens are per person and short-lived: never from a cache.
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
    })
    .end(text);
}
