/**
 * The syntax tree of Terraform's expression language (HCL native syntax
 * expressions and string templates), as `parse-expression.ts` produces it and
 * `evaluate-expression.ts` and `../type-constraint.ts` read it.
 *
 * Every node keeps `source`: the text it was parsed from, used in errors.
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
 */

export type Expression =
  | LiteralNode
  | TemplateNode
  | TupleNode
  | ObjectNode
  | VariableNode
  | GetAttrNode
  | IndexNode
  | SplatNode
  | CallNode
  | UnaryNode
  | BinaryNode
  | ConditionalNode
  | ForNode;

interface Base {
  /** The source text of this node. */
  readonly source: string;
}

/** A number, bool, null or a quoted string with no interpolation. */
export interface LiteralNode extends Base {
  readonly kind: "literal";
  readonly value: string | number | boolean | null;
}

/** A string template: literal parts, `${…}` interpolations and `%{if}`/`%{for}` directives. */
export interface TemplateNode extends Base {
  readonly kind: "template";
  readonly parts: readonly TemplatePart[];
}

export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "interpolation"; readonly expression: Expression; readonly stripLeft: boolean; readonly stripRight: boolean }
  | { readonly kind: "if"; readonly condition: Expression; readonly then: readonly TemplatePart[]; readonly otherwise: readonly TemplatePart[] }
  | { readonly kind: "for"; readonly keyVar?: string; readonly valueVar: string; readonly collection: Expression; readonly body: readonly TemplatePart[] };

export interface TupleNode extends Base {
  readonly kind: "tuple";
  readonly items: readonly Expression[];
}

export interface ObjectNode extends Base {
  readonly kind: "object";
  /**
   * A key is an expression; a bare identifier key (`name = …`) is a literal
   * string, `(var.k) = …` an evaluated one.
   */
  readonly items: readonly { readonly key: Expression; readonly value: Expression }[];
}

/** A root name: `var`, `local`, `each`, `count`, `path`, `module`, `data`, a resource type, or a for-expression/`try` variable. */
export interface VariableNode extends Base {
  readonly kind: "variable";
  readonly name: string;
}

/** `target.name` */
export interface GetAttrNode extends Base {
  readonly kind: "getattr";
  readonly target: Expression;
  readonly name: string;
}

/** `target[key]` (also the legacy `target.0`). */
export interface IndexNode extends Base {
  readonly kind: "index";
  readonly target: Expression;
  readonly key: Expression;
}

/**
 * `target[*].a.b` (full splat) or `target.*.a` (attribute-only splat): `each`
 * is the traversal applied to each element, written against a
 * `{ kind: "variable", name: SPLAT_ITEM }` placeholder.
 */
export interface SplatNode extends Base {
  readonly kind: "splat";
  readonly target: Expression;
  readonly each: Expression;
}

/** The placeholder variable name a splat's `each` traversal starts from. */
export const SPLAT_ITEM = "\u0000splat";

export interface CallNode extends Base {
  readonly kind: "call";
  readonly name: string;
  readonly args: readonly Expression[];
  /** The last argument was followed by `...` (expand a list into arguments). */
  readonly expandFinal: boolean;
}

export interface UnaryNode extends Base {
  readonly kind: "unary";
  readonly op: "!" | "-";
  readonly operand: Expression;
}

export interface BinaryNode extends Base {
  readonly kind: "binary";
  readonly op: "||" | "&&" | "==" | "!=" | "<" | ">" | "<=" | ">=" | "+" | "-" | "*" | "/" | "%";
  readonly left: Expression;
  readonly right: Expression;
}

export interface ConditionalNode extends Base {
  readonly kind: "conditional";
  readonly condition: Expression;
  readonly then: Expression;
  readonly otherwise: Expression;
}

/** `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`. */
export interface ForNode extends Base {
  readonly kind: "for";
  readonly result: "tuple" | "object";
  readonly keyVar?: string;
  readonly valueVar: string;
  readonly collection: Expression;
  /** Object for-expressions only. */
  readonly key?: Expression;
  readonly value: Expression;
  /** `...` after the value: group values with the same key into lists. */
  readonly group: boolean;
  readonly condition?: Expression;
}
