/**
 * Line numbers in HCL text. `@cdktf/hcl2json` gives values but no positions,
 * so error messages would otherwise say only "main.tf". This is not a parser:
 * it tracks bracket depth and whether a line starts inside a string, heredoc
 * or comment, and then finds block headers and `name =` lines with small
 * regexes at the right depth. A miss gives `undefined`, never a wrong block.
 */

/** What the scan knows about the start of one line. */
interface LineStart {
  /** Brackets (`{`, `[`, `(`) open before the line's first character. */
  readonly depth: number;
  /** The line starts inside a string, a heredoc or a comment, so no argument or block starts there. */
  readonly masked: boolean;
}

/** A quoted string, or a `${`/`%{` interpolation inside one (closed when depth falls back below `depth`). */
type Frame = { readonly kind: "string" } | { readonly kind: "interpolation"; readonly depth: number };

/** Where blocks and arguments start in one HCL file. Lines are 1-based. */
export class HclLines {
  private readonly lines: readonly string[];
  private readonly starts: readonly LineStart[];

  constructor(text: string) {
    this.lines = text.split("\n");
    this.starts = scan(text);
  }

  /**
   * The line of a top-level block header, e.g. `blockLine("resource", ["aws_iam_role", "lambda"])`.
   * @param occurrence which one, when the same header appears more than once (0-based)
   */
  blockLine(type: string, labels: readonly string[], occurrence = 0): number | undefined {
    const header = new RegExp(`^\\s*${escape(type)}${labels.map((label) => `(?:\\s*"${escape(label)}"|\\s+${escape(label)}(?![\\w-]))`).join("")}\\s*\\{`);
    return this.linesMatching(header, 0, 0, this.lines.length - 1)[occurrence];
  }

