import { EvaluationError } from "./errors.ts";
import type { Expression, TemplatePart } from "./expression/ast.ts";
import { numberToString, parseDecimalNumber } from "./functions/number-text.ts";
import { compareCodePoints } from "./functions/text.ts";
import { isObject, isSet, markSet, valuesEqual } from "./values.ts";

/**
 * Terraform's type constraints (a variable's `type`, and what `tolist`,
 * `tomap`, `toset`, `tostring`… convert to) and its conversion rules.
 *
 * The emulator's values carry no static type (an array may be a tuple or a
 * list, an object may be an object or a map), so conversion looks at the
 * value: what Terraform decides from types, such as the single element type a
 * `list(any)` settles on, is decided here from the values' shapes, with cty's
 * rules (`[1, "a"]` becomes `["1", "a"]`; objects with different attributes
 * become a map).
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions/type-constraints
 * @see https://github.com/zclconf/go-cty/tree/main/cty/convert
 */
export type TypeConstraint =
  | { readonly kind: "string" | "number" | "bool" | "any" }
  | { readonly kind: "list" | "set" | "map"; readonly element: TypeConstraint }
  | { readonly kind: "tuple"; readonly elements: readonly TypeConstraint[] }
  | { readonly kind: "object"; readonly attributes: Readonly<Record<string, ObjectAttribute>> };

/** One attribute of an `object({…})` type. */
export interface ObjectAttribute {
  readonly type: TypeConstraint;
  /** Declared with `optional(…)`: may be left out, and is then its default or null. */
  readonly optional: boolean;
  /** The `optional(T, default)` default, already converted to `type`; undefined when there is none. */
  readonly default?: unknown;
}

/** A value that cannot take the type, with where in the value the problem is. */
export class TypeConversionError extends EvaluationError {
  constructor(
    /** Where in the value, as Terraform writes paths: `.routes["chat"].memory_size`; "" for the value itself. */
    readonly path: string,
    /** What is wrong, in Terraform's words: `a number is required`. */
    readonly detail: string,
  ) {
    super(path === "" ? detail : `${path}: ${detail}`);
  }
}

/** A `type` expression that is not a valid type constraint. */
export class InvalidTypeConstraintError extends EvaluationError {}

const PRIMITIVES = new Set(["string", "number", "bool", "any"]);
const ANY: TypeConstraint = { kind: "any" };

/**
 * Reads a type constraint from its expression: `string`, `list(number)`,
 * `object({ name = string, size = optional(number, 128) })`, also wrapped in
 * `"${…}"` (hcl2json's form) and the legacy quoted `"string"`, `"list"`, `"map"`.
 */
export function parseTypeConstraint(expression: Expression): TypeConstraint {
  switch (expression.kind) {
    case "variable":
      if (PRIMITIVES.has(expression.name)) return { kind: expression.name as "string" | "number" | "bool" | "any" };
      if (["list", "set", "map"].includes(expression.name)) {
        throw new InvalidTypeConstraintError(`the ${expression.name} type constraint requires one argument specifying the element type, as in ${expression.name}(string)`);
      }
      if (expression.name === "tuple") throw new InvalidTypeConstraintError("the tuple type constraint requires one argument specifying the element types as a list, as in tuple([string, number])");
      if (expression.name === "object") throw new InvalidTypeConstraintError("the object type constraint requires one argument specifying the attribute types as an object, as in object({ name = string })");
      throw new InvalidTypeConstraintError(`the keyword "${expression.name}" is not a valid type specification`);
    case "literal":
      if (typeof expression.value === "string") return legacyTypeConstraint(expression.value, expression.source);
      break;
    case "template": {
      const only = expression.parts.length === 1 ? expression.parts[0]! : undefined;
      if (only?.kind === "interpolation") return parseTypeConstraint(only.expression);
      if (expression.parts.every((part) => part.kind === "text")) return legacyTypeConstraint(expression.parts.map((part) => (part as { text: string }).text).join(""), expression.source);
      break;
    }
    case "call":
      return typeConstructor(expression);
    default:
      break;
  }
  throw new InvalidTypeConstraintError(
    `${JSON.stringify(expression.source)} is not a type: a type specification is either a primitive type keyword (bool, number, string) or a complex type constructor call, like list(string)`,
  );
}

