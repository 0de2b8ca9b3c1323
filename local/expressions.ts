/**
 * A small evaluator for the Terraform expressions cdktf writes inside `${...}`:
 * literals, references (`var.x`, `local.x`, `path.module`, `type.name.attr`,
 * `data.type.name.attr`, with `[n]` indexes), `a ? b : c` (only the chosen
 * branch is evaluated, so `cond ? aws_x.y.id : null` never needs the
 * unchosen reference), `! && ||`, comparisons, arithmetic, lists and a few
 * functions. Anything else is refused by name rather than guessed.
 *
 * @see https://developer.hashicorp.com/terraform/language/expressions
 */

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExpressionError";
  }
}

/** Looks up a reference (`var.x`, `aws_x.y.attr`, ...) given as its dotted parts. */
export type ReferenceLookup = (parts: readonly string[]) => unknown;

type Node =
  | { kind: "literal"; value: unknown }
  | { kind: "reference"; parts: string[] }
  | { kind: "index"; target: Node; index: Node }
  | { kind: "list"; items: Node[] }
  | { kind: "call"; name: string; args: Node[] }
  | { kind: "unary"; op: string; operand: Node }
  | { kind: "binary"; op: string; left: Node; right: Node }
  | { kind: "conditional"; test: Node; then: Node; otherwise: Node };

type Token = { type: "number" | "string" | "ident" | "op"; text: string; value?: unknown };

const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "?", ":", "<", ">", "+", "-", "*", "/", "%", "!", "(", ")", "[", "]", ",", "."];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const match = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ type: "number", text: match[0], value: Number(match[0]) });
      i += match[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(source.slice(i))!;
      tokens.push({ type: "ident", text: match[0] });
      i += match[0].length;
      continue;
    }
    if (ch === '"') {
      let value = "";
      let j = i + 1;
      for (; j < source.length && source[j] !== '"'; j += 1) {
        if (source[j] === "\\") {
          j += 1;
          const escaped = source[j];
          value += escaped === "n" ? "\n" : escaped === "t" ? "\t" : escaped === "r" ? "\r" : (escaped ?? "");
        } else if (source.startsWith("${", j)) {
          throw new ExpressionError("templates inside string literals are not supported");
        } else value += source[j];
      }
      if (j >= source.length) throw new ExpressionError("a string literal is never closed");
      tokens.push({ type: "string", text: source.slice(i, j + 1), value });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
    if (op === undefined) throw new ExpressionError(`unexpected "${ch}"`);
    tokens.push({ type: "op", text: op });
    i += op.length;
  }
  return tokens;
}

const BINARY_PRECEDENCE: Record<string, number> = {
  "||": 1,
  "&&": 2,
  "==": 3,
  "!=": 3,
  "<": 4,
  ">": 4,
  "<=": 4,
  ">=": 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};

class Parser {
  private position = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.conditional();
    if (this.position < this.tokens.length) throw new ExpressionError(`unexpected "${this.tokens[this.position]!.text}"`);
    return node;
  }

  private peek(text?: string): Token | undefined {
    const token = this.tokens[this.position];
    return text === undefined || token?.text === text ? token : undefined;
  }

  private expect(text: string): void {
    if (this.tokens[this.position]?.text !== text) throw new ExpressionError(`expected "${text}"`);
    this.position += 1;
  }

  private conditional(): Node {
    const test = this.binary(1);
    if (this.peek("?") && this.peek()!.type === "op") {
      this.position += 1;
      const then = this.conditional();
      this.expect(":");
      const otherwise = this.conditional();
      return { kind: "conditional", test, then, otherwise };
    }
    return test;
  }

  private binary(minPrecedence: number): Node {
    let left = this.unary();
    for (;;) {
      const token = this.peek();
      const precedence = token?.type === "op" ? BINARY_PRECEDENCE[token.text] : undefined;
      if (precedence === undefined || precedence < minPrecedence) return left;
      this.position += 1;
      const right = this.binary(precedence + 1);
      left = { kind: "binary", op: token!.text, left, right };
    }
  }

  private unary(): Node {
    const token = this.peek();
    if (token?.type === "op" && (token.text === "!" || token.text === "-")) {
      this.position += 1;
      return { kind: "unary", op: token.text, operand: this.unary() };
    }
    return this.postfix(this.primary());
  }

  private postfix(node: Node): Node {
    for (;;) {
      if (this.peek("[")) {
        this.position += 1;
        const index = this.conditional();
        this.expect("]");
        node = { kind: "index", target: node, index };
      } else if (this.peek(".") && node.kind === "index") {
        this.position += 1;
        const name = this.tokens[this.position];
        if (name?.type !== "ident") throw new ExpressionError("expected an attribute name");
        this.position += 1;
        node = { kind: "index", target: node, index: { kind: "literal", value: name.text } };
      } else return node;
    }
  }

  private primary(): Node {
    const token = this.tokens[this.position];
    if (token === undefined) throw new ExpressionError("the expression ends too early");
    this.position += 1;
    if (token.type === "number" || token.type === "string") return { kind: "literal", value: token.value };
    if (token.type === "ident") {
      if (token.text === "true" || token.text === "false") return { kind: "literal", value: token.text === "true" };
      if (token.text === "null") return { kind: "literal", value: null };
      if (this.peek("(")) {
        this.position += 1;
        const args: Node[] = [];
        while (!this.peek(")")) {
          args.push(this.conditional());
          if (!this.peek(")")) this.expect(",");
        }
        this.expect(")");
        return { kind: "call", name: token.text, args };
      }
      const parts = [token.text];
      while (this.peek(".") && this.tokens[this.position + 1]?.type === "ident") {
        parts.push(this.tokens[this.position + 1]!.text);
        this.position += 2;
      }
      return { kind: "reference", parts };
    }
    if (token.text === "(") {
      const inner = this.conditional();
      this.expect(")");
      return inner;
    }
    if (token.text === "[") {
      const items: Node[] = [];
      while (!this.peek("]")) {
        if (this.peek("for") ) throw new ExpressionError("for expressions are not supported");
        items.push(this.conditional());
        if (!this.peek("]")) this.expect(",");
      }
      this.expect("]");
      return { kind: "list", items };
    }
    throw new ExpressionError(`unexpected "${token.text}"`);
  }
}

