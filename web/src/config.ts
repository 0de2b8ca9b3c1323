import { DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.ts";

/**
 * Where the page connects and how it signs in, from the page's own URL and,
 * when `wsstack dev` serves it, `config.json` (web/site.ts writes it).
 *
 * Query parameters (all optional):
 * - `ws`: the WebSocket URL, e.g. `wss://abc123.execute-api.eu-west-1.amazonaws.com/dev`;
 * - `token`: a JWT for the API's authorizer (else the sign-in form asks for one);
 * - `auth=off`: the API has no authorizer (`auth_enabled = false`), connect with `?name=`;
 * - `ping`: milliseconds between `ping` actions (default 540000, 9 minutes);
 * - `backoff`, `backoffMax`: first and largest reconnect delay in milliseconds;
 * - `maxBytes`: the API's `max_message_bytes`, when it is below API Gateway's 32 KB frame.
 */

export type SignInMode =
  /** `wsstack dev`: tokens come from the DEV-ONLY issuer, one per connection attempt. */
  | { readonly kind: "dev"; readonly issuer: string }
  /** A deployed API with an authorizer: the user brings a JWT. */
  | { readonly kind: "token"; readonly token?: string }
  /** No authorizer: the name goes in `?name=`. */
  | { readonly kind: "anonymous" };

export interface PageConfig {
  /** Undefined when neither `?ws=` nor config.json says: the sign-in form asks. */
  readonly webSocketUrl?: string;
  readonly signIn: SignInMode;
  readonly pingIntervalMs: number;
  readonly backoff: BackoffOptions;
  /** The API's `max_message_bytes`, when known; the client never sends a frame over 32 KB anyway. */
  readonly maxMessageBytes?: number;
}

/** Nine minutes: under API Gateway's 10-minute idle timeout, with room for a slow tab timer. */
export const DEFAULT_PING_MS = 9 * 60 * 1000;

/** What `wsstack dev` serves as config.json (web/site.ts, WebConfig). */
interface ServedConfig {
  readonly webSocketUrl: string;
  readonly auth: boolean;
  readonly devIssuer: string | null;
  readonly maxMessageBytes?: number;
}

export async function resolvePageConfig(location: URL, fetchConfig: () => Promise<ServedConfig | undefined>): Promise<PageConfig> {
  const query = location.searchParams;
  const timing = {
    pingIntervalMs: positive(query.get("ping")) ?? DEFAULT_PING_MS,
    backoff: { initialMs: positive(query.get("backoff")) ?? DEFAULT_BACKOFF.initialMs, maxMs: positive(query.get("backoffMax")) ?? DEFAULT_BACKOFF.maxMs },
    ...optional("maxMessageBytes", positive(query.get("maxBytes"))),
  };
  const ws = query.get("ws");
  if (ws !== null && ws !== "") {
    const signIn: SignInMode = query.get("auth") === "off" ? { kind: "anonymous" } : { kind: "token", token: query.get("token") || undefined };
    return { webSocketUrl: ws, signIn, ...timing };
  }
  const served = await fetchConfig().catch(() => undefined);
  if (served === undefined) return { signIn: { kind: "token", token: query.get("token") || undefined }, ...timing };
  const signIn: SignInMode = !served.auth ? { kind: "anonymous" } : served.devIssuer !== null ? { kind: "dev", issuer: served.devIssuer } : { kind: "token" };
  return { webSocketUrl: served.webSocketUrl, signIn, ...optional("maxMessageBytes", served.maxMessageBytes), ...timing };
}

/** config.json next to the page, or undefined when there is none (a static deployment). */
export async function fetchServedConfig(): Promise<ServedConfig | undefined> {
  const response = await fetch("config.json", { cache: "no-store" });
  if (!response.ok) return undefined;
  return (await response.json()) as ServedConfig;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function positive(text: string | null): number | undefined {
  const value = Number(text);
  return text !== null && Number.isFinite(value) && value > 0 ? value : undefined;
}
