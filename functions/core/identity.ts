import { isValidName, NAME_RULES } from "../../contract/names.ts";
import { InvalidNameError } from "./client-errors.ts";
import type { Random } from "./random.ts";

// The naming rules are the contract's; the core's callers read them here with the rest of identity.
export { isValidName, MAX_NAME_LENGTH, NAME_RULES, nameFromClaims } from "../../contract/names.ts";

/** Who is behind a connection. */
export interface Identity {
  /**
   * Stable, unforgeable and not secret: derived from the token's issuer and
   * `sub` when the API has an authorizer ({@link signedInUserId}), else from
   * the connection id ({@link anonymousUserId}), so each anonymous connection
   * is its own user. Every frame that names a person carries it.
   */
  readonly userId: string;
  /** The display name others see in messages, presence and private messages. */
  readonly userName: string;
}

/** Throws InvalidNameError unless `name` follows the naming rules. */
export function checkName(name: string): string {
  if (!isValidName(name)) {
    throw new InvalidNameError(NAME_RULES);
  }
  return name;
}

/** What a name is claimed and looked up by: `Alice` and `alice` are one name. */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

const GUEST_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `guest-` and 4 random characters: the name of a connection that asked for none (or for a taken one). */
export function guestName(random: Random): string {
  return `guest-${random.chars(GUEST_ALPHABET, 4)}`;
}

/**
 * The user id of a signed-in identity: `u-` and 16 base64url characters of
 * SHA-256 over the issuer and `sub`. Bound to both, so two issuers' equal
 * `sub`s are two users; hashed, so a `sub` that is an email address or an
 * internal id is not shown to every room.
 */
export async function signedInUserId(issuer: string, sub: string): Promise<string> {
  return `u-${await digest(`${issuer}\n${sub}`)}`;
}

/** The user id of a connection on an API without an authorizer: `a-` and a hash of the connection id. */
export async function anonymousUserId(connectionId: string): Promise<string> {
  return `a-${await digest(`anonymous\n${connectionId}`)}`;
}

/** Whether a user id is a signed-in identity's (its name binding outlives its connections). */
export function isSignedIn(userId: string): boolean {
  return userId.startsWith("u-");
}

async function digest(text: string): Promise<string> {
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  return btoa(String.fromCharCode(...hash.subarray(0, 12))).replace(/\+/g, "-").replace(/\//g, "_");
}

/**
 * The identity a `$connect` authorizer put in `requestContext.authorizer`, or
 * undefined when there is none (the API has no authorizer) or it lacks the
 * keys. API Gateway passes context values as it got them, or as strings.
 */
export function identityFromAuthorizer(authorizer: Readonly<Record<string, unknown>> | undefined): Identity | undefined {
  const userId = authorizer?.["userId"];
  const userName = authorizer?.["userName"];
  if (typeof userId !== "string" || !isSignedIn(userId) || typeof userName !== "string" || userName === "") {
    return undefined;
  }
  return { userId, userName };
}
