import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { findTerraformTooling } from "../../terraform/terraform-cli.ts";

/** What Terraform made of one expression: its value as JSON, or that it failed. */
export type ConsoleResult = { readonly ok: unknown } | { readonly error: true };

/**
 * Evaluates single-line Terraform expressions with the real `terraform
 * console` (no configuration, so functions and literals only), all in one
 * process. The tests compare the emulator's evaluator with these answers, so
 * every expected value is Terraform's own.
 *
 * `terraform console` reading a pipe prints only its last result and stops at
 * the first error, so the expressions go in as one tuple, each inside
 * `try()`: a failing case is `{ error: true }` rather than the end of the run.
 * Terraform missing is a failure with an install hint (findTerraformTooling).
 *
 * @param files written to the console's working folder first, for file() and friends
 */
export function terraformConsole(expressions: readonly string[], files: Readonly<Record<string, string>> = {}): ConsoleResult[] {
  const tooling = findTerraformTooling();
  const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-console-"));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  for (const expression of expressions) {
    if (/[\r\n]/.test(expression)) throw new Error(`terraform console reads one line per expression: ${JSON.stringify(expression)}`);
  }
  const tuple = `jsonencode([${expressions.map((e) => `try({ ok = jsonencode(${e}) }, { error = true })`).join(", ")}])`;
  const out = execFileSync(tooling.binary, ["console", "-no-color"], {
    cwd: dir,
    input: `${tuple}\n`,
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", TF_IN_AUTOMATION: "1" },
    maxBuffer: 64 * 1024 * 1024,
  });
  // The console prints the string result as an HCL quoted string: JSON-compatible once trimmed.
  const results = JSON.parse(JSON.parse(out.trim()) as string) as ({ ok: string } | { error: true })[];
  if (results.length !== expressions.length) throw new Error(`terraform console answered ${results.length} results for ${expressions.length} expressions`);
  return results.map((r) => ("ok" in r ? { ok: JSON.parse(r.ok) as unknown } : { error: true }));
}
