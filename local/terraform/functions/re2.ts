import { EvaluationError } from "../errors.ts";

/**
 * Terraform's regular expressions (RE2 syntax, as Go's regexp reads it) run
 * on JS's engine. Both pick the leftmost match and prefer alternatives in
 * order, so a faithful translation of the syntax gives the same matches.
 * What differs and is translated: `(?P<name>…)`, `\A`/`\z`, `\Q…\E`, POSIX
 * classes, `\pL`, `\x{…}`, octal escapes, RE2's ASCII-only `\s`, `.` that
 * stops only at `\n`, `(?U)` (ungreedy), and literal braces. Flags are
 * honoured at the start of the pattern; a flag group further in is refused
 * rather than approximated. Named groups become plain groups here; the names
 * are kept in {@link CompiledPattern.groups}, so RE2 names JS forbids work.
 *
 * @see https://github.com/google/re2/wiki/Syntax
 */

/** A translated pattern and what its capture groups are called. */
export interface CompiledPattern {
  /** Global and Unicode-aware; use with {@link goMatches} or {@link goReplaceAll}. */
  readonly regex: RegExp;
  /** One entry per capture group, in order: its name, or undefined if unnamed. */
  readonly groups: readonly (string | undefined)[];
}

/** The pattern is not valid RE2, or uses RE2 syntax the emulator cannot translate. */
export class InvalidPatternError extends EvaluationError {}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const POSIX_CLASSES: Readonly<Record<string, string>> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7f",
  blank: "\\t ",
  cntrl: "\\x00-\\x1f\\x7f",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

// RE2's \s is ASCII whitespace without \v; JS's \s is all of Unicode's.
const RE2_SPACE = "\\t\\n\\f\\r ";
const JS_SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/");

