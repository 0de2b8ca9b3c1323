/**
 * Path globs with the rules of Go's doublestar (`PathMatch`), which
 * `archive_file` uses for `excludes`: `*` and `?` stay within one path
 * segment, a whole `**` segment spans any number of them (including none),
 * `[abc]`/`[!abc]` are classes, `{a,b}` alternatives, `\` escapes. The
 * pattern must match the whole slash-separated path.
 *
 * @see https://github.com/bmatcuk/doublestar#patterns
 */
export function globToRegExp(pattern: string): RegExp {
  const segments = pattern.split("/");
  let source = "";
  let separator = false;
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      if (index === 0) {
        // Leading `**/`: any directories, or none; alone, anything at all.
        source += last ? ".*" : "(?:.*/)?";
        separator = false;
      } else {
        // `/**` and `/**/`: the directory itself, or anything below it.
        source += "(?:/.*)?";
        separator = true;
      }
      return;
    }
    if (separator) source += "/";
    source += segmentSource(segment);
    separator = true;
  });
  return new RegExp(`^${source}$`, "s");
}

/** Whether `path` (slash-separated, relative) matches `pattern`. */
export function globMatch(pattern: string, path: string): boolean {
  return globToRegExp(pattern).test(path);
}

function segmentSource(segment: string): string {
  let out = "";
  for (let i = 0; i < segment.length; i += 1) {
    const c = segment[i]!;
    if (c === "\\" && i + 1 < segment.length) {
      out += escapeRegExp(segment[++i]!);
    } else if (c === "*") {
      // Consecutive stars inside a segment are one star.
      while (segment[i + 1] === "*") i += 1;
      out += "[^/]*";
    } else if (c === "?") {
      out += "[^/]";
    } else if (c === "[") {
      const close = segment.indexOf("]", i + 2);
      if (close === -1) {
        out += "\\[";
        continue;
      }
      let body = segment.slice(i + 1, close);
      const negated = body.startsWith("!") || body.startsWith("^");
      if (negated) body = body.slice(1);
      out += `[${negated ? "^/" : ""}${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = close;
    } else if (c === "{") {
      const close = matchingBrace(segment, i);
      if (close === -1) {
        out += "\\{";
        continue;
      }
      out += `(?:${splitAlternatives(segment.slice(i + 1, close)).map(segmentSource).join("|")})`;
      i = close;
    } else {
      out += escapeRegExp(c);
    }
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i += 1) {
    if (text[i] === "\\") i += 1;
    else if (text[i] === "{") depth += 1;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

/** `a,{b,c},d` → `a`, `{b,c}`, `d`: commas of nested braces do not split. */
function splitAlternatives(body: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < body.length; i += 1) {
    if (body[i] === "\\") i += 1;
    else if (body[i] === "{") depth += 1;
    else if (body[i] === "}") depth -= 1;
    else if (body[i] === "," && depth === 0) {
      out.push(body.slice(start, i));
      start = i + 1;
    }
  }
  out.push(body.slice(start));
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
