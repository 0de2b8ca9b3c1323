import { parse } from "@cdktf/hcl2json";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HCL_FILE, hclInterpolations, removeStackHcl, tidyHcl, writeStackHcl } from "../../stacks/hcl-output.ts";
import { bracedInterpolations, interpolationsOf } from "./hcl-scan.ts";
import { synthChatStack } from "./synth-helpers.ts";

// The deployment trigger and a variable validation as cdktf wrote them before
// this check: both hold braces inside their `${…}`.
const OLD_TRIGGER = 'redeployment = "${sha1(jsonencode([{ "key" = "$connect", "target" = aws_apigatewayv2_route.r.target }]))}"\n';
const OLD_CONDITION = 'condition = "${can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))}"\n';

describe("stack HCL (npm run synth)", () => {
  it("writeStackHcl: the HCL parses and declares the same resources as the JSON", async () => {
    // GIVEN the synthesized stack
    const { stack, tf } = synthChatStack();
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-"));
    // WHEN its HCL twin is written
    await writeStackHcl(stack, dir);
    const text = readFileSync(path.join(dir, HCL_FILE), "utf8");
    const hcl = await parse(HCL_FILE, text);
    // THEN no interpolation holds a brace (what scanners' HCL parsers give up on)…
    expect(interpolationsOf(text).length).toBeGreaterThan(20);
    expect(bracedInterpolations(text)).toEqual([]);
    expect(text).toMatch(/^\s*redeployment = "\$\{sha1\(join\(",", (concat\()?\[/m);
    // THEN every resource of the JSON is there, and so is every moved block, and the escapes survived
    for (const [type, resources] of Object.entries(tf.resource)) {
      expect(Object.keys(hcl.resource[type] ?? {}).sort(), type).toEqual(Object.keys(resources).sort());
    }
    expect(Object.keys(hcl.variable).sort()).toEqual(Object.keys(tf.variable!).sort());
    const moves = (blocks: { from: string; to: string }[]) => blocks.map(({ from, to }) => `${from} -> ${to}`.replace(/\$\{|\}/g, "")).sort();
    expect(moves(hcl.moved as { from: string; to: string }[])).toEqual(moves((tf as { moved?: { from: string; to: string }[] }).moved ?? []));
    expect(hcl.moved.length).toBeGreaterThan(100);
    const mock = Object.values(hcl.resource.aws_apigatewayv2_integration as Record<string, { integration_type: string; template_selection_expression?: string }[]>)
      .map(([i]) => i!)
      .find((i) => i.integration_type === "MOCK");
    expect(mock?.template_selection_expression).toBe("\\$default");
  });

  it("scanner: finds braces inside an interpolation, in objects and in quoted strings alike", () => {
    expect(bracedInterpolations(OLD_TRIGGER)).toHaveLength(1);
    expect(bracedInterpolations(OLD_CONDITION)).toEqual(['can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))']);
    expect(bracedInterpolations('a = "${x}-{y}"\nb = { c = "${d}" }\ne = "$${f{}}"\n')).toEqual([]);
    expect(interpolationsOf('a = "${f("${g}")}"\n').sort()).toEqual(['f("${g}")', "g"]);
    // The production scanner agrees on what the interpolations are.
    for (const text of [OLD_TRIGGER, OLD_CONDITION, 'a = "${f("${g}")}-${h}"\n']) {
      expect(hclInterpolations(text).map((i) => i.expression).sort()).toEqual(interpolationsOf(text).sort());
    }
  });

  it("tidyHcl: a string that is one interpolation holding a brace becomes the bare expression", () => {
    expect(tidyHcl(OLD_CONDITION)).toBe('condition = can(regex("^[a-zA-Z][a-zA-Z0-9-]{0,31}$", var.name_prefix))\n');
    expect(bracedInterpolations(tidyHcl(OLD_TRIGGER))).toEqual([]);
    expect(tidyHcl('list = ["${f({ a = 1 })}", "${b}"]\n')).toBe('list = [f({ a = 1 }), "${b}"]\n');
  });

  it("tidyHcl: depends_on lists references, not the quoted strings Terraform warns are deprecated", () => {
    expect(tidyHcl('depends_on = [\n  "aws_iam_role.a",\n  "aws_apigatewayv2_route.b",\n]\nname = "aws_iam_role.a"\n')).toBe(
      'depends_on = [\n  aws_iam_role.a,\n  aws_apigatewayv2_route.b,\n]\nname = "aws_iam_role.a"\n',
    );
  });

  it("tidyHcl: leaves templates, escapes, object keys and strip markers as they are", () => {
    const kept = [
      'role = "${aws_iam_role.r.id}"\n',
      'seconds = "${var.days * 86400}"\n',
      'name = "${var.prefix}-chat"\n',
      'both = "${a}${b}"\n',
      'escaped = "$${not.an.interpolation}"\n',
      'm = {\n  "${f({})}" = 1\n  "${g({})}": 2\n}\n',
      'trimmed = "${~ f({}) ~}"\n',
      'plain = "$default"\n',
      '# a comment with "${quotes}"\n',
    ];
    for (const text of kept) expect(tidyHcl(text)).toBe(text);
  });

  it("removeStackHcl: a JSON synth removes the HCL twin, so Terraform never loads both", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-"));
    writeFileSync(path.join(dir, HCL_FILE), "# stale\n");
    removeStackHcl(dir);
    expect(() => readFileSync(path.join(dir, HCL_FILE))).toThrow(/ENOENT/);
    expect(() => removeStackHcl(dir)).not.toThrow();
  });

  it("tidyHcl: doubles lone backslashes before $ and drops blank lines before a closing brace", () => {
    expect(tidyHcl('a = "\\$default"\nb = "\\\\$x"\n')).toBe('a = "\\\\$default"\nb = "\\\\$x"\n');
    expect(tidyHcl("x {\n  y = 1\n\n\n}\n")).toBe("x {\n  y = 1\n}\n");
  });
});
