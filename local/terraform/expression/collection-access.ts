import { EvaluationError } from "../errors.ts";
import { isObject, isSet, typeName } from "../values.ts";
import { toNumber, toStringValue } from "./convert.ts";

/**
 * Reading into Terraform collections: `.name`, `[key]` and the iteration
 * order of `for`. Failures are {@link EvaluationError}s worded like
 * Terraform's diagnostics ("Summary: detail"), so `try()` catches them.
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions/references
 */

const has = (object: Record<string, unknown>, key: string): boolean => Object.prototype.hasOwnProperty.call(object, key);

/** `value.name` */
export function getAttribute(value: unknown, name: string): unknown {
  if (value === null || value === undefined) throw new EvaluationError(`Attempt to get attribute from null value: This value is null, so it does not have any attribute named "${name}".`);
  if (isObject(value)) {
    if (has(value, name)) return value[name];
    throw new EvaluationError(`Unsupported attribute: This object does not have an attribute named "${name}".`);
  }
  if (Array.isArray(value)) {
    const kind = isSet(value) ? "set" : "list";
    throw new EvaluationError(`Unsupported attribute: Can't access attributes on a ${kind} of objects. Did you mean to access attribute "${name}" for a specific element of the ${kind}, or across all elements of the ${kind}?`);
  }
  throw new EvaluationError(`Unsupported attribute: Can't access attributes on a primitive-typed value (${typeName(value)}).`);
}

/** `value[key]`: lists by whole number (or numeric string), maps and objects by string. */
export function indexValue(value: unknown, key: unknown): unknown {
  if (value === null || value === undefined) throw new EvaluationError("Attempt to index null value: This value is null, so it does not have any indices.");
  if (key === null) throw new EvaluationError("Invalid index: Can't use a null value as an indexing key.");
  const invalid = "Invalid index: The given key does not identify an element in this collection value";
  if (isSet(value)) {
    throw new EvaluationError("Invalid index: Elements of a set are identified only by their value and don't have any separate index or key to select with, so it's only possible to perform operations across all elements of the set.");
  }
  if (Array.isArray(value)) {
    const index = toNumber(key, invalid);
    if (!Number.isInteger(index)) throw new EvaluationError(`${invalid}: the given key must be a whole number.`);
    if (index < 0) throw new EvaluationError(`${invalid}: a negative number is not a valid index for a sequence.`);
    if (index >= value.length) throw new EvaluationError(`${invalid}: the given index is greater than or equal to the length of the collection.`);
    return value[index];
  }
  if (isObject(value)) {
    const name = toStringValue(key, invalid);
    if (has(value, name)) return value[name];
    throw new EvaluationError(`${invalid}.`);
  }
  throw new EvaluationError(`Invalid index: This value does not have any indices (it is a ${typeName(value)}).`);
}

/**
 * The (key, value) pairs a `for` iterates, in Terraform's order: lists and
 * tuples by index, maps and objects by key in lexical order (not JS's
 * integer-keys-first order), sets with the element as both key and value.
 */
export function forEntries(collection: unknown, what: string): [unknown, unknown][] {
  if (collection === null || collection === undefined) throw new EvaluationError(`Iteration over null value: A null value cannot be used as the collection in a ${what}.`);
  if (isSet(collection)) return (collection as unknown[]).map((item) => [item, item]);
  if (Array.isArray(collection)) return collection.map((item, index) => [index, item]);
  if (isObject(collection)) return lexicalKeys(collection).map((key) => [key, collection[key]]);
  throw new EvaluationError(`Iteration over non-iterable value: A value of type ${typeName(collection)} cannot be used as the collection in a ${what}.`);
}

/** An object's keys sorted by Unicode code point, as Go sorts strings. */
export function lexicalKeys(object: Record<string, unknown>): string[] {
  return Object.keys(object).sort((a, b) => {
    const x = [...a].map((ch) => ch.codePointAt(0)!);
    const y = [...b].map((ch) => ch.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  });
}

/** Sets a key on a result object, safe for keys such as `__proto__`. */
export function putKey(object: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}
