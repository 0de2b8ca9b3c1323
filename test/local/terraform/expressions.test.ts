import { beforeAll, describe, expect, it } from "vitest";
import { EvaluationError, ExpressionSyntaxError, UnsupportedFunctionError } from "../../../local/terraform/errors.ts";
import { evaluateExpression, type EvaluationScope, type TerraformFunction } from "../../../local/terraform/expression/evaluate-expression.ts";
import { parseExpression, parseTemplate } from "../../../local/terraform/expression/parse-expression.ts";
import { isObject, toSetValue } from "../../../local/terraform/values.ts";
import { type ConsoleResult, terraformConsole } from "./terraform-console.ts";

// Every expected value in the tables below is what the real `terraform console` answers.

/** Just enough functions for the tables; the real library is tested on its own. */
const FUNCTIONS: Record<string, TerraformFunction> = {
  upper: ([s]) => {
    if (typeof s !== "string") throw new EvaluationError("upper: a string is required");
    return s.toUpperCase();
  },
  length: ([v]) => (Array.isArray(v) ? v.length : isObject(v) ? Object.keys(v).length : [...String(v)].length),
  tostring: ([v]) => (typeof v === "number" || typeof v === "boolean" ? String(v) : v),
  keys: ([v]) => Object.keys(v as object).sort(),
  toset: ([v]) => toSetValue(v as unknown[]),
  merge: (maps) => Object.assign({}, ...maps),
};

/** A scope with no names: anything not bound by the expression itself is refused. */
const literalScope: EvaluationScope = {
  reference: (name) => {
    throw new Error(`test scope has no ${name}`);
  },
  functions: FUNCTIONS,
};

/**
 * Records every reference the evaluator asks for and answers from `values`,
 * resolving (consuming) the first `consume[name]` attributes itself.
 */
function recordingScope(values: Record<string, unknown>, consume: Record<string, number> = {}) {
  const calls: { name: string; attributes: readonly string[] }[] = [];
  const scope: EvaluationScope = {
    reference: (name, attributes) => {
      calls.push({ name, attributes: [...attributes] });
      if (!(name in values)) throw new Error(`unknown name ${name}`);
      const consumed = Math.min(consume[name] ?? 0, attributes.length);
      const value = attributes.slice(0, consumed).reduce<unknown>((object, attribute) => (object as Record<string, unknown>)[attribute], values[name]);
      return { value, consumed };
    },
    functions: FUNCTIONS,
  };
  return { scope, calls };
}

/** Our answer, as the JSON Terraform's jsonencode would print (sets become plain lists). */
function ours(evaluate: () => unknown): ConsoleResult {
  try {
    return { ok: JSON.parse(JSON.stringify(evaluate())) as unknown };
  } catch (error) {
    if (error instanceof EvaluationError) return { error: true };
    throw error;
  }
}

