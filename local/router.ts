/**
 * Route selection for MESSAGE frames.
 *
 * The route selection expression language: `$request.body.<path>` variables,
 * `${request.body.<path>}` with explicit boundaries, static text around them,
 * and `\$` for a literal dollar (so `\$default` is the static key `$default`).
 * A missing path evaluates to "", scalars are stringified, and the resulting
 * key must match a route key exactly (case-sensitive). `$connect` and
 * `$disconnect` are never selected by a message.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-develop-routes.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-selection-expressions.html
 */

type Segment = { readonly kind: "static"; readonly text: string } | { readonly kind: "body"; readonly path: readonly (string | number)[] };

export class RouteSelectionExpressionError extends Error {
  constructor(expression: string, detail: string) {
    super(`route selection expression "${expression}": ${detail}`);
    this.name = "RouteSelectionExpressionError";
  }
}

/** A compiled expression; compile once per API, evaluate per message. */
export class RouteSelector {
  private readonly segments: readonly Segment[];

  constructor(
    readonly expression: string,
    private readonly routeKeys: ReadonlySet<string>,
  ) {
    this.segments = compile(expression);
  }

  /** Whether the expression reads the body at all (a static one never needs JSON). */
  get readsBody(): boolean {
    return this.segments.some((s) => s.kind === "body");
  }

  /**
   * The route key for a text frame, or `undefined` when no route matches and
   * there is no `$default` (the caller then sends the Forbidden frame).
   */
  select(text: string): string | undefined {
    const fallback = this.routeKeys.has("$default") ? "$default" : undefined;
    let body: unknown;
    if (this.readsBody) {
      try {
        body = JSON.parse(text);
      } catch {
        return fallback; // non-JSON (including an empty frame) goes to $default
      }
    }
    const key = this.segments.map((s) => (s.kind === "static" ? s.text : stringify(lookup(body, s.path)))).join("");
    if (key !== "$connect" && key !== "$disconnect" && this.routeKeys.has(key)) return key;
    return fallback;
  }
}

function compile(expression: string): Segment[] {
  const segments: Segment[] = [];
  let literal = "";
  const flush = () => {
    if (literal) segments.push({ kind: "static", text: literal });
    literal = "";
  };
  let i = 0;
  while (i < expression.length) {
    const ch = expression[i]!;
    if (ch === "\\" && expression[i + 1] === "$") {
      literal += "$";
      i += 2;
      continue;
    }
    if (ch !== "$") {
      literal += ch;
      i += 1;
      continue;
    }
    let variable: string;
    if (expression[i + 1] === "{") {
      const end = expression.indexOf("}", i + 2);
      if (end < 0) throw new RouteSelectionExpressionError(expression, "a ${ is never closed");
      variable = expression.slice(i + 2, end);
      i = end + 1;
    } else {
      // Without braces the variable runs over name characters, dots and [index] parts.
      const match = /^[A-Za-z0-9_.\[\]'"-]+/.exec(expression.slice(i + 1));
      if (!match) {
        literal += "$";
        i += 1;
        continue;
      }
      variable = match[0];
      i += 1 + variable.length;
    }
    flush();
    segments.push({ kind: "body", path: parseBodyPath(expression, variable) });
  }
  flush();
  return segments;
}

/** `request.body.a.b[0]` → ["a", "b", 0]; only the body is available to WebSocket route selection. */
function parseBodyPath(expression: string, variable: string): (string | number)[] {
  if (variable === "request.body") return [];
  if (!variable.startsWith("request.body.") && !variable.startsWith("request.body[")) {
    throw new RouteSelectionExpressionError(expression, `$${variable} is not supported (only $request.body.<path>)`);
  }
  const rest = variable.slice("request.body".length);
  const path: (string | number)[] = [];
  const part = /\.([^.\[\]]+)|\[(\d+)\]|\[['"]([^'"]+)['"]\]/y;
  let offset = 0;
  while (offset < rest.length) {
    part.lastIndex = offset;
    const match = part.exec(rest);
    if (!match) throw new RouteSelectionExpressionError(expression, `cannot read the path "${rest}"`);
    if (match[1] !== undefined) path.push(match[1]);
    else if (match[2] !== undefined) path.push(Number(match[2]));
    else path.push(match[3]!);
    offset = part.lastIndex;
  }
  return path;
}

function lookup(value: unknown, path: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/**
 * "The result will be stringified": strings as they are, numbers and booleans
 * as text, arrays as `[item1, item2]` (the documented shape); objects have no
 * documented form, so JSON is used.
 */
function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : stringify(v))).join(", ")}]`;
  return JSON.stringify(value);
}
