import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findTerraformTooling } from "../../terraform/terraform-cli.ts";

/** A variable to declare: its type constraint and the value a tfvars file gives it, both as HCL text. */
export interface VariableCase {
  readonly type: string;
  readonly value: string;
}

/** What Terraform made of one variable: its converted value as JSON, or its error message (without the location). */
export type VariableResult = { readonly ok: unknown } | { readonly error: string };

/**
 * Declares one variable per case with the real Terraform, sets each from a
 * `terraform.tfvars`, and reports the converted value or Terraform's error,
 * so type-constraint tests compare with Terraform's own conversions.
 *
 * A configuration with only `variable` blocks needs no `init`. Terraform
 * reports every unsuitable value at once, then cannot evaluate anything; so a
 * first `terraform console` run collects the errors, and a second, with the
 * failing variables set to null, prints the others with `jsonencode`.
 */
export function terraformVariables(cases: readonly VariableCase[]): VariableResult[] {
  const tooling = findTerraformTooling();
  const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-variables-"));
  for (const c of cases) {
    if (/[\r\n]/.test(c.type + c.value)) throw new Error(`one line per type and value: ${JSON.stringify(c)}`);
  }
  writeFileSync(path.join(dir, "main.tf"), cases.map((c, i) => `variable "v${i}" {\n  type = ${c.type}\n}\n`).join(""));
  const run = (values: readonly string[]): { status: number | null; output: string } => {
    writeFileSync(path.join(dir, "terraform.tfvars"), values.map((value, i) => `v${i} = ${value}\n`).join(""));
    const result = spawnSync(tooling.binary, ["console", "-no-color"], {
      cwd: dir,
      input: `jsonencode([${cases.map((_, i) => `var.v${i}`).join(", ")}])\n`,
      encoding: "utf8",
      env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  };

  const first = run(cases.map((c) => c.value));
  const errors = new Map<number, string>();
  // "The given value is not suitable for var.v3 declared at main.tf:10,1-13: <message>." wrapped over lines, up to a blank line.
  for (const paragraph of first.output.split(/\n\s*\n/)) {
    const text = paragraph.replace(/\s*\n\s*/g, " ").trim();
    const match = /^The given value is not suitable for var\.v(\d+) declared at \S+?:[\d,-]+: (.*)\.$/s.exec(text);
    if (match) errors.set(Number(match[1]), match[2]!);
  }
  let values: unknown[];
  if (errors.size === 0 && first.status === 0) {
    values = parseConsoleString(first.output);
  } else {
    if (errors.size === 0) throw new Error(`terraform console failed without a variable error:\n${first.output}`);
    const second = run(cases.map((c, i) => (errors.has(i) ? "null" : c.value)));
    if (second.status !== 0) throw new Error(`terraform console failed with the unsuitable values removed:\n${second.output}`);
    values = parseConsoleString(second.output);
  }
  return cases.map((_, i) => (errors.has(i) ? { error: errors.get(i)! } : { ok: values[i] }));
}

// The console prints the jsonencode string as an HCL quoted string, which reads as JSON.
function parseConsoleString(output: string): unknown[] {
  const line = output.split("\n").find((l) => l.startsWith('"'));
  if (line === undefined) throw new Error(`no result in terraform console output:\n${output}`);
  return JSON.parse(JSON.parse(line) as string) as unknown[];
}
