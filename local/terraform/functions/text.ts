/**
 * Text handling with Go's rules, which Terraform's string functions inherit:
 * lengths and offsets in grapheme clusters ("characters" as a reader sees
 * them, so `"👍🏽"` is one), strings ordered by code point (UTF-8 byte order,
 * not JS's UTF-16 order), and one-rune case mappings (`upper("ß")` stays
 * `"ß"`, where JS would write `"SS"`).
 */

const graphemeSegmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** The grapheme clusters of a string, in order. */
export function graphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (segment) => segment.segment);
}

/** Compares strings by Unicode code point, as Go compares them (byte-wise UTF-8). */
export function compareCodePoints(a: string, b: string): number {
  const left = a[Symbol.iterator]();
  const right = b[Symbol.iterator]();
  for (;;) {
    const x = left.next();
    const y = right.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const diff = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (diff !== 0) return diff;
  }
}

/** Go's strings.ToUpper: each code point to its single-code-point upper case, if it has one. */
export function goUpper(text: string): string {
  return mapCodePoints(text, (ch) => {
    const upper = ch.toUpperCase();
    // A multi-character mapping ("ß" → "SS") is a special casing Go does not apply.
    return [...upper].length === 1 ? upper : ch;
  });
}

/** Go's strings.ToLower. */
export function goLower(text: string): string {
  // The only multi-character lower mapping is "İ" → "i̇"; Go's simple mapping keeps the "i".
  return mapCodePoints(text, (ch) => [...ch.toLowerCase()][0]!);
}

// Title case differs from upper case only for these digraphs.
const TITLE_CASE: Readonly<Record<string, string>> = {
  "\u01c4": "\u01c5", "\u01c5": "\u01c5", "\u01c6": "\u01c5",
  "\u01c7": "\u01c8", "\u01c8": "\u01c8", "\u01c9": "\u01c8",
  "\u01ca": "\u01cb", "\u01cb": "\u01cb", "\u01cc": "\u01cb",
  "\u01f1": "\u01f2", "\u01f2": "\u01f2", "\u01f3": "\u01f2",
};

/**
 * Go's strings.Title: the first letter of each word in title case. Words are
 * separated by anything but ASCII letters, digits and `_`, or by Unicode
 * spaces; non-ASCII letters and digits join words.
 */
export function goTitle(text: string): string {
  let previous = " ";
  return mapCodePoints(text, (ch) => {
    const out = isWordSeparator(previous) ? (TITLE_CASE[ch] ?? goUpper(ch)) : ch;
    previous = ch;
    return out;
  });
}

function isWordSeparator(ch: string): boolean {
  if (ch.codePointAt(0)! <= 0x7f) return !/[0-9A-Za-z_]/.test(ch);
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return GO_SPACE.test(ch);
}

/** Go's unicode.IsSpace (differs from JS's `\s`: includes U+0085, excludes U+FEFF). */
const GO_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
const GO_SPACE_RUN = "[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
const LEADING_SPACE = new RegExp(`^${GO_SPACE_RUN}`);
const TRAILING_SPACE = new RegExp(`${GO_SPACE_RUN}$`);

/** Go's strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  return text.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
}

/** Go's strings.Trim: drops leading and trailing code points that are in the cutset. */
export function goTrim(text: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = [...text];
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start]!)) start++;
  while (end > start && cut.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join("");
}

/** Lone UTF-16 surrogates replaced by U+FFFD, as Go's UTF-8 strings would hold them. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

function mapCodePoints(text: string, map: (ch: string) => string): string {
  let out = "";
  for (const ch of text) out += map(ch);
  return out;
}
