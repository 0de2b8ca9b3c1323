import type { BinaryNode, Expression, ForNode, ObjectNode, TemplatePart } from "./ast.ts";
import { SPLAT_ITEM } from "./ast.ts";
import { Lexer, type Token } from "./lexer.ts";
import { applyStripMarkers, buildTemplateParts, flushHeredoc, type FlatItem } from "./template-parts.ts";

/**
 * A recursive-descent parser for HCL native-syntax expressions and templates,
 * following hclsyntax's parser (precedence climbing, traversals, the
 * template token pass) so that edge cases parse as Terraform parses them.
 *
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/parser.go
 */

/** Binary operators, loosest first (HCL spec, "Operations"). */
const PRECEDENCE: readonly (readonly BinaryNode["op"][])[] = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["+", "-"], ["*", "/", "%"]];

const ESCAPES: Readonly<Record<string, string>> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

type TemplateMode = "quoted" | "heredoc" | "bare";

export class Parser {
  private readonly lexer: Lexer;
  /**
   * Whether newlines end the current expression: true directly inside an
   * object constructor (where they separate items), false inside brackets,
   * parentheses, interpolations and for-expressions.
   */
  private readonly newlineStack: boolean[] = [false];

  constructor(private readonly source: string) {
    this.lexer = new Lexer(source);
  }

  /** The whole source as one expression. */
  parseWholeExpression(): Expression {
    const expression = this.parseExpression();
    const rest = this.lexer.peek();
    if (rest.kind !== "eof") this.lexer.fail(`Extra characters after the expression: ${JSON.stringify(rest.text)}`, rest.start);
    return expression;
  }

  /** The whole source as a bare template (a Terraform JSON string). */
  parseWholeTemplate(): Expression {
    return this.parseTemplateBody("bare", 0);
  }

  private parseExpression(): Expression {
    const start = this.lexer.peek().start;
    const condition = this.parseBinary(0);
    if (this.peekPunct("?") === undefined) return condition;
    this.lexer.next();
    const then = this.parseExpression();
    this.expectPunct(":", "Missing false expression in conditional: the conditional operator (...?...:...) requires a false expression, delimited by a colon");
    const otherwise = this.parseExpression();
    return { kind: "conditional", condition, then, otherwise, source: this.sourceFrom(start) };
  }

  private parseBinary(level: number): Expression {
    if (level === PRECEDENCE.length) return this.parseTermWithTraversals();
    const start = this.lexer.peek().start;
    let left = this.parseBinary(level + 1);
    for (;;) {
      const token = this.peekContinuation();
      const op = PRECEDENCE[level]!.find((candidate) => token.kind === "punct" && token.text === candidate);
      if (op === undefined) return left;
      this.lexer.next();
      const right = this.parseBinary(level + 1);
      left = { kind: "binary", op, left, right, source: this.sourceFrom(start) };
    }
  }

  private parseTermWithTraversals(): Expression {
    const start = this.lexer.peek().start;
    return this.parseTraversals(this.parseTerm(), start);
  }

  private parseTerm(): Expression {
    const token = this.lexer.peek();
    const start = token.start;
    switch (token.kind) {
      case "number":
        this.lexer.next();
        return { kind: "literal", value: Number(token.text), source: token.text };
      case "ident":
        return this.parseIdentifierTerm();
      case "quote":
        this.lexer.next();
        return this.parseTemplateBody("quoted", start);
      case "heredoc":
        this.lexer.next();
        return this.parseTemplateBody("heredoc", start, token);
      case "eof":
        return this.lexer.fail("Missing expression: expected the start of an expression, but found the end of the text", token.start);
      default:
        break;
    }
    switch (token.text) {
      case "-":
      case "!": {
        this.lexer.next();
        // A term, not an expression: `-1 + 2` is `(-1) + 2`.
        const operand = this.parseTermWithTraversals();
        return { kind: "unary", op: token.text, operand, source: this.sourceFrom(start) };
      }
      case "(": {
        this.lexer.next();
        return this.withNewlines(false, () => {
          const expression = this.parseExpression();
          this.expectPunct(")", "Unbalanced parentheses: expected a closing parenthesis");
          return expression;
        });
      }
      case "[":
        return this.parseTuple();
      case "{":
        return this.parseObject();
      default:
        return this.lexer.fail(`Invalid expression: expected the start of an expression, but found ${JSON.stringify(token.text)}`, token.start);
    }
  }

