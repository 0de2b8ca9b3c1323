import type { TerraformFunction } from "../functions.ts";
import { defineFunction } from "./function-spec.ts";

/**
 * `sensitive` and `nonsensitive`. Terraform marks a value so plans and
 * outputs hide it; the emulator never prints plans, so both hand the value
 * through unchanged. (`issensitive` is left out: without marks it could only
 * guess.)
 *
 * @see https://developer.hashicorp.com/terraform/language/functions/sensitive
 */
export function sensitivityFunctions(): Record<string, TerraformFunction> {
  return {
    sensitive: defineFunction("sensitive", { params: [{ name: "value", type: "dynamic", allowNull: true }], impl: ([value]) => value }),
    nonsensitive: defineFunction("nonsensitive", { params: [{ name: "value", type: "dynamic", allowNull: true }], impl: ([value]) => value }),
  };
}
