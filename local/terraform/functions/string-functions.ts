import type { TerraformFunction } from "../functions.ts";
import { defineFunction, fail, LIST_OF_STRING, NUMBER, STRING, wholeNumber } from "./function-spec.ts";
import { formatList, formatString } from "./format.ts";
import { compileRe2, goMatches, goReplaceAll, type CompiledPattern } from "./re2.ts";
import { goLower, goTitle, goTrim, goTrimSpace, goUpper, graphemes } from "./text.ts";

/**
 * Terraform's string functions, with Go's semantics: characters are grapheme
 * clusters for `substr`, case mapping is Go's, and `replace`/`regex` read
 * RE2 patterns.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions
 */
export function stringFunctions(): Record<string, TerraformFunction> {
  return {
    format: defineFunction("format", {
      params: [{ name: "format", type: STRING }],
      variadic: { name: "args", type: "dynamic", allowNull: true },
      impl: ([spec, ...args]) => formatString(spec as string, args),
    }),

    formatlist: defineFunction("formatlist", {
      params: [{ name: "format", type: STRING }],
      variadic: { name: "args", type: "dynamic", allowNull: true },
      impl: ([spec, ...args]) => formatList(spec as string, args),
    }),

    join: defineFunction("join", {
      params: [{ name: "separator", type: STRING }],
      variadic: { name: "lists", type: LIST_OF_STRING },
      impl: ([separator, ...lists]) => {
        if (lists.length === 0) fail("at least one list is required");
        const items: string[] = [];
        (lists as (string | null)[][]).forEach((list, l) => {
          list.forEach((item, i) => {
            if (item === null) fail(lists.length > 1 ? `element ${i} of list ${l + 1} is null; cannot concatenate null values` : `element ${i} is null; cannot concatenate null values`);
            items.push(item);
          });
        });
        return items.join(separator as string);
      },
    }),

    split: defineFunction("split", {
      params: [
        { name: "separator", type: STRING },
        { name: "str", type: STRING },
      ],
      // Go splits on "" between code points, where JS would split UTF-16 units.
      impl: ([separator, str]) => (separator === "" ? [...(str as string)] : (str as string).split(separator as string)),
    }),

    replace: defineFunction("replace", {
      params: [
        { name: "str", type: STRING },
        { name: "substr", type: STRING },
        { name: "replace", type: STRING },
      ],
      impl: ([str, substr, replacement]) => {
        const search = substr as string;
        if (search.length > 1 && search.startsWith("/") && search.endsWith("/")) {
          return goReplaceAll(compileRe2(search.slice(1, -1)), str as string, replacement as string);
        }
        if (search === "") return [...(str as string)].map((ch) => replacement + ch).join("") + replacement;
        return (str as string).split(search).join(replacement as string);
      },
    }),

    strrev: stringFunction("strrev", (str) => graphemes(str).reverse().join("")),

    indent: defineFunction("indent", {
      params: [
        { name: "spaces", type: NUMBER },
        { name: "str", type: STRING },
      ],
      impl: ([spaces, str]) => {
        const count = wholeNumber(spaces, "spaces");
        if (count < 0) fail("spaces must not be negative");
        return (str as string).replaceAll("\n", `\n${" ".repeat(count)}`);
      },
    }),

    lower: stringFunction("lower", goLower),
    upper: stringFunction("upper", goUpper),
    title: stringFunction("title", goTitle),
    trimspace: stringFunction("trimspace", goTrimSpace),
    // Go's chomp: every trailing \r\n, \r or \n, not just one.
    chomp: stringFunction("chomp", (str) => str.replace(/(?:\r\n?|\n)*$/, "")),

    trim: defineFunction("trim", {
      params: [
        { name: "str", type: STRING },
        { name: "cutset", type: STRING },
      ],
      impl: ([str, cutset]) => goTrim(str as string, cutset as string),
    }),

    trimprefix: defineFunction("trimprefix", {
      params: [
        { name: "str", type: STRING },
        { name: "prefix", type: STRING },
      ],
      impl: ([str, prefix]) => ((str as string).startsWith(prefix as string) ? (str as string).slice((prefix as string).length) : str),
    }),

    trimsuffix: defineFunction("trimsuffix", {
      params: [
        { name: "str", type: STRING },
        { name: "suffix", type: STRING },
      ],
      impl: ([str, suffix]) => {
        const s = str as string;
        const x = suffix as string;
        return x !== "" && s.endsWith(x) ? s.slice(0, s.length - x.length) : s;
      },
    }),

    substr: defineFunction("substr", {
      params: [
        { name: "str", type: STRING },
        { name: "offset", type: NUMBER },
        { name: "length", type: NUMBER },
      ],
      impl: ([str, offsetArg, lengthArg]) => substring(str as string, wholeNumber(offsetArg, "offset"), wholeNumber(lengthArg, "length")),
    }),

    startswith: predicate("startswith", "prefix", (str, prefix) => str.startsWith(prefix)),
    endswith: predicate("endswith", "suffix", (str, suffix) => str.endsWith(suffix)),
    strcontains: predicate("strcontains", "substr", (str, substr) => str.includes(substr)),

    regex: defineFunction("regex", {
      params: [
        { name: "pattern", type: STRING },
        { name: "string", type: STRING },
      ],
      impl: ([pattern, str]) => {
        const compiled = compilePattern(pattern as string);
        const [first] = goMatches(compiled, str as string);
        if (first === undefined) fail("pattern did not match any part of the given string");
        return matchResult(compiled, first);
      },
    }),

    regexall: defineFunction("regexall", {
      params: [
        { name: "pattern", type: STRING },
        { name: "string", type: STRING },
      ],
      impl: ([pattern, str]) => {
        const compiled = compilePattern(pattern as string);
        return goMatches(compiled, str as string).map((match) => matchResult(compiled, match));
      },
    }),
  };
}

