import { createHash } from "node:crypto";
import type { TerraformFunction } from "../functions.ts";
import { defineFunction, fail, STRING } from "./function-spec.ts";
import { jsonEncode } from "./json-text.ts";
import { wellFormed } from "./text.ts";

/**
 * Terraform's encoding and hashing functions: JSON, Base64, URL query
 * escaping, and hex digests of a string's UTF-8 bytes.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions
 */
export function encodingFunctions(): Record<string, TerraformFunction> {
  return {
    jsonencode: defineFunction("jsonencode", {
      params: [{ name: "val", type: "dynamic", allowNull: true }],
      impl: ([value]) => jsonEncode(value),
    }),

    jsondecode: defineFunction("jsondecode", {
      params: [{ name: "str", type: STRING }],
      impl: ([str]) => {
        try {
          return JSON.parse(str as string) as unknown;
        } catch (error) {
          return fail(`invalid JSON: ${(error as Error).message}`);
        }
      },
    }),

    base64encode: stringToString("base64encode", (str) => Buffer.from(str, "utf8").toString("base64")),
    base64decode: stringToString("base64decode", base64Decode),
    // Go's url.QueryEscape: only letters, digits and -_.~ stay; a space is "+".
    urlencode: stringToString("urlencode", (str) => encodeURIComponent(wellFormed(str)).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`).replace(/%20/g, "+")),
    base64sha256: stringToString("base64sha256", (str) => createHash("sha256").update(str, "utf8").digest("base64")),
    base64sha512: stringToString("base64sha512", (str) => createHash("sha512").update(str, "utf8").digest("base64")),
    md5: stringToString("md5", (str) => digest("md5", str)),
    sha1: stringToString("sha1", (str) => digest("sha1", str)),
    sha256: stringToString("sha256", (str) => digest("sha256", str)),
    sha512: stringToString("sha512", (str) => digest("sha512", str)),
  };
}

function stringToString(name: string, apply: (str: string) => string): TerraformFunction {
  return defineFunction(name, { params: [{ name: "str", type: STRING }], impl: ([str]) => apply(str as string) });
}

function digest(algorithm: string, str: string): string {
  return createHash(algorithm).update(str, "utf8").digest("hex");
}

const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Go's base64.StdEncoding: padding required, line breaks ignored, anything
 * else refused (Node's decoder would skip bad characters silently). The
 * result must be UTF-8 text, as Terraform strings are.
 */
function base64Decode(str: string): string {
  const text = str.replace(/[\r\n]/g, "");
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) fail(`failed to decode base64 data ${JSON.stringify(str)}`);
  try {
    return STRICT_UTF8.decode(Buffer.from(text, "base64"));
  } catch {
    return fail("the result of decoding the provided string is not valid UTF-8");
  }
}
