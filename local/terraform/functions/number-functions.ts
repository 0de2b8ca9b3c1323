import type { TerraformFunction } from "../functions.ts";
import { convertToType, TypeConversionError, valueTypeName } from "../type-constraint.ts";
import { isObject } from "../values.ts";
import { defineFunction, fail, NUMBER, wholeNumber } from "./function-spec.ts";
import { shortestDigits } from "./number-text.ts";

/**
 * Terraform's number functions. Terraform adds in decimal-exact big floats,
 * so `sum` and `range` add the numbers' decimal forms exactly here too:
 * `sum([0.1, 0.2])` is 0.3, as in Terraform, not JS's 0.30000000000000004.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions
 */
export function numberFunctions(): Record<string, TerraformFunction> {
  return {
    abs: unary("abs", Math.abs),
    // + 0 turns -0 into 0: Go rounds to an integer, which has no sign of zero.
    ceil: unary("ceil", (n) => Math.ceil(n) + 0),
    floor: unary("floor", (n) => Math.floor(n) + 0),
    max: extreme("max", (a, b) => a > b),
    min: extreme("min", (a, b) => a < b),

    signum: defineFunction("signum", {
      params: [{ name: "num", type: NUMBER }],
      impl: ([n]) => Math.sign(wholeNumber(n, "num")) + 0,
    }),

    pow: defineFunction("pow", {
      params: [
        { name: "num", type: NUMBER },
        { name: "power", type: NUMBER },
      ],
      impl: ([num, power]) => {
        const result = Math.pow(num as number, power as number);
        return Number.isNaN(result) ? fail("result is not a number") : result;
      },
    }),

    log: defineFunction("log", {
      params: [
        { name: "num", type: NUMBER },
        { name: "base", type: NUMBER },
      ],
      impl: ([num, base]) => {
        const result = Math.log(num as number) / Math.log(base as number);
        return Number.isFinite(result) ? result : fail("result is not a number");
      },
    }),

    parseint: defineFunction("parseint", {
      params: [
        { name: "number", type: "dynamic" },
        { name: "base", type: NUMBER },
      ],
      impl: ([text, baseArg]) => {
        if (typeof text !== "string") fail(`first argument must be a string, not ${valueTypeName(text)}`);
        const base = baseArg as number;
        if (!Number.isInteger(base) || base < 2 || base > 62) fail("base must be a whole number between 2 and 62 inclusive");
        return parseInteger(text, base) ?? fail(`cannot parse ${JSON.stringify(text)} as a base ${base} integer`);
      },
    }),

    sum: defineFunction("sum", {
      params: [{ name: "list", type: "dynamic" }],
      impl: ([list]) => {
        if (isObject(list)) fail("argument must be list, set, or tuple. Received object");
        if (!Array.isArray(list)) fail("cannot sum noniterable");
        if (list.length === 0) fail("cannot sum an empty list");
        const numbers = list.map((item) => {
          if (item === null) fail("argument must be list, set, or tuple of number values");
          try {
            return convertToType(item, NUMBER) as number;
          } catch (error) {
            if (error instanceof TypeConversionError) fail("argument must be list, set, or tuple of number values");
            throw error;
          }
        });
        return numbers.slice(1).reduce(exactAdd, numbers[0]!);
      },
    }),

    range: defineFunction("range", {
      params: [],
      variadic: { name: "params", type: NUMBER },
      impl: (params) => {
        const [a, b, c] = params as number[];
        let start: number;
        let end: number;
        let step: number;
        if (params.length === 1) [start, end, step] = [0, a!, a! < 0 ? -1 : 1];
        else if (params.length === 2) [start, end, step] = [a!, b!, b! < a! ? -1 : 1];
        else if (params.length === 3) [start, end, step] = [a!, b!, c!];
        else return fail("must have one, two, or three arguments");
        if (step === 0) fail("step must not be zero");
        if (step < 0 && end > start) fail("end must be less than start when step is negative");
        if (step > 0 && end < start) fail("end must be greater than start when step is positive");
        const values: number[] = [];
        for (let i = 0; ; i++) {
          const value = exactAdd(start, exactMultiply(step, i));
          if (step < 0 ? value <= end : value >= end) break;
          if (values.length >= 1024) fail("more than 1024 values were generated; either decrease the difference between start and end or use a smaller step");
          values.push(value);
        }
        return values;
      },
    }),
  };
}

function unary(name: string, apply: (n: number) => number): TerraformFunction {
  return defineFunction(name, { params: [{ name: "num", type: NUMBER }], impl: ([n]) => apply(n as number) });
}

function extreme(name: string, better: (a: number, b: number) => boolean): TerraformFunction {
  return defineFunction(name, {
    params: [],
    variadic: { name: "numbers", type: NUMBER },
    impl: (numbers) => {
      if (numbers.length === 0) fail("must pass at least one number");
      return (numbers as number[]).reduce((best, n) => (better(n, best) ? n : best));
    },
  });
}

/** A number as an integer and a power of ten, from its shortest decimal form. */
function scaled(n: number): { value: bigint; scale: number } {
  const d = shortestDigits(n);
  if (d.digits === "") return { value: 0n, scale: 0 };
  const scale = d.digits.length - d.point;
  const magnitude = scale >= 0 ? BigInt(d.digits) : BigInt(d.digits) * 10n ** BigInt(-scale);
  return { value: d.negative ? -magnitude : magnitude, scale: Math.max(scale, 0) };
}

function fromScaled(value: bigint, scale: number): number {
  return Number(`${value}e-${scale}`);
}

function exactAdd(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a + b;
  const x = scaled(a);
  const y = scaled(b);
  const scale = Math.max(x.scale, y.scale);
  return fromScaled(x.value * 10n ** BigInt(scale - x.scale) + y.value * 10n ** BigInt(scale - y.scale), scale);
}

function exactMultiply(a: number, times: number): number {
  if (!Number.isFinite(a)) return a * times;
  const x = scaled(a);
  return fromScaled(x.value * BigInt(times), x.scale);
}

/**
 * Go's big.Int.SetString: an optional sign, then digits of the base; up to
 * base 36 letters in either case, above it a-z are 10-35 and A-Z 36-61.
 */
function parseInteger(text: string, base: number): number | undefined {
  const match = /^([+-]?)(.+)$/s.exec(text);
  if (match === null) return undefined;
  let value = 0n;
  for (const ch of match[2]!) {
    const code = ch.charCodeAt(0);
    let digit: number;
    if (code >= 48 && code <= 57) digit = code - 48;
    else if (code >= 97 && code <= 122) digit = code - 97 + 10;
    else if (code >= 65 && code <= 90) digit = code - 65 + (base <= 36 ? 10 : 36);
    else return undefined;
    if (digit >= base) return undefined;
    value = value * BigInt(base) + BigInt(digit);
  }
  return Number(match[1] === "-" ? -value : value);
}
