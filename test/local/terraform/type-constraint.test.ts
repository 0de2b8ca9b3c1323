import { beforeAll, describe, expect, it } from "vitest";
import { EvaluationError } from "../../../local/terraform/errors.ts";
import { parseExpression, parseTemplate } from "../../../local/terraform/expression/parse-expression.ts";
import { jsonEncode } from "../../../local/terraform/functions/json-text.ts";
import {
  convertToType,
  InvalidTypeConstraintError,
  parseTypeConstraint,
  TypeConversionError,
  type TypeConstraint,
} from "../../../local/terraform/type-constraint.ts";
import { isSet } from "../../../local/terraform/values.ts";
import { terraformVariables, type VariableResult } from "./terraform-variables.ts";

/**
 * Type constraints against the real Terraform: each case declares a
 * variable of the type, gives it a value in terraform.tfvars, and expects
 * the emulator's conversion of the same value (as JS) to be Terraform's
 * value, or to fail with Terraform's message.
 */

interface Case {
  readonly type: string;
  /** The value as written in terraform.tfvars. */
  readonly value: string;
  /** The same value as the emulator holds it before conversion. */
  readonly input: unknown;
}

const PRIMITIVES: readonly Case[] = [
  { type: "string", value: `"x"`, input: "x" },
  { type: "string", value: `5.50`, input: 5.5 },
  { type: "string", value: `true`, input: true },
  { type: "string", value: `null`, input: null },
  { type: "string", value: `[1]`, input: [1] },
  { type: "string", value: `{}`, input: {} },
  { type: "number", value: `"5"`, input: "5" },
  { type: "number", value: `"-1.5e2"`, input: "-1.5e2" },
  { type: "number", value: `42`, input: 42 },
  { type: "number", value: `"abc"`, input: "abc" },
  { type: "number", value: `" 5"`, input: " 5" },
  { type: "number", value: `true`, input: true },
  { type: "number", value: `[1]`, input: [1] },
  { type: "bool", value: `"true"`, input: "true" },
  { type: "bool", value: `"0"`, input: "0" },
  { type: "bool", value: `false`, input: false },
  { type: "bool", value: `"True"`, input: "True" },
  { type: "bool", value: `"FALSE"`, input: "FALSE" },
  { type: "bool", value: `"yes"`, input: "yes" },
  { type: "bool", value: `1`, input: 1 },
  { type: "any", value: `[1, "a", {b = true}]`, input: [1, "a", { b: true }] },
  { type: "any", value: `null`, input: null },
];

const COLLECTIONS: readonly Case[] = [
  { type: "list(string)", value: `[1, true, "x"]`, input: [1, true, "x"] },
  { type: "list(string)", value: `[]`, input: [] },
  { type: "list(string)", value: `["a", null]`, input: ["a", null] },
  { type: "list(string)", value: `"a"`, input: "a" },
  { type: "list(string)", value: `{a = 1}`, input: { a: 1 } },
  { type: "list(string)", value: `[[1]]`, input: [[1]] },
  { type: "list(number)", value: `[1, "2"]`, input: [1, "2"] },
  { type: "list(number)", value: `[1, "x"]`, input: [1, "x"] },
  { type: "list(any)", value: `[1, "a"]`, input: [1, "a"] },
  { type: "list(any)", value: `[1, null]`, input: [1, null] },
  { type: "list(any)", value: `[{a = 1}, {b = "x"}]`, input: [{ a: 1 }, { b: "x" }] },
  { type: "list(any)", value: `[{a = 1, b = [1]}, {a = 2, b = ["x"]}]`, input: [{ a: 1, b: [1] }, { a: 2, b: ["x"] }] },
  { type: "list(any)", value: `[[1], [1, 2]]`, input: [[1], [1, 2]] },
  { type: "list(any)", value: `[1, true]`, input: [1, true] },
  { type: "list(any)", value: `[{a = 1}, null]`, input: [{ a: 1 }, null] },
  { type: "list(any)", value: `[[1], {a = 1}]`, input: [[1], { a: 1 }] },
  { type: "list(list(number))", value: `[[1, "2"], []]`, input: [[1, "2"], []] },
  { type: "set(string)", value: `["b", "a", "b", 1]`, input: ["b", "a", "b", 1] },
  { type: "set(number)", value: `[3, 1, 2, 1]`, input: [3, 1, 2, 1] },
  { type: "set(bool)", value: `[true, "false"]`, input: [true, "false"] },
  { type: "set(any)", value: `[1, "1"]`, input: [1, "1"] },
  { type: "set(string)", value: `{a = "x"}`, input: { a: "x" } },
  { type: "map(string)", value: `{a = 1, b = true}`, input: { a: 1, b: true } },
  { type: "map(string)", value: `{}`, input: {} },
  { type: "map(string)", value: `[1]`, input: [1] },
  { type: "map(string)", value: `{a = [1]}`, input: { a: [1] } },
  { type: "map(number)", value: `{a = "1", b = 2}`, input: { a: "1", b: 2 } },
  { type: "map(number)", value: `{a = "x"}`, input: { a: "x" } },
  { type: "map(any)", value: `{a = 1, b = "x"}`, input: { a: 1, b: "x" } },
  { type: "map(any)", value: `{a = {x = 1}, b = {y = "2"}}`, input: { a: { x: 1 }, b: { y: "2" } } },
  { type: "map(any)", value: `{a = 1, b = true}`, input: { a: 1, b: true } },
  { type: "map(list(string))", value: `{a = [1, 2], b = []}`, input: { a: [1, 2], b: [] } },
  { type: "tuple([string, number])", value: `["x", "5"]`, input: ["x", "5"] },
  { type: "tuple([string, number])", value: `["a"]`, input: ["a"] },
  { type: "tuple([string, number])", value: `["a", "b"]`, input: ["a", "b"] },
  { type: "tuple([string, number])", value: `{a = 1}`, input: { a: 1 } },
  { type: "tuple([any, bool])", value: `[[1], "true"]`, input: [[1], "true"] },
];

