/**
 * Renders a Terraform JSON document as HCL (native syntax), so a suite
 * written against JSON stacks also runs against the same stack as a team
 * would write it by hand.
 *
 * Terraform JSON and HCL share the template syntax, so a string value keeps
 * its `${…}` and `%{…}` parts verbatim: only the literal text between them
 * is escaped. A string that is exactly one `${expr}` becomes the bare
 * expression. Arrays of objects, and objects under a known nested block
 * name, become nested blocks; other objects become map attributes.
 *
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */

/** Nested block types of the resources the test stacks use, when JSON writes one as a plain object. */
const NESTED_BLOCKS = new Set([
  "environment",
  "attribute",
  "ttl",
  "default_route_settings",
  "route_settings",
  "global_secondary_index",
  "local_secondary_index",
  "point_in_time_recovery",
  "server_side_encryption",
  "access_log_settings",
  "cors_configuration",
  "statement",
  "principals",
  "condition",
  "tracing_config",
  "dead_letter_config",
  "destination_config",
  "on_failure",
  "on_success",
  "lifecycle",
  "source",
  "validation",
]);

const TOP_LEVEL_LABELS: Record<string, number> = { resource: 2, data: 2, variable: 1, output: 1, module: 1, provider: 1, locals: 0, terraform: 0 };

export function renderHcl(document: Record<string, unknown>): string {
  const out: string[] = [];
  for (const [kind, section] of Object.entries(document)) {
    if (kind === "//" || kind === "terraform") continue;
    const labels = TOP_LEVEL_LABELS[kind];
    if (labels === undefined) throw new Error(`renderHcl: top-level "${kind}" is not supported`);
    if (labels === 0) {
      for (const body of asList(section)) out.push(`${kind} {\n${renderBody(body, 1, kind)}}\n`);
      continue;
    }
    for (const [first, inner] of Object.entries(section as Record<string, unknown>)) {
      if (labels === 1) {
        for (const body of asList(inner)) out.push(`${kind} ${quote(first)} {\n${renderBody(body, 1, kind)}}\n`);
        continue;
      }
      for (const [second, body] of Object.entries(inner as Record<string, unknown>)) {
        for (const item of asList(body)) out.push(`${kind} ${quote(first)} ${quote(second)} {\n${renderBody(item, 1, kind)}}\n`);
      }
    }
  }
  return out.join("\n");
}

function asList(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
}

function renderBody(body: Record<string, unknown>, depth: number, kind: string): string {
  const pad = "  ".repeat(depth);
  let text = "";
  for (const [key, value] of Object.entries(body)) {
    if (key === "//") continue;
    // A variable's type is an expression written as a string in JSON ("map(any)").
    if (kind === "variable" && key === "type" && typeof value === "string") {
      text += `${pad}type = ${value.replace(/^\$\{(.*)\}$/s, "$1")}\n`;
      continue;
    }
    const isBlockList = Array.isArray(value) && value.length > 0 && value.every((v) => v !== null && typeof v === "object" && !Array.isArray(v));
    const isBlock = NESTED_BLOCKS.has(key) && ((value !== null && typeof value === "object" && !Array.isArray(value)) || isBlockList);
    if (isBlock || (isBlockList && kind !== "locals" && kind !== "output")) {
      for (const item of asList(value)) text += `${pad}${key} {\n${renderBody(item, depth + 1, "block")}${pad}}\n`;
      continue;
    }
    text += `${pad}${attributeName(key)} = ${renderValue(value, depth)}\n`;
  }
  return text;
}

function attributeName(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : quote(key);
}

function renderValue(value: unknown, depth: number): string {
  if (value === null) return "null";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return renderString(value);
  const pad = "  ".repeat(depth + 1);
  if (Array.isArray(value)) return value.length === 0 ? "[]" : `[\n${value.map((v) => `${pad}${renderValue(v, depth + 1)},\n`).join("")}${"  ".repeat(depth)}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== "//");
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${pad}${quote(k)} = ${renderValue(v, depth + 1)}\n`).join("")}${"  ".repeat(depth)}}`;
}

/** A JSON string as HCL: the bare expression when it is one `${…}`, else a quoted template with only its literal text escaped. */
function renderString(value: string): string {
  const parts = templateParts(value);
  if (parts.length === 1 && parts[0]!.kind === "sequence" && parts[0]!.text.startsWith("${")) return parts[0]!.text.slice(2, -1).trim();
  return `"${parts.map((p) => (p.kind === "sequence" ? p.text : escapeLiteral(p.text))).join("")}"`;
}

/** Splits a template into literal text and `${…}`/`%{…}` sequences (kept verbatim; `$${` and `%%{` are literal escapes). */
function templateParts(value: string): { kind: "text" | "sequence"; text: string }[] {
  const parts: { kind: "text" | "sequence"; text: string }[] = [];
  let text = "";
  let i = 0;
  while (i < value.length) {
    if ((value.startsWith("$${", i) || value.startsWith("%%{", i))) {
      text += value.slice(i, i + 3);
      i += 3;
      continue;
    }
    if (value.startsWith("${", i) || value.startsWith("%{", i)) {
      const end = closingBrace(value, i + 2);
      if (text !== "") parts.push({ kind: "text", text });
      text = "";
      parts.push({ kind: "sequence", text: value.slice(i, end + 1) });
      i = end + 1;
      continue;
    }
    text += value[i];
    i += 1;
  }
  if (text !== "" || parts.length === 0) parts.push({ kind: "text", text });
  return parts;
}

/** The index of the `}` that closes a sequence opened before `start`, skipping nested braces and quoted strings. */
function closingBrace(value: string, start: number): number {
  let depth = 1;
  for (let i = start; i < value.length; i += 1) {
    const ch = value[i];
    if (ch === '"') {
      for (i += 1; i < value.length && value[i] !== '"'; i += 1) if (value[i] === "\\") i += 1;
    } else if (ch === "{") depth += 1;
    else if (ch === "}") {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  throw new Error(`renderHcl: unclosed template sequence in ${JSON.stringify(value)}`);
}

function escapeLiteral(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
}

function quote(text: string): string {
  return `"${escapeLiteral(text)}"`;
}
