import { format } from "@cdktf/hcl-tools";
import type { TerraformStack } from "cdktf";
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** The HCL twin of a synthesized stack, written beside its cdk.tf.json. */
export const HCL_FILE = "cdk.tf";

/**
 * Writes the stack as formatted HCL in the same synth as the JSON, so one
 * `cdktf synth` gives both (the CLI's own `--hcl` would need a second run).
 */
export async function writeStackHcl(stack: TerraformStack, stackDir: string): Promise<void> {
  const { hcl } = stack.toHclTerraform() as { hcl: string };
  writeFileSync(path.join(stackDir, HCL_FILE), tidyHcl(await format(hcl)));
}

/**
 * Mends what cdktf's HCL renderer gets wrong:
 * - it copies backslashes into HCL strings unescaped, so the JSON string
 *   `\$default` (API Gateway's static-key syntax) becomes the invalid HCL
 *   escape `"\$default"`; `\$` is never valid HCL, so each one is doubled;
 * - it leaves blank lines where it dropped attributes; formatters keep them;
 * - it quotes the references of `depends_on`, which Terraform warns are
 *   deprecated (the JSON form wants them quoted, so only the HCL is mended);
 * - it writes every expression as a string of one interpolation,
 *   `"${expr}"`. Older python-hcl2 releases (a parser security scanners use)
 *   end an interpolation at its first `}`, so one holding a brace, such as
 *   the `{1,64}` of a validation's regex, made them give up on the whole
 *   file. Such a string becomes the bare `expr`: the same value in HCL (a
 *   template of one interpolation yields its expression's value
 *   unconverted). Only those: the same parsers misread some bare
 *   expressions, e.g. `x * 86400` followed by another map entry.
 */
export function tidyHcl(hcl: string): string {
  return unwrapInterpolationOnlyStrings(
    hcl
      .replace(/(?<!\\)\\\$/g, "\\\\$")
      .replace(/\n{3,}/g, "\n\n")
      .replace(/\n\s*\n(\s*\})/g, "\n$1")
      .replace(/(\bdepends_on\s*=\s*\[)([^\]]*)\]/g, (_, head: string, list: string) => `${head}${list.replace(/"([A-Za-z_][\w.-]*)"/g, "$1")}]`),
  );
}

/** A `${…}` in HCL: where it starts (at `$`) and ends (past `}`), and the expression inside. */
export interface HclInterpolation {
  readonly start: number;
  readonly end: number;
  readonly expression: string;
}

/**
 * Every `${…}` of an HCL file, nested ones included, each matched to its own
 * closing brace: braces of objects, and quoted strings (with their own
 * interpolations) inside it, are tracked. `$${` is an escape, not one.
 */
export function hclInterpolations(hcl: string): HclInterpolation[] {
  const found: HclInterpolation[] = [];
  forEachTopLevelString(hcl, (start) => scanString(hcl, start, found));
  return found;
}

/** `name = "${expr}"` → `name = expr` when `expr` holds a brace; object keys and any other string stay as they are. */
function unwrapInterpolationOnlyStrings(hcl: string): string {
  let out = "";
  let copied = 0;
  forEachTopLevelString(hcl, (start) => {
    const inner: HclInterpolation[] = [];
    const end = scanString(hcl, start, inner);
    const only = inner[0];
    const isWhole = only !== undefined && only.start === start + 1 && only.end === end - 1;
    const stripMarker = isWhole && (only.expression.startsWith("~") || only.expression.endsWith("~"));
    const isKey = /^[ \t]*(=(?!=)|:)/.test(hcl.slice(end, end + 20));
    if (isWhole && !stripMarker && !isKey && /[{}]/.test(only.expression)) {
      out += hcl.slice(copied, start) + only.expression.trim();
      copied = end;
    }
    return end;
  });
  return out + hcl.slice(copied);
}

// Calls `onString` with the index of each quoted string outside any string;
// it returns the index past that string. Comments and heredocs are skipped.
function forEachTopLevelString(hcl: string, onString: (start: number) => number): void {
  let i = 0;
  while (i < hcl.length) {
    const c = hcl[i]!;
    if (c === "#" || hcl.startsWith("//", i)) {
      const nl = hcl.indexOf("\n", i);
      i = nl === -1 ? hcl.length : nl;
    } else if (hcl.startsWith("/*", i)) {
      const close = hcl.indexOf("*/", i + 2);
      i = close === -1 ? hcl.length : close + 2;
    } else if (hcl.startsWith("<<", i)) {
      const heredoc = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(hcl.slice(i, i + 80));
      if (!heredoc) {
        i += 2;
        continue;
      }
      const close = new RegExp(`\\n[ \\t]*${heredoc[1]}[ \\t]*(\\r?\\n|$)`).exec(hcl.slice(i));
      i = close ? i + close.index + close[0].length : hcl.length;
    } else if (c === '"') {
      i = onString(i);
    } else {
      i++;
    }
  }
}

// From the opening quote at `start`: records the string's interpolations
// (nested ones too) and returns the index past its closing quote.
function scanString(hcl: string, start: number, found: HclInterpolation[]): number {
  let i = start + 1;
  while (i < hcl.length) {
    const c = hcl[i]!;
    if (c === "\\") i += 2;
    else if (hcl.startsWith("$${", i) || hcl.startsWith("%%{", i)) i += 3;
    else if (hcl.startsWith("${", i) || hcl.startsWith("%{", i)) i = scanInterpolation(hcl, i, found);
    else if (c === '"') return i + 1;
    else if (c === "\n") break;
    else i++;
  }
  throw new UnterminatedHclError(hcl, start);
}

// From `${` (or `%{`) at `start`: returns the index past its closing brace.
function scanInterpolation(hcl: string, start: number, found: HclInterpolation[]): number {
  const slot = found.length;
  let depth = 0;
  let i = start + 2;
  while (i < hcl.length) {
    const c = hcl[i]!;
    if (c === '"') {
      i = scanString(hcl, i, found);
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && depth-- === 0) {
      if (hcl[start] === "$") found.splice(slot, 0, { start, end: i + 1, expression: hcl.slice(start + 2, i) });
      return i + 1;
    }
    i++;
  }
  throw new UnterminatedHclError(hcl, start);
}

/** A string or interpolation that never ends: not HCL cdktf would write. */
export class UnterminatedHclError extends Error {
  constructor(hcl: string, at: number) {
    const line = hcl.slice(0, at).split("\n").length;
    super(`Unterminated HCL string or interpolation at line ${line}: ${hcl.slice(at, at + 60)}`);
    this.name = "UnterminatedHclError";
  }
}

/**
 * Terraform loads every .tf and .tf.json in a folder, so a cdk.tf left beside
 * cdk.tf.json declares every resource twice: a plain JSON synth (what
 * `cdktf deploy` runs) removes it.
 */
export function removeStackHcl(stackDir: string): void {
  rmSync(path.join(stackDir, HCL_FILE), { force: true });
}
