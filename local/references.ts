import { UnresolvedReferenceError } from "./errors.ts";
import { evaluateExpression } from "./expressions.ts";

/**
 * Terraform string templates, as far as the emulator needs them.
 *
 * cdktf writes references as `${aws_x.y.attr}`, `${var.x}`, `${local.x}`,
 * `${data.t.n.attr}` and `${path.module}`; a literal `${` is escaped as `$${`.
 * The emulator evaluates only the arguments it uses (a route key, a function's
 * environment, a table name), so an IAM policy full of functions never matters.
 * Anything beyond plain references (function calls, operators, `%{}`
 * directives) fails with the resource address and argument, instead of being
 * guessed.
 */

/** Where a reference's value comes from; supplied by the plan, which knows the model. */
export interface ReferenceSources {
  /** The folder holding the Terraform JSON: the value of `path.module`. */
  readonly moduleDir: string;
  /** `variable` blocks of the document (their `default`s are used). */
  readonly variableBlocks: Readonly<Record<string, { default?: unknown; type?: unknown } | undefined>>;
  /** Values that replace variable defaults (CLI `--var`, test options). */
  readonly variableOverrides: Readonly<Record<string, unknown>>;
  /** `locals` of the document. */
  readonly locals: Readonly<Record<string, unknown>>;
  /**
   * The value of `<type>.<name>.<attribute>` (or `data.<type>.<name>.<attribute>`),
   * or `undefined` when the emulator does not model it.
   */
  attribute(reference: ResourceReference): unknown;
}

export interface ResourceReference {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
  readonly attribute: string;
}

const RESOURCE_REFERENCE = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_][a-z0-9_]*)$/;

/** Resolves template strings of one document; one instance per plan. */
export class ReferenceResolver {
  private readonly resolvingLocals = new Set<string>();

  constructor(private readonly sources: ReferenceSources) {}

  /**
   * Resolves every template string inside `value` (objects and arrays are
   * walked). A string that is exactly one `${...}` keeps the referenced
   * value's type, as Terraform does (a number variable stays a number).
   */
  resolve(value: unknown, address: string, argument: string): unknown {
    if (typeof value === "string") return this.resolveString(value, address, argument);
    if (Array.isArray(value)) return value.map((item, i) => this.resolve(item, address, `${argument}[${i}]`));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (key === "//") continue; // cdktf metadata
        out[key] = this.resolve(item, address, `${argument}.${key}`);
      }
      return out;
    }
    return value;
  }

  /** Like `resolve`, but the result must be text (numbers and booleans are stringified, as Terraform does). */
  resolveText(value: unknown, address: string, argument: string): string {
    const resolved = this.resolve(value, address, argument);
    if (typeof resolved === "string") return resolved;
    if (typeof resolved === "number" || typeof resolved === "boolean") return String(resolved);
    throw new UnresolvedReferenceError(address, argument, String(value), "it is not a string");
  }

  private resolveString(text: string, address: string, argument: string): unknown {
    const parts = splitTemplate(text, address, argument);
    if (parts.length === 1 && parts[0]!.kind === "expression") {
      return this.evaluate(parts[0]!.text, address, argument);
    }
    let out = "";
    for (const part of parts) {
      if (part.kind === "literal") {
        out += part.text;
        continue;
      }
      const value = this.evaluate(part.text, address, argument);
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") out += String(value);
      else throw new UnresolvedReferenceError(address, argument, part.text, "it is not a string, number or bool");
    }
    return out;
  }

  private evaluate(expression: string, address: string, argument: string): unknown {
    try {
      return evaluateExpression(expression, (parts) => this.lookup(parts, expression, address, argument));
    } catch (error) {
      if (error instanceof UnresolvedReferenceError) throw error;
      throw new UnresolvedReferenceError(address, argument, expression.trim(), error instanceof Error ? error.message : String(error));
    }
  }

  /** One reference inside an expression, given as its dotted parts. */
  private lookup(parts: readonly string[], expression: string, address: string, argument: string): unknown {
    const expr = expression.trim();
    const [head, name] = parts;
    if (head === "path" && (name === "module" || name === "root") && parts.length === 2) return this.sources.moduleDir;
    if (head === "var" && name !== undefined && parts.length === 2) {
      const block = this.sources.variableBlocks[name];
      if (Object.hasOwn(this.sources.variableOverrides, name)) return coerceVariable(this.sources.variableOverrides[name], block?.type);
      if (block === undefined) throw new UnresolvedReferenceError(address, argument, expr, `there is no variable "${name}"`);
      if (block.default === undefined) {
        throw new UnresolvedReferenceError(address, argument, expr, `variable "${name}" has no default; pass a value with --var ${name}=...`);
      }
      return this.resolve(block.default, `variable.${name}`, "default");
    }
    if (head === "local" && name !== undefined && parts.length === 2) {
      if (!Object.hasOwn(this.sources.locals, name)) throw new UnresolvedReferenceError(address, argument, expr, `there is no local "${name}"`);
      if (this.resolvingLocals.has(name)) throw new UnresolvedReferenceError(address, argument, expr, "the local refers to itself");
      this.resolvingLocals.add(name);
      try {
        return this.resolve(this.sources.locals[name], `locals.${name}`, name);
      } finally {
        this.resolvingLocals.delete(name);
      }
    }
    const reference = parseResourceReference(parts.join("."));
    if (reference === undefined) {
      throw new UnresolvedReferenceError(address, argument, expr, `${parts.join(".")} is not a reference the emulator understands`);
    }
    const value = this.sources.attribute(reference);
    if (value === undefined) {
      throw new UnresolvedReferenceError(address, argument, expr, `the emulator does not model ${parts.join(".")}`);
    }
    return value;
  }
}