function stringFunction(name: string, apply: (str: string) => string): TerraformFunction {
  return defineFunction(name, { params: [{ name: "str", type: STRING }], impl: ([str]) => apply(str as string) });
}

function predicate(name: string, second: string, test: (str: string, other: string) => boolean): TerraformFunction {
  return defineFunction(name, {
    params: [
      { name: "str", type: STRING },
      { name: second, type: STRING },
    ],
    impl: ([str, other]) => test(str as string, other as string),
  });
}

/**
 * cty's substr: offset and length in grapheme clusters; a negative offset
 * counts from the end, a negative length means "to the end", and so does a
 * zero length after a negative offset (cty's loop never stops early there).
 */
function substring(str: string, offset: number, length: number): string {
  const chars = graphemes(str);
  let start = offset;
  if (start < 0) start = Math.max(start + chars.length, 0);
  else if (length === 0) return "";
  if (start >= chars.length) return "";
  const end = length <= 0 ? chars.length : Math.min(start + length, chars.length);
  return chars.slice(start, end).join("");
}

/** Mixing named and unnamed groups is refused: the result could be neither a list nor an object. */
function compilePattern(pattern: string): CompiledPattern {
  const compiled = compileRe2(pattern);
  const named = compiled.groups.filter((name) => name !== undefined).length;
  if (named > 0 && named < compiled.groups.length) fail("invalid regexp pattern: cannot mix both named and unnamed capture groups");
  return compiled;
}

/** A match as Terraform returns it: the matched text, a list of the groups, or an object of the named groups (null where a group took no part). */
function matchResult(pattern: CompiledPattern, match: RegExpExecArray): unknown {
  if (pattern.groups.length === 0) return match[0];
  const values = pattern.groups.map((_, i) => match[i + 1] ?? null);
  if (pattern.groups[0] === undefined) return values;
  return Object.fromEntries(pattern.groups.map((name, i) => [name!, values[i]]));
}
