import type { PageConfig, SignInMode } from "./config.ts";

/** How each connection attempt proves who the user is. */

/** The dev issuer refused the name (HTTP 400), or could not be reached. */
export class SignInError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SignInError";
  }
}

export interface DevToken {
  readonly token: string;
  readonly userName: string;
}

/** A token from the DEV-ONLY issuer of `wsstack dev` (local/dev-issuer.ts). */
export async function fetchDevToken(issuer: string, name: string): Promise<DevToken> {
  let response: Response;
  try {
    response = await fetch(`${issuer}/token?name=${encodeURIComponent(name)}`, { cache: "no-store" });
  } catch (error) {
    throw new SignInError("The dev token issuer cannot be reached.", { cause: error });
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; userName?: string; message?: string };
  if (!response.ok || typeof body.token !== "string") throw new SignInError(body.message ?? `The dev token issuer answered ${response.status}.`);
  return { token: body.token, userName: body.userName ?? name };
}

/**
 * The URL for the next attempt. Dev tokens are fetched anew every time: the
 * issuer's key changes when `wsstack dev` restarts, and an hour-old token
 * would be refused, so a saved one would turn a restart into an endless 401.
 */
export function connectionUrl(webSocketUrl: string, mode: SignInMode, name: string, token?: string): () => Promise<string> {
  const withQuery = (key: string, value: string) => {
    const url = new URL(webSocketUrl);
    url.searchParams.set(key, value);
    return url.toString();
  };
  switch (mode.kind) {
    case "dev":
      return async () => withQuery("token", (await fetchDevToken(mode.issuer, name)).token);
    case "token":
      return async () => withQuery("token", token ?? mode.token ?? "");
    case "anonymous":
      return async () => withQuery("name", name);
  }
}

/**
 * Why the chat may keep refusing the handshake. Browsers do not say the
 * HTTP status, so the page names the likely causes for its sign-in mode,
 * most likely first: an expired pasted token (its `exp` is readable), too
 * many connections of one user (429, `max_connections_per_user`), or new
 * connections arriving faster than the stage allows (429 too).
 */
export function refusalHint(config: Pick<PageConfig, "signIn" | "backoff">, token: string | undefined, name: string): string {
  const retrying = `This page keeps trying by itself, less and less often (at most every ${Math.round(config.backoff.maxMs / 1000)} s).`;
  switch (config.signIn.kind) {
    case "anonymous":
      return `The chat keeps refusing the connection: it may be taking too many new connections at once. ${retrying}`;
    case "token":
      if (tokenExpired(config.signIn.token ?? token)) return "Your sign-in token has expired, so the chat refuses the connection. Sign out and paste a new one.";
      return `The chat keeps refusing the connection. Most likely “${name}” is connected in too many tabs or on too many devices (the chat allows a few connections per user): close one. ${retrying} If that is not it, your token may not be valid here: sign out and paste a new one.`;
    case "dev":
      return `The chat keeps refusing the connection. Most likely “${name}” is connected in too many tabs or windows (the chat allows a few connections per user): close one. ${retrying}`;
  }
}

/** Whether the token's `exp` has passed (false when it cannot be read: the authorizer decides). */
export function tokenExpired(token: string | undefined, now = Date.now()): boolean {
  try {
    const exp = readClaims(token ?? "")["exp"];
    return typeof exp === "number" && exp * 1000 <= now;
  } catch {
    return false;
  }
}

/**
 * The token's claims, read without verifying: only to show the name the
 * authorizer will derive. The authorizer verifies it on every connection.
 */
export function readClaims(token: string): Record<string, unknown> {
  const payload = token.split(".")[1];
  if (payload === undefined || token.split(".").length !== 3) throw new SignInError("That is not a JWT (three base64url parts separated by dots).");
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(payload.length / 4) * 4, "="));
    const bytes = Uint8Array.from(json, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw new SignInError("The token's payload cannot be read.", { cause: error });
  }
}