  private parseIdentifierTerm(): Expression {
    const first = this.lexer.next();
    let name = first.text;
    if (this.peekPunct("(") !== undefined || this.peekPunct("::") !== undefined) {
      // Provider functions are namespaced: provider::aws::arn_parse(...).
      while (this.lexer.accept("::") !== undefined) name += `::${this.expectIdent("Missing function name after \"::\"").text}`;
      return this.parseCallArguments(name, first.start);
    }
    switch (name) {
      case "true":
      case "false":
        return { kind: "literal", value: name === "true", source: name };
      case "null":
        return { kind: "literal", value: null, source: name };
      default:
        return { kind: "variable", name, source: name };
    }
  }

  private parseCallArguments(name: string, start: number): Expression {
    this.expectPunct("(", "Missing open parenthesis: a function name must be followed by an open parenthesis");
    return this.withNewlines(false, () => {
      const args: Expression[] = [];
      let expandFinal = false;
      while (this.lexer.accept(")") === undefined) {
        args.push(this.parseExpression());
        if (this.lexer.accept("...") !== undefined) {
          expandFinal = true;
          this.expectPunct(")", "Missing closing parenthesis: an expanded function argument (with ...) must be immediately followed by closing parentheses");
          break;
        }
        if (this.lexer.accept(")") !== undefined) break;
        this.expectPunct(",", "Missing argument separator: a comma is required to separate each function argument from the next");
      }
      return { kind: "call", name, args, expandFinal, source: this.sourceFrom(start) };
    });
  }

  /** `.attr`, `.0`, `[key]`, `[*]` and `.*` after a term. */
  private parseTraversals(from: Expression, start: number): Expression {
    let target = from;
    for (;;) {
      if (this.peekContinuation().kind !== "punct") return target;
      if (this.peekPunct(".") !== undefined) {
        this.lexer.next();
        const step = this.lexer.peek();
        if (step.kind === "punct" && step.text === "*") {
          this.lexer.next();
          target = { kind: "splat", target, each: this.parseAttributeOnlySplat(), source: this.sourceFrom(start) };
        } else {
          target = this.parseDotStep(target, start);
        }
      } else if (this.peekPunct("[") !== undefined) {
        this.lexer.next();
        if (this.lexer.accept("*") !== undefined) {
          this.expectPunct("]", "Missing close bracket on splat index: the star for a full splat operator must be immediately followed by a closing bracket");
          const itemStart = this.lexer.lastEnd;
          // A full splat takes every traversal step after it, applied to each element.
          const each = this.parseTraversals({ kind: "variable", name: SPLAT_ITEM, source: "" }, itemStart);
          return { kind: "splat", target, each, source: this.sourceFrom(start) };
        }
        const key = this.withNewlines(false, () => {
          const expression = this.parseExpression();
          this.expectPunct("]", "Missing close bracket on index: the index operator must end with a closing bracket");
          return expression;
        });
        target = { kind: "index", target, key, source: this.sourceFrom(start) };
      } else {
        return target;
      }
    }
  }

  /** After a dot: an attribute name, or HIL's legacy `.0` index. */
  private parseDotStep(target: Expression, start: number): Expression {
    const step = this.lexer.next();
    if (step.kind === "ident") return { kind: "getattr", target, name: step.text, source: this.sourceFrom(start) };
    if (step.kind === "number") {
      if (!/^[0-9]+$/.test(step.text)) this.lexer.fail(`Invalid legacy index syntax: chaining two indexes together (.${step.text}) is not permitted; use [a][b]`, step.start);
      return { kind: "index", target, key: { kind: "literal", value: Number(step.text), source: step.text }, source: this.sourceFrom(start) };
    }
    return this.lexer.fail("Invalid attribute name: an attribute name is required after a dot", step.start);
  }

