import { EvaluationError, UnsupportedFunctionError } from "../errors.ts";
import { valuesEqual } from "../values.ts";
import type { BinaryNode, CallNode, ConditionalNode, Expression, ForNode, ObjectNode, TemplatePart } from "./ast.ts";
import { SPLAT_ITEM } from "./ast.ts";
import { forEntries, getAttribute, indexValue, putKey } from "./collection-access.ts";
import { toBool, toNumber, toStringValue } from "./convert.ts";
import { decimalArithmetic } from "./decimal.ts";

/**
 * Evaluates parsed Terraform expressions with Terraform's semantics:
 * automatic primitive conversions, lazy conditionals and `try`/`can`,
 * short-circuiting `&&`/`||`, splats, for-expressions and templates.
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/expression.go
 */

/** A Terraform function: receives evaluated arguments, returns a value or throws (an {@link EvaluationError} for Terraform's own failures). */
export type TerraformFunction = (args: readonly unknown[]) => unknown;

/** What an expression can see: the configuration's named values and the functions. */
export interface EvaluationScope {
  /** Resolves a root name (var, local, each, count, path, module, data, self, terraform, a resource type, ...) and the attribute names written right after it (`aws_x.y.attr` → name "aws_x", attributes ["y","attr"]); returns the value and how many of the attributes it consumed (the evaluator applies the rest). Throws a named error for names it does not know. */
  reference(name: string, attributes: readonly string[]): { value: unknown; consumed: number };
  readonly functions: Readonly<Record<string, TerraformFunction>>;
}

/** Names bound by for-expressions, `%{for}` and splats, innermost first; they shadow the scope's names. */
interface Bindings {
  readonly name: string;
  readonly value: unknown;
  readonly parent: Bindings | undefined;
}

interface Context {
  readonly scope: EvaluationScope;
  readonly bindings: Bindings | undefined;
}

/**
 * Evaluates an expression to a value (see `../values.ts` for the model).
 *
 * @throws EvaluationError where Terraform reports an error evaluating it
 * @throws UnsupportedFunctionError for a function neither built in here (`try`, `can`) nor in `scope.functions`
 */
export function evaluateExpression(expression: Expression, scope: EvaluationScope): unknown {
  return evaluate(expression, { scope, bindings: undefined });
}

function evaluate(node: Expression, context: Context): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "template":
      return renderParts(node.parts, context);
    case "tuple":
      return node.items.map((item) => evaluate(item, context));
    case "object":
      return evaluateObject(node, context);
    case "variable":
    case "getattr":
    case "index":
      return evaluateTraversal(node, context);
    case "splat": {
      const source = evaluate(node.target, context);
      // A splat upgrades a single value to a one-element list, and null to an empty one.
      const items = source === null || source === undefined ? [] : Array.isArray(source) ? source : [source];
      return items.map((item) => evaluate(node.each, bind(context, SPLAT_ITEM, item)));
    }
    case "call":
      return evaluateCall(node, context);
    case "unary": {
      const operand = evaluate(node.operand, context);
      return node.op === "-"
        ? -toNumber(operand, "Invalid operand: Unsuitable value for unary operand")
        : !toBool(operand, "Invalid operand: Unsuitable value for unary operand");
    }
    case "binary":
      return evaluateBinary(node, context);
    case "conditional":
      return evaluateConditional(node, context);
    case "for":
      return evaluateFor(node, context);
  }
}

function bind(context: Context, name: string, value: unknown): Context {
  return { scope: context.scope, bindings: { name, value, parent: context.bindings } };
}

function lookup(bindings: Bindings | undefined, name: string): { value: unknown } | undefined {
  for (let b = bindings; b !== undefined; b = b.parent) if (b.name === name) return { value: b.value };
  return undefined;
}

type Step = { readonly attribute: string } | { readonly key: Expression };

/**
 * `root.a.b[k].c`: a bound name (for variable, splat item) resolves here;
 * any other root goes to the scope with the attribute names right after it,
 * and the steps the scope did not consume are applied to what it returned.
 */