const SINGLE_LINE: readonly string[] = [
  // literals
  "1",
  "1.5",
  "1e3",
  "2.5E-1",
  "true",
  "null",
  '"tab\\tquote\\"backslash\\\\"',
  '"\\u00e9\\U0001F600"',
  "[1, \"a\", true, null]",
  "{a = 1, b = [1, 2,], }",
  '{a: 1, "b c": 2}',
  '{("k${1}") = 3}',
  "{true = 1, null = 2, 3 = 4}",
  "{a = 1, a = 2}",
  "{(null) = 1}",
  "[]",
  "{}",
  // templates in quoted strings
  '"a-${1 + 1}"',
  '"${1}" == 1',
  '"$${x} %%{y}"',
  '"$$${x}"',
  '"x${1.5e-7}"',
  '"x${1e30}"',
  '"x${100.50}"',
  '"x${-1.5e-7}"',
  '"x${1e21}"',
  '"x${true}"',
  '"x${1 == 1}"',
  '"x${null}"',
  '"x${[1]}"',
  '"%{if true}yes%{else}no%{endif}"',
  '"%{if "true"}y%{endif}"',
  '"%{if false}y%{endif}."',
  '"%{if 1}y%{endif}"',
  '"%{if null}y%{endif}"',
  '"%{for k, v in {b = 1, a = 2}}${k}=${v};%{endfor}"',
  '"%{for v in ["x", "y"]}<${v}>%{endfor}"',
  '"%{for v in null}x%{endfor}"',
  '"a ${~ "b" ~} c"',
  '"a %{~ if true ~} b %{~ endif ~} c"',
  // arithmetic
  "1 + 2 * 3",
  "(1 + 2) * 3",
  "1 - 2 - 3",
  "-1 + 2",
  "- - 3",
  "7 / 2",
  "0.1 + 0.2",
  "0.3 / 0.1",
  "0.3 - 0.1",
  "1.1 * 1.1",
  "-7 / 2",
  "1 / -3",
  "1 / 3",
  "2 * 3 % 4",
  "-5 % 3",
  "5.5 % 2",
  "5 % 0",
  "1 / 0",
  '"1" + 1',
  '" 1" + 1',
  '"1e2" + 0',
  '"1." + 0',
  '-"2"',
  "true + 1",
  "null + 1",
  "1 + /* two */ 2",
  // comparison and equality
  "1 < 2",
  '"2" < 10',
  '"a" < "b"',
  "1 >= 1",
  "10 - 2 * 3 > 3 == true",
  "1 == 1.0",
  '1 == "1"',
  'true == "true"',
  '[1, {a = "b"}] == [1, {a = "b"}]',
  "{a = 1} != {a = 2}",
  "null == null",
  // logic
  "true && false",
  "true || false",
  "true && false || true",
  "!false && false",
  "!true",
  '"true" && true',
  '"1" && true',
  '!"false"',
  "!null",
  "1 && true",
  'false || "x"',
  // conditionals
  "true ? 1 : 2",
  '"false" ? 1 : 2',
  "false ? 1 : true ? 2 : 3",
  "null ? 1 : 2",
  "1 ? 1 : 2",
  "false ? [1][5] : 0",
  "true ? [1][5] : 0",
  'true ? 1 : "a"',
  'false ? "a" : 1',
  // index and attributes
  "[1, 2][1]",
  '[1, 2]["1"]',
  "[1, 2][0.0]",
  "[1, 2][2]",
  "[1, 2][-1]",
  "[1, 2][1.5]",
  '[1, 2]["a"]',
  '{a = 1}["a"]',
  "{a = 1}.a",
  '{a = 1}["b"]',
  "{a = 1}.b",
  '{"1" = 2}[1]',
  "{a = {b = [10, 20]}}.a.b[1]",
  "[[1, 2], [3]].0",
  "[[1, 2]].0[1]",
  '"abc"[0]',
  "null[0]",
  "null.a",
  "[{a = 1}].a",
  "{a = 1}.a.b",
  "true.a",
  'toset(["a"])[0]',
  // splats
  "[{a = 1}, {a = 2}][*].a",
  "[{a = 1}, {a = 2}].*.a",
  "[{a = {b = 1}}][*].a.b",
  "[{a = [1, 2]}, {a = [3]}][*].a[0]",
  "[{a = [1, 2]}].*.a[0]",
  "null[*]",
  '"a"[*]',
  '"x"[*][0]',
  "{a = 1}[*].a",
  'toset(["b", "a"])[*]',
  "[{a = 1}, {b = 2}][*].a",
  // for-expressions
  "[for v in [1, 2, 3] : v * 2]",
  '[for i, v in ["a", "b"] : "${i}:${v}"]',
  '[for k, v in {b = 1, a = 2, "10" = 3, "9" = 4} : k]',
  '[for k, v in toset(["b", "a"]) : k]',
  "{for k, v in {a = 1, b = 2} : v => k}",
  '{for v in ["a", "b", "a"] : v => v}',
  '{for v in ["a", "b", "a"] : v => v...}',
  "[for v in [1, 2, 3] : v if v > 1]",
  "{for k, v in {a = {on = true}, b = {on = false}} : k => v if v.on}",
  "[for v in [1, 2] : [for v in [v, 10] : v]]",
  "[for v in [1, 2] : v if v]",
  '[for v in [1, 2] : v if "true"]',
  "[for v in [1, 2] : v if null]",
  '[for v in "abc" : v]',
  "[for v in null : v]",
  "{for v in [1, 2] : v => v}",
  "{for v in [true] : v => v}",
  "{for v in [null] : v => v}",
  // function calls
  'upper("a")',
  'upper("a",)',
  "length([1, 2])",
  "length({a = 1})",
  "tostring(1.5)",
  "keys({b = 1, a = 2})",
  'upper(["a"]...)',
  "length([[1, 2]]...)",
  "upper(null...)",
  'try([1][5], "fallback")',
  'try([1][0], "fallback")',
  "try({a = 1}.b, {a = 1}.c)",
  "can([1][5])",
  "can({a = 1}.a)",
];

