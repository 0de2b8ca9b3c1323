import type { SignInMode } from "./config.ts";

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
