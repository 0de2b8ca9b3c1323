import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLIENT_ACTIONS, ROUTES } from "../../contract/routes.ts";

// PROTOCOL.md is the client's contract: every action and every error code the
// handlers can send must be in it. The codes are read from the ClientErrorCode
// union, so a new code without documentation fails here.
const protocol = readFileSync(new URL("../../functions/PROTOCOL.md", import.meta.url), "utf8");
const errorsSource = readFileSync(new URL("../../contract/frames.ts", import.meta.url), "utf8");
const declaredCodes = [...errorsSource.match(/export type ClientErrorCode =([^;]+);/)![1]!.matchAll(/"([a-z_]+)"/g)].map((match) => match[1]!);

describe("PROTOCOL.md", () => {
  it.each([...CLIENT_ACTIONS])("PROTOCOL.md: documents the action %s in the actions table", (action) => {
    expect(protocol).toMatch(new RegExp(`^\\| \`${action}\` \\|`, "m"));
  });

  it.each([...declaredCodes, "internal_error"])("PROTOCOL.md: documents the error code %s in the error table", (code) => {
    expect(protocol).toMatch(new RegExp(`^\\| \`${code}\` \\|`, "m"));
  });

  it("PROTOCOL.md: the ping reply is the mock route's response", () => {
    const ping = ROUTES.find((route) => route.routeKey === "ping");
    expect(ping).toMatchObject({ kind: "mock", twoWay: true, response: '{"type":"pong"}' });
    expect(protocol).toContain("`{\"type\":\"pong\"}`");
  });

  it("PROTOCOL.md: declares at least the codes the issue asks for", () => {
    expect(declaredCodes).toEqual(expect.arrayContaining(["invalid_json", "unknown_action", "missing_field", "invalid_field", "too_large", "not_member", "user_offline", "name_taken", "invalid_name"]));
  });
});
