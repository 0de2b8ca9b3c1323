import { InvalidNameError } from "./client-errors.ts";
import type { Random } from "./random.ts";

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

export const MAX_NAME_LENGTH = 32;

/**
 * ASCII letters and digits, `_`, `-` and `.`, with single spaces between
 * words. ASCII only on purpose: claims compare names case-insensitively, and
 * look-alike letters from other scripts (Cyrillic `а` for Latin `a`) would
 * let one user pass as another.
 */
const NAME_PATTERN = /^[A-Za-z0-9_.-]+(?: [A-Za-z0-9_.-]+)*$/;

export const NAME_RULES = `1 to ${MAX_NAME_LENGTH} characters: letters A-Z, digits, "_", "-", "." and single spaces between them`;

export function isValidName(name: unknown): name is string {
  return typeof name === "string" && name.length >= 1 && name.length <= MAX_NAME_LENGTH && NAME_PATTERN.test(name);
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

/**
 * The display name for a verified token: the first of `preferred_username`,
 * `cognito:username`, `name` and the local part of `email` that follows the
 * naming rules, else `user-` and the first characters of `sub` that do.
 */
export function nameFromClaims(claims: Readonly<Record<string, unknown>>): string {
  const email = claims["email"];
  const candidates = [claims["preferred_username"], claims["cognito:username"], claims["name"], typeof email === "string" ? email.split("@")[0] : undefined];
  const chosen = candidates.find(isValidName);
  if (chosen !== undefined) {
    return chosen;
  }
  const sub = typeof claims["sub"] === "string" ? claims["sub"] : "";
  return `user-${sub.replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`.replace(/-$/, "");
}
