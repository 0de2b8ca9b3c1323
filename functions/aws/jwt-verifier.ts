import { createRemoteJWKSet, jwtVerify, type JWTPayload } from "jose";
import { nameFromClaims, type Identity } from "../core/identity.ts";
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
 * A verifier over the issuer's JWKS. The key set is fetched on first use and
 * cached by jose (refetched when a token names an unknown `kid`, at most once
 * per cooldown), so build one per container, not per invocation.
 *
 * Only the listed asymmetric algorithms are accepted: `none` and HS* never,
 * so a token "signed" with the public key as an HMAC secret fails. `exp` and
 * `sub` are required.
 */
export function createJwtVerifier(settings: AuthorizerSettings): TokenVerifier {
  const jwks = createRemoteJWKSet(settings.jwksUrl, { timeoutDuration: 3_000 });
  return {
    verify: async (token) => {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: settings.issuer,
          audience: settings.audience,
          algorithms: [...settings.algorithms],
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          requiredClaims: ["exp", "sub"],
        }));
      } catch (error) {
        if (isTokenFault(error)) throw new InvalidTokenError({ cause: error });
        throw error;
      }
      return { userId: payload.sub!, userName: nameFromClaims(payload) };
    },
  };
}

function isTokenFault(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" && TOKEN_FAULTS.has(code);
}
