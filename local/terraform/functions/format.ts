import { EvaluationError } from "../errors.ts";
import { convertToType, TypeConversionError, type TypeConstraint } from "../type-constraint.ts";
import { isObject, isSet } from "../values.ts";
import { jsonEncode, jsonString } from "./json-text.ts";
import { exponentText, fixedText, roundDigits, shortestDigits, type DecimalDigits } from "./number-text.ts";
import { graphemes } from "./text.ts";

/**
 * Terraform's `format` and `formatlist`: printf-style verbs with Go's
 * formatting of numbers (`%d`, `%x`, `%f`, `%e`, `%g`…), strings measured in
 * grapheme clusters for width and precision, `%v` as JSON for collections,
 * `%q` as a JSON string, flags `-`, `+`, ` `, `0`, `#`, and `%[n]v` to pick an
 * argument. Extra arguments are an error, as a likely mistake.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions/format
 * @see https://github.com/zclconf/go-cty/blob/main/cty/function/stdlib/format.go
 */

interface Verb {
  /** The verb as written, e.g. `%-5.2[1]f`. */
  readonly raw: string;
  readonly offset: number;
  /** 1-based argument number. */
  readonly argNum: number;
  readonly mode: string;
  readonly zero: boolean;
  readonly sharp: boolean;
  readonly plus: boolean;
  readonly minus: boolean;
  readonly space: boolean;
  readonly width?: number;
  readonly precision?: number;
}

const NUMBER: TypeConstraint = { kind: "number" };
const STRING: TypeConstraint = { kind: "string" };
const BOOL: TypeConstraint = { kind: "bool" };

/** `format(spec, args...)`. */
export function formatString(spec: string, args: readonly unknown[]): string {
  let out = "";
  let nextArg = 1;
  let highestArg = 0;
  let pos = 0;
  while (pos < spec.length) {
    const percent = spec.indexOf("%", pos);
    if (percent === -1) {
      out += spec.slice(pos);
      break;
    }
    out += spec.slice(pos, percent);
    if (spec[percent + 1] === "%") {
      out += "%";
      pos = percent + 2;
      continue;
    }
    const verb = parseVerb(spec, percent, nextArg);
    highestArg = Math.max(highestArg, verb.argNum);
    out += formatVerb(verb, args);
    nextArg = verb.argNum + 1;
    pos = percent + verb.raw.length;
  }
  if (highestArg < args.length) {
    throw new EvaluationError(highestArg === 0 ? "too many arguments; no verbs in format string" : `too many arguments; only ${highestArg} used by format string`);
  }
  return out;
}

/**
 * `formatlist(spec, args...)`: list and tuple arguments are iterated together
 * (they must have the same length), other arguments repeat on every line.
 */
export function formatList(spec: string, args: readonly unknown[]): string[] {
  if (args.length === 0) return [formatString(spec, [])];
  let length = -1;
  let lengthFrom = -1;
  args.forEach((arg, i) => {
    if (!Array.isArray(arg)) return;
    if (length === -1) {
      length = arg.length;
      lengthFrom = i;
    } else if (arg.length !== length) {
      throw new EvaluationError(`argument ${i + 1} has length ${arg.length}, which is inconsistent with argument ${lengthFrom + 1} of length ${length}`);
    }
  });
  const lines: string[] = [];
  for (let i = 0; i < Math.max(length, length === -1 ? 1 : 0); i++) {
    const lineArgs = args.map((arg) => (Array.isArray(arg) ? arg[i] : arg));
    try {
      lines.push(formatString(spec, lineArgs));
    } catch (error) {
      if (error instanceof EvaluationError) throw new EvaluationError(`error on format iteration ${i}: ${error.message}`, { cause: error });
      throw error;
    }
  }
  return lines;
}

