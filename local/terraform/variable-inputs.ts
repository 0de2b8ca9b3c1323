import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { ConfigurationError } from "./errors.ts";
import { HclLines } from "./hcl-lines.ts";
import { parseHcl, parseJson, type VariableBlock } from "./load-module.ts";
import { isObject } from "./values.ts";

/**
 * Collects the values given for a root module's variables, from every place
 * Terraform reads them, in its precedence order (later wins):
 * `TF_VAR_name` environment variables, `terraform.tfvars`,
 * `terraform.tfvars.json`, `*.auto.tfvars` / `*.auto.tfvars.json` in lexical
 * order, then `-var-file` and `-var` in command-line order. Defaults are not
 * inputs: they stay on the {@link VariableBlock}.
 *
 * Values are collected, not evaluated: how to read each one is in its `form`.
 *
 * @see https://developer.hashicorp.com/terraform/language/values/variables#variable-definition-precedence
 */

export interface VariableInput {
  readonly name: string;
  /**
   * How to read `value`: `literal` from JSON tfvars (Terraform reads them
   * without templates: `"${x}"` is that text); `raw` from HCL tfvars, as
   * hcl2json gives it (strings are templates, `"$${x}"` an escaped `${x}`);
   * `text` from `-var` and `TF_VAR_`, parsed per the variable's type.
   */
  readonly form: "literal" | "raw" | "text";
  readonly value: unknown;
  /** Where it came from: `terraform.tfvars:3`, `routes.auto.tfvars.json`, `-var`, `TF_VAR_stage_name`, `-var-file=dev.tfvars:2`. */
  readonly origin: string;
}

/** One `-var` or `-var-file` argument; Terraform applies them in the order given. */
export interface CommandLineVariable {
  readonly kind: "var" | "var-file";
  /** `name=value` for `var`, a path for `var-file`. */
  readonly value: string;
}

export interface VariableInputOptions {
  /** `-var-file` paths. Applied before `vars` and `commandLine`; give `commandLine` when the two kinds interleave. */
  readonly varFiles?: readonly string[];
  /** `-var` values, `name=value`. Applied after `varFiles`, before `commandLine`. */
  readonly vars?: readonly string[];
  /** `-var` and `-var-file` arguments in the order they were given on the command line. */
  readonly commandLine?: readonly CommandLineVariable[];
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The folder `-var-file` paths are relative to. @default process.cwd() */
  readonly cwd?: string;
}

const ENV_PREFIX = "TF_VAR_";

/**
 * @param rootDir the root module folder; terraform.tfvars and the auto files are read from it
 * @param declared the root module's variables, to refuse or warn about values for undeclared ones
 * @returns the winning input for each variable, and warnings (values in files for undeclared variables)
 */
export async function collectVariableInputs(
  rootDir: string,
  declared: ReadonlyMap<string, VariableBlock>,
  options: VariableInputOptions = {},
): Promise<{ inputs: Map<string, VariableInput>; warnings: string[] }> {
  const collected = new Map<string, VariableInput & { readonly fromFile?: string }>();
  const set = (input: VariableInput & { readonly fromFile?: string }) => collected.set(input.name, input);

  const env = options.env ?? process.env;
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith(ENV_PREFIX) || value === undefined) continue;
    const name = key.slice(ENV_PREFIX.length);
    // Terraform ignores TF_VAR_ for undeclared names: they are often set globally for many configurations.
    if (declared.has(name)) set({ name, form: "text", value, origin: key });
  }

  for (const name of autoFileNames(rootDir)) {
    for (const input of await readVariableFile(path.join(rootDir, name), name, name)) set(input);
  }

  const cwd = options.cwd ?? process.cwd();
  const commandLine: CommandLineVariable[] = [
    ...(options.varFiles ?? []).map((value) => ({ kind: "var-file" as const, value })),
    ...(options.vars ?? []).map((value) => ({ kind: "var" as const, value })),
    ...(options.commandLine ?? []),
  ];
  for (const argument of commandLine) {
    if (argument.kind === "var-file") {
      for (const input of await readVariableFile(path.resolve(cwd, argument.value), argument.value, `-var-file=${argument.value}`)) set(input);
    } else {
      const { name, value } = parseVarArgument(argument.value);
      set({ name, form: "text", value, origin: "-var" });
    }
  }

  // Like Terraform, judge undeclared names by where their final value came from.
  const inputs = new Map<string, VariableInput>();
  const warnings: string[] = [];
  for (const [name, input] of collected) {
    const { fromFile, ...plain } = input;
    if (declared.has(name)) {
      inputs.set(name, plain);
    } else if (fromFile === undefined) {
      throw new ConfigurationError(
        { file: "command line", address: `var.${name}` },
        `Value for undeclared variable: a variable named "${name}" was assigned on the command line, but the root module does not declare a variable of that name`,
        `To use this value, add a "variable" block to the configuration${suggestion(name, declared)}`,
      );
    } else {
      warnings.push(
        `${input.origin}: Value for undeclared variable: the root module does not declare a variable named "${name}" but a value was found in file "${fromFile}". If you meant to use this value, add a "variable" block to the configuration${suggestion(name, declared)}`,
      );
    }
  }
  return { inputs, warnings };
}

