import { CONNECTION_TABLE, ENV } from "../routes.ts";
import { InvalidEnvironmentError, optionalString, positiveInteger, requiredString, type Environment } from "./env.ts";

/** Longer than API Gateway's 2-hour connection limit, so no live connection expires. */
export const DEFAULT_CONNECTION_TTL_SECONDS = 3 * 60 * 60;
/** API Gateway's frame size (32 KB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024;
/** Posts in flight per broadcast; chosen by bench/fan-out.ts (see docs/performance.md). */
export const DEFAULT_FAN_OUT_CONCURRENCY = 128;
/** A room's messages are kept for 7 days. */
export const DEFAULT_HISTORY_TTL_SECONDS = 7 * 24 * 60 * 60;
/** The token algorithms the authorizer accepts when JWT_ALGORITHMS is unset. */
export const DEFAULT_JWT_ALGORITHMS: readonly string[] = ["RS256", "ES256"];

export interface TableSettings {
  readonly tableName: string;
  readonly roomIndexName: string;
}

export interface ConnectSettings extends TableSettings {
  readonly connectionTtlSeconds: number;
  readonly fanOutConcurrency: number;
}

export interface DisconnectSettings extends TableSettings {
  readonly fanOutConcurrency: number;
}

/** joinRoom, leaveRoom, typingIndicator, privateMessage. */
export interface BroadcastSettings extends TableSettings {
  readonly maxMessageBytes: number;
  readonly fanOutConcurrency: number;
}

export interface OnMessageSettings extends BroadcastSettings {
  readonly historyTtlSeconds: number;
}

export interface SetNameSettings extends TableSettings {
  readonly maxMessageBytes: number;
  readonly connectionTtlSeconds: number;
}

export interface HistorySettings extends TableSettings {
  readonly maxMessageBytes: number;
}

export interface DefaultRouteSettings {
  readonly maxMessageBytes: number;
}

export interface AuthorizerSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: URL;
  /** Asymmetric JWS algorithms only. */
  readonly algorithms: readonly string[];
}

// One reader per handler, so each reads exactly the variables it uses and a
// handler is never failed by a variable it does not need.

export function readConnectSettings(env: Environment): ConnectSettings {
  return {
    ...tableSettings(env),
    connectionTtlSeconds: positiveInteger(env, ENV.connectionTtlSeconds, DEFAULT_CONNECTION_TTL_SECONDS),
    fanOutConcurrency: positiveInteger(env, ENV.fanOutConcurrency, DEFAULT_FAN_OUT_CONCURRENCY),
  };
}

export function readDisconnectSettings(env: Environment): DisconnectSettings {
  return { ...tableSettings(env), fanOutConcurrency: positiveInteger(env, ENV.fanOutConcurrency, DEFAULT_FAN_OUT_CONCURRENCY) };
}

export function readBroadcastSettings(env: Environment): BroadcastSettings {
  return {
    ...tableSettings(env),
    maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    fanOutConcurrency: positiveInteger(env, ENV.fanOutConcurrency, DEFAULT_FAN_OUT_CONCURRENCY),
  };
}

export function readOnMessageSettings(env: Environment): OnMessageSettings {
  return { ...readBroadcastSettings(env), historyTtlSeconds: positiveInteger(env, ENV.historyTtlSeconds, DEFAULT_HISTORY_TTL_SECONDS) };
}

export function readSetNameSettings(env: Environment): SetNameSettings {
  return {
    ...tableSettings(env),
    maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    connectionTtlSeconds: positiveInteger(env, ENV.connectionTtlSeconds, DEFAULT_CONNECTION_TTL_SECONDS),
  };
}

export function readHistorySettings(env: Environment): HistorySettings {
  return { ...tableSettings(env), maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES) };
}

export function readDefaultRouteSettings(env: Environment): DefaultRouteSettings {
  return { maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES) };
}

// RSA (PKCS#1 v1.5 and PSS), ECDSA and EdDSA: verified with a public key only.
const ASYMMETRIC_ALGORITHM = /^(?:(?:RS|PS|ES)(?:256|384|512)|EdDSA|Ed25519)$/;

/**
 * The authorizer's settings. A symmetric algorithm (HS*) or `none` in
 * JWT_ALGORITHMS is a deployment fault: the authorizer holds only public keys,
 * and accepting HS256 would let a token signed with a public key pass.
 */
export function readAuthorizerSettings(env: Environment): AuthorizerSettings {
  const jwksUrlText = requiredString(env, ENV.jwksUrl);
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(jwksUrlText);
  } catch {
    throw new InvalidEnvironmentError(ENV.jwksUrl, jwksUrlText, "an absolute URL");
  }
  const listed = optionalString(env, ENV.jwtAlgorithms, "");
  const algorithms = listed === "" ? DEFAULT_JWT_ALGORITHMS : listed.split(",").map((a) => a.trim()).filter((a) => a !== "");
  if (algorithms.length === 0 || !algorithms.every((a) => ASYMMETRIC_ALGORITHM.test(a))) {
    throw new InvalidEnvironmentError(ENV.jwtAlgorithms, listed, "a comma-separated list of asymmetric algorithms (RS*, PS*, ES*, EdDSA)");
  }
  return { issuer: requiredString(env, ENV.jwtIssuer), audience: requiredString(env, ENV.jwtAudience), jwksUrl, algorithms };
}

function tableSettings(env: Environment): TableSettings {
  return { tableName: requiredString(env, ENV.tableName), roomIndexName: env[ENV.roomIndexName] || CONNECTION_TABLE.roomIndexName };
}
