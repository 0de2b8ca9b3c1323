import { isValidName, NAME_RULES } from "../../contract/names.ts";
import { InvalidNameError } from "./client-errors.ts";
import type { Random } from "./random.ts";

// The naming rules are the contract's; the core's callers read them here with the rest of identity.
export { isValidName, MAX_NAME_LENGTH, NAME_RULES, nameFromClaims } from "../../contract/names.ts";

/** Who is behind a connection. */
export interface Identity {
  /**
   * Stable and unforgeable: the token's `sub` when the API has an authorizer,
   * else `anon:<connectionId>`, so each anonymous connection is its own user.
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

/** The user id of a connection on an API without an authorizer. */
export function anonymousUserId(connectionId: string): string {
  return `anon:${connectionId}`;
}

/**
 * The identity a `$connect` authorizer put in `requestContext.authorizer`, or
 * undefined when there is none (the API has no authorizer) or it lacks the
 * keys. API Gateway passes context values as it got them, or as strings.
 */
export function identityFromAuthorizer(authorizer: Readonly<Record<string, unknown>> | undefined): Identity | undefined {
  const userId = authorizer?.["userId"];
  const userName = authorizer?.["userName"];
  if (typeof userId !== "string" || userId === "" || typeof userName !== "string") {
    return undefined;
  }
  return { userId, userName };
}
