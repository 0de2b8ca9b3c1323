import { describe, expect, it } from "vitest";
import { evaluateExpression } from "../../local/expressions.ts";

// The Terraform expression subset cdktf writes into `${...}`.

const values: Record<string, unknown> = {
  "var.enabled": true,
  "var.days": 7,
  "var.algorithms": ["RS256", "ES256"],
  "var.issuer": "",
  "aws_x.y.id": "the-id",
};
const lookup = (parts: readonly string[]) => {
  const key = parts.join(".");
  if (!(key in values)) throw new Error(`unknown ${key}`);
  return values[key];
};

describe("evaluateExpression", () => {
  it.each([
    ['var.enabled ? "CUSTOM" : "NONE"', "CUSTOM"],
    ["!var.enabled ? aws_x.y.id : null", null],
    ["var.days * 86400", 604_800],
    ['join(",", var.algorithms)', "RS256,ES256"],
    ['!var.enabled || (var.issuer != "" && var.days >= 1)', false],
    ["var.algorithms[1]", "ES256"],
    ['tostring(var.days) == "7"', true],
    ["[1, 2][0] + -1", 0],
  ])("%s → %j", (source, expected) => {
    expect(evaluateExpression(source, lookup)).toEqual(expected);
  });

  it("evaluates only the chosen branch of a conditional", () => {
    expect(evaluateExpression("var.enabled ? 1 : missing.thing.here", lookup)).toBe(1);
  });

  it("names what it does not support", () => {
    expect(() => evaluateExpression('regex("a", "b")', lookup)).toThrow("the function regex() is not supported");
    expect(() => evaluateExpression("[for a in var.algorithms : a]", lookup)).toThrow("for expressions are not supported");
  });
});
