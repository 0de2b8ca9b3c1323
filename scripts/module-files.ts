/**
 * Splits one formatted HCL file into the files a Terraform module is expected
 * to have (the terraform-aws-modules layout): versions.tf, variables.tf,
 * outputs.tf and main.tf for everything else.
 */
import { tidyHcl } from "../stacks/hcl-output.ts";

export type ModuleFiles = Record<"versions.tf" | "variables.tf" | "outputs.tf" | "main.tf", string>;

const FILE_OF_BLOCK: Record<string, keyof ModuleFiles> = {
  terraform: "versions.tf",
  variable: "variables.tf",
  output: "outputs.tf",
};

export function splitModuleHcl(hcl: string): ModuleFiles {
  const files: ModuleFiles = { "versions.tf": "", "variables.tf": "", "outputs.tf": "", "main.tf": "" };
  for (const block of topLevelBlocks(hcl)) {
    const type = block.slice(0, block.search(/[\s{]/));
    // cdktf insists on a provider construct and its HCL renderer ignores the
    // override that removes it; a module must leave providers to its caller.
    if (type === "provider") continue;
    files[FILE_OF_BLOCK[type] ?? "main.tf"] += `${tidyHcl(block)}\n\n`;
  }
  return files;
}


/** The top-level blocks of formatted HCL: each opens at column 0 and closes with a lone `}`. */
export function topLevelBlocks(hcl: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of hcl.split("\n")) {
    if (!current) {
      if (line.trim() === "" || line.startsWith("#") || line.startsWith("//")) continue;
      if (/^\S.*\{\s*\}$/.test(line)) {
        blocks.push(line);
        continue;
      }
      if (!/^[a-z_]+( "[^"]+")* \{$/.test(line)) throw new UnexpectedHclError(line);
      current = [line];
      continue;
    }
    current.push(line);
    if (line === "}") {
      blocks.push(current.join("\n"));
      current = undefined;
    }
  }
  if (current) throw new UnexpectedHclError(current[0]!);
  return blocks;
}

/** The HCL was not in the layout `hcl-tools format` produces. */
export class UnexpectedHclError extends Error {
  constructor(line: string) {
    super(`Unexpected top-level HCL line (was the file formatted?): ${line}`);
    this.name = "UnexpectedHclError";
  }
}
