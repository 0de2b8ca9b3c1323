import { parse } from "@cdktf/hcl2json";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModule } from "../../scripts/build-module.ts";
import { FAN_OUT_FUNCTION, LAMBDA_ROUTES } from "../../contract/routes.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { bracedInterpolations, interpolationsOf } from "../stacks/hcl-scan.ts";
import { AWS_PROVIDER_VERSION_RANGE } from "../../stacks/chat-stack.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, providerVersions, terraform, type TerraformTooling } from "./terraform-cli.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
let moduleDir: string;
const hcl: Record<string, Record<string, any>> = {};

/** Copies an example to a scratch folder, pointing its module source at the freshly built module. */
function scratchCopy(example: string): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-tf-")), example);
  cpSync(path.join(ROOT, "examples", example), dir, { recursive: true, filter: (src) => !src.includes(".terraform") });
  const main = path.join(dir, "main.tf");
  const text = readFileSync(main, "utf8");
  expect(text).toContain('source = "../../dist/terraform-module"');
  writeFileSync(main, text.replace('source = "../../dist/terraform-module"', `source = ${JSON.stringify(moduleDir)}`));
  return dir;
}

beforeAll(async () => {
  moduleDir = await buildModule();
  for (const file of readdirSync(moduleDir).filter((f) => f.endsWith(".tf"))) {
    hcl[file] = await parse(file, readFileSync(path.join(moduleDir, file), "utf8"));
  }
});