/** Terraform 0.11's quoted types, which 0.12 read as these. */
function legacyTypeConstraint(text: string, source: string): TypeConstraint {
  if (text === "string") return { kind: "string" };
  if (text === "list") return { kind: "list", element: ANY };
  if (text === "map") return { kind: "map", element: ANY };
  throw new InvalidTypeConstraintError(`${JSON.stringify(source)} is not a type: only "string", "list" and "map" may be written in quotes`);
}

function typeConstructor(call: Extract<Expression, { kind: "call" }>): TypeConstraint {
  const name = call.name;
  if (call.expandFinal) throw new InvalidTypeConstraintError(`a type constraint cannot expand arguments with "...": ${call.source}`);
  if (name === "optional") throw new InvalidTypeConstraintError(`keyword "optional" is valid only as a modifier for object type attributes: ${call.source}`);
  if (!["list", "set", "map", "tuple", "object"].includes(name)) {
    throw new InvalidTypeConstraintError(`${JSON.stringify(call.source)} is not a type: ${name}() is not a type constructor (list, set, map, tuple, object)`);
  }
  if (call.args.length !== 1) throw new InvalidTypeConstraintError(`the ${name} type constraint requires exactly one argument: ${call.source}`);
  const arg = call.args[0]!;
  if (name === "list" || name === "set" || name === "map") return { kind: name, element: parseTypeConstraint(arg) };
  if (name === "tuple") {
    if (arg.kind !== "tuple") throw new InvalidTypeConstraintError(`the tuple type constructor requires a list of element types, as in tuple([string, number]): ${call.source}`);
    return { kind: "tuple", elements: arg.items.map(parseTypeConstraint) };
  }
  if (arg.kind !== "object") throw new InvalidTypeConstraintError(`the object type constructor requires an object of attribute types, as in object({ name = string }): ${call.source}`);
  const attributes = new Map<string, ObjectAttribute>();
  for (const item of arg.items) {
    const key = attributeName(item.key);
    if (attributes.has(key)) throw new InvalidTypeConstraintError(`attribute "${key}" is declared twice in ${call.source}`);
    attributes.set(key, objectAttribute(item.value, key));
  }
  return { kind: "object", attributes: Object.fromEntries(attributes) };
}

function attributeName(key: Expression): string {
  if (key.kind === "variable") return key.name;
  if (key.kind === "literal" && typeof key.value === "string") return key.value;
  if (key.kind === "template" && key.parts.every((part) => part.kind === "text")) return key.parts.map((part) => (part as { text: string }).text).join("");
  throw new InvalidTypeConstraintError(`an object type's attribute names must be written literally, not ${key.source}`);
}

function objectAttribute(value: Expression, name: string): ObjectAttribute {
  if (value.kind !== "call" || value.name !== "optional") return { type: parseTypeConstraint(value), optional: false };
  if (value.args.length < 1 || value.args.length > 2 || value.expandFinal) {
    throw new InvalidTypeConstraintError(`optional() takes a type and, optionally, a default value: ${value.source}`);
  }
  const type = parseTypeConstraint(value.args[0]!);
  if (value.args.length === 1) return { type, optional: true };
  const given = constantValue(value.args[1]!);
  if (given === null) return { type, optional: true };
  try {
    return { type, optional: true, default: convertToType(given, type) };
  } catch (error) {
    if (error instanceof TypeConversionError) throw new InvalidTypeConstraintError(`invalid default value for optional attribute "${name}": ${error.message}`);
    throw error;
  }
}

