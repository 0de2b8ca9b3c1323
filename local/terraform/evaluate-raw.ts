import { parseTemplate } from "./expression/parse-expression.ts";
import { evaluateExpression, type EvaluationScope } from "./expression/evaluate-expression.ts";
import { EvaluationError } from "./errors.ts";
import { lexicalKeys } from "./expression/collection-access.ts";
import { isObject, isSet } from "./values.ts";

/**
 * Evaluates a value as the loader keeps it: Terraform JSON syntax, which
 * hcl2json also produces from HCL. Strings are templates (`"${var.x}-api"`,
 * `"$${literal}"`), arrays and objects are walked, and `dynamic` blocks are
 * expanded into the nested blocks they stand for.
 *
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */
export function evaluateRaw(raw: unknown, scope: EvaluationScope): unknown {
  if (typeof raw === "string") return evaluateExpression(parseTemplate(raw), scope);
  if (Array.isArray(raw)) return raw.map((item) => evaluateRaw(item, scope));
  if (isObject(raw)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(raw)) {
      if (key === "//") continue;
      if (key === "dynamic" && isObject(value)) continue;
      out[key] = evaluateRaw(value, scope);
    }
    if (isObject(raw.dynamic)) {
      for (const [blockType, bodies] of Object.entries(raw.dynamic)) {
        const expanded = (Array.isArray(bodies) ? bodies : [bodies]).flatMap((body) => expandDynamic(blockType, body, scope));
        const existing = out[blockType];
        out[blockType] = [...(Array.isArray(existing) ? existing : existing === undefined ? [] : [existing]), ...expanded];
      }
    }
    return out;
  }
  return raw;
}

/** One `dynamic "<type>" { for_each, iterator, content {} }`: a `content` body per element, with `<iterator>.key` and `.value`. */
function expandDynamic(blockType: string, body: unknown, scope: EvaluationScope): unknown[] {
  if (!isObject(body)) throw new EvaluationError(`dynamic "${blockType}" must be a block`);
  const collection = evaluateRaw(body.for_each, scope);
  const iteratorName = typeof body.iterator === "string" ? body.iterator.replace(/^\$\{(.*)\}$/, "$1") : blockType;
  const content = Array.isArray(body.content) ? body.content[0] : body.content;
  if (!isObject(content)) throw new EvaluationError(`dynamic "${blockType}" has no content block`);
  const entries: [unknown, unknown][] = Array.isArray(collection)
    ? collection.map((value, i) => [isSet(collection) ? value : i, value])
    : isObject(collection)
      ? lexicalKeys(collection).map((key) => [key, collection[key]])
      : (() => {
          throw new EvaluationError(`dynamic "${blockType}": for_each must be a collection`);
        })();
  return entries.map(([key, value]) => evaluateRaw(content, withVariable(scope, iteratorName, { key, value })));
}

/** A scope where `name` is bound to `value` (for-expression style), falling back to `scope`. */
function withVariable(scope: EvaluationScope, name: string, value: unknown): EvaluationScope {
  return {
    functions: scope.functions,
    reference: (root, attributes) => (root === name ? { value, consumed: 0 } : scope.reference(root, attributes)),
  };
}