/** Translates an RE2 pattern; throws {@link InvalidPatternError} for one Go would refuse or that cannot be translated. */
export function compileRe2(pattern: string): CompiledPattern {
  const translator = new Translator(pattern);
  const source = translator.translate();
  try {
    return { regex: new RegExp(source, `gu${translator.flags.i ? "i" : ""}`), groups: translator.groups };
  } catch (error) {
    throw new InvalidPatternError(`invalid regexp pattern ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

class Translator {
  readonly flags: Flags = { i: false, m: false, s: false, U: false };
  readonly groups: (string | undefined)[] = [];
  private pos = 0;
  private out = "";
  /** Whether the last thing written can take a repetition operator. */
  private quantifiable = false;

  constructor(private readonly pattern: string) {}

  translate(): string {
    const p = this.pattern;
    while (this.pos < p.length) {
      const ch = p[this.pos]!;
      switch (ch) {
        case "\\":
          this.emit(this.escape(false), true);
          break;
        case "[":
          this.emit(this.characterClass(), true);
          break;
        case "(":
          this.openGroup();
          break;
        case ")":
          this.pos++;
          this.emit(")", true);
          break;
        case ".":
          this.pos++;
          this.emit(this.flags.s ? "[\\s\\S]" : "[^\\n]", true);
          break;
        case "^":
          this.pos++;
          this.emit(this.flags.m ? "(?<![^\\n])" : "^", false);
          break;
        case "$":
          this.pos++;
          this.emit(this.flags.m ? "(?![^\\n])" : "$", false);
          break;
        case "*":
        case "+":
        case "?":
          this.pos++;
          this.quantifier(ch);
          break;
        case "{": {
          const repeat = /^\{(\d+)(?:,(\d*))?\}/.exec(p.slice(this.pos));
          if (repeat === null) {
            // RE2 reads a brace that starts no valid repeat as a literal; JS's Unicode mode would refuse it.
            this.pos++;
            this.emit("\\{", true);
            break;
          }
          if (Number(repeat[1]) > 1000 || (repeat[2] !== undefined && repeat[2] !== "" && Number(repeat[2]) > 1000)) this.fail(`invalid repeat count ${repeat[0]}`);
          this.pos += repeat[0].length;
          this.quantifier(repeat[0]);
          break;
        }
        case "}":
        case "]":
          this.pos++;
          this.emit(`\\${ch}`, true);
          break;
        case "|":
          this.pos++;
          this.emit("|", false);
          break;
        default: {
          const literal = String.fromCodePoint(p.codePointAt(this.pos)!);
          this.pos += literal.length;
          this.emit(literal, true);
        }
      }
    }
    return this.out;
  }

  private emit(text: string, quantifiable: boolean): void {
    this.out += text;
    this.quantifiable = quantifiable;
  }

  private quantifier(operator: string): void {
    if (!this.quantifiable) this.fail(`missing argument to repetition operator: ${operator}`);
    let lazy = false;
    if (this.pattern[this.pos] === "?") {
      lazy = true;
      this.pos++;
    }
    if (this.flags.U) lazy = !lazy;
    this.emit(operator + (lazy ? "?" : ""), false);
    const rest = this.pattern.slice(this.pos);
    if (/^(?:[*+?]|\{\d+(?:,\d*)?\})/.test(rest)) this.fail(`invalid nested repetition operator: ${operator}${rest[0]}`);
  }

  private openGroup(): void {
    const rest = this.pattern.slice(this.pos);
    const named = /^\(\?P?<([^>]*)>/.exec(rest);
    if (named !== null && !rest.startsWith("(?<=") && !rest.startsWith("(?<!")) {
      if (!/^[A-Za-z0-9_]+$/.test(named[1]!)) this.fail(`invalid named capture: ${named[0]}`);
      if (this.groups.includes(named[1])) this.fail(`duplicate capture group name: ${named[1]}`);
      this.groups.push(named[1]);
      this.pos += named[0].length;
      this.emit("(", false);
      return;
    }
    if (rest.startsWith("(?:")) {
      this.pos += 3;
      this.emit("(?:", false);
      return;
    }
    const flagGroup = /^\(\?([imsU-]*)([:)])/.exec(rest);
    if (flagGroup !== null && flagGroup[1] !== "") {
      // Only flags that cover the whole pattern can become JS flags (Node 20 has no inline modifiers).
      if (flagGroup[2] === ")" && this.out === "") {
        let on = true;
        for (const flag of flagGroup[1]!) {
          if (flag === "-") on = false;
          else this.flags[flag as keyof Flags] = on;
        }
        this.pos += flagGroup[0].length;
        return;
      }
      this.fail(`the emulator supports RE2 flags only at the very start of a pattern, not ${flagGroup[0]}`);
    }
    if (rest.startsWith("(?")) this.fail(`invalid or unsupported Perl syntax: ${rest.slice(0, 3)}`);
    this.groups.push(undefined);
    this.pos++;
    this.emit("(", false);
  }

  private characterClass(): string {
    const p = this.pattern;
    this.pos++;
    let text = "[";
    if (p[this.pos] === "^") {
      text += "^";
      this.pos++;
    }
    let first = true;
    for (;;) {
      if (this.pos >= p.length) this.fail(`missing closing ]: ${p.slice(p.lastIndexOf("["))}`);
      const ch = p[this.pos]!;
      if (ch === "]" && !first) break;
      first = false;
      const posix = /^\[:(\^?)([a-z]+):\]/.exec(p.slice(this.pos));
      if (posix !== null) {
        const ranges = POSIX_CLASSES[posix[2]!];
        if (ranges === undefined) this.fail(`invalid character class range: ${posix[0]}`);
        if (posix[1] === "^") this.fail(`the emulator does not support negated POSIX classes such as ${posix[0]}`);
        text += ranges;
        this.pos += posix[0].length;
      } else if (ch === "\\") {
        text += this.escape(true);
      } else if (ch === "[" || ch === "]") {
        text += `\\${ch}`;
        this.pos++;
      } else {
        const literal = String.fromCodePoint(p.codePointAt(this.pos)!);
        text += literal;
        this.pos += literal.length;
      }
    }
    this.pos++;
    return `${text}]`;
  }

  /** Translates the escape at `pos` (a backslash) for use outside or inside a character class. */
  private escape(inClass: boolean): string {
    const p = this.pattern;
    const next = p[this.pos + 1];
    if (next === undefined) this.fail("trailing backslash at end of expression");
    this.pos += 2;
    switch (next) {
      case "a":
        return "\\x07";
      case "f":
      case "n":
      case "r":
      case "t":
      case "v":
      case "d":
      case "D":
      case "w":
      case "W":
        return `\\${next}`;
      case "b":
      case "B":
        if (inClass) this.fail(`invalid escape sequence: \\${next}`);
        return `\\${next}`;
      case "A":
        if (inClass) this.fail("invalid escape sequence: \\A");
        return "(?<![\\s\\S])";
      case "z":
        if (inClass) this.fail("invalid escape sequence: \\z");
        return "(?![\\s\\S])";
      case "s":
        return inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
      case "S":
        if (inClass) this.fail("the emulator does not support \\S inside a character class");
        return `[^${RE2_SPACE}]`;
      case "x": {
        const hex = /^\{([0-9A-Fa-f]+)\}|^[0-9A-Fa-f]{2}/.exec(p.slice(this.pos));
        if (hex === null) this.fail(`invalid escape sequence: \\x${p.slice(this.pos, this.pos + 2)}`);
        this.pos += hex[0].length;
        const code = parseInt(hex[1] ?? hex[0], 16);
        if (code > 0x10ffff) this.fail(`invalid escape sequence: \\x${hex[0]}`);
        return codePointEscape(code);
      }
      case "p":
      case "P":
        return this.unicodeClass(next === "P");
      case "Q": {
        const end = p.indexOf("\\E", this.pos);
        const literal = p.slice(this.pos, end === -1 ? p.length : end);
        this.pos = end === -1 ? p.length : end + 2;
        return [...literal].map((c) => (inClass ? (c === "\\" || c === "]" || c === "[" || c === "-" || c === "^" ? `\\${c}` : c) : escapeLiteral(c))).join("");
      }
      default:
        break;
    }
    if (next >= "0" && next <= "7") {
      // \0, \012: octal. A lone \1-\7 would be a backreference, which RE2 does not have.
      const octal = /^[0-7]{0,2}/.exec(p.slice(this.pos))![0];
      if (next !== "0" && octal === "") this.fail(`invalid escape sequence: \\${next}`);
      this.pos += octal.length;
      return codePointEscape(parseInt(next + octal, 8));
    }
    // Any escaped ASCII character that is not a letter or digit stands for itself, `\_` and `\ ` included.
    if (/^[\x00-\x7f]$/.test(next) && !/^[A-Za-z0-9]$/.test(next)) {
      return JS_SYNTAX_CHARACTERS.has(next) || (inClass && next === "-") ? `\\${next}` : codePointEscape(next.charCodeAt(0));
    }
    return this.fail(`invalid escape sequence: \\${next}`);
  }

  private unicodeClass(negated: boolean): string {
    const p = this.pattern;
    let name: string;
    if (p[this.pos] === "{") {
      const end = p.indexOf("}", this.pos);
      if (end === -1) this.fail(`invalid character class range: \\p${p.slice(this.pos)}`);
      name = p.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = p[this.pos] ?? "";
      this.pos++;
    }
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === "Any") return negated ? "[^\\s\\S]" : "[\\s\\S]";
    if (!/^[A-Za-z_]+$/.test(name)) this.fail(`invalid character class range: \\p{${name}}`);
    // One- and two-letter names are general categories (L, Lu, Nd); the rest are scripts (Greek).
    const property = /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    return `\\${negated ? "P" : "p"}{${property}}`;
  }

  private fail(detail: string): never {
    throw new InvalidPatternError(`invalid regexp pattern ${JSON.stringify(this.pattern)}: ${detail}`);
  }
}

function codePointEscape(code: number): string {
  return `\\u{${code.toString(16)}}`;
}

function escapeLiteral(ch: string): string {
  return JS_SYNTAX_CHARACTERS.has(ch) ? `\\${ch}` : ch;
}

/** The length of the code point at `pos`, in UTF-16 units. */
function codePointWidth(text: string, pos: number): number {
  return (text.codePointAt(pos) ?? 0) > 0xffff ? 2 : 1;
}

/**
 * Every match, as Go's FindAll* finds them: non-overlapping, left to right,
 * and an empty match right where the previous match ended is skipped (so
 * `a*` on `"baaac"` gives `""`, `"aaa"`, `""`; JS's matchAll adds one more).
 */
export function goMatches(pattern: CompiledPattern, text: string): RegExpExecArray[] {
  const regex = new RegExp(pattern.regex.source, pattern.regex.flags);
  const matches: RegExpExecArray[] = [];
  let pos = 0;
  let previousEnd = -1;
  while (pos <= text.length) {
    regex.lastIndex = pos;
    const match = regex.exec(text);
    if (match === null) break;
    const start = match.index;
    const end = start + match[0].length;
    let accept = true;
    if (end === pos) {
      accept = start !== previousEnd;
      pos += pos < text.length ? codePointWidth(text, pos) : 1;
    } else {
      pos = end;
    }
    previousEnd = end;
    if (accept) matches.push(match);
  }
  return matches;
}

/**
 * Go's Regexp.ReplaceAllString: every match replaced by the template, where
 * `$1`, `${1}`, `$name`, `${name}` insert a group (the longest run of letters,
 * digits and `_` is the name, so `$1x` is the group "1x") and `$$` is `$`.
 */
export function goReplaceAll(pattern: CompiledPattern, text: string, template: string): string {
  const regex = new RegExp(pattern.regex.source, pattern.regex.flags);
  let out = "";
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= text.length) {
    regex.lastIndex = searchPos;
    const match = regex.exec(text);
    if (match === null) break;
    const start = match.index;
    const end = start + match[0].length;
    out += text.slice(lastEnd, start);
    // No second replacement for an empty match right after a match.
    if (end > lastEnd || start === 0) out += expandTemplate(template, match, pattern.groups);
    lastEnd = end;
    const width = searchPos < text.length ? codePointWidth(text, searchPos) : 0;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + text.slice(lastEnd);
}

function expandTemplate(template: string, match: RegExpExecArray, groups: readonly (string | undefined)[]): string {
  let out = "";
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf("$");
    if (dollar === -1) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith("$")) {
      out += "$";
      rest = rest.slice(1);
      continue;
    }
    const reference = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (reference === null) {
      out += "$";
      continue;
    }
    rest = rest.slice(reference[0].length);
    const name = reference[1] ?? reference[2]!;
    let index: number;
    if (/^[0-9]+$/.test(name) && !(name.length > 1 && name.startsWith("0"))) index = Number(name);
    else index = groups.indexOf(name) + 1; // 0 (no such group) would be the whole match, so guard below
    if (index === 0 && !/^0$/.test(name)) continue;
    out += match[index] ?? "";
  }
  return out + rest;
}
