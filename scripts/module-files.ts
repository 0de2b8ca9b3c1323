/**
 * Splits one formatted HCL file into the files a Terraform module is expected
 * to have (the terraform-aws-modules layout): versions.tf, variables.tf,
 * outputs.tf, moved.tf when there are `moved` blocks, and main.tf for
 * everything else.
 */
import { tidyHcl } from "../stacks/hcl-output.ts";

export type ModuleFiles = Record<"versions.tf" | "variables.tf" | "outputs.tf" | "main.tf", string> & {
  /** The `moved` blocks, when there are any: history, kept apart from what the module makes. */
  "moved.tf"?: string;
};

/** What moved.tf says before its blocks. */
export const MOVED_HEADER = `# Where resources were before, so state made by an older release of this
# module follows each one to its address now, with no destroy and create.
# Releases up to e98a89c used addresses cdktf generated from its construct
# paths (aws_lambda_function.Chat_OnMessageFunction_CF044908); since then
# they are named as hand-written Terraform (aws_lambda_function.on_message).
# Keep these blocks: removing one makes Terraform plan to destroy the old
# address and create the new one.`;

const FILE_OF_BLOCK: Record<string, keyof ModuleFiles> = {
  terraform: "versions.tf",
  variable: "variables.tf",
  output: "outputs.tf",
  moved: "moved.tf",
};

export function splitModuleHcl(hcl: string): ModuleFiles {
  const files: ModuleFiles = { "versions.tf": "", "variables.tf": "", "outputs.tf": "", "main.tf": "" };
  for (const block of topLevelBlocks(hcl)) {
    const type = block.slice(0, block.search(/[\s{]/));
    // cdktf insists on a provider construct and its HCL renderer ignores the
    // override that removes it; a module must leave providers to its caller.
    if (type === "provider") continue;
    const file = FILE_OF_BLOCK[type] ?? "main.tf";
    const text = type === "moved" ? fromBeforeTo(block) : tidyHcl(block);
    files[file] = `${files[file] ?? (file === "moved.tf" ? `${MOVED_HEADER}\n\n` : "")}${text}\n\n`;
  }
  return files;
}


// cdktf writes `to` first; Terraform's documentation and hand-written modules say `from` first.
function fromBeforeTo(block: string): string {
  const from = /^\s*from\s*=\s*(\S+)\s*$/m.exec(block)?.[1];
  const to = /^\s*to\s*=\s*(\S+)\s*$/m.exec(block)?.[1];
  if (!from || !to) throw new UnexpectedHclError(block.split("\n")[0]!);
  return `moved {\n  from = ${from}\n  to   = ${to}\n}`;
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
