/**
 * How Terraform values are held while the emulator evaluates a configuration.
 *
 * strings, numbers and bools are JS primitives; `null` is null; tuples and
 * lists are arrays; objects and maps are plain objects. A set is an array
 * marked with {@link markSet} (sorted and de-duplicated by {@link toSetValue}),
 * because `for_each` accepts a set of strings but refuses a list, and
 * `toset` must be able to say which it got. There are no unknown values: the
 * emulator's local providers fill every after-apply attribute before use.
 */

export type TerraformValue = string | number | boolean | null | TerraformValue[] | { [key: string]: TerraformValue };

const SET = Symbol("terraform set");

/** Marks an array as a Terraform set (in place, not enumerable, so JSON and equality ignore it). */
export function markSet<T extends unknown[]>(items: T): T {
  Object.defineProperty(items, SET, { value: true, enumerable: false });
  return items;
}

export function isSet(value: unknown): boolean {
  return Array.isArray(value) && (value as unknown as Record<symbol, unknown>)[SET] === true;
}

/** A plain object (Terraform object or map), not an array or null. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Terraform equality: same type and structurally equal values. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => valuesEqual(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && valuesEqual(a[key], b[key]));
  }
  return false;
}

/**
 * A set from the given items: duplicates removed, ordered as Terraform
 * orders set elements (strings lexically; other values keep first-seen order).
 */
export function toSetValue(items: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of items) if (!out.some((seen) => valuesEqual(seen, item))) out.push(item);
  if (out.every((item) => typeof item === "string")) (out as string[]).sort();
  return markSet(out);
}

/** The name Terraform uses for a value's type in its messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (isSet(value)) return "set";
  if (Array.isArray(value)) return "tuple";
  return "object";
}
