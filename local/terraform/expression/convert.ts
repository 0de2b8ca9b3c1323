import { EvaluationError } from "../errors.ts";
import { typeName } from "../values.ts";
import { numberToString } from "../functions/number-text.ts";

/**
 * Terraform's automatic conversions between primitive types, applied where
 * an operator, index or template needs a number, bool or string: `"1" + 1`
 * is 2, `"true" ? a : b` picks a, `"x${1.5}"` is "x1.5". Each returns the
 * converted value or throws an {@link EvaluationError} whose message starts
 * with `context` (e.g. `Invalid operand: Unsuitable value for left operand`).
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions/types#type-conversion
 */

// What cty accepts as a number in a string (big.Float's decimal syntax).
const NUMERIC = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export function toNumber(value: unknown, context: string): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && NUMERIC.test(value)) return Number(value);
  throw new EvaluationError(`${context}: a number is required${value === null ? ", not null" : typeof value === "string" ? ` (${JSON.stringify(value)} is not one)` : ` (got ${typeName(value)})`}`);
}

export function toBool(value: unknown, context: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new EvaluationError(`${context}: a bool is required${value === null ? ", not null" : ` (got ${typeName(value)}${typeof value === "string" ? ` ${JSON.stringify(value)}` : ""})`}`);
}

export function toStringValue(value: unknown, context: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "number") return numberToString(value);
  if (typeof value === "boolean") return String(value);
  throw new EvaluationError(`${context}: a string is required${value === null ? ", not null" : ` (got ${typeName(value)})`}`);
}
