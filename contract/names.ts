/**
 * Display names: the rules every part applies the same way (the handlers,
 * the authorizer, the browser page and the dev issuer), and how a verified
 * token's claims become a name.
 *
 * Part of the contract: no imports.
 */

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
