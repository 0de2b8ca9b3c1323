import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { nameFromClaims, signedInUserId, type Identity } from "../core/identity.ts";
import type { AuthorizerSettings } from "./settings.ts";

/** The token is not one we accept: bad signature, expired, wrong issuer, audience or algorithm, malformed. */
export class InvalidTokenError extends Error {
  constructor(options?: ErrorOptions) {
    super("The token is not valid.", options);
    this.name = "InvalidTokenError";
  }
}

/** Verifies a token and says who it names. */
export interface TokenVerifier {
  /** Rejects with InvalidTokenError for a bad token, and with the cause itself when the keys cannot be had. */
  verify(token: string): Promise<Identity>;
}

/** Leeway for clocks that disagree a little on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 5;

// jose's codes for tokens that fail verification, as opposed to JWKS faults
// (ERR_JWKS_TIMEOUT, ERR_JWKS_INVALID, network errors) that are ours to fix.
const TOKEN_FAULTS = new Set([
  "ERR_JWT_EXPIRED",
  "ERR_JWT_CLAIM_VALIDATION_FAILED",
  "ERR_JWT_INVALID",
  "ERR_JWS_INVALID",
  "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
  "ERR_JOSE_ALG_NOT_ALLOWED",
  "ERR_JOSE_NOT_SUPPORTED",
  "ERR_JWKS_NO_MATCHING_KEY",
  "ERR_JWKS_MULTIPLE_MATCHING_KEYS",
]);

/**
 * The `typ` headers of a token meant for authentication: a plain JWT and an
 * OAuth access token (RFC 9068). A token typed for another purpose (a
 * logout token, a DPoP proof) is refused even when its signature is good;
 * most issuers set no `typ`, which is accepted.
 */
const AUTHENTICATION_TYPES = new Set(["jwt", "at+jwt"]);

/**
 * A verifier over the issuer's JWKS. The key set is fetched on first use and
 * cached by jose (refetched when a token names an unknown `kid`, at most once
 * per cooldown), so build one per container, not per invocation.
 *
 * Only the listed asymmetric algorithms are accepted: `none` and HS* never,
 * so a token "signed" with the public key as an HMAC secret fails. `exp`,
 * `iat` (no older than `maxTokenAgeSeconds`) and a non-empty `sub` are
 * required, and `typ`, when the issuer sets one, must be JWT or at+jwt.
 * The user id is derived from the issuer and `sub`; the name only from the
 * claims `nameClaims` lists.
 */
export function createJwtVerifier(settings: AuthorizerSettings): TokenVerifier {
  const jwks = createRemoteJWKSet(settings.jwksUrl, { timeoutDuration: 3_000 });
  return {
    verify: async (token) => {
      let payload: JWTPayload;
      let typ: string | undefined;
      try {
        ({ payload, protectedHeader: { typ } } = await jwtVerify(token, jwks, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          maxTokenAge: settings.maxTokenAgeSeconds,
          requiredClaims: ["exp", "iat", "sub"],
        }));
      } catch (error) {
        if (isTokenFault(error)) throw new InvalidTokenError({ cause: error });
        throw error;
      }
      if (typeof payload.sub !== "string" || payload.sub.trim() === "") {
        // An empty identity would make every such token one user, or none: fail closed.
        throw new InvalidTokenError({ cause: { code: "ERR_EMPTY_SUB", message: "sub is empty" } });
      }
      if (typ !== undefined && !AUTHENTICATION_TYPES.has(typ.toLowerCase().replace(/^application\//, ""))) {
        throw new InvalidTokenError({ cause: { code: "ERR_JWT_TYP", message: `typ ${JSON.stringify(typ)} is not a sign-in token's` } });
      }
      const userId = await signedInUserId(settings.issuer, payload.sub);
      return { userId, userName: nameFromClaims(payload, settings.nameClaims, userId) };
    },
  };
}

function isTokenFault(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && TOKEN_FAULTS.has(code);
}
