import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError } from "../../../functions/aws/env.ts";
import { readAuthorizerSettings, readConnectSettings, readDefaultRouteSettings, readOnMessageSettings } from "../../../functions/aws/settings.ts";

describe("settings", () => {
  it("readOnMessageSettings: unset limits take the documented defaults", () => {
    // GIVEN only the table name and the fan-out function's (both the stack's own resources)
    // WHEN the onMessage settings are read
    // THEN the index, size limit, concurrency, shard size and history TTL (7 days) are the defaults
    expect(readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_FUNCTION_NAME: "f" })).toEqual({
      tableName: "t",
      roomIndexName: "byRoom",
      maxMessageBytes: 32_768,
      fanOutConcurrency: 128,
      fanOutShardSize: 1000,
      fanOutFunctionName: "f",
      historyTtlSeconds: 604_800,
      maxMessagesPerMinute: 60,
      maxRoomsPerConnection: 20,
      maxMemberNames: 200,
      maxStoredMessageBytes: 4_096,
    });
  });

  it("readOnMessageSettings: without FAN_OUT_FUNCTION_NAME onMessage cannot hand a large room on, a deployment fault naming the variable", () => {
    expect(() => readOnMessageSettings({ TABLE_NAME: "t" })).toThrow(InvalidEnvironmentError);
    expect(() => readOnMessageSettings({ TABLE_NAME: "t" })).toThrow(/FAN_OUT_FUNCTION_NAME/);
  });

  it("readOnMessageSettings: FAN_OUT_SHARD_SIZE must be a whole number of at least 1", () => {
    expect(readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_FUNCTION_NAME: "f", FAN_OUT_SHARD_SIZE: "250" }).fanOutShardSize).toBe(250);
    expect(() => readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_FUNCTION_NAME: "f", FAN_OUT_SHARD_SIZE: "0" })).toThrow(/FAN_OUT_SHARD_SIZE/);
  });

  it("readConnectSettings: sign-in is required unless AUTH_ENABLED is exactly false; anything but true or false is a deployment fault", () => {
    expect(readConnectSettings({ TABLE_NAME: "t" }).authEnabled).toBe(true);
    expect(readConnectSettings({ TABLE_NAME: "t", AUTH_ENABLED: "true" }).authEnabled).toBe(true);
    expect(readConnectSettings({ TABLE_NAME: "t", AUTH_ENABLED: "false" }).authEnabled).toBe(false);
    expect(() => readConnectSettings({ TABLE_NAME: "t", AUTH_ENABLED: "no" })).toThrow(/AUTH_ENABLED/);
  });

  it("readConnectSettings: a name stays bound 30 days by default; a user may hold 5 connections", () => {
    expect(readConnectSettings({ TABLE_NAME: "t" })).toMatchObject({ nameBindingSeconds: 30 * 86_400, maxConnectionsPerUser: 5 });
  });

  it("readConnectSettings: the TTL defaults to 3 hours, longer than API Gateway's 2-hour limit", () => {
    expect(readConnectSettings({ TABLE_NAME: "t" }).connectionTtlSeconds).toBe(10_800);
    expect(readConnectSettings({ TABLE_NAME: "t", CONNECTION_TTL_SECONDS: "600" }).connectionTtlSeconds).toBe(600);
  });

  it("readConnectSettings: a missing table name is an InvalidEnvironmentError naming the variable", () => {
    expect(() => readConnectSettings({})).toThrow(InvalidEnvironmentError);
    expect(() => readConnectSettings({})).toThrow(/TABLE_NAME/);
  });

  it.each(["0", "-1", "1.5", "lots"])("readOnMessageSettings: FAN_OUT_CONCURRENCY=%s is rejected", (value) => {
    expect(() => readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_FUNCTION_NAME: "f", FAN_OUT_CONCURRENCY: value })).toThrow(/FAN_OUT_CONCURRENCY/);
  });

  it("readDefaultRouteSettings: needs no table", () => {
    expect(readDefaultRouteSettings({ MAX_MESSAGE_BYTES: "1024" })).toEqual({ maxMessageBytes: 1024 });
  });

  it("readOnMessageSettings: HISTORY_TTL_SECONDS sets how long messages are kept", () => {
    expect(readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_FUNCTION_NAME: "f", HISTORY_TTL_SECONDS: "3600" }).historyTtlSeconds).toBe(3600);
  });

  const AUTH_ENV = { JWT_ISSUER: "https://issuer.example", JWT_AUDIENCE: "chat", JWKS_URL: "https://issuer.example/.well-known/jwks.json" };

  it("readAuthorizerSettings: without JWT_ALGORITHMS only RS256 and ES256 are accepted", () => {
    expect(readAuthorizerSettings(AUTH_ENV)).toEqual({
      issuer: "https://issuer.example",
      audience: "chat",
      jwksUrl: new URL("https://issuer.example/.well-known/jwks.json"),
      algorithms: ["RS256", "ES256"],
      nameClaims: ["cognito:username"],
      maxTokenAgeSeconds: 86_400,
    });
  });

  it.each(["HS256", "RS256,HS512", "none", "RS256,none"])("readAuthorizerSettings: JWT_ALGORITHMS=%s is refused: asymmetric algorithms only", (value) => {
    expect(() => readAuthorizerSettings({ ...AUTH_ENV, JWT_ALGORITHMS: value })).toThrow(/JWT_ALGORITHMS.*asymmetric/);
  });

  it("readAuthorizerSettings: a JWKS_URL that is not a URL is refused", () => {
    expect(() => readAuthorizerSettings({ ...AUTH_ENV, JWKS_URL: "jwks.json" })).toThrow(/JWKS_URL/);
  });

  it.each(["http://issuer.example/jwks.json", "http://localhost.evil.example/jwks.json", "http://127.0.0.1.nip.io/jwks.json", "ftp://issuer.example/jwks.json"])(
    "readAuthorizerSettings: JWKS_URL=%s is refused: https, or http on loopback only",
    (url) => {
      expect(() => readAuthorizerSettings({ ...AUTH_ENV, JWKS_URL: url })).toThrow(/JWKS_URL.*https/);
    },
  );

  it.each(["https://issuer.example/jwks.json", "http://127.0.0.1:3001/_dev/jwks.json", "http://localhost:8080/jwks.json"])("readAuthorizerSettings: JWKS_URL=%s is accepted", (url) => {
    expect(readAuthorizerSettings({ ...AUTH_ENV, JWKS_URL: url }).jwksUrl.href).toBe(url);
  });
});
