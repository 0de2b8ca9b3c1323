import { isObject } from "../values.ts";
import { InvalidArgumentError, MissingArgumentError, type InstanceInputs } from "./local-provider.ts";

/**
 * Reading evaluated arguments with the conversions Terraform applies when a
 * value meets a provider schema: a number or bool where a string is expected
 * becomes its text, `"true"`/`"false"` where a bool is expected becomes the bool.
 * The evaluator has no provider schemas, so the providers convert what they read.
 */

/** A string argument, or undefined when unset. */
export function optionalString(instance: InstanceInputs, name: string): string | undefined {
  return toText(instance.argument(name), instance.address, name);
}

/** A string argument the real provider requires; its absence is a {@link MissingArgumentError}. */
export function requiredString(instance: InstanceInputs, name: string, neededFor: string): string {
  const value = optionalString(instance, name);
  if (value === undefined) throw new MissingArgumentError(instance.address, name, neededFor);
  return value;
}

/** A bool argument, or undefined when unset. */
export function optionalBool(instance: InstanceInputs, name: string): boolean | undefined {
  return toBool(instance.argument(name), instance.address, name);
}

/** A list or set of strings, or undefined when unset. */
export function optionalStringList(instance: InstanceInputs, name: string): string[] | undefined {
  return toTextList(instance.argument(name), instance.address, name);
}

/** Nested blocks: the evaluator gives a list of objects, or one object for a single block. */
export function blockList(value: unknown, address: string, argument: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, index) => {
    if (!isObject(item)) throw new InvalidArgumentError(address, `${argument}[${index}]`, "expected a block (an object)");
    return item;
  });
}

/** A value as a Terraform string: numbers and bools convert, null is unset, anything else is refused. */
export function toText(value: unknown, address: string, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new InvalidArgumentError(address, argument, `expected a string, got ${Array.isArray(value) ? "a list" : "an object"}`);
}

/** A value as a Terraform bool. */
export function toBool(value: unknown, address: string, argument: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new InvalidArgumentError(address, argument, `expected a bool, got ${JSON.stringify(value)}`);
}

/** A value as a list of strings (a set is an array too). */
export function toTextList(value: unknown, address: string, argument: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError(address, argument, "expected a list of strings");
  return value.map((item, index) => {
    const text = toText(item, address, `${argument}[${index}]`);
    if (text === undefined) throw new InvalidArgumentError(address, `${argument}[${index}]`, "null is not allowed in this list");
    return text;
  });
}
