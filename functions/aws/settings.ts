import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { JWKS_URL_PATTERN, RESOURCE_ENVIRONMENT, SETTINGS, type SettingName, type SettingReader } from "../../contract/settings.ts";
import { InvalidEnvironmentError, optionalString, positiveInteger, requiredString, type Environment } from "./env.ts";

/**
 * The handlers' settings, read from the environment the stack gave each
 * function. Every name, default and rule comes from contract/settings.ts:
 * {@link readSetting} is the one reader, and the functions below only say
 * which settings each handler needs.
 */

export interface TableSettings {
  readonly tableName: string;
  readonly roomIndexName: string;
}

export interface ConnectSettings extends TableSettings {
  readonly connectionTtlSeconds: number;
  readonly fanOutConcurrency: number;
  readonly fanOutShardSize: number;
  readonly nameBindingSeconds: number;
  readonly authEnabled: boolean;
  readonly maxConnectionsPerUser: number;
}

export interface DisconnectSettings extends TableSettings {
  readonly fanOutConcurrency: number;
  readonly fanOutShardSize: number;
}

/** The fan-out function, and what onMessage needs to invoke it. */
export interface FanOutSettings extends TableSettings {
  readonly fanOutConcurrency: number;
  readonly fanOutShardSize: number;
  /** The fan-out function's name (FAN_OUT_FUNCTION_NAME): it invokes itself for the next pieces. */
  readonly fanOutFunctionName: string;
}

/** joinRoom, leaveRoom, typingIndicator, privateMessage. */
export interface BroadcastSettings extends TableSettings {
  readonly maxMessageBytes: number;
  readonly fanOutConcurrency: number;
  /** Rooms larger than this get no presence or typing frames. */
  readonly fanOutShardSize: number;
  readonly maxMessagesPerMinute: number;
  readonly maxRoomsPerConnection: number;
  readonly maxMemberNames: number;
}

export interface OnMessageSettings extends BroadcastSettings {
  readonly historyTtlSeconds: number;
  readonly maxStoredMessageBytes: number;
  readonly fanOutFunctionName: string;
}

export interface SetNameSettings extends TableSettings {
  readonly maxMessageBytes: number;
  readonly connectionTtlSeconds: number;
  readonly nameBindingSeconds: number;
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
  /** The claims a display name may come from, in order. */
  readonly nameClaims: readonly string[];
  /** The oldest `iat` accepted, in seconds before now. */
  readonly maxTokenAgeSeconds: number;
}

// One reader per handler, so each reads exactly the variables it uses and a
// handler is never failed by a variable it does not need.

export function readConnectSettings(env: Environment): ConnectSettings {
  return {
    ...tableSettings(env),
    connectionTtlSeconds: readSetting(env, "connectionTtlSeconds"),
    fanOutConcurrency: readSetting(env, "fanOutConcurrency"),
    fanOutShardSize: readSetting(env, "fanOutShardSize"),
    nameBindingSeconds: readSetting(env, "nameBindingDays"),
    authEnabled: readSetting(env, "authEnabled"),
    maxConnectionsPerUser: readSetting(env, "maxConnectionsPerUser"),
  };
}

export function readDisconnectSettings(env: Environment): DisconnectSettings {
  return { ...tableSettings(env), fanOutConcurrency: readSetting(env, "fanOutConcurrency"), fanOutShardSize: readSetting(env, "fanOutShardSize") };
}

export function readFanOutSettings(env: Environment): FanOutSettings {
  return {
    ...tableSettings(env),
    fanOutConcurrency: readSetting(env, "fanOutConcurrency"),
    fanOutShardSize: readSetting(env, "fanOutShardSize"),
    fanOutFunctionName: requiredString(env, RESOURCE_ENVIRONMENT.fanOutFunctionName),
  };
}

export function readBroadcastSettings(env: Environment): BroadcastSettings {
  return {
    ...tableSettings(env),
    maxMessageBytes: readSetting(env, "maxMessageBytes"),
    fanOutConcurrency: readSetting(env, "fanOutConcurrency"),
    fanOutShardSize: readSetting(env, "fanOutShardSize"),
    maxMessagesPerMinute: readSetting(env, "maxMessagesPerMinute"),
    maxRoomsPerConnection: readSetting(env, "maxRoomsPerConnection"),
    maxMemberNames: readSetting(env, "maxMemberNames"),
  };
}