/** The value of an `optional()` default, which Terraform requires to be a constant. */
function constantValue(expression: Expression): unknown {
  switch (expression.kind) {
    case "literal":
      return expression.value;
    case "template":
      if (expression.parts.every((part: TemplatePart) => part.kind === "text")) return expression.parts.map((part) => (part as { text: string }).text).join("");
      break;
    case "tuple":
      return expression.items.map(constantValue);
    case "object":
      return Object.fromEntries(expression.items.map((item) => [attributeName(item.key), constantValue(item.value)]));
    case "unary": {
      const operand = constantValue(expression.operand);
      if (expression.op === "-" && typeof operand === "number") return -operand;
      if (expression.op === "!" && typeof operand === "boolean") return !operand;
      break;
    }
    default:
      break;
  }
  throw new InvalidTypeConstraintError(`a default value for an optional attribute must be a constant, not ${expression.source}`);
}

/**
 * Converts a value to a type as Terraform does for a variable's value or a
 * `to…()` function: primitives convert where Terraform allows (`"5"` → 5,
 * `true` → `"true"`), tuples become lists or sets, objects become maps or
 * lose the attributes the object type does not declare, optional attributes
 * left out get their default or null, and null stays null.
 *
 * @param path where the value sits, prefixed to error paths (e.g. `var.routes`)
 * @throws TypeConversionError in Terraform's words, with the path inside the value
 */
export function convertToType(value: unknown, type: TypeConstraint, path = ""): unknown {
  if (value === undefined || value === null) return null;
  switch (type.kind) {
    case "any":
      return value;
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "number") return numberToString(value);
      if (typeof value === "boolean") return value ? "true" : "false";
      throw new TypeConversionError(path, "string required");
    case "number": {
      if (typeof value === "number") return value;
      if (typeof value !== "string") throw new TypeConversionError(path, "number required");
      const parsed = parseDecimalNumber(value);
      if (parsed === undefined) throw new TypeConversionError(path, "a number is required");
      return parsed;
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (typeof value !== "string") throw new TypeConversionError(path, "bool required");
      if (value === "true" || value === "1") return true;
      if (value === "false" || value === "0") return false;
      if (value.toLowerCase() === "true" || value.toLowerCase() === "false") {
        throw new TypeConversionError(path, `a bool is required; to convert from string, use lowercase "${value.toLowerCase()}"`);
      }
      throw new TypeConversionError(path, "a bool is required");
    case "list":
    case "set": {
      if (!Array.isArray(value)) throw new TypeConversionError(path, `${typeConstraintName(type)} required`);
      const elements = convertElements(value, type.element, type.kind, path, (i) => `${path}[${i}]`);
      return type.kind === "set" ? setValue(elements) : elements;
    }
    case "map": {
      if (!isObject(value)) throw new TypeConversionError(path, `${typeConstraintName(type)} required`);
      const keys = Object.keys(value);
      const converted = convertElements(
        keys.map((key) => value[key]),
        type.element,
        "map",
        path,
        (i) => `${path}[${JSON.stringify(keys[i])}]`,
      );
      return Object.fromEntries(keys.map((key, i) => [key, converted[i]]));
    }
    case "tuple":
      if (!Array.isArray(value) || value.length !== type.elements.length) throw new TypeConversionError(path, "tuple required");
      return type.elements.map((element, i) => convertToType(value[i], element, `${path}[${i}]`));
    case "object":
      return convertObject(value, type.attributes, path);
  }
}

function convertElements(values: readonly unknown[], element: TypeConstraint, kind: "list" | "set" | "map", path: string, pathOf: (i: number) => string): unknown[] {
  let target = element;
  if (element.kind === "any") {
    // `list(any)` means one element type for all, chosen from the elements themselves.
    const unified = unifyTypes(values.map(impliedType));
    if (unified === undefined || (unified.kind === "any" && values.some((v) => v !== null && v !== undefined))) {
      throw new TypeConversionError(path, `all ${kind} elements must have the same type`);
    }
    target = unified;
  }
  return values.map((v, i) => convertToType(v, target, pathOf(i)));
}