  /**
   * The line of `name =` directly inside a top-level `locals` block.
   * @param occurrence which definition, when the file defines the name more than once (0-based)
   */
  localLine(name: string, occurrence = 0): number | undefined {
    const found: number[] = [];
    for (const start of this.linesMatching(/^\s*locals\s*\{/, 0, 0, this.lines.length - 1)) {
      found.push(...this.children(start, name, { blocks: false, deeper: false }));
    }
    return found[occurrence];
  }

  /** The line of a top-level `name = value` (a `.tfvars` file). */
  attributeLine(name: string): number | undefined {
    return this.linesMatching(attributePattern(name), 0, 0, this.lines.length - 1)[0];
  }

  /**
   * The line of an argument or nested block inside the block whose header is
   * on `blockLine`. Dotted paths descend (`environment.variables`,
   * `attribute[1].name`: an index picks the n-th nested block of that type).
   * When a deeper step is not found, the deepest line found is returned.
   */
  argumentLine(blockLine: number, argument: string): number | undefined {
    let parent = blockLine;
    let found: number | undefined;
    for (const { name, index } of parsePath(argument)) {
      // Keys inside a value may sit deeper than one bracket (`merge({`, `[{`); the block's own arguments never do.
      const line = this.children(parent, name, { blocks: true, deeper: found !== undefined })[index];
      if (line === undefined) return found;
      found = parent = line;
    }
    return found;
  }

  /** Lines where `name` starts directly inside the item starting on `parentLine` (or, with `deeper`, further in when nothing is direct). */
  private children(parentLine: number, name: string, options: { blocks: boolean; deeper: boolean }): number[] {
    const first = parentLine - 1;
    const last = this.itemEnd(first);
    const depth = this.starts[first]!.depth;
    const patterns = [attributePattern(name)];
    // Nested blocks: `name {`, `name "label" {`, `dynamic "name" {`.
    if (options.blocks) patterns.push(new RegExp(`^\\s*${escape(name)}(?:\\s+"[^"]*"|\\s+[\\w-]+)*\\s*\\{`), new RegExp(`^\\s*dynamic\\s+(?:"${escape(name)}"|${escape(name)})\\s*\\{`));
    const matches = (d: number | undefined) => this.linesMatchingAny(patterns, d, first + 1, last);
    const direct = matches(depth + 1);
    if (direct.length > 0 || !options.deeper) return direct;
    return matches(undefined).filter((line) => this.starts[line - 1]!.depth > depth);
  }

  /** 0-based index of the last line of the item starting at 0-based `first`. */
  private itemEnd(first: number): number {
    const depth = this.starts[first]!.depth;
    let index = first + 1;
    while (index < this.lines.length && this.starts[index]!.depth > depth) index++;
    return index - 1;
  }

  private linesMatching(pattern: RegExp, depth: number | undefined, first: number, last: number): number[] {
    return this.linesMatchingAny([pattern], depth, first, last);
  }

  /** 1-based numbers of unmasked lines in [first, last] (0-based) at `depth` (any when undefined) matching a pattern. */
  private linesMatchingAny(patterns: readonly RegExp[], depth: number | undefined, first: number, last: number): number[] {
    const out: number[] = [];
    for (let index = first; index <= last && index < this.lines.length; index++) {
      const start = this.starts[index]!;
      if (start.masked || (depth !== undefined && start.depth !== depth)) continue;
      if (patterns.some((pattern) => pattern.test(this.lines[index]!))) out.push(index + 1);
    }
    return out;
  }
}

function attributePattern(name: string): RegExp {
  // `=` but not `==`; object keys may be quoted and use `:`.
  return new RegExp(`^\\s*(?:${escape(name)}|"${escape(name)}")\\s*(?:=(?!=)|:)`);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** `a.b[1]["c"]` → a, b (index 1), c. */
function parsePath(argument: string): { name: string; index: number }[] {
  const segments = argument
    .replace(/\[(\d+)\]/g, ".$1")
    .replace(/\["([^"]*)"\]/g, ".$1")
    .split(".")
    .filter((segment) => segment !== "");
  const out: { name: string; index: number }[] = [];
  for (const segment of segments) {
    const last = out.at(-1);
    if (/^\d+$/.test(segment) && last !== undefined) last.index = Number(segment);
    else out.push({ name: segment, index: 0 });
  }
  return out;
}

/** Depth and masking at the start of every line. */
function scan(text: string): LineStart[] {
  const starts: LineStart[] = [{ depth: 0, masked: false }];
  const frames: Frame[] = [];
  let depth = 0;
  let blockComment = false;
  let heredoc: string | undefined;
  const newLine = () => starts.push({ depth, masked: blockComment || heredoc !== undefined || frames.length > 0 });

  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") {
      newLine();
      continue;
    }
    if (heredoc !== undefined) {
      // Only a line holding nothing but the marker ends a heredoc.
      const end = text.indexOf("\n", i);
      const line = text.slice(i, end === -1 ? text.length : end);
      if (line.trim() === heredoc) heredoc = undefined;
      i = (end === -1 ? text.length : end) - 1;
      continue;
    }
    if (blockComment) {
      if (c === "*" && text[i + 1] === "/") {
        blockComment = false;
        i++;
      }
      continue;
    }
    const top = frames.at(-1);
    if (top?.kind === "string") {
      if (c === "\\") i++;
      else if (c === '"') frames.pop();
      else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") i += 2; // $${ and %%{ are literal
      else if ((c === "$" || c === "%") && text[i + 1] === "{") {
        depth++;
        frames.push({ kind: "interpolation", depth });
        i++;
      }
      continue;
    }
    if (c === "#" || (c === "/" && text[i + 1] === "/")) {
      const end = text.indexOf("\n", i);
      i = (end === -1 ? text.length : end) - 1;
    } else if (c === "/" && text[i + 1] === "*") {
      blockComment = true;
      i++;
    } else if (c === '"') {
      frames.push({ kind: "string" });
    } else if (c === "<" && text[i + 1] === "<") {
      const marker = /^<<-?([A-Za-z_][\w-]*)[ \t]*\r?$/m.exec(text.slice(i, text.indexOf("\n", i) === -1 ? undefined : text.indexOf("\n", i)));
      if (marker) {
        heredoc = marker[1];
        const end = text.indexOf("\n", i);
        i = (end === -1 ? text.length : end) - 1;
      }
    } else if (c === "{" || c === "[" || c === "(") {
      depth++;
    } else if (c === "}" || c === "]" || c === ")") {
      depth--;
      if (top?.kind === "interpolation" && depth < top.depth) frames.pop();
    }
  }
  return starts;
}