/** Terraform JSON strings (templates), checked through a `.tf.json` file's locals. */
const JSON_TEMPLATES: readonly string[] = [
  "plain text",
  "$${not} %%{interpolated}",
  "${[1, 2]}",
  "${1 + 1}",
  "n=${1 + 1}",
  "a \n  ${~ \"b\"}",
  "${\"a\" ~}\n  b",
  "%{ for v in [\"x\", \"y\"] ~}\n- ${v}\n%{ endfor ~}\n",
  "%{if 1 == 1}yes%{else}no%{endif}",
  '${merge({\n "$connect" = { function = "connect", two_way = false }\n}, {})}',
];

/** Heredocs, checked through a `.tf` file's locals. */
const HEREDOCS: readonly string[] = [
  "<<EOT\nhello\n  world\nEOT",
  "<<-EOT\n    hello\n      world\n    EOT",
  "<<-EOT\n    a\n\n      ${upper(\"b\")}\n    EOT",
  "<<-EOT\n    ${\"x\"}\n    y\n    EOT",
  "<<EOT\n%{ for v in [\"x\", \"y\"] ~}\n- ${v}\n%{ endfor ~}\nEOT",
  "<<EOT\nno escapes \\n here, but $${this}\nEOT",
  "upper(<<EOT\nx\nEOT\n)",
];

let terraform: Map<string, ConsoleResult>;

beforeAll(() => {
  const jsonLocals = Object.fromEntries(JSON_TEMPLATES.map((template, i) => [`t${i}`, template]));
  const hclLocals = HEREDOCS.map((heredoc, i) => `  h${i} = ${heredoc}\n`).join("");
  const expressions = [...SINGLE_LINE, ...JSON_TEMPLATES.map((_, i) => `local.t${i}`), ...HEREDOCS.map((_, i) => `local.h${i}`)];
  const answers = terraformConsole(expressions, {
    "templates.tf.json": JSON.stringify({ locals: jsonLocals }),
    "heredocs.tf": `locals {\n${hclLocals}}\n`,
  });
  terraform = new Map(expressions.map((expression, i) => [expression, answers[i]!]));
}, 120_000);

describe("evaluateExpression, compared with terraform console", () => {
  it.each(SINGLE_LINE)("%s", (source) => {
    // GIVEN Terraform's answer for the expression
    const expected = terraform.get(source);
    // WHEN the emulator parses and evaluates it
    const actual = ours(() => evaluateExpression(parseExpression(source), literalScope));
    // THEN both give the same value, or both fail
    expect(actual).toEqual(expected);
  });
});

describe("parseTemplate, compared with Terraform's reading of a .tf.json string", () => {
  it.each(JSON_TEMPLATES.map((template, i) => [JSON.stringify(template), template, i] as const))("%s", (_, template, i) => {
    const expected = terraform.get(`local.t${i}`);
    const actual = ours(() => evaluateExpression(parseTemplate(template), literalScope));
    expect(actual).toEqual(expected);
  });
});

describe("heredocs, compared with Terraform's reading of a .tf file", () => {
  it.each(HEREDOCS.map((heredoc, i) => [JSON.stringify(heredoc), heredoc, i] as const))("%s", (_, heredoc, i) => {
    const expected = terraform.get(`local.h${i}`);
    const actual = ours(() => evaluateExpression(parseExpression(heredoc), literalScope));
    expect(actual).toEqual(expected);
  });
});

describe("parseTemplate", () => {
  it("literal: a string without ${ or %{ is a literal node", () => {
    expect(parseTemplate("$default")).toMatchObject({ kind: "literal", value: "$default" });
  });

  it("literal: $${ and %%{ are unescaped", () => {
    expect(parseTemplate("$${nope} %%{nope}")).toMatchObject({ kind: "literal", value: "${nope} %{nope}" });
  });

  it("single interpolation: the inner expression is returned, so the value keeps its type", () => {
    const node = parseTemplate("${var.ports}");
    expect(node).toMatchObject({ kind: "getattr", name: "ports", target: { kind: "variable", name: "var" } });
  });

  it("interpolation with text: a template node of text and interpolation parts", () => {
    const node = parseTemplate("integrations/${aws_apigatewayv2_integration.route[each.key].id}");
    expect(node).toMatchObject({ kind: "template", parts: [{ kind: "text", text: "integrations/" }, { kind: "interpolation", expression: { kind: "getattr", name: "id" } }] });
  });

  it("strip markers: recorded on the interpolation and applied to the neighbouring text", () => {
    const node = parseTemplate("a  ${~ x ~}  b");
    expect(node).toMatchObject({ kind: "template", parts: [{ kind: "text", text: "a" }, { kind: "interpolation", stripLeft: true, stripRight: true }, { kind: "text", text: "b" }] });
  });

  it("%{for}: a for part with key, value, collection and body", () => {
    const node = parseTemplate("%{for k, v in var.m}${k};%{endfor}");
    expect(node).toMatchObject({ kind: "template", parts: [{ kind: "for", keyVar: "k", valueVar: "v", collection: { kind: "getattr", name: "m" }, body: [{ kind: "interpolation" }, { kind: "text", text: ";" }] }] });
  });

  it("%{if}: then and else parts", () => {
    const node = parseTemplate('%{if var.b != ""}yes%{else}no%{endif}');
    expect(node).toMatchObject({ kind: "template", parts: [{ kind: "if", condition: { kind: "binary", op: "!=" }, then: [{ text: "yes" }], otherwise: [{ text: "no" }] }] });
  });
});

