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
 * - it leaves blank lines where it dropped attributes; formatters keep them.
 */
export function tidyHcl(hcl: string): string {
  return hcl
    .replace(/(?<!\\)\\\$/g, "\\\\$")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/\n\s*\n(\s*\})/g, "\n$1");
}

/**
 * Terraform loads every .tf and .tf.json in a folder, so a cdk.tf left beside
 * cdk.tf.json declares every resource twice: a plain JSON synth (what
 * `cdktf deploy` runs) removes it.
 */
export function removeStackHcl(stackDir: string): void {
  rmSync(path.join(stackDir, HCL_FILE), { force: true });
}
