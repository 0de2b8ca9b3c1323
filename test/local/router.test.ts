import { describe, expect, it } from "vitest";
import { RouteSelector } from "../../local/router.ts";

// The selection-expression examples of the AWS docs (spec §4.1), evaluated directly.

const body = JSON.stringify({ service: "chat", action: "join", list: ["a", 1], n: 7, flag: true });
const keysOf = (...keys: string[]) => new Set(keys);

describe("RouteSelector", () => {
  it.each([
    ["$request.body.action", "join"],
    ["${request.body.action}", "join"],
    ["${request.body.service}/${request.body.action}", "chat/join"],
    ["${request.body.action}-${request.body.invalidPath}", "join-"],
    ["action", "action"],
    ["\\$default", "$default"],
    ["$request.body.n", "7"],
    ["$request.body.flag", "true"],
    ["$request.body.list", "[a, 1]"],
  ])("%s evaluates to %s", (expression, expected) => {
    const selector = new RouteSelector(expression, keysOf(expected));
    expect(selector.select(body)).toBe(expected);
  });

  it("falls back to $default for non-JSON, empty frames and unmatched keys, or undefined without $default", () => {
    const withDefault = new RouteSelector("$request.body.action", keysOf("join", "$default"));
    expect(withDefault.select("not json")).toBe("$default");
    expect(withDefault.select("")).toBe("$default");
    expect(withDefault.select('{"action":"JOIN"}')).toBe("$default");
    const withoutDefault = new RouteSelector("$request.body.action", keysOf("join"));
    expect(withoutDefault.select('{"action":"JOIN"}')).toBeUndefined();
  });

  it("never selects $connect or $disconnect from a message", () => {
    const selector = new RouteSelector("$request.body.action", keysOf("$connect", "$disconnect", "$default"));
    expect(selector.select('{"action":"$connect"}')).toBe("$default");
    expect(selector.select('{"action":"$disconnect"}')).toBe("$default");
  });

  it("refuses variables other than $request.body", () => {
    expect(() => new RouteSelector("$request.header.x", keysOf())).toThrow(/only \$request\.body/);
  });
});