export function readOnMessageSettings(env: Environment): OnMessageSettings {
  return {
    ...readBroadcastSettings(env),
    historyTtlSeconds: readSetting(env, "historyTtlDays"),
    maxStoredMessageBytes: readSetting(env, "maxStoredMessageBytes"),
    fanOutFunctionName: requiredString(env, RESOURCE_ENVIRONMENT.fanOutFunctionName),
  };
}

export function readSetNameSettings(env: Environment): SetNameSettings {
  return {
    ...tableSettings(env),
    maxMessageBytes: readSetting(env, "maxMessageBytes"),
    connectionTtlSeconds: readSetting(env, "connectionTtlSeconds"),
    nameBindingSeconds: readSetting(env, "nameBindingDays"),
  };
}

export function readHistorySettings(env: Environment): HistorySettings {
  return { ...tableSettings(env), maxMessageBytes: readSetting(env, "maxMessageBytes") };
}

export function readDefaultRouteSettings(env: Environment): DefaultRouteSettings {
  return { maxMessageBytes: readSetting(env, "maxMessageBytes") };
}

/**
 * The authorizer's settings. A symmetric algorithm (HS*) or `none` in
 * JWT_ALGORITHMS is a deployment fault: the authorizer holds only public keys,
 * and accepting HS256 would let a token signed with a public key pass.
 */
export function readAuthorizerSettings(env: Environment): AuthorizerSettings {
  return {
    issuer: readSetting(env, "jwtIssuer"),
    audience: readSetting(env, "jwtAudience"),
    jwksUrl: readSetting(env, "jwksUrl"),
    algorithms: readSetting(env, "jwtAlgorithms"),
    nameClaims: readSetting(env, "nameClaims"),
    maxTokenAgeSeconds: readSetting(env, "maxTokenAgeSeconds"),
  };
}

type HandlerSetting = { [K in SettingName]: (typeof SETTINGS)[K] extends { readonly environment: object } ? K : never }[SettingName];

/** What each reader kind yields. */
interface ReaderValues {
  positiveInteger: number;
  requiredString: string;
  url: URL;
  list: readonly string[];
  boolean: boolean;
}

type SettingValue<K extends HandlerSetting> = (typeof SETTINGS)[K] extends { readonly environment: { readonly reader: { readonly kind: infer R extends keyof ReaderValues } } } ? ReaderValues[R] : never;

/**
 * Reads one setting from the environment as contract/settings.ts declares
 * it: its variable name, its default (scaled as the stack scales it) and
 * its rule. A value that breaks the rule is an InvalidEnvironmentError
 * naming the variable: a deployment fault, never a client's.
 */
export function readSetting<K extends HandlerSetting>(env: Environment, name: K): SettingValue<K> {
  const setting = SETTINGS[name];
  const { name: variable, reader } = setting.environment;
  const scale = "scale" in setting.environment ? setting.environment.scale : 1;
  return readValue(env, variable, reader, setting.default, scale) as SettingValue<K>;
}

function readValue(env: Environment, variable: string, reader: SettingReader, fallback: unknown, scale: number): unknown {
  switch (reader.kind) {
    case "positiveInteger":
      return positiveInteger(env, variable, Number(fallback) * scale);
    case "requiredString":
      return requiredString(env, variable);
    case "url": {
      const text = requiredString(env, variable);
      // Keys fetched over plain HTTP from another host could be swapped on the way: https, or loopback for the dev issuer.
      if (!new RegExp(JWKS_URL_PATTERN).test(text) || !URL.canParse(text)) {
        throw new InvalidEnvironmentError(variable, text, "an https:// URL (http:// only on localhost or 127.0.0.1)");
      }
      return new URL(text);
    }
    case "list": {
      const listed = optionalString(env, variable, "");
      const items = listed === "" ? (fallback as readonly string[]) : listed.split(",").map((item) => item.trim()).filter((item) => item !== "");
      const pattern = new RegExp(reader.pattern);
      if (items.length === 0 || !items.every((item) => pattern.test(item))) {
        throw new InvalidEnvironmentError(variable, listed, reader.expected);
      }
      return items;
    }
    case "boolean": {
      const text = optionalString(env, variable, String(fallback));
      if (text !== "true" && text !== "false") {
        throw new InvalidEnvironmentError(variable, text, "true or false");
      }
      return text === "true";
    }
  }
}

function tableSettings(env: Environment): TableSettings {
  return {
    tableName: requiredString(env, RESOURCE_ENVIRONMENT.tableName),
    roomIndexName: optionalString(env, RESOURCE_ENVIRONMENT.roomIndexName, CONNECTION_TABLE.roomIndexName),
  };
}