  /** `.*.a.b`: only attribute (and legacy index) steps belong to each element. */
  private parseAttributeOnlySplat(): Expression {
    const start = this.lexer.lastEnd;
    let each: Expression = { kind: "variable", name: SPLAT_ITEM, source: "" };
    while (this.peekContinuation().kind === "punct" && this.peekPunct(".") !== undefined) {
      this.lexer.next();
      if (this.peekPunct("*") !== undefined) this.lexer.fail("Nested splat expression not allowed", this.lexer.peek().start);
      each = this.parseDotStep(each, start);
    }
    return each;
  }

  private parseTuple(): Expression {
    const start = this.lexer.next().start;
    return this.withNewlines(false, () => {
      if (this.peekIdent("for")) return this.parseFor("tuple", start);
      const items: Expression[] = [];
      while (this.lexer.accept("]") === undefined) {
        items.push(this.parseExpression());
        if (this.lexer.accept("]") !== undefined) break;
        this.expectPunct(",", "Missing item separator: expected a comma to mark the beginning of the next item");
      }
      return { kind: "tuple", items, source: this.sourceFrom(start) };
    });
  }

  private parseObject(): Expression {
    const start = this.lexer.next().start;
    if (this.peekIdent("for")) return this.withNewlines(false, () => this.parseFor("object", start));
    return this.withNewlines(true, () => {
      const items: ObjectNode["items"][number][] = [];
      while (this.lexer.accept("}") === undefined) {
        const first = this.lexer.peek();
        const forced = first.kind === "punct" && first.text === "(";
        const key = this.objectKey(this.parseExpression(), forced);
        this.expectPunct(["=", ":"], 'Missing key/value separator: expected an equals sign ("=") to mark the beginning of the attribute value');
        items.push({ key, value: this.parseExpression() });
        if (this.lexer.accept("}") !== undefined) break;
        const separator = this.lexer.peek();
        if (separator.kind === "punct" && separator.text === ",") this.lexer.next();
        else if (!separator.newlineBefore) this.lexer.fail("Missing attribute separator: expected a newline or comma to mark the beginning of the next attribute", separator.start);
      }
      return { kind: "object", items, source: this.sourceFrom(start) };
    });
  }

  /** A bare name (or keyword) as an object key is a literal string; `(expr)` is evaluated. */
  private objectKey(key: Expression, forced: boolean): Expression {
    if (forced) return key;
    if (key.kind === "variable" || (key.kind === "literal" && /^(true|false|null)$/.test(key.source))) return { kind: "literal", value: key.source, source: key.source };
    if (key.kind === "getattr" || key.kind === "index") {
      this.lexer.fail(`Ambiguous attribute key ${key.source}: wrap a reference in parentheses, or a name containing periods in quotes`, this.lexer.lastEnd);
    }
    return key;
  }

  private parseFor(result: ForNode["result"], start: number): Expression {
    const close = result === "tuple" ? "]" : "}";
    this.lexer.next(); // "for"
    let valueVar = this.expectIdent("Invalid 'for' expression: for expression requires variable name after 'for'").text;
    let keyVar: string | undefined;
    if (this.lexer.accept(",") !== undefined) {
      keyVar = valueVar;
      valueVar = this.expectIdent("Invalid 'for' expression: for expression requires value variable name after comma").text;
    }
    if (!this.peekIdent("in")) this.lexer.fail("Invalid 'for' expression: for expression requires the 'in' keyword after its name declarations", this.lexer.peek().start);
    this.lexer.next();
    const collection = this.parseExpression();
    this.expectPunct(":", "Invalid 'for' expression: for expression requires a colon after the collection expression");
    let value = this.parseExpression();
    let key: Expression | undefined;
    if (this.lexer.accept("=>") !== undefined) {
      if (result === "tuple") this.lexer.fail("Invalid 'for' expression: key expression is not valid when building a tuple", this.lexer.lastEnd);
      key = value;
      value = this.parseExpression();
    } else if (result === "object") {
      this.lexer.fail("Invalid 'for' expression: key expression is required when building an object", this.lexer.peek().start);
    }
    const group = this.lexer.accept("...") !== undefined;
    if (group && result === "tuple") this.lexer.fail("Invalid 'for' expression: grouping ellipsis (...) cannot be used when building a tuple", this.lexer.lastEnd);
    let condition: Expression | undefined;
    if (this.peekIdent("if")) {
      this.lexer.next();
      condition = this.parseExpression();
    }
    this.expectPunct(close, "Invalid 'for' expression: extra characters after the end of the 'for' expression");
    return {
      kind: "for",
      result,
      ...(keyVar === undefined ? {} : { keyVar }),
      valueVar,
      collection,
      ...(key === undefined ? {} : { key }),
      value,
      group,
      ...(condition === undefined ? {} : { condition }),
      source: this.sourceFrom(start),
    };
  }