const OBJECTS: readonly Case[] = [
  { type: "object({a = string, b = number})", value: `{a = 1, b = "2", c = 3}`, input: { a: 1, b: "2", c: 3 } },
  { type: "object({a = string, b = number})", value: `{a = null, b = null}`, input: { a: null, b: null } },
  { type: "object({a = string, b = number})", value: `{a = "x"}`, input: { a: "x" } },
  { type: "object({a = string, b = number})", value: `{}`, input: {} },
  { type: "object({a = string, b = string, c = string})", value: `{}`, input: {} },
  { type: "object({a = string})", value: `[1]`, input: [1] },
  { type: "object({a = string})", value: `"a"`, input: "a" },
  { type: "object({a = number})", value: `{a = "x"}`, input: { a: "x" } },
  { type: "object({a = number})", value: `{a = true}`, input: { a: true } },
  { type: "object({})", value: `{a = 1}`, input: { a: 1 } },
  {
    type: `object({name = optional(string, "d"), size = optional(number), tags = optional(map(string), {}), inner = optional(object({x = optional(string, "ix")}), {})})`,
    value: `{}`,
    input: {},
  },
  {
    type: `object({name = optional(string, "d"), size = optional(number), tags = optional(map(string), {}), inner = optional(object({x = optional(string, "ix")}), {})})`,
    value: `{name = null, size = "3", tags = {k = 1}, inner = {}, extra = true}`,
    input: { name: null, size: "3", tags: { k: 1 }, inner: {}, extra: true },
  },
  {
    type: `object({name = optional(string, "d"), inner = optional(object({x = optional(string, "ix"), y = number}))})`,
    value: `{inner = {y = 1}}`,
    input: { inner: { y: 1 } },
  },
  {
    type: `object({name = optional(string, "d"), inner = optional(object({x = optional(string, "ix"), y = number}))})`,
    value: `{inner = {}}`,
    input: { inner: {} },
  },
  { type: `object({a = optional(string, null)})`, value: `{}`, input: {} },
  { type: `object({a = optional(list(number), [1, "2"])})`, value: `{}`, input: {} },
  { type: `object({a = optional(number, -1)})`, value: `{a = null}`, input: { a: null } },
  {
    type: `map(object({memory_size = number, name = optional(string, "x")}))`,
    value: `{chat = {memory_size = "128"}, echo = {memory_size = 256, name = "e"}}`,
    input: { chat: { memory_size: "128" }, echo: { memory_size: 256, name: "e" } },
  },
  { type: `map(object({memory_size = number}))`, value: `{chat = {}}`, input: { chat: {} } },
  { type: `map(object({memory_size = number}))`, value: `{chat = {memory_size = "lots"}}`, input: { chat: { memory_size: "lots" } } },
  { type: `list(object({n = number, b = optional(bool, true)}))`, value: `[{n = 1}, {n = "2", b = false}]`, input: [{ n: 1 }, { n: "2", b: false }] },
  { type: `list(object({n = number}))`, value: `[{n = "x"}]`, input: [{ n: "x" }] },
  { type: `object({routes = map(object({memory_size = number}))})`, value: `{routes = {a = {}}}`, input: { routes: { a: {} } } },
  { type: `set(object({k = string}))`, value: `[{k = 1}, {k = "1"}]`, input: [{ k: 1 }, { k: "1" }] },
];

const CASES: readonly Case[] = [...PRIMITIVES, ...COLLECTIONS, ...OBJECTS];

function typeOf(source: string): TypeConstraint {
  return parseTypeConstraint(parseExpression(source));
}

