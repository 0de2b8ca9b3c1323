import { describe, expect, it } from "vitest";
import { InvalidEnvironmentError } from "../../../functions/aws/env.ts";
import { readConnectSettings, readDefaultRouteSettings, readOnMessageSettings } from "../../../functions/aws/settings.ts";

describe("settings", () => {
  it("readOnMessageSettings: unset limits take the documented defaults", () => {
    // GIVEN only the table name
    // WHEN the onMessage settings are read
    // THEN the index, size limit and concurrency are the defaults
    expect(readOnMessageSettings({ TABLE_NAME: "t" })).toEqual({ tableName: "t", roomIndexName: "byRoom", maxMessageBytes: 32_768, fanOutConcurrency: 64 });
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
    expect(() => readOnMessageSettings({ TABLE_NAME: "t", FAN_OUT_CONCURRENCY: value })).toThrow(/FAN_OUT_CONCURRENCY/);
  });

  it("readDefaultRouteSettings: needs no table", () => {
    expect(readDefaultRouteSettings({ MAX_MESSAGE_BYTES: "1024" })).toEqual({ maxMessageBytes: 1024 });
  });
});