  /**
   * Reads template text from the lexer's position up to the end of the
   * template (closing quote, heredoc marker or end of text), parsing `${}`
   * and `%{}` sequences with the expression parser.
   */
  private parseTemplateBody(mode: TemplateMode, start: number, heredoc?: Token): Expression {
    const { source } = this;
    const items: FlatItem[] = [];
    let text = "";
    let i = this.lexer.lastEnd;
    let lineStart = true;
    const flushText = (): void => {
      if (text !== "") items.push({ kind: "text", text });
      text = "";
    };
    for (;;) {
      if (mode === "heredoc" && lineStart) {
        const marker = new RegExp(`[ \\t]*${heredoc!.text}(?=\\r?\\n|$)`, "uy");
        marker.lastIndex = i;
        if (marker.test(source)) {
          i = marker.lastIndex;
          break;
        }
      }
      lineStart = false;
      if (i >= source.length) {
        if (mode === "bare") break;
        this.lexer.fail(mode === "quoted" ? "Unterminated template string: no closing quote" : `Unterminated heredoc: no closing ${heredoc!.text} marker`, start);
      }
      const ch = source[i]!;
      if (mode === "quoted" && ch === '"') {
        i += 1;
        break;
      }
      if ((ch === "$" || ch === "%") && source[i + 1] === ch && source[i + 2] === "{") {
        // `$${` and `%%{` are the escapes for a literal `${` and `%{`.
        text += `${ch}{`;
        i += 3;
      } else if ((ch === "$" || ch === "%") && source[i + 1] === "{") {
        flushText();
        const stripLeft = source[i + 2] === "~";
        this.lexer.seek(i + (stripLeft ? 3 : 2));
        items.push(ch === "$" ? this.parseInterpolation(stripLeft) : this.parseDirective(stripLeft));
        i = this.lexer.lastEnd;
      } else if (ch === "\n" || ch === "\r") {
        if (mode === "quoted") this.lexer.fail("Invalid multi-line string: quoted strings may not be split over multiple lines; use a heredoc or \\n", i);
        const newline = source.startsWith("\r\n", i) ? "\r\n" : ch;
        text += newline;
        i += newline.length;
        // Heredocs and JSON templates are scanned line by line; strip markers reach one line only.
        flushText();
        lineStart = true;
      } else if (mode === "quoted" && ch === "\\") {
        const [value, length] = this.readEscape(i);
        text += value;
        i += length;
      } else {
        text += ch;
        i += 1;
      }
    }
    flushText();
    this.lexer.seek(i);
    applyStripMarkers(items);
    if (heredoc?.flush === true) flushHeredoc(items);
    const templateSource = source.slice(start, i);
    // Only an interpolation, nothing around it: Terraform passes the value through with its type.
    if (items.length === 1 && items[0]!.kind === "interpolation") return items[0].expression;
    const parts = buildTemplateParts(items, (detail) => this.lexer.fail(detail, start));
    if (parts.every((part): part is Extract<TemplatePart, { kind: "text" }> => part.kind === "text")) {
      return { kind: "literal", value: parts.map((part) => part.text).join(""), source: templateSource };
    }
    return { kind: "template", parts, source: templateSource };
  }

  private parseInterpolation(stripLeft: boolean): FlatItem {
    const expression = this.withNewlines(false, () => this.parseExpression());
    return { kind: "interpolation", expression, stripLeft, stripRight: this.closeSequence("interpolation") };
  }

