/**
 * What scanners' HCL parsers trip on: python-hcl2 (which checkov uses) ends a
 * `${…}` at its first `}`, so a brace anywhere inside one (an object, or a
 * regex quantifier in a quoted string) makes it give up on the whole file,
 * and the scan then passes it with zero checks.
 *
 * A scanner of its own, kept apart from stacks/hcl-output.ts on purpose: it
 * walks the text with a stack of contexts (code, string, interpolation) and
 * matches each `${` to its own closing brace, nested strings and their
 * interpolations included.
 */
type Context = { readonly kind: "code" } | { readonly kind: "string" } | { readonly kind: "interpolation"; readonly start: number; depth: number };

/** The text inside every `${…}` of `hcl`, nested ones too. */
export function interpolationsOf(hcl: string): string[] {
  const stack: Context[] = [{ kind: "code" }];
  const found: string[] = [];
  for (let i = 0; i < hcl.length; i++) {
    const top = stack[stack.length - 1]!;
    const c = hcl[i]!;
    if (top.kind === "string") {
      if (c === "\\") i++;
      else if (hcl.startsWith("$${", i) || hcl.startsWith("%%{", i)) i += 2;
      else if (hcl.startsWith("${", i) || hcl.startsWith("%{", i)) stack.push({ kind: "interpolation", start: i++, depth: 0 });
      else if (c === '"') stack.pop();
      else if (c === "\n") throw new Error(`string left open at offset ${i}`);
      continue;
    }
    if (top.kind === "code" && (c === "#" || hcl.startsWith("//", i))) {
      const nl = hcl.indexOf("\n", i);
      i = nl === -1 ? hcl.length : nl;
    } else if (c === '"') {
      stack.push({ kind: "string" });
    } else if (top.kind === "interpolation" && c === "{") {
      top.depth++;
    } else if (top.kind === "interpolation" && c === "}") {
      if (top.depth-- > 0) continue;
      stack.pop();
      if (hcl[top.start] === "$") found.push(hcl.slice(top.start + 2, i));
    }
  }
  if (stack.length !== 1) throw new Error(`HCL ends inside a ${stack[stack.length - 1]!.kind}`);
  return found;
}

/** The interpolations of `hcl` that hold a brace: what must be empty. */
export function bracedInterpolations(hcl: string): string[] {
  return interpolationsOf(hcl).filter((expression) => /[{}]/.test(expression));
}