function evaluateTraversal(node: Expression, context: Context): unknown {
  const steps: Step[] = [];
  let root = node;
  for (; root.kind === "getattr" || root.kind === "index"; root = root.target) steps.unshift(root.kind === "getattr" ? { attribute: root.name } : { key: root.key });
  let value: unknown;
  let next = 0;
  const bound = root.kind === "variable" ? lookup(context.bindings, root.name) : undefined;
  if (bound !== undefined) value = bound.value;
  else if (root.kind === "variable") {
    const attributes: string[] = [];
    for (const step of steps) {
      if (!("attribute" in step)) break;
      attributes.push(step.attribute);
    }
    const resolved = context.scope.reference(root.name, attributes);
    value = resolved.value;
    next = Math.min(resolved.consumed, attributes.length);
  } else value = evaluate(root, context);
  for (const step of steps.slice(next)) value = "attribute" in step ? getAttribute(value, step.attribute) : indexValue(value, evaluate(step.key, context));
  return value;
}

function evaluateObject(node: ObjectNode, context: Context): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const item of node.items) {
    const key = evaluate(item.key, context);
    if (key === null) throw new EvaluationError("Invalid object key: Can't use a null value as a key.");
    // Later items win over earlier ones with the same key, as in Terraform.
    putKey(result, toStringValue(key, "Invalid object key"), evaluate(item.value, context));
  }
  return result;
}

function evaluateCall(node: CallNode, context: Context): unknown {
  // try and can see their arguments' failures, so they evaluate the arguments themselves.
  if (node.name === "try" || node.name === "can") return evaluateTryOrCan(node, context);
  const fn = Object.prototype.hasOwnProperty.call(context.scope.functions, node.name) ? context.scope.functions[node.name] : undefined;
  if (fn === undefined) throw new UnsupportedFunctionError(node.name);
  const args = node.args.map((arg) => evaluate(arg, context));
  if (node.expandFinal) {
    const last = args.pop();
    if (last === null || last === undefined) throw new EvaluationError("Invalid expanding argument value: The expanding argument (indicated by ...) must not be null.");
    if (!Array.isArray(last)) throw new EvaluationError("Invalid expanding argument value: The expanding argument (indicated by ...) must be of a tuple, list, or set type.");
    args.push(...last);
  }
  return fn(args);
}

function evaluateTryOrCan(node: CallNode, context: Context): unknown {
  if (node.expandFinal) throw new EvaluationError(`Invalid function argument: ${node.name}() does not accept an expanded (...) argument.`);
  if (node.name === "can") {
    if (node.args.length !== 1) throw new EvaluationError(`Invalid function call: can() takes exactly one argument, not ${node.args.length}.`);
    return attempt(node.args[0]!, context).ok;
  }
  if (node.args.length === 0) throw new EvaluationError("Invalid function call: try() needs at least one argument.");
  const failures: string[] = [];
  for (const arg of node.args) {
    const result = attempt(arg, context);
    if (result.ok) return result.value;
    failures.push(result.error.message);
  }
  throw new EvaluationError(`Invalid function argument: no expression succeeded:\n- ${failures.join("\n- ")}\nAt least one expression must produce a successful result.`);
}

type Attempt = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: EvaluationError };

/** Evaluates, catching only Terraform's evaluation failures: syntax errors, unknown names and unsupported functions still surface. */
function attempt(node: Expression, context: Context): Attempt {
  try {
    return { ok: true, value: evaluate(node, context) };
  } catch (error) {
    if (error instanceof EvaluationError) return { ok: false, error };
    throw error;
  }
}

function evaluateBinary(node: BinaryNode, context: Context): unknown {
  if (node.op === "&&" || node.op === "||") return evaluateLogical(node, context);
  const left = evaluate(node.left, context);
  const right = evaluate(node.right, context);
  switch (node.op) {
    case "==":
      return valuesEqual(left, right);
    case "!=":
      return !valuesEqual(left, right);
    default:
      break;
  }
  const a = toNumber(left, "Invalid operand: Unsuitable value for left operand");
  const b = toNumber(right, "Invalid operand: Unsuitable value for right operand");
  switch (node.op) {
    case "<":
      return a < b;
    case ">":
      return a > b;
    case "<=":
      return a <= b;
    case ">=":
      return a >= b;
    case "/":
      if (b === 0) throw new EvaluationError("Operation failed: Error during operation: can't divide by zero.");
      return decimalArithmetic(node.op, a, b);
    default:
      return decimalArithmetic(node.op, a, b);
  }
}

/**
 * `&&` and `||` as HCL 2.24+ (Terraform 1.12+) evaluate them: both sides are
 * evaluated, but a side that decides the result (false for `&&`, true for
 * `||`) hides the other side's evaluation error, so
 * `var.x != null && var.x.enabled` works when `var.x` is null. A side of the
 * wrong type is always an error.
 */