/** Values given on the command line are text; convert them to the variable's declared type, as Terraform does. */
function coerceVariable(value: unknown, type: unknown): unknown {
  if (typeof value !== "string" || typeof type !== "string") return value;
  if (type === "bool") return value === "true" ? true : value === "false" ? false : value;
  if (type === "number") return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
  if (/^(list|set|tuple|map|object)/.test(type)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** `aws_x.y.attr` / `data.t.n.attr` → its parts, or undefined for anything else. */
export function parseResourceReference(expression: string): ResourceReference | undefined {
  const match = RESOURCE_REFERENCE.exec(expression.trim());
  if (!match) return undefined;
  return { data: match[1] !== undefined, type: match[2]!, name: match[3]!, attribute: match[4]! };
}

/**
 * The resource a string points at through `${<type>.<name>.<attr>}`, e.g. the
 * integration in a route's `target = "integrations/${aws_apigatewayv2_integration.x.id}"`.
 * Returns `<type>.<name>`, or undefined when the string holds no such reference.
 */
export function referencedAddress(value: unknown, type: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const pattern = new RegExp(`(?<![A-Za-z0-9_.])${type}\\.([A-Za-z0-9_-]+)\\.`);
  for (const part of splitTemplate(value, "", "")) {
    if (part.kind !== "expression") continue;
    const match = pattern.exec(part.text);
    if (match) return `${type}.${match[1]}`;
  }
  return undefined;
}

interface TemplatePart {
  readonly kind: "literal" | "expression";
  readonly text: string;
}

/** Splits a Terraform template into literals and `${...}` expressions, honouring `$${` and `%%{` escapes. */
export function splitTemplate(text: string, address: string, argument: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      literal += "${";
      i += 3;
      continue;
    }
    if (text.startsWith("%%{", i)) {
      literal += "%{";
      i += 3;
      continue;
    }
    if (text.startsWith("%{", i)) {
      throw new UnresolvedReferenceError(address, argument, text, "template directives (%{...}) are not supported");
    }
    if (text.startsWith("${", i)) {
      const end = findClosingBrace(text, i + 2);
      if (end < 0) throw new UnresolvedReferenceError(address, argument, text, "the ${ is never closed");
      if (literal) parts.push({ kind: "literal", text: literal });
      literal = "";
      parts.push({ kind: "expression", text: text.slice(i + 2, end) });
      i = end + 1;
      continue;
    }
    literal += text[i];
    i += 1;
  }
  if (literal || parts.length === 0) parts.push({ kind: "literal", text: literal });
  return parts;
}

/** Index of the `}` closing an expression that starts at `from`, skipping nested braces and strings. */
function findClosingBrace(text: string, from: number): number {
  let depth = 0;
  let inString = false;
  for (let i = from; i < text.length; i += 1) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === "{") depth += 1;
    else if (ch === "}") {
      if (depth === 0) return i;
      depth -= 1;
    }
  }
  return -1;
}