describe("parseExpression", () => {
  it("newlines: insignificant inside brackets and calls, separators inside objects", () => {
    const node = parseExpression('merge({\n  "$connect" = { function = "connect", two_way = false }\n  other = 1\n}, var.extra_routes)');
    expect(node).toMatchObject({ kind: "call", name: "merge", args: [{ kind: "object", items: [{ key: { value: "$connect" } }, { key: { value: "other" } }] }, { kind: "getattr" }] });
  });

  it("comments: #, // and /* */ are skipped", () => {
    const value = evaluateExpression(parseExpression("[\n  1, # one\n  2, // two\n  /* three */ 3,\n]"), literalScope);
    expect(value).toEqual([1, 2, 3]);
  });

  it("splat: the traversal after [*] is written against the splat item", () => {
    expect(parseExpression("aws_lambda_function.x[*].arn")).toMatchObject({ kind: "splat", target: { kind: "getattr", name: "x" }, each: { kind: "getattr", name: "arn", target: { kind: "variable" } } });
  });

  it("type constraints parse as calls and variables", () => {
    expect(parseExpression("map(object({ f = string, t = optional(bool, false) }))")).toMatchObject({
      kind: "call",
      name: "map",
      args: [{ kind: "call", name: "object", args: [{ kind: "object", items: [{ value: { kind: "variable", name: "string" } }, { value: { kind: "call", name: "optional" } }] }] }],
    });
  });

  it("provider functions: the namespaced name is kept whole", () => {
    expect(parseExpression('provider::aws::arn_parse("x")')).toMatchObject({ kind: "call", name: "provider::aws::arn_parse" });
  });

  it.each([
    ["1 +", /Missing expression/],
    ["[1, 2", /Missing item separator/],
    ["{a = 1 b = 2}", /Missing attribute separator/],
    ["{a.b = 1}", /Ambiguous attribute key/],
    ["foo(1 2)", /Missing argument separator/],
    ['"unterminated', /Unterminated template string/],
    ['"bad \\q escape"', /Invalid escape sequence/],
    ["a.0.1", /Invalid legacy index syntax/],
    ["{for x in y : x}", /key expression is required/],
    ["[for x in y : x => x]", /key expression is not valid/],
    ["1 ? 2", /Missing false expression/],
    ["a b", /Extra characters after the expression/],
    ["x.*.*", /Nested splat/],
    ["<<EOT\nno end", /Unterminated heredoc/],
  ])("syntax error: %j is refused", (source, message) => {
    expect(() => parseExpression(source)).toThrow(ExpressionSyntaxError);
    expect(() => parseExpression(source)).toThrow(message);
  });

  it.each([
    ["${x", /expected a closing brace/],
    ["%{if true}x", /Unterminated template directive/],
    ["%{endif}", /Unexpected %\{endif\}/],
    ["%{while x}", /unknown keyword/],
  ])("template syntax error: %j is refused", (source, message) => {
    expect(() => parseTemplate(source)).toThrow(ExpressionSyntaxError);
    expect(() => parseTemplate(source)).toThrow(message);
  });

  it("syntax error: the message quotes the source", () => {
    expect(() => parseExpression("var.x +")).toThrow(/"var\.x \+"/);
  });
});

