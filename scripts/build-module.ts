/**
 * `npm run module`: writes dist/terraform-module/, the stack as a plain
 * Terraform module (HCL, no backend, no provider configuration), for teams
 * that consume it with `module "chat" { source = "…" }` and keep state in
 * Terraform Cloud or anywhere else.
 *
 * It runs the cdktf app directly in module mode rather than through the cdktf
 * CLI, so it needs neither the CLI's start-up nor a terraform binary.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { format } from "@cdktf/hcl-tools";
import { splitModuleHcl } from "./module-files.ts";
import { moduleReadme } from "./module-readme.ts";
import { STACK_ID } from "../contract/stack.ts";
import { TERRAFORM_VERSION_RANGE } from "../stacks/chat-stack.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function buildModule(outDir = path.join(ROOT, "dist", "terraform-module")): Promise<string> {
  // A folder of its own per build: test files build modules in parallel.
  mkdirSync(path.join(ROOT, ".build"), { recursive: true });
  const synthDir = mkdtempSync(path.join(ROOT, ".build", "module-synth-"));
  step("synthesizing the stack in module mode (HCL)");
  execFileSync(process.execPath, ["--import", "tsx", path.join(ROOT, "main.ts")], {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, WSSTACK_MODE: "module", SYNTH_HCL_OUTPUT: "true", CDKTF_OUTDIR: synthDir },
  });
  const stackDir = path.join(synthDir, "stacks", STACK_ID);
  const hcl = await format(readFileSync(path.join(stackDir, "cdk.tf"), "utf8"));

  step(`writing ${path.relative(ROOT, outDir)}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const files = splitModuleHcl(hcl);
  files["versions.tf"] = requireTerraform(files["versions.tf"]);
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(path.join(outDir, name), await format(text));
  }
  cpSync(path.join(stackDir, "assets"), path.join(outDir, "assets"), { recursive: true });
  writeFileSync(path.join(outDir, "README.md"), await moduleReadme(files));
  shipHandWritten(outDir);
  rmSync(synthDir, { recursive: true, force: true });
  step(`done: ${Object.keys(files).join(", ")}, README.md, CHANGELOG.md, assets/, tests/, examples/`);
  return outDir;
}

/** versions.tf with `required_version`, which the stack cannot write through cdktf's HCL renderer. */
function requireTerraform(versions: string): string {
  if (!/^terraform \{\n/.test(versions)) throw new Error(`versions.tf must open with its terraform block:\n${versions}`);
  return versions.replace(/^terraform \{\n/, `terraform {\n  required_version = ${JSON.stringify(TERRAFORM_VERSION_RANGE)}\n`);
}

/** Where an example in this repository finds the module; inside the module it is two folders up. */
const EXAMPLE_SOURCE = 'source = "../../dist/terraform-module"';

/**
 * The hand-written parts of a registry module: module/CHANGELOG.md,
 * module/tests/ (`terraform test`, mock provider) and the repository's
 * examples/, each example's module source rewritten to `../..`.
 */
function shipHandWritten(outDir: string): void {
  cpSync(path.join(ROOT, "module", "CHANGELOG.md"), path.join(outDir, "CHANGELOG.md"));
  cpSync(path.join(ROOT, "module", "tests"), path.join(outDir, "tests"), { recursive: true });
  const local = (src: string) => !/(^|[\\/])(\.terraform(\.lock\.hcl)?|[^\\/]*\.tfstate(\.[^\\/]*)?)$/.test(src);
  for (const example of readdirSync(path.join(ROOT, "examples"))) {
    const dir = path.join(outDir, "examples", example);
    cpSync(path.join(ROOT, "examples", example), dir, { recursive: true, filter: local });
    const main = path.join(dir, "main.tf");
    const text = readFileSync(main, "utf8");
    if (!text.includes(EXAMPLE_SOURCE)) throw new Error(`examples/${example}/main.tf must call the module with ${EXAMPLE_SOURCE}`);
    writeFileSync(main, text.replaceAll(EXAMPLE_SOURCE, 'source = "../.."'));
  }
}

function step(message: string): void {
  process.stderr.write(`module: ${message}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildModule().catch((err: unknown) => {
    process.stderr.write(`module: failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