  private parseDirective(stripLeft: boolean): FlatItem {
    return this.withNewlines(false, (): FlatItem => {
      const keyword = this.expectIdent('Invalid template directive: a keyword ("if", "for", ...) is expected at the beginning of a %{ sequence');
      switch (keyword.text) {
        case "if": {
          const condition = this.parseExpression();
          return { kind: "if", condition, stripLeft, stripRight: this.closeSequence("directive") };
        }
        case "for": {
          let valueVar = this.expectIdent("Invalid 'for' directive: a variable name is required after 'for'").text;
          let keyVar: string | undefined;
          if (this.lexer.accept(",") !== undefined) {
            keyVar = valueVar;
            valueVar = this.expectIdent("Invalid 'for' directive: a value variable name is required after the comma").text;
          }
          if (!this.peekIdent("in")) this.lexer.fail("Invalid 'for' directive: the 'in' keyword is required after the variable names", this.lexer.peek().start);
          this.lexer.next();
          const collection = this.parseExpression();
          return { kind: "for", ...(keyVar === undefined ? {} : { keyVar }), valueVar, collection, stripLeft, stripRight: this.closeSequence("directive") };
        }
        case "else":
        case "endif":
        case "endfor":
          return { kind: keyword.text, stripLeft, stripRight: this.closeSequence("directive") };
        default:
          return this.lexer.fail(`Invalid template directive: unknown keyword ${JSON.stringify(keyword.text)}`, keyword.start);
      }
    });
  }

  /** Reads `}` or `~}` after an interpolation or directive; true for `~}`. */
  private closeSequence(what: string): boolean {
    const token = this.lexer.peek();
    if (token.kind === "punct" && (token.text === "}" || token.text === "~}")) {
      this.lexer.next();
      return token.text === "~}";
    }
    return this.lexer.fail(`Extra characters after ${what}: expected a closing brace, found ${JSON.stringify(token.text || "the end of the text")} (escape a literal \${ as $\${)`, token.start);
  }

  /** One backslash escape in a quoted string: its value and its length in the source. */
  private readEscape(i: number): [string, number] {
    const letter = this.source[i + 1] ?? "";
    if (letter in ESCAPES) return [ESCAPES[letter]!, 2];
    const digits = letter === "u" ? 4 : letter === "U" ? 8 : 0;
    const hex = this.source.slice(i + 2, i + 2 + digits);
    if (digits > 0 && new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(hex)) {
      const codePoint = Number.parseInt(hex, 16);
      if (codePoint <= 0x10ffff) return [String.fromCodePoint(codePoint), 2 + digits];
    }
    return this.lexer.fail(`Invalid escape sequence ${JSON.stringify(this.source.slice(i, i + 2 + digits))}`, i);
  }

  /**
   * The next token if it may continue the current expression: inside an
   * object constructor a newline ends the item, so a token after one does
   * not (an "eof" stand-in is returned).
   */
  private peekContinuation(): Token {
    const token = this.lexer.peek();
    return this.newlineStack.at(-1) === true && token.newlineBefore ? { ...token, kind: "eof" } : token;
  }

  private peekPunct(text: string): Token | undefined {
    const token = this.peekContinuation();
    return token.kind === "punct" && token.text === text ? token : undefined;
  }

  private peekIdent(text: string): boolean {
    const token = this.lexer.peek();
    return token.kind === "ident" && token.text === text;
  }

  private expectPunct(texts: string | readonly string[], detail: string): Token {
    const token = this.lexer.peek();
    if (token.kind === "punct" && (typeof texts === "string" ? [texts] : texts).includes(token.text)) return this.lexer.next();
    return this.lexer.fail(`${detail}, found ${token.kind === "eof" ? "the end of the text" : JSON.stringify(token.text)}`, token.start);
  }

  private expectIdent(detail: string): Token {
    const token = this.lexer.peek();
    if (token.kind === "ident") return this.lexer.next();
    return this.lexer.fail(detail, token.start);
  }

  private withNewlines<T>(significant: boolean, parse: () => T): T {
    this.newlineStack.push(significant);
    try {
      return parse();
    } finally {
      this.newlineStack.pop();
    }
  }

  private sourceFrom(start: number): string {
    return this.source.slice(start, this.lexer.lastEnd);
  }
}
