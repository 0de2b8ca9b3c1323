import type { Expression, TemplatePart } from "./ast.ts";

/**
 * Turns the flat sequence a template scan yields (text, `${…}`, `%{…}`
 * markers) into {@link TemplatePart} trees, applying HCL's whitespace rules
 * in HCL's order: strip markers first, then heredoc flushing, then joining.
 *
 * Text comes in the pieces HCL's scanner makes, one per source line in
 * heredocs and JSON templates (a piece ends after its newline), because a
 * strip marker trims only the neighbouring piece: in `"a \n  ${~x}"` from
 * JSON only the two spaces go, the newline stays.
 *
 * @see https://github.com/hashicorp/hcl/blob/main/hclsyntax/parser_template.go
 */

interface Strip {
  /** `${~` / `%{~`: trim whitespace at the end of the text before. */
  readonly stripLeft: boolean;
  /** `~}`: trim whitespace at the start of the text after. */
  readonly stripRight: boolean;
}

export type FlatItem =
  | { kind: "text"; text: string }
  | ({ kind: "interpolation"; expression: Expression } & Strip)
  | ({ kind: "if"; condition: Expression } & Strip)
  | ({ kind: "for"; keyVar?: string; valueVar: string; collection: Expression } & Strip)
  | ({ kind: "else" | "endif" | "endfor" } & Strip);

/** Applies `~` strip markers to the neighbouring text pieces, in place. */
export function applyStripMarkers(items: FlatItem[]): void {
  items.forEach((item, i) => {
    if (item.kind === "text") return;
    const before = items[i - 1];
    const after = items[i + 1];
    if (item.stripLeft && before?.kind === "text") before.text = before.text.trimEnd();
    if (item.stripRight && after?.kind === "text") after.text = after.text.trimStart();
  });
}

/**
 * `<<-` heredocs: removes the smallest indentation of all lines from each
 * line. Lines that are only whitespace do not count, and a line that starts
 * with an interpolation counts as unindented, as in HCL.
 */
export function flushHeredoc(items: FlatItem[]): void {
  let min = Infinity;
  let lineStart = true;
  const indented: { kind: "text"; text: string }[] = [];
  for (const item of items) {
    if (lineStart) {
      lineStart = false;
      if (item.kind !== "text") min = 0;
      else {
        const spaces = item.text.length - item.text.trimStart().length;
        const blank = spaces === item.text.length && item.text.endsWith("\n");
        if (!blank) {
          min = Math.min(min, spaces);
          indented.push(item);
        }
      }
    }
    if (item.kind === "text" && item.text.endsWith("\n")) lineStart = true;
  }
  for (const item of indented) item.text = item.text.slice(min);
}

/** Builds the part tree: joins adjacent text and nests `%{if}`/`%{for}` bodies. */
export function buildTemplateParts(items: readonly FlatItem[], fail: (detail: string) => never): TemplatePart[] {
  let i = 0;
  const parse = (until: readonly string[]): { parts: TemplatePart[]; end: string } => {
    const parts: TemplatePart[] = [];
    while (i < items.length) {
      const item = items[i]!;
      i += 1;
      switch (item.kind) {
        case "text": {
          const last = parts.at(-1);
          if (last?.kind === "text") parts[parts.length - 1] = { kind: "text", text: last.text + item.text };
          else if (item.text !== "") parts.push({ kind: "text", text: item.text });
          break;
        }
        case "interpolation":
          parts.push({ kind: "interpolation", expression: item.expression, stripLeft: item.stripLeft, stripRight: item.stripRight });
          break;
        case "if": {
          const then = parse(["else", "endif"]);
          const otherwise = then.end === "else" ? parse(["endif"]).parts : [];
          parts.push({ kind: "if", condition: item.condition, then: then.parts, otherwise });
          break;
        }
        case "for": {
          const body = parse(["endfor"]).parts;
          parts.push({ kind: "for", ...(item.keyVar === undefined ? {} : { keyVar: item.keyVar }), valueVar: item.valueVar, collection: item.collection, body });
          break;
        }
        default:
          if (!until.includes(item.kind)) fail(`Unexpected %{${item.kind}} directive`);
          return { parts, end: item.kind };
      }
    }
    if (until.length > 0) fail(`Unterminated template directive: expected %{${until.at(-1)}}`);
    return { parts, end: "" };
  };
  return parse([]).parts;
}
