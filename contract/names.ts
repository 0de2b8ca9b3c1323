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
 * The display name for a verified token: the value of the first claim in
 * `nameClaims` that, trimmed and in NFC, follows the naming rules; else
 * `user-` and the first 8 letters or digits of the user id (derived from
 * the verified issuer and `sub`). Only the claims an operator lists are
 * read, so a claim a user picks for themselves (an email address such as
 * `admin@evil.example`, a `name`) never becomes a name unless trusted.
 */
export function nameFromClaims(claims: Readonly<Record<string, unknown>>, nameClaims: readonly string[], userId: string): string {
  for (const claim of nameClaims) {
    const value = claims[claim];
    const candidate = typeof value === "string" ? value.normalize("NFC").trim() : undefined;
    if (isValidName(candidate)) return candidate;
  }
  return `user-${userId.replace(/^[a-z]-/, "").replace(/[^A-Za-z0-9]/g, "").slice(0, 8)}`;
}