describe("terraform module (npm run module)", () => {
  it("files: HCL that parses, split into versions, variables, outputs and main", () => {
    expect(Object.keys(hcl).sort()).toEqual(["main.tf", "outputs.tf", "variables.tf", "versions.tf"]);
    expect(Object.keys(hcl["main.tf"]!.resource).sort()).toEqual(expect.arrayContaining(["aws_apigatewayv2_api", "aws_dynamodb_table", "aws_lambda_function"]));
    expect(readdirSync(moduleDir).filter((f) => f.endsWith(".json"))).toEqual([]);
    // cdktf writes `\$default` into HCL unescaped; the module build must mend it.
    const mock = (Object.values(hcl["main.tf"]!.resource.aws_apigatewayv2_integration) as { integration_type: string; template_selection_expression?: string }[][])
      .map(([i]) => i!)
      .find((i) => i.integration_type === "MOCK");
    expect(mock?.template_selection_expression).toBe("\\$default");
  });

  it("scanner-safe HCL: no ${…} in any module file holds a brace (python-hcl2, as checkov uses it, stops at the first)", () => {
    const files = readdirSync(moduleDir).filter((f) => f.endsWith(".tf"));
    expect(files).toContain("main.tf");
    let seen = 0;
    for (const file of files) {
      const text = readFileSync(path.join(moduleDir, file), "utf8");
      seen += interpolationsOf(text).length;
      expect(bracedInterpolations(text), file).toEqual([]);
    }
    expect(seen).toBeGreaterThan(20);
    const main = readFileSync(path.join(moduleDir, "main.tf"), "utf8");
    expect(main).toMatch(/^\s*redeployment = "\$\{sha1\(join\(",", \[/m);
  });

  it("versions: requires hashicorp/aws in a range admitting 5.100, with no backend and no provider block", () => {
    const tf = hcl["versions.tf"]!.terraform[0];
    expect(tf.required_providers[0].aws).toEqual({ source: "hashicorp/aws", version: AWS_PROVIDER_VERSION_RANGE });
    expect(tf.backend).toBeUndefined();
    expect(tf.cloud).toBeUndefined();
    for (const file of Object.values(hcl)) expect(file.provider).toBeUndefined();
  });

  it("assets: every function zip is referenced through ${path.module} and shipped with the module", () => {
    const functions = Object.values(hcl["main.tf"]!.resource.aws_lambda_function) as { filename: string }[][];
    // A function per Lambda route, the fan-out function and the authorizer.
    expect(functions).toHaveLength(LAMBDA_ROUTES.length + 2);
    for (const [fn] of functions) {
      expect(fn!.filename).toMatch(/^\$\{path\.module\}\/assets\/.+\/function\.zip$/);
      expect(existsSync(path.join(moduleDir, fn!.filename.replace("${path.module}/", "")))).toBe(true);
    }
  });

  it("documentation: every variable and output has a description, and the README tables list them all", () => {
    const readme = readFileSync(path.join(moduleDir, "README.md"), "utf8");
    const variables = Object.entries(hcl["variables.tf"]!.variable) as [string, { description?: string }[]][];
    const outputs = Object.entries(hcl["outputs.tf"]!.output) as [string, { description?: string }[]][];
    // Every setting of the contract but the deploy-only region.
    const expected = Object.values(SETTINGS).flatMap((setting) => ("deployOnly" in setting && setting.deployOnly ? [] : [setting.variable as string]));
    expect(variables.map(([n]) => n).sort()).toEqual(expected.sort());
    expect(expected).toEqual(expect.arrayContaining(["stage_name", "throttling_rate_limit", "connect_throttling_burst_limit", "table_kms_key_arn", "logs_kms_key_arn", "manage_api_gateway_cloudwatch_role"]));
    expect(expected).not.toContain("aws_region");
    expect(outputs.map(([n]) => n).sort()).toEqual(["api_id", "connection_url", "table_name", "websocket_url"]);
    for (const [name, [block]] of [...variables, ...outputs]) {
      expect(block!.description, name).toMatch(/^\S.{19,}/);
      expect(readme).toMatch(new RegExp(`^\\| \`${name}\` \\| .+\\|`, "m"));
    }
    expect(readme).toContain("## Inputs");
    expect(readme).toContain("## Outputs");
  });

  it("documentation: the README says how the fan-out function's asynchronous invocations are retried and aged, read from main.tf", () => {
    const readme = readFileSync(path.join(moduleDir, "README.md"), "utf8");
    const configs = Object.values(hcl["main.tf"]!.resource.aws_lambda_function_event_invoke_config) as { maximum_retry_attempts: number; maximum_event_age_in_seconds: number }[][];
    expect(configs.map(([c]) => [c!.maximum_retry_attempts, c!.maximum_event_age_in_seconds])).toEqual([[2, 300]]);
    expect(readme).toContain("## Asynchronous invocations");
    expect(readme).toMatch(/no longer worth delivering/);
    expect(readme).toContain(`| \`\${var.name_prefix}-${FAN_OUT_FUNCTION.name}\` | 2 | 300 |`);
  });
});

describe("terraform CLI on the examples (offline)", () => {
  let tooling: TerraformTooling;
  beforeAll(() => {
    // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
    tooling = findTerraformTooling();
  });

  it("plain-terraform: init from the provider mirror, validate and plan succeed", () => {
    const dir = scratchCopy("plain-terraform");
    writeFileSync(path.join(dir, "offline_override.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    const aws = providerVersions(tooling, dir)["registry.terraform.io/hashicorp/aws"];
    expect(aws).toMatch(/^(5\.(\d{3,})|6)\./);
    expect(terraform(tooling, dir, ["validate", "-no-color"])).toContain("The configuration is valid");
    const plan = terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"]);
    const planned = /Plan: (\d+) to add, 0 to change, 0 to destroy/.exec(plan);
    expect(planned, plan.slice(-2000)).not.toBeNull();
    expect(Number(planned![1])).toBeGreaterThanOrEqual(30);
    expect(plan).not.toMatch(/Warning:/);
    for (const address of ["module.chat.aws_apigatewayv2_api.", "module.chat.aws_dynamodb_table.", "module.chat.aws_apigatewayv2_route_response."]) {
      expect(plan).toContain(address);
    }
    console.info(`terraform ${tooling.version}, hashicorp/aws ${aws}: ${planned![0]}`);
  });

  it("terraform-cloud: the cloud-backed root validates", () => {
    const dir = scratchCopy("terraform-cloud");
    // -backend=false: initializing the cloud block would log in to Terraform Cloud.
    terraform(tooling, dir, ["init", "-input=false", "-backend=false", `-plugin-dir=${tooling.pluginDir}`]);
    expect(terraform(tooling, dir, ["validate", "-no-color"])).toContain("The configuration is valid");
  });

  it("module: refuses to plan when sign-in is on but the issuer is not configured", () => {
    // GIVEN a root that calls the module with defaults only (auth_enabled = true, no issuer)
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-tf-noauth-"));
    writeFileSync(path.join(dir, "main.tf"), `module "chat" {\n  source = ${JSON.stringify(moduleDir)}\n}\n`);
    writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    // WHEN it plans, THEN the variable validation names what to set
    expect(() => terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"])).toThrow(
      /jwt_issuer, jwt_audience and jwks_url must be set/,
    );
  });
});
