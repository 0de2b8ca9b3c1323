import { EvaluationError } from "../errors.ts";
import { isObject } from "../values.ts";
import { compareCodePoints } from "./text.ts";
import { numberToString } from "./number-text.ts";

/**
 * Values as JSON, written the way Terraform's `jsonencode()` (and `format`'s
 * `%v`/`%#v`) writes them: no spaces, object keys sorted, numbers with every
 * digit, and strings escaped as Go's encoding/json does, which includes
 * `<`, `>` and `&` (`\u003c`…) so the text is safe inside HTML.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions/jsonencode
 */
export function jsonEncode(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return jsonString(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new EvaluationError(`cannot encode ${numberToString(value)} as JSON`);
    return numberToString(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(jsonEncode).join(",")}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort(compareCodePoints);
    return `{${keys.map((key) => `${jsonString(key)}:${jsonEncode(value[key])}`).join(",")}}`;
  }
  throw new EvaluationError(`cannot encode a ${typeof value} as JSON`);
}

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A JSON string literal with Go's escaping (HTML-safe, U+2028/2029 escaped, lone surrogates replaced). */
export function jsonString(text: string): string {
  return `"${text.replace(/["\\\u0000-\u001f<>&\u2028\u2029]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (ch) => {
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) return short;
    const code = ch.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return "\\ufffd";
    return `\\u${code.toString(16).padStart(4, "0")}`;
  })}"`;
}