// flags, width (no leading zero: that is the 0 flag), precision, [argument], letter.
const VERB = /^%([0#+\- ]*)([1-9][0-9]*)?(\.[0-9]*)?(?:\[([1-9][0-9]*)\])?([A-Za-z])?/;

function parseVerb(spec: string, offset: number, nextArg: number): Verb {
  const match = VERB.exec(spec.slice(offset))!;
  const [raw, flags = "", width, precision, argIndex, mode] = match;
  if (mode === undefined) {
    const at = offset + raw.length;
    if (at >= spec.length) throw new EvaluationError(`invalid format string starting at offset ${offset}`);
    throw new EvaluationError(`unrecognized format character ${goQuoteRune(String.fromCodePoint(spec.codePointAt(at)!))} at offset ${at}`);
  }
  return {
    raw,
    offset,
    argNum: argIndex === undefined ? nextArg : Number(argIndex),
    mode,
    zero: flags.includes("0"),
    sharp: flags.includes("#"),
    plus: flags.includes("+"),
    minus: flags.includes("-"),
    space: flags.includes(" "),
    width: width === undefined ? undefined : Number(width),
    precision: precision === undefined ? undefined : Number(precision.slice(1) || "0"),
  };
}

function formatVerb(verb: Verb, args: readonly unknown[]): string {
  if (verb.argNum > args.length) {
    throw new EvaluationError(`not enough arguments for ${JSON.stringify(verb.raw)} at ${verb.offset}: need index ${verb.argNum} but have ${args.length} total`);
  }
  const arg = args[verb.argNum - 1] ?? null;
  if (verb.mode !== "v" && arg === null) throw unsupported(verb, "null value cannot be formatted");
  switch (verb.mode) {
    case "v":
      return formatAsIs(verb, arg);
    case "t":
      // Go's %t here takes no width: the value alone.
      return (convertFor(verb, arg, BOOL) as boolean) ? "true" : "false";
    case "b":
    case "d":
    case "o":
    case "x":
    case "X":
      return formatInteger(verb, convertFor(verb, arg, NUMBER) as number);
    case "e":
    case "E":
    case "f":
    case "g":
    case "G":
      return padNumber(verb, floatText(convertFor(verb, arg, NUMBER) as number, verb.mode, verb.precision ?? (verb.mode === "g" || verb.mode === "G" ? -1 : 6)));
    case "s":
    case "q": {
      let text = convertFor(verb, arg, STRING) as string;
      if (verb.precision !== undefined && verb.precision > 0) text = graphemes(text).slice(0, verb.precision).join("");
      return padWidth(verb, verb.mode === "q" ? jsonString(text) : text);
    }
    default:
      throw new EvaluationError(`unsupported format verb ${goQuoteRune(verb.mode)} in ${JSON.stringify(verb.raw)} at offset ${verb.offset}`);
  }
}

function formatAsIs(verb: Verb, arg: unknown): string {
  if (!verb.sharp && typeof arg === "string") return padWidth(verb, arg);
  if (!verb.sharp && typeof arg === "number") return padWidth(verb, floatText(arg, "g", -1));
  if (arg !== null && typeof arg !== "boolean" && typeof arg !== "string" && typeof arg !== "number" && !Array.isArray(arg) && !isObject(arg) && !isSet(arg)) {
    throw unsupported(verb, `cannot encode ${typeof arg} as JSON`);
  }
  return padWidth(verb, jsonEncode(arg));
}

function convertFor(verb: Verb, arg: unknown, type: TypeConstraint): unknown {
  try {
    return convertToType(arg, type);
  } catch (error) {
    if (error instanceof TypeConversionError) throw unsupported(verb, error.message);
    throw error;
  }
}

function unsupported(verb: Verb, detail: string): EvaluationError {
  return new EvaluationError(`unsupported value for ${JSON.stringify(verb.raw)} at ${verb.offset}: ${detail}`);
}

/** Width for strings and `%v`, in grapheme clusters; the `0` flag pads with zeros even here, as cty does. */
function padWidth(verb: Verb, text: string): string {
  if (verb.width === undefined) return text;
  const missing = verb.width - graphemes(text).length;
  if (missing <= 0) return text;
  const pad = (verb.zero ? "0" : " ").repeat(missing);
  return verb.minus ? text + pad : pad + text;
}

/** Go's formatting of a big.Int: sign, `#` base prefix, precision as minimum digits, then width. */
function formatInteger(verb: Verb, n: number): string {
  if (!Number.isInteger(n)) throw unsupported(verb, "an integer is required");
  const d = shortestDigits(n);
  const magnitude = d.digits === "" ? 0n : BigInt(d.digits.padEnd(d.point, "0"));
  const base = { b: 2, o: 8, d: 10, x: 16, X: 16 }[verb.mode as "b" | "o" | "d" | "x" | "X"];
  let digits = magnitude.toString(base);
  if (verb.mode === "X") digits = digits.toUpperCase();
  const sign = d.negative && magnitude !== 0n ? "-" : verb.plus ? "+" : verb.space ? " " : "";
  const prefix = verb.sharp ? ({ b: "0b", o: "0", x: "0x", X: "0X" } as Record<string, string>)[verb.mode] ?? "" : "";
  let zeros = 0;
  if (verb.precision !== undefined) {
    if (digits.length < verb.precision) zeros = verb.precision - digits.length;
    else if (digits === "0" && verb.precision === 0) return "";
  }
  let left = 0;
  let right = 0;
  const length = sign.length + prefix.length + zeros + digits.length;
  if (verb.width !== undefined && length < verb.width) {
    const gap = verb.width - length;
    if (verb.minus) right = gap;
    else if (verb.zero && verb.precision === undefined) zeros = gap;
    else left = gap;
  }
  return " ".repeat(left) + sign + prefix + "0".repeat(zeros) + digits + " ".repeat(right);
}

/** Go's big.Float padding: sign (`+`/space flags), zeros after the sign with `0`, spaces otherwise. */
function padNumber(verb: Verb, text: string): string {
  let sign = "";
  let body = text;
  if (body.startsWith("-")) {
    sign = "-";
    body = body.slice(1);
  } else if (verb.plus) sign = "+";
  else if (verb.space) sign = " ";
  const padding = verb.width !== undefined && verb.width > sign.length + body.length ? verb.width - sign.length - body.length : 0;
  if (verb.zero && !verb.minus) return sign + "0".repeat(padding) + body;
  if (verb.minus) return sign + body + " ".repeat(padding);
  return " ".repeat(padding) + sign + body;
}

/**
 * Go's big.Float.Text(mode, precision): `%e`, `%f` or `%g` digits with a
 * leading `-` for negatives; precision -1 is the shortest exact form.
 */
export function floatText(n: number, mode: string, precision: number): string {
  let d: DecimalDigits = shortestDigits(n);
  const lower = mode.toLowerCase();
  let prec = precision;
  const shortest = prec < 0;
  if (shortest) {
    if (lower === "e") prec = d.digits.length - 1;
    else if (lower === "f") prec = Math.max(d.digits.length - d.point, 0);
    else prec = d.digits.length;
  } else if (lower === "e") d = roundDigits(d, 1 + prec);
  else if (lower === "f") d = roundDigits(d, d.point + prec);
  else {
    if (prec === 0) prec = 1;
    d = roundDigits(d, prec);
  }
  if (d.digits === "") d = { ...d, point: 0 };
  const upper = mode === "E" || mode === "G";
  let body: string;
  if (lower === "e") body = exponentText(d, prec, upper);
  else if (lower === "f") body = fixedText(d, prec);
  else {
    let eprec = prec;
    if (eprec > d.digits.length && d.digits.length >= d.point) eprec = d.digits.length;
    if (shortest) eprec = 6;
    const exp = d.point - 1;
    if (exp < -4 || exp >= eprec) {
      if (prec > d.digits.length) prec = d.digits.length;
      body = exponentText(d, prec - 1, upper);
    } else {
      if (prec > d.point) prec = d.digits.length;
      body = fixedText(d, Math.max(prec - d.point, 0));
    }
  }
  return (d.negative ? "-" : "") + body;
}

/** Go's %q of a rune, as cty's messages print unexpected characters: `'z'`. */
function goQuoteRune(ch: string): string {
  return ch === "'" ? "'\\''" : `'${ch}'`;
}
