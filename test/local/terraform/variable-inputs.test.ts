import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../local/terraform/errors.ts";
import { loadModule } from "../../../local/terraform/load-module.ts";
import { collectVariableInputs, type VariableInputOptions } from "../../../local/terraform/variable-inputs.ts";
import { findTerraformTooling } from "../../terraform/terraform-cli.ts";

// Where each root variable's value comes from, in Terraform's precedence order.
// The precedence test asks the real `terraform console` the same question.

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/hcl");

function folder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-variable-inputs-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

async function collect(dir: string, options: VariableInputOptions = {}) {
  const module = await loadModule(dir);
  return collectVariableInputs(dir, module.variables, { env: {}, cwd: dir, ...options });
}

async function collectError(dir: string, options: VariableInputOptions = {}): Promise<ConfigurationError> {
  const error = await collect(dir, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

/**
 * Seven sources, lowest precedence first. Variable sN is set by sources 0..N,
 * so source N must win it.
 */
const SOURCES = ["TF_VAR_", "terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars.json", "b.auto.tfvars", "-var-file", "-var"] as const;
const settersOf = (source: number) => SOURCES.map((_, n) => `s${n}`).filter((_, n) => n >= source);

function precedenceFolder(): { dir: string; options: VariableInputOptions } {
  const hcl = (source: number) => settersOf(source).map((name) => `${name} = "${SOURCES[source]}"\n`).join("");
  const json = (source: number) => JSON.stringify(Object.fromEntries(settersOf(source).map((name) => [name, SOURCES[source]])));
  const dir = folder({
    "variables.tf": SOURCES.map((_, n) => `variable "s${n}" {\n  default = "default"\n}\n`).join("\n") + 'variable "unset" {\n  default = "default"\n}\n',
    "terraform.tfvars": hcl(1),
    "terraform.tfvars.json": json(2),
    "a.auto.tfvars.json": json(3),
    "b.auto.tfvars": hcl(4),
    "dev.tfvars": hcl(5),
  });
  return {
    dir,
    options: {
      env: Object.fromEntries(settersOf(0).map((name) => [`TF_VAR_${name}`, "TF_VAR_"])),
      commandLine: [{ kind: "var-file", value: "dev.tfvars" }, ...settersOf(6).map((name) => ({ kind: "var" as const, value: `${name}=-var` }))],
    },
  };
}

describe("collectVariableInputs: precedence", () => {
  it("environment < terraform.tfvars < terraform.tfvars.json < auto files (lexical) < -var-file < -var, each with its origin", async () => {
    // GIVEN every source setting the variables of its rank and above
    const { dir, options } = precedenceFolder();
    // WHEN collected
    const { inputs, warnings } = await collect(dir, options);
    // THEN each source wins exactly its own variable, and says where it came from
    expect(warnings).toEqual([]);
    expect(Object.fromEntries([...inputs].map(([name, input]) => [name, input.value]))).toEqual(Object.fromEntries(SOURCES.map((source, n) => [`s${n}`, source])));
    expect(inputs.has("unset")).toBe(false); // defaults stay on the variable block
    expect(inputs.get("s0")).toEqual({ name: "s0", form: "text", value: "TF_VAR_", origin: "TF_VAR_s0" });
    expect(inputs.get("s1")).toEqual({ name: "s1", form: "raw", value: "terraform.tfvars", origin: "terraform.tfvars:1" });
    expect(inputs.get("s2")).toEqual({ name: "s2", form: "literal", value: "terraform.tfvars.json", origin: "terraform.tfvars.json" });
    expect(inputs.get("s3")).toMatchObject({ form: "literal", origin: "a.auto.tfvars.json" });
    expect(inputs.get("s4")).toMatchObject({ form: "raw", origin: "b.auto.tfvars:1" });
    expect(inputs.get("s5")).toMatchObject({ form: "raw", origin: "-var-file=dev.tfvars:1" });
    expect(inputs.get("s6")).toMatchObject({ form: "text", origin: "-var" });
  });

  it("agrees with terraform console on the same folder, environment and arguments", async () => {
    const { dir, options } = precedenceFolder();
    const { inputs } = await collect(dir, options);
    const args = options.commandLine!.map((argument) => `-${argument.kind}=${argument.value}`);
    const out = execFileSync(findTerraformTooling().binary, ["console", "-no-color", ...args], {
      cwd: dir,
      input: `jsonencode([${SOURCES.map((_, n) => `var.s${n}`).join(", ")}])\n`,
      encoding: "utf8",
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1", ...options.env },
    });
    const terraform = JSON.parse(JSON.parse(out.trim()) as string) as string[];
    expect(SOURCES.map((_, n) => inputs.get(`s${n}`)!.value)).toEqual(terraform);
  });

  it("-var and -var-file apply in command-line order; varFiles then vars when given apart", async () => {
    const dir = folder({ "v.tf": 'variable "x" {}\n', "f.tfvars": 'x = "file"\n' });
    const fileLast = await collect(dir, { commandLine: [{ kind: "var", value: "x=cli" }, { kind: "var-file", value: "f.tfvars" }] });
    expect(fileLast.inputs.get("x")).toMatchObject({ value: "file", origin: "-var-file=f.tfvars:1" });
    const varLast = await collect(dir, { commandLine: [{ kind: "var-file", value: "f.tfvars" }, { kind: "var", value: "x=cli" }] });
    expect(varLast.inputs.get("x")).toMatchObject({ value: "cli", origin: "-var" });
    expect((await collect(dir, { varFiles: ["f.tfvars"], vars: ["x=cli"] })).inputs.get("x")!.value).toBe("cli");
    // Later -var of the same name wins; the value is everything after the first "=".
    expect((await collect(dir, { vars: ["x=a", "x=b=c"] })).inputs.get("x")!.value).toBe("b=c");
    // -var-file paths are relative to cwd, not to the module.
    const elsewhere = folder({ "other.tfvars": 'x = "elsewhere"\n' });
    expect((await collect(dir, { cwd: elsewhere, varFiles: ["other.tfvars"] })).inputs.get("x")!.value).toBe("elsewhere");
  });

  it("process.env is the default environment", async () => {
    const dir = folder({ "v.tf": 'variable "wsstack_test_env_only" {}\n' });
    process.env.TF_VAR_wsstack_test_env_only = "from process.env";
    try {
      const module = await loadModule(dir);
      const { inputs } = await collectVariableInputs(dir, module.variables, {});
      expect(inputs.get("wsstack_test_env_only")).toMatchObject({ value: "from process.env", form: "text" });
    } finally {
      delete process.env.TF_VAR_wsstack_test_env_only;
    }
  });
});

describe("collectVariableInputs: forms", () => {
  it("JSON tfvars are literal, HCL tfvars raw (templates and escapes as hcl2json gives them), -var and TF_VAR_ text", async () => {
    // Checked with terraform console: "${upper(\"a\")}" in terraform.tfvars.json stays that text; "$${esc}" in terraform.tfvars is "${esc}".
    const dir = folder({
      "v.tf": ['variable "j" {}', 'variable "h" {}', 'variable "o" {}', 'variable "n" {}', 'variable "t" {}', 'variable "e" {}'].join("\n"),
      "terraform.tfvars.json": JSON.stringify({ "//": "a comment, not a variable", j: '${upper("a")}' }),
      "terraform.tfvars": 'h = "$${esc}"\no = {\n  a = [1, true, null]\n}\nn = null\n',
    });
    const { inputs, warnings } = await collect(dir, { vars: ['t={ a = 1 }'], env: { TF_VAR_e: "[1, 2]" } });
    expect(warnings).toEqual([]);
    expect(inputs.get("j")).toMatchObject({ form: "literal", value: '${upper("a")}' });
    expect(inputs.get("h")).toMatchObject({ form: "raw", value: "$${esc}", origin: "terraform.tfvars:1" });
    expect(inputs.get("o")).toMatchObject({ form: "raw", value: { a: [1, true, null] }, origin: "terraform.tfvars:2" });
    expect(inputs.get("n")).toMatchObject({ form: "raw", value: null, origin: "terraform.tfvars:5" });
    expect(inputs.get("t")).toMatchObject({ form: "text", value: "{ a = 1 }" });
    expect(inputs.get("e")).toMatchObject({ form: "text", value: "[1, 2]", origin: "TF_VAR_e" });
  });

  it("the tfvars fixture: terraform.tfvars with lines, the auto file without", async () => {
    const dir = path.join(FIXTURES, "tfvars");
    const { inputs, warnings } = await collect(dir);
    expect(warnings).toEqual([]);
    const tfvars = readFileSync(path.join(dir, "terraform.tfvars"), "utf8").split("\n");
    const line = tfvars.findIndex((text) => /^name\s*=/.test(text)) + 1;
    expect(inputs.get("name")).toMatchObject({ form: "raw", origin: `terraform.tfvars:${line}` });
    expect(inputs.get("routes")).toMatchObject({ form: "literal", origin: "routes.auto.tfvars.json" });
    expect(Object.keys(inputs.get("routes")!.value as object)).toContain("$connect");
  });
});

describe("collectVariableInputs: undeclared and malformed", () => {
  it("undeclared: a warning from a file, an error from -var, nothing from TF_VAR_", async () => {
    // Checked with terraform console: the same three outcomes, judged on where the winning value came from.
    const dir = folder({ "v.tf": 'variable "stage_name" {}\n', "terraform.tfvars": 'stage_name = "dev"\nstage_nme = "typo"\n', "f.tfvars": "later = 1\n" });
    const { inputs, warnings } = await collect(dir, { env: { TF_VAR_global_setting: "x" } });
    expect([...inputs.keys()]).toEqual(["stage_name"]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^terraform\.tfvars:2: Value for undeclared variable: the root module does not declare a variable named "stage_nme" but a value was found in file "terraform\.tfvars".*did you mean "stage_name"\?/);

    const error = await collectError(dir, { vars: ["nope=1"] });
    expect(error.message).toMatch(/var\.nope: Value for undeclared variable: a variable named "nope" was assigned on the command line, but the root module does not declare a variable of that name/);
    // A later file setting the same name makes it a file value again: a warning, as in Terraform.
    const later = await collect(dir, { commandLine: [{ kind: "var", value: "later=2" }, { kind: "var-file", value: "f.tfvars" }] });
    expect(later.warnings.some((warning) => warning.startsWith("-var-file=f.tfvars:1: Value for undeclared variable"))).toBe(true);
  });

  it("a -var without = or with a space before it: Terraform's error, with the fix", async () => {
    const dir = folder({ "v.tf": 'variable "x" {}\n' });
    expect((await collectError(dir, { vars: ["x"] })).message).toMatch(/Invalid -var option: it must be a variable name and value separated by an equals sign\. Write it like --var "key=value"/);
    expect((await collectError(dir, { vars: ["x = 1"] })).message).toMatch(/variable name "x " is invalid due to trailing space\. Did you mean --var "x=1"\?/);
  });

  it("variable files that are missing, do not parse or declare variables: an error naming the file", async () => {
    const dir = folder({ "v.tf": 'variable "x" {}\n', "bad.tfvars": 'x = "a"\ny = \n', "bad.tfvars.json": "[1]", "decl.tfvars": '\nvariable "x" {\n  default = 1\n}\n' });
    const missing = await collectError(dir, { varFiles: ["nope.tfvars"] });
    expect(missing.message).toMatch(/^nope\.tfvars: .*given variables file nope\.tfvars does not exist/);
    const syntax = await collectError(dir, { varFiles: ["bad.tfvars"] });
    expect(syntax.location).toMatchObject({ file: "bad.tfvars", line: 2 });
    expect((await collectError(dir, { varFiles: ["bad.tfvars.json"] })).message).toMatch(/bad\.tfvars\.json: .*the top level must be a JSON object/);
    const declaration = await collectError(dir, { varFiles: ["decl.tfvars"] });
    expect(declaration.location).toMatchObject({ file: "decl.tfvars", line: 2 });
    expect(declaration.message).toMatch(/Variable declaration in \.tfvars file.*write x = <value>/);
    // An auto file that does not parse is refused the same way.
    const auto = folder({ "v.tf": 'variable "x" {}\n', "x.auto.tfvars.json": "{ nope" });
    expect((await collectError(auto)).location.file).toBe("x.auto.tfvars.json");
  });
});