describe("type constraints, against terraform variables", () => {
  let expected: VariableResult[];

  beforeAll(() => {
    expected = terraformVariables(CASES.map(({ type, value }) => ({ type, value })));
  });

  it.each(CASES.map((c, i) => ({ ...c, i })))("$type = $value", ({ type, input, i }) => {
    const want = expected[i]!;
    const convert = (): unknown => convertToType(input, typeOf(type));
    if ("error" in want) {
      let error: unknown;
      try {
        convert();
      } catch (caught) {
        error = caught;
      }
      expect(error, `Terraform refused it: ${want.error}`).toBeInstanceOf(TypeConversionError);
      // Terraform words the path its own way ("attribute "a": element "b": …"); the reason itself must match.
      expect((error as TypeConversionError).detail).toBe(want.error.split(": ").at(-1));
    } else {
      expect(JSON.parse(jsonEncode(convert()))).toEqual(want.ok);
    }
  });
});

describe("type constraints: the emulator's own contract", () => {
  it("parse: primitives, collections, tuples and objects with optional attributes", () => {
    expect(typeOf("list(map(number))")).toEqual({ kind: "list", element: { kind: "map", element: { kind: "number" } } });
    expect(typeOf("tuple([string, any])")).toEqual({ kind: "tuple", elements: [{ kind: "string" }, { kind: "any" }] });
    expect(typeOf(`object({ a = string, "b-c" = optional(number, 3) })`)).toEqual({
      kind: "object",
      attributes: { a: { type: { kind: "string" }, optional: false }, "b-c": { type: { kind: "number" }, optional: true, default: 3 } },
    });
  });

  it("parse: hcl2json's wrapped form reads like the bare expression", () => {
    expect(parseTypeConstraint(parseTemplate("${map(string)}"))).toEqual({ kind: "map", element: { kind: "string" } });
  });

  it("parse: the legacy quoted forms are string, list(any) and map(any)", () => {
    expect(typeOf(`"string"`)).toEqual({ kind: "string" });
    expect(typeOf(`"list"`)).toEqual({ kind: "list", element: { kind: "any" } });
    expect(typeOf(`"map"`)).toEqual({ kind: "map", element: { kind: "any" } });
    expect(() => typeOf(`"number"`)).toThrow(InvalidTypeConstraintError);
  });

  it("parse: an optional default is converted to the attribute's type, with nested defaults applied", () => {
    const type = typeOf(`object({ a = optional(object({ b = optional(number, 1), c = optional(list(string)) }), { c = [2] }) })`);
    expect(convertToType({}, type)).toEqual({ a: { b: 1, c: ["2"] } });
  });

  it("parse: defaults must be constants that fit the type", () => {
    expect(() => typeOf(`object({ a = optional(string, var.x) })`)).toThrow(/must be a constant/);
    expect(() => typeOf(`object({ a = optional(number, "x") })`)).toThrow(/invalid default value for optional attribute "a": a number is required/);
  });

  it("parse: what is not a type is refused with Terraform's hint", () => {
    expect(() => typeOf("list")).toThrow(/requires one argument specifying the element type/);
    expect(() => typeOf("optional(string)")).toThrow(/valid only as a modifier for object type attributes/);
    expect(() => typeOf("strng")).toThrow(/"strng" is not a valid type specification/);
    expect(() => typeOf("list(string, number)")).toThrow(/exactly one argument/);
    expect(() => typeOf(`tuple(string)`)).toThrow(/list of element types/);
    expect(() => typeOf("var.x")).toThrow(InvalidTypeConstraintError);
    expect(() => typeOf("x")).toThrow(EvaluationError);
  });

  it("convert: errors say where in the value, after the caller's prefix", () => {
    const type = typeOf("map(object({ memory_size = number }))");
    expect(() => convertToType({ chat: { memory_size: "lots" } }, type, "var.routes")).toThrow('var.routes["chat"].memory_size: a number is required');
    expect(() => convertToType({ chat: {} }, type)).toThrow('["chat"]: attribute "memory_size" is required');
    expect(() => convertToType([["x"]], typeOf("list(list(number))"))).toThrow("[0][0]: a number is required");
  });

  it("convert: sets come out marked as sets, lists do not", () => {
    expect(isSet(convertToType(["b", "a"], typeOf("set(string)")))).toBe(true);
    expect(isSet(convertToType(["b", "a"], typeOf("list(string)")))).toBe(false);
  });

  it("convert: the value given is never modified", () => {
    const input = { a: { b: [1] } };
    convertToType(input, typeOf("object({ a = object({ b = list(string) }), c = optional(string, \"x\") })"));
    expect(input).toEqual({ a: { b: [1] } });
  });

  it("convert: a default is copied, so one result cannot change another", () => {
    const type = typeOf("object({ tags = optional(map(string), { a = \"b\" }) })");
    const first = convertToType({}, type) as { tags: Record<string, string> };
    first.tags.a = "changed";
    expect(convertToType({}, type)).toEqual({ tags: { a: "b" } });
  });
});