describe("evaluateExpression with a scope", () => {
  it("references: a resource's name and attributes go to the scope, the rest is applied", () => {
    // GIVEN a scope that resolves aws_x.y (one attribute) to the instances by key
    const { scope, calls } = recordingScope({ aws_x: { y: { k: { id: "i-1" } } } }, { aws_x: 1 });
    // WHEN aws_x.y["k"].id is evaluated
    const value = evaluateExpression(parseExpression('aws_x.y["k"].id'), scope);
    // THEN the scope is asked for aws_x with ["y"] and the index and .id are applied to its answer
    expect(calls).toEqual([{ name: "aws_x", attributes: ["y"] }]);
    expect(value).toBe("i-1");
  });

  it("references: attributes after an index are not passed to the scope", () => {
    const { scope, calls } = recordingScope({ module: { m: { a: { out: 42 } } } }, { module: 1 });
    expect(evaluateExpression(parseExpression('module.m["a"].out'), scope)).toBe(42);
    expect(calls).toEqual([{ name: "module", attributes: ["m"] }]);
  });

  it("references: attributes the scope does not consume are applied by the evaluator", () => {
    const { scope, calls } = recordingScope({ var: { v: { field: "f" } } }, { var: 1 });
    expect(evaluateExpression(parseExpression("var.v.field"), scope)).toBe("f");
    expect(calls).toEqual([{ name: "var", attributes: ["v", "field"] }]);
  });

  it("for variables: shadow scope names and are never asked of the scope", () => {
    const { scope, calls } = recordingScope({ local: { routes: { a: { two_way: true }, b: { two_way: false } } } }, { local: 1 });
    const value = evaluateExpression(parseTemplate("${{ for key, route in local.routes : key => route if route.two_way }}"), scope);
    expect(value).toEqual({ a: { two_way: true } });
    expect(calls.map((call) => call.name)).toEqual(["local"]);
  });

  it("template for: the directive's variables shadow scope names", () => {
    const { scope } = recordingScope({ var: { list: ["a", "b"] } }, { var: 1 });
    expect(evaluateExpression(parseTemplate("%{for var in var.list}${var}%{endfor}"), scope)).toBe("ab");
  });

  it("conditional: the branch not taken is never evaluated", () => {
    const { scope, calls } = recordingScope({});
    expect(evaluateExpression(parseExpression("true ? 1 : aws_x.missing.id"), scope)).toBe(1);
    expect(calls).toEqual([]);
  });

  it("&&: a false left side hides the right side's evaluation error (Terraform 1.12+, HCL 2.24)", () => {
    const { scope } = recordingScope({ var: { x: null } }, { var: 1 });
    expect(evaluateExpression(parseExpression("var.x != null && var.x.enabled"), scope)).toBe(false);
  });

  it("&&: a right side of the wrong type is still an error", () => {
    expect(() => evaluateExpression(parseExpression('false && "x"'), literalScope)).toThrow(EvaluationError);
  });

  it("functions: an unknown function is refused by name", () => {
    const evaluate = () => evaluateExpression(parseExpression("templatefile(\"x\", {})"), literalScope);
    expect(evaluate).toThrow(UnsupportedFunctionError);
    expect(evaluate).toThrow(/templatefile\(\)/);
  });

  it("try: does not hide an unsupported function", () => {
    expect(() => evaluateExpression(parseExpression("try(nope(), 1)"), literalScope)).toThrow(UnsupportedFunctionError);
  });

  it("try: does not hide a name the scope does not know", () => {
    expect(() => evaluateExpression(parseExpression("try(var.nope, 1)"), literalScope)).toThrow(/test scope has no var/);
  });

  it("functions: arguments are evaluated and passed, with a final ... spread", () => {
    const seen: unknown[][] = [];
    const scope: EvaluationScope = { reference: literalScope.reference, functions: { f: (args) => seen.push([...args]) } };
    evaluateExpression(parseExpression('f("a", ["b", "c"]...)'), scope);
    expect(seen).toEqual([["a", "b", "c"]]);
  });

  it("errors: a missing key says so in Terraform's words", () => {
    expect(() => evaluateExpression(parseExpression('{a = 1}["b"]'), literalScope)).toThrow(/The given key does not identify an element in this collection value/);
  });

  it("errors: a missing attribute says so in Terraform's words", () => {
    expect(() => evaluateExpression(parseExpression("{a = 1}.x"), literalScope)).toThrow(/This object does not have an attribute named "x"/);
  });

  it("errors: null in a template says so in Terraform's words", () => {
    expect(() => evaluateExpression(parseExpression('"a${null}"'), literalScope)).toThrow(/Invalid template interpolation value/);
  });
});
