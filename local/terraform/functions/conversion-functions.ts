import type { TerraformFunction } from "../functions.ts";
import { convertToType, TypeConversionError, typeConstraintName, valueTypeName, type TypeConstraint } from "../type-constraint.ts";
import { defineFunction, fail } from "./function-spec.ts";

/**
 * `tostring`, `tonumber`, `tobool`, `tolist`, `toset`, `tomap`: explicit
 * conversions, with the messages these functions give rather than a
 * variable's ("cannot convert tuple to string").
 *
 * @see https://developer.hashicorp.com/terraform/language/functions/tolist
 */
export function conversionFunctions(): Record<string, TerraformFunction> {
  return {
    tostring: conversionFunction("tostring", { kind: "string" }),
    tonumber: conversionFunction("tonumber", { kind: "number" }),
    tobool: conversionFunction("tobool", { kind: "bool" }),
    tolist: conversionFunction("tolist", { kind: "list", element: { kind: "any" } }),
    toset: conversionFunction("toset", { kind: "set", element: { kind: "any" } }),
    tomap: conversionFunction("tomap", { kind: "map", element: { kind: "any" } }),
  };
}

function conversionFunction(name: string, type: TypeConstraint): TerraformFunction {
  return defineFunction(name, {
    params: [{ name: "v", type: "dynamic", allowNull: true }],
    impl: ([value]) => {
      try {
        return convertToType(value, type);
      } catch (error) {
        if (!(error instanceof TypeConversionError)) throw error;
        if (typeof value === "string" && type.kind === "bool") fail(`cannot convert ${JSON.stringify(value)} to bool; only the strings "true" or "false" are allowed`);
        if (typeof value === "string" && type.kind === "number") fail(`cannot convert ${JSON.stringify(value)} to number; given string must be a decimal representation of a number`);
        return fail(`cannot convert ${valueTypeName(value)} to ${typeConstraintName(type)}`);
      }
    },
  });
}
