import { ExpressionSyntaxError } from "../errors.ts";

/**
 * Splits HCL native-syntax expressions into tokens, on demand.
 *
 * On demand rather than up front because HCL is a two-mode language: inside a
 * quoted string or heredoc the parser reads template text character by
 * character and only comes back to tokens at `${`/`%{`. The parser therefore
 * reads raw text from {@link Lexer.lastEnd} and moves the lexer on with
 * {@link Lexer.seek}.
 *
 * Whitespace, newlines and comments (`#`, `//`, `/* *\/`) are skipped; a token
 * remembers whether a newline came before it, because newlines separate the
 * items of an object constructor and nowhere else inside an expression.
 *
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/spec.md#lexical-elements
 */

export type TokenKind = "ident" | "number" | "punct" | "quote" | "heredoc" | "eof";

export interface Token {
  readonly kind: TokenKind;
  /** The token's text; for a heredoc, its marker (`EOT`). */
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** A newline (outside a block comment) came between the previous token and this one. */
  readonly newlineBefore: boolean;
  /** Heredocs only: `<<-` (strip the common indentation). */
  readonly flush?: boolean;
}

// Longest first, so `==` is never read as `=` `=`.
const PUNCTUATORS = ["...", "=>", "==", "!=", "<=", ">=", "&&", "||", "::", "~}", "!", "<", ">", "+", "-", "*", "/", "%", "?", ":", "=", ".", ",", "(", ")", "[", "]", "{", "}"];

const NUMBER = /[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// HCL identifiers are Unicode ID_Start ID_Continue*, plus dashes (`aws-region` is one name).
const IDENT = /[\p{ID_Start}_][\p{ID_Continue}-]*/uy;
const HEREDOC = /<<(-?)([\p{ID_Start}_][\p{ID_Continue}-]*)\r?\n/uy;

export class Lexer {
  private position = 0;
  private peeked: Token | undefined;
  /** End of the last token read with {@link next} (or of template text read by the parser). */
  lastEnd = 0;

  constructor(readonly source: string) {}

  /** Moves to a raw position (after template text), dropping any peeked token. */
  seek(pos: number): void {
    this.position = pos;
    this.peeked = undefined;
    this.lastEnd = pos;
  }

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    this.position = token.end;
    this.lastEnd = token.end;
    return token;
  }

  /** Reads the next token if it is the given punctuator. */
  accept(punct: string): Token | undefined {
    const token = this.peek();
    return token.kind === "punct" && token.text === punct ? this.next() : undefined;
  }

  /** Throws an {@link ExpressionSyntaxError} pointing at a position of the source. */
  fail(detail: string, at: number): never {
    throw new ExpressionSyntaxError(`${detail} (at character ${at + 1})`, this.source);
  }

  private scan(): Token {
    const { source } = this;
    let i = this.position;
    let newlineBefore = false;
    for (;;) {
      const ch = source[i];
      if (ch === "\n") {
        newlineBefore = true;
        i += 1;
      } else if (ch === " " || ch === "\t" || ch === "\r") {
        i += 1;
      } else if (ch === "#" || source.startsWith("//", i)) {
        while (i < source.length && source[i] !== "\n") i += 1;
      } else if (source.startsWith("/*", i)) {
        const close = source.indexOf("*/", i + 2);
        if (close < 0) this.fail("Unterminated block comment", i);
        i = close + 2;
      } else break;
    }
    const token = (kind: TokenKind, end: number, text = source.slice(i, end), flush?: boolean): Token => ({ kind, text, start: i, end, newlineBefore, ...(flush === undefined ? {} : { flush }) });
    if (i >= source.length) return token("eof", i, "");
    const ch = source[i]!;
    if (ch === '"') return token("quote", i + 1);
    if (ch >= "0" && ch <= "9") {
      NUMBER.lastIndex = i;
      return token("number", i + NUMBER.exec(source)![0].length);
    }
    IDENT.lastIndex = i;
    const ident = IDENT.exec(source);
    if (ident !== null) return token("ident", i + ident[0].length);
    HEREDOC.lastIndex = i;
    const heredoc = HEREDOC.exec(source);
    if (heredoc !== null) return token("heredoc", i + heredoc[0].length, heredoc[2]!, heredoc[1] === "-");
    const punct = PUNCTUATORS.find((candidate) => source.startsWith(candidate, i));
    if (punct === undefined) this.fail(`Invalid character ${JSON.stringify(ch)}`, i);
    return token("punct", i + punct.length);
  }
}