/** Terraform's automatic conversions for operands: "true"/"false" to bool, numeric strings to number. */
function toBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  throw new ExpressionError(`${JSON.stringify(value)} is not a bool`);
}

function toNumber(value: unknown): number {
  const number = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) throw new ExpressionError(`${JSON.stringify(value)} is not a number`);
  return number;
}

function toText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new ExpressionError(`${JSON.stringify(value)} is not a string`);
}

const FUNCTIONS: Record<string, (...args: unknown[]) => unknown> = {
  join: (separator, ...lists) => lists.flatMap((list) => asList(list)).map(toText).join(toText(separator)),
  tostring: (value) => (value === null ? null : toText(value)),
  tonumber: (value) => (value === null ? null : toNumber(value)),
  tobool: (value) => (value === null ? null : toBool(value)),
  lower: (value) => toText(value).toLowerCase(),
  upper: (value) => toText(value).toUpperCase(),
  length: (value) => (typeof value === "string" ? [...value].length : Array.isArray(value) ? value.length : Object.keys(asObject(value)).length),
  jsonencode: (value) => JSON.stringify(value),
  jsondecode: (value) => JSON.parse(toText(value)),
  coalesce: (...values) => values.find((value) => value !== null && value !== "") ?? null,
  concat: (...lists) => lists.flatMap((list) => asList(list)),
  element: (list, index) => {
    const items = asList(list);
    return items[toNumber(index) % items.length];
  },
  min: (...values) => Math.min(...values.map(toNumber)),
  max: (...values) => Math.max(...values.map(toNumber)),
  floor: (value) => Math.floor(toNumber(value)),
  ceil: (value) => Math.ceil(toNumber(value)),
  abspath: (value) => toText(value),
};

function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ExpressionError(`${JSON.stringify(value)} is not a list`);
}

function asObject(value: unknown): Record<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new ExpressionError(`${JSON.stringify(value)} is not an object`);
}

function evaluateNode(node: Node, lookup: ReferenceLookup): unknown {
  switch (node.kind) {
    case "literal":
      return node.value;
    case "reference":
      return lookup(node.parts);
    case "list":
      return node.items.map((item) => evaluateNode(item, lookup));
    case "index": {
      const target = evaluateNode(node.target, lookup);
      const index = evaluateNode(node.index, lookup);
      if (Array.isArray(target)) return target[toNumber(index)];
      return asObject(target)[toText(index)];
    }
    case "call": {
      const fn = FUNCTIONS[node.name];
      if (fn === undefined) throw new ExpressionError(`the function ${node.name}() is not supported`);
      return fn(...node.args.map((arg) => evaluateNode(arg, lookup)));
    }
    case "unary": {
      const value = evaluateNode(node.operand, lookup);
      return node.op === "!" ? !toBool(value) : -toNumber(value);
    }
    case "conditional":
      return toBool(evaluateNode(node.test, lookup)) ? evaluateNode(node.then, lookup) : evaluateNode(node.otherwise, lookup);
    case "binary": {
      if (node.op === "&&") return toBool(evaluateNode(node.left, lookup)) && toBool(evaluateNode(node.right, lookup));
      if (node.op === "||") return toBool(evaluateNode(node.left, lookup)) || toBool(evaluateNode(node.right, lookup));
      const left = evaluateNode(node.left, lookup);
      const right = evaluateNode(node.right, lookup);
      switch (node.op) {
        case "==":
          return JSON.stringify(left) === JSON.stringify(right);
        case "!=":
          return JSON.stringify(left) !== JSON.stringify(right);
        case "<":
          return toNumber(left) < toNumber(right);
        case ">":
          return toNumber(left) > toNumber(right);
        case "<=":
          return toNumber(left) <= toNumber(right);
        case ">=":
          return toNumber(left) >= toNumber(right);
        case "+":
          return toNumber(left) + toNumber(right);
        case "-":
          return toNumber(left) - toNumber(right);
        case "*":
          return toNumber(left) * toNumber(right);
        case "/":
          return toNumber(left) / toNumber(right);
        default:
          return toNumber(left) % toNumber(right);
      }
    }
  }
}

/** Evaluates one `${...}` body. Throws ExpressionError (syntax, types, unsupported functions) or whatever `lookup` throws. */
export function evaluateExpression(source: string, lookup: ReferenceLookup): unknown {
  return evaluateNode(new Parser(tokenize(source)).parse(), lookup);
}