function convertObject(value: unknown, attributes: Readonly<Record<string, ObjectAttribute>>, path: string): Record<string, unknown> {
  if (!isObject(value)) throw new TypeConversionError(path, "object required");
  const missing = Object.keys(attributes)
    .filter((name) => !attributes[name]!.optional && !Object.hasOwn(value, name))
    .sort(compareCodePoints);
  if (missing.length > 0) throw new TypeConversionError(path, missingAttributesMessage(missing));
  const result: [string, unknown][] = [];
  for (const [name, attribute] of Object.entries(attributes)) {
    const given = Object.hasOwn(value, name) ? convertToType(value[name], attribute.type, `${path}${attributeStep(name)}`) : null;
    // An attribute set to null gets the default too, as in Terraform.
    result.push([name, given === null && attribute.default !== undefined ? structuredClone(attribute.default) : given]);
  }
  return Object.fromEntries(result);
}

function missingAttributesMessage(names: readonly string[]): string {
  const quoted = names.map((name) => JSON.stringify(name));
  if (quoted.length === 1) return `attribute ${quoted[0]} is required`;
  if (quoted.length === 2) return `attributes ${quoted[0]} and ${quoted[1]} are required`;
  return `attributes ${quoted.slice(0, -1).join(", ")}, and ${quoted.at(-1)} are required`;
}

function attributeStep(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/**
 * A set of the given values: duplicates removed and ordered as Terraform
 * orders sets: strings by code point, numbers ascending, false before true,
 * nulls last; other element types keep the order they came in.
 */
export function setValue(items: readonly unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const item of items) if (!out.some((seen) => valuesEqual(seen, item ?? null))) out.push(item ?? null);
  const present = out.filter((item) => item !== null);
  const nulls = out.length - present.length;
  if (present.every((item) => typeof item === "string")) (present as string[]).sort(compareCodePoints);
  else if (present.every((item) => typeof item === "number")) (present as number[]).sort((a, b) => a - b);
  else if (present.every((item) => typeof item === "boolean")) present.sort((a, b) => Number(a) - Number(b));
  return markSet([...present, ...Array<null>(nulls).fill(null)]);
}

/** How Terraform names a type in "… required" messages: `list of string`, `map of any single type`. */
export function typeConstraintName(type: TypeConstraint): string {
  switch (type.kind) {
    case "any":
      return "any type";
    case "list":
    case "set":
    case "map":
      return `${type.kind} of ${type.element.kind === "any" ? "any single type" : typeConstraintName(type.element)}`;
    default:
      return type.kind;
  }
}

/** The name of a value's type as Terraform reports it: `string`, `tuple`, `object`, `set of number`. */
export function valueTypeName(value: unknown): string {
  const type = impliedType(value);
  if (type.kind === "any") return "null";
  if (type.kind === "set") return type.element.kind === "any" ? "set of dynamic" : `set of ${typeConstraintName(type.element)}`;
  return typeConstraintName(type);
}

/** The type a value has on its own: arrays are tuples, objects are objects, null is any. */
export function impliedType(value: unknown): TypeConstraint {
  if (value === null || value === undefined) return ANY;
  if (typeof value === "string") return { kind: "string" };
  if (typeof value === "number") return { kind: "number" };
  if (typeof value === "boolean") return { kind: "bool" };
  if (isSet(value)) return { kind: "set", element: unifyTypes((value as unknown[]).map(impliedType)) ?? ANY };
  if (Array.isArray(value)) return { kind: "tuple", elements: value.map(impliedType) };
  if (isObject(value)) {
    return { kind: "object", attributes: Object.fromEntries(Object.entries(value).map(([name, v]) => [name, { type: impliedType(v), optional: false }])) };
  }
  throw new EvaluationError(`not a Terraform value: ${typeof value}`);
}