function evaluateLogical(node: BinaryNode, context: Context): boolean {
  const left = attempt(node.left, context);
  const right = attempt(node.right, context);
  const a = left.ok ? toBool(left.value, "Invalid operand: Unsuitable value for left operand") : undefined;
  const b = right.ok ? toBool(right.value, "Invalid operand: Unsuitable value for right operand") : undefined;
  const deciding = node.op === "||";
  if (a === deciding || b === deciding) return deciding;
  if (!left.ok) throw left.error;
  if (!right.ok) throw right.error;
  return deciding ? a! || b! : a! && b!;
}

/** Only the chosen branch is evaluated: the other may refer to things that do not exist in this case. */
function evaluateConditional(node: ConditionalNode, context: Context): unknown {
  const condition = evaluate(node.condition, context);
  if (condition === null) throw new EvaluationError("Null condition: The condition value is null. Conditions must either be true or false.");
  const chosen = toBool(condition, "Incorrect condition type: The condition expression must be of type bool");
  const value = evaluate(chosen ? node.then : node.otherwise, context);
  // Terraform unifies the two result types: `c ? 1 : "a"` is a string either way. The other
  // branch is not evaluated, so only the case where it is plainly a string is known.
  const other = chosen ? node.otherwise : node.then;
  const otherIsString = other.kind === "template" || (other.kind === "literal" && typeof other.value === "string");
  return otherIsString && (typeof value === "number" || typeof value === "boolean") ? toStringValue(value, "") : value;
}

function evaluateFor(node: ForNode, context: Context): unknown {
  const tuple: unknown[] = [];
  const object: Record<string, unknown> = {};
  const groups = new Map<string, unknown[]>();
  for (const [key, value] of forEntries(evaluate(node.collection, context), "'for' expression")) {
    let inner = bind(context, node.valueVar, value);
    if (node.keyVar !== undefined) inner = bind(inner, node.keyVar, key);
    if (node.condition !== undefined) {
      const include = evaluate(node.condition, inner);
      if (include === null) throw new EvaluationError("Invalid 'for' condition: The value of the 'if' clause must not be null.");
      if (!toBool(include, "Invalid 'for' condition: The 'if' clause value is invalid")) continue;
    }
    if (node.result === "tuple") {
      tuple.push(evaluate(node.value, inner));
      continue;
    }
    const rawKey = evaluate(node.key!, inner);
    if (rawKey === null) throw new EvaluationError("Invalid object key: Key expression in 'for' expression must not produce a null value.");
    const name = toStringValue(rawKey, "Invalid object key: The key expression produced an invalid result");
    const item = evaluate(node.value, inner);
    if (node.group) {
      const group = groups.get(name) ?? [];
      group.push(item);
      groups.set(name, group);
    } else if (Object.prototype.hasOwnProperty.call(object, name)) {
      throw new EvaluationError(
        `Duplicate object key: Two different items produced the key "${name}" in this 'for' expression. If duplicates are expected, use the ellipsis (...) after the value expression to enable grouping by key.`,
      );
    } else putKey(object, name, item);
  }
  if (node.result === "tuple") return tuple;
  for (const [name, items] of groups) putKey(object, name, items);
  return object;
}

/** A template's text: interpolated values become strings (never null or collections). */
function renderParts(parts: readonly TemplatePart[], context: Context): string {
  let out = "";
  for (const part of parts) {
    switch (part.kind) {
      case "text":
        out += part.text;
        break;
      case "interpolation": {
        const value = evaluate(part.expression, context);
        if (value === null || value === undefined) throw new EvaluationError("Invalid template interpolation value: The expression result is null. Cannot include a null value in a string template.");
        out += toStringValue(value, "Invalid template interpolation value: Cannot include the given value in a string template");
        break;
      }
      case "if": {
        const condition = evaluate(part.condition, context);
        if (condition === null) throw new EvaluationError("Invalid template if condition: The condition value is null. Conditions must either be true or false.");
        out += renderParts(toBool(condition, "Invalid template if condition: The condition must be of type bool") ? part.then : part.otherwise, context);
        break;
      }
      case "for":
        for (const [key, value] of forEntries(evaluate(part.collection, context), "template 'for' directive")) {
          let inner = bind(context, part.valueVar, value);
          if (part.keyVar !== undefined) inner = bind(inner, part.keyVar, key);
          out += renderParts(part.body, inner);
        }
        break;
    }
  }
  return out;
}
