import type { Expression } from "./ast.ts";
import { Parser } from "./parser.ts";

/**
 * Parses Terraform's expression language, as it reaches the emulator from
 * `.tf` files (through `@cdktf/hcl2json`) and from `.tf.json`/cdktf output:
 * every non-literal value there is a template string such as
 * `"integrations/${aws_apigatewayv2_integration.route[each.key].id}"`.
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions
 * @see https://developer.hashicorp.com/terraform/language/syntax/json#expression-mapping
 */

/**
 * Parses one HCL native-syntax expression (what is written inside `${…}`, or
 * on the right of `=` in a `.tf` file). Newlines are insignificant except
 * between the items of an object constructor.
 *
 * @throws ExpressionSyntaxError naming what is wrong and where
 */
export function parseExpression(source: string): Expression {
  return new Parser(source).parseWholeExpression();
}

/**
 * Parses a string value from Terraform JSON as a template: text with `${…}`
 * interpolations and `%{if}`/`%{for}` directives.
 *
 * - No `${`/`%{` at all: a literal string (`$${` and `%%{` unescaped).
 * - Exactly one `${…}` and nothing around it: that expression itself, so the
 *   value keeps its type (`"${var.ports}"` is a list, not a string).
 * - Anything else: a template node, which always evaluates to a string.
 *
 * @throws ExpressionSyntaxError naming what is wrong and where
 */
export function parseTemplate(source: string): Expression {
  return new Parser(source).parseWholeTemplate();
}