/**
 * The one type all of the given types convert to, as cty's unsafe unify
 * picks it (what `list(any)`, `coalesce` and the set functions use), or
 * undefined when there is none. `any` stands for null's type.
 */
export function unifyTypes(types: readonly TypeConstraint[]): TypeConstraint | undefined {
  const known = types.filter((type) => type.kind !== "any");
  if (known.length === 0) return ANY;
  const hasNull = known.length < types.length;
  const kinds = new Set(known.map((type) => type.kind));
  const only = (kind: string): boolean => kinds.size === 1 && kinds.has(kind as TypeConstraint["kind"]);
  if (only("object")) {
    if (hasNull) return ANY;
    return unifyObjects(known as Extract<TypeConstraint, { kind: "object" }>[]);
  }
  if (only("tuple")) {
    if (hasNull) return ANY;
    return unifyTuples(known as Extract<TypeConstraint, { kind: "tuple" }>[]);
  }
  if ([...kinds].every((kind) => kind === "set" || kind === "list" || kind === "tuple") && (kinds.has("set") || kinds.has("list"))) {
    if (hasNull) return ANY;
    const elements = unifyTypes(known.flatMap(sequenceElementTypes));
    if (elements === undefined) return undefined;
    return { kind: kinds.has("set") && !kinds.has("list") ? "set" : "list", element: elements };
  }
  if (only("map")) {
    if (hasNull) return ANY;
    const element = unifyTypes(known.map((type) => (type as { element: TypeConstraint }).element));
    return element === undefined ? undefined : { kind: "map", element };
  }
  if ([...kinds].every((kind) => kind === "string" || kind === "number" || kind === "bool")) {
    if (kinds.size === 1) return known[0];
    // Numbers and bools both convert to string, but not to each other.
    return kinds.has("string") ? { kind: "string" } : undefined;
  }
  return undefined;
}

function sequenceElementTypes(type: TypeConstraint): readonly TypeConstraint[] {
  if (type.kind === "tuple") return type.elements;
  if (type.kind === "list" || type.kind === "set") return [type.element];
  return [type];
}

function unifyObjects(objects: readonly Extract<TypeConstraint, { kind: "object" }>[]): TypeConstraint | undefined {
  const names = Object.keys(objects[0]!.attributes).sort(compareCodePoints);
  const sameNames = objects.every((object) => {
    const these = Object.keys(object.attributes).sort(compareCodePoints);
    return these.length === names.length && these.every((name, i) => name === names[i]);
  });
  if (!sameNames) {
    // Objects with different attributes can only meet as a map.
    const element = unifyTypes(objects.flatMap((object) => Object.values(object.attributes).map((attribute) => attribute.type)));
    return element === undefined ? undefined : { kind: "map", element };
  }
  const attributes: [string, ObjectAttribute][] = [];
  for (const name of names) {
    const type = unifyTypes(objects.map((object) => object.attributes[name]!.type));
    if (type === undefined) return undefined;
    attributes.push([name, { type, optional: false }]);
  }
  return { kind: "object", attributes: Object.fromEntries(attributes) };
}

function unifyTuples(tuples: readonly Extract<TypeConstraint, { kind: "tuple" }>[]): TypeConstraint | undefined {
  const length = tuples[0]!.elements.length;
  if (tuples.some((tuple) => tuple.elements.length !== length)) {
    // Tuples of different lengths can only meet as a list.
    const element = unifyTypes(tuples.flatMap((tuple) => tuple.elements));
    return element === undefined ? undefined : { kind: "list", element };
  }
  const elements: TypeConstraint[] = [];
  for (let i = 0; i < length; i++) {
    const type = unifyTypes(tuples.map((tuple) => tuple.elements[i]!));
    if (type === undefined) return undefined;
    elements.push(type);
  }
  return { kind: "tuple", elements };
}
