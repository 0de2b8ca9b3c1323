import { CONNECTION_TABLE, ENV } from "../routes.ts";
import { positiveInteger, requiredString, type Environment } from "./env.ts";

/** Longer than API Gateway's 2-hour connection limit, so no live connection expires. */
export const DEFAULT_CONNECTION_TTL_SECONDS = 3 * 60 * 60;
/** API Gateway's frame size (32 KB). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024;
export const DEFAULT_FAN_OUT_CONCURRENCY = 64;

export interface ConnectSettings {
  readonly tableName: string;
  readonly connectionTtlSeconds: number;
}

export interface DisconnectSettings {
  readonly tableName: string;
}

export interface OnMessageSettings {
  readonly tableName: string;
  readonly roomIndexName: string;
  readonly maxMessageBytes: number;
  readonly fanOutConcurrency: number;
}

export interface DefaultRouteSettings {
  readonly maxMessageBytes: number;
}

// One reader per handler, so each reads exactly the variables it uses and a
// handler is never failed by a variable it does not need.

export function readConnectSettings(env: Environment): ConnectSettings {
  return {
    tableName: requiredString(env, ENV.tableName),
    connectionTtlSeconds: positiveInteger(env, ENV.connectionTtlSeconds, DEFAULT_CONNECTION_TTL_SECONDS),
  };
}

export function readDisconnectSettings(env: Environment): DisconnectSettings {
  return { tableName: requiredString(env, ENV.tableName) };
}

export function readOnMessageSettings(env: Environment): OnMessageSettings {
  return {
    tableName: requiredString(env, ENV.tableName),
    roomIndexName: env[ENV.roomIndexName] || CONNECTION_TABLE.roomIndexName,
    maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    fanOutConcurrency: positiveInteger(env, ENV.fanOutConcurrency, DEFAULT_FAN_OUT_CONCURRENCY),
  };
}

export function readDefaultRouteSettings(env: Environment): DefaultRouteSettings {
  return { maxMessageBytes: positiveInteger(env, ENV.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES) };
}