/** terraform.tfvars, terraform.tfvars.json, then the auto files in lexical order: the order Terraform reads them in. */
function autoFileNames(rootDir: string): string[] {
  const isFile = (name: string) => statSync(path.join(rootDir, name), { throwIfNoEntry: false })?.isFile() === true;
  const auto = readdirSync(rootDir)
    .filter((name) => (name.endsWith(".auto.tfvars") || name.endsWith(".auto.tfvars.json")) && isFile(name))
    // Go's ReadDir sorts by bytes.
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return [...["terraform.tfvars", "terraform.tfvars.json"].filter(isFile), ...auto];
}

/**
 * The assignments of one `.tfvars` or `.tfvars.json` file.
 * @param display the name in messages and origins (the path as the user gave it)
 * @param origin the origin prefix: the file name, or `-var-file=<path>`
 */
async function readVariableFile(file: string, display: string, origin: string): Promise<(VariableInput & { fromFile: string })[]> {
  const where = { file: display, address: "variable definitions" };
  if (!existsSync(file)) throw new ConfigurationError(where, `Failed to read variables file: given variables file ${display} does not exist`, "Check the path (it is relative to the folder wsstack runs in)");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigurationError(where, `Failed to read variables file: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (file.endsWith(".json")) {
    const document = parseJson(text, display);
    return Object.entries(document)
      .filter(([name]) => name !== "//") // a comment, as in every Terraform JSON object body
      .map(([name, value]) => ({ name, form: "literal", value, origin, fromFile: display }));
  }
  const document = await parseHcl(text, display);
  const lines = new HclLines(text);
  // A common mistake: a `variable "x" {}` block where `x = value` belongs. hcl2json shows it as { variable: { x: [...] } }.
  const declaredHere = isObject(document.variable) ? Object.keys(document.variable).find((name) => lines.blockLine("variable", [name]) !== undefined) : undefined;
  if (declaredHere !== undefined) {
    throw new ConfigurationError(
      { ...where, line: lines.blockLine("variable", [declaredHere]) },
      "Variable declaration in .tfvars file: a .tfvars file is used to assign values to variables that have already been declared in .tf files, not to declare new variables",
      `To declare variable "${declaredHere}", place this block in one of your .tf files, such as variables.tf; to set its value here, write ${declaredHere} = <value>`,
    );
  }
  return Object.entries(document).map(([name, value]) => {
    const line = lines.attributeLine(name);
    return { name, form: "raw", value, origin: line === undefined ? origin : `${origin}:${line}`, fromFile: display };
  });
}

/** `name=value` as Terraform splits it: at the first `=`, and a name ending in a space is a mistake. */
function parseVarArgument(raw: string): { name: string; value: string } {
  const eq = raw.indexOf("=");
  const where = { file: "command line", address: `-var "${raw}"` };
  if (eq === -1) {
    throw new ConfigurationError(where, "Invalid -var option: it must be a variable name and value separated by an equals sign", `Write it like --var "key=value"`);
  }
  const name = raw.slice(0, eq);
  const value = raw.slice(eq + 1);
  if (name.endsWith(" ")) {
    throw new ConfigurationError(where, `Invalid -var option: variable name "${name}" is invalid due to trailing space`, `Did you mean --var "${name.trimEnd()}=${value.trimStart()}"?`);
  }
  return { name, value };
}

/** ` (did you mean "stage_name"?)` for a name one typo away from a declared one. */
function suggestion(name: string, declared: ReadonlyMap<string, VariableBlock>): string {
  const close = [...declared.keys()].find((candidate) => editDistance(candidate.toLowerCase(), name.toLowerCase()) <= 2);
  return close === undefined ? "" : `, or did you mean "${close}"?`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}
