import { parse } from "@cdktf/hcl2json";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModule } from "../../scripts/build-module.ts";
import { strFromU8, unzipSync } from "fflate";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { AUTHORIZER, FAN_OUT_FUNCTION, LAMBDA_ROUTES, ROUTES } from "../../contract/routes.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { bracedInterpolations, interpolationsOf } from "../stacks/hcl-scan.ts";
import { AWS_PROVIDER_VERSION_RANGE, TERRAFORM_VERSION_RANGE } from "../../stacks/chat-stack.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, providerVersions, terraform, type TerraformTooling } from "./terraform-cli.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The outputs a root module extends or grants with (issue 13). */
const EXTENSION_OUTPUTS = ["api_execution_arn", "stage_name", "stage_arn", "table_arn", "room_index_name", "function_names", "function_arns", "function_role_names"];
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
  it("files: HCL that parses, split into versions, variables, outputs, moved and main", () => {
    expect(Object.keys(hcl).sort()).toEqual(["main.tf", "moved.tf", "outputs.tf", "variables.tf", "versions.tf"]);
    expect(Object.keys(hcl["moved.tf"]!)).toEqual(["moved"]);
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
    expect(main).toMatch(/^\s*redeployment = "\$\{sha1\(join\(",", (concat\()?\[/m);
  });

  it("versions: requires Terraform >= 1.9 and hashicorp/aws in a range admitting 5.100, with no backend and no provider block", () => {
    const tf = hcl["versions.tf"]!.terraform[0];
    expect(tf.required_providers[0].aws).toEqual({ source: "hashicorp/aws", version: AWS_PROVIDER_VERSION_RANGE });
    expect(tf.required_version).toBe(TERRAFORM_VERSION_RANGE);
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
    expect(outputs.map(([n]) => n)).toEqual(expect.arrayContaining(["api_id", "connection_url", "table_name", "websocket_url", ...EXTENSION_OUTPUTS]));
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

describe("terraform module: extension points", () => {
  it("additional_routes: integration, route and permission are for_each over the variable, the route response over its two-way entries", () => {
    const resources = hcl["main.tf"]!.resource as Record<string, Record<string, Record<string, unknown>[]>>;
    // Found by what they iterate, not by name.
    const overMap = (type: string) => Object.values(resources[type] ?? {}).map(([r]) => r!).filter((r) => r.for_each === "${var.additional_routes}");
    const [integration] = overMap("aws_apigatewayv2_integration");
    expect(integration).toMatchObject({ integration_type: "AWS_PROXY", integration_method: "POST", integration_uri: "${each.value.invoke_arn}" });
    const [route] = overMap("aws_apigatewayv2_route");
    expect(route).toMatchObject({ route_key: "${each.key}", route_response_selection_expression: '${each.value.two_way ? "$default" : null}' });
    expect(route!.target).toMatch(/^integrations\/\$\{aws_apigatewayv2_integration\.\w+\[each\.key\]\.id\}$/);
    expect(route!.authorization_type).toBeUndefined();
    const [permission] = overMap("aws_lambda_permission");
    expect(permission).toMatchObject({ function_name: "${each.value.function_name}", principal: "apigateway.amazonaws.com" });
    expect(permission!.source_arn).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}\/\$\{var\.stage_name\}\/\$\{each\.key\}$/);
    const responses = Object.values(resources.aws_apigatewayv2_route_response!).map(([r]) => r!).filter((r) => r.for_each !== undefined);
    expect(responses).toHaveLength(1);
    expect(responses[0]!.for_each).toMatch(/^\$\{\{ ?for (\w+), (\w+) in var\.additional_routes ?: ?\1 => \2 if \2\.two_way ?\}\}$/);
    expect(responses[0]!.route_id).toMatch(/^\$\{aws_apigatewayv2_route\.\w+\[each\.key\]\.id\}$/);
    // Adding a route redeploys the stage: the map is in the deployment's trigger.
    const [[deployment]] = Object.values(resources.aws_apigatewayv2_deployment!);
    expect(JSON.stringify(deployment)).toContain("jsonencode(var.additional_routes)");
  });

  it("additional_routes: a validation built from the route manifest refuses every built-in route key", () => {
    const [variable] = hcl["variables.tf"]!.variable.additional_routes as { validation: { condition: string; error_message: string }[] }[];
    const rule = variable!.validation.find((v) => v.error_message.includes("built-in"));
    for (const { routeKey } of ROUTES) {
      expect(rule!.condition).toContain(JSON.stringify(routeKey));
      expect(rule!.error_message).toContain(routeKey);
    }
  });

  it("outputs: ids and ARNs to extend the chat, and each function's name, ARN and role by its manifest name", () => {
    const outputs = hcl["outputs.tf"]!.output as Record<string, { value: unknown; description: string }[]>;
    expect(outputs.api_execution_arn![0]!.value).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}$/);
    expect(outputs.stage_arn![0]!.value).toMatch(/^\$\{aws_apigatewayv2_stage\.\w+\.arn\}$/);
    expect(outputs.stage_name![0]!.value).toMatch(/^\$\{aws_apigatewayv2_stage\.\w+\.name\}$/);
    expect(outputs.table_arn![0]!.value).toMatch(/^\$\{aws_dynamodb_table\.\w+\.arn\}$/);
    expect(outputs.room_index_name![0]!.value).toBe(CONNECTION_TABLE.roomIndexName);
    const names = [...LAMBDA_ROUTES.map((r) => r.name), FAN_OUT_FUNCTION.name, AUTHORIZER.name].sort();
    for (const [output, attribute] of [["function_names", /^\$\{aws_lambda_function\.\w+\.function_name\}$/], ["function_arns", /^\$\{aws_lambda_function\.\w+\.arn\}$/], ["function_role_names", /^\$\{aws_iam_role\.\w+\.name\}$/]] as const) {
      const value = outputs[output]![0]!.value as Record<string, string>;
      expect(Object.keys(value).sort(), output).toEqual(names);
      for (const ref of Object.values(value)) expect(ref).toMatch(attribute);
    }
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

  it("additional-route: the checked-in whoami.zip holds exactly whoami/index.mjs", () => {
    const example = path.join(ROOT, "examples", "additional-route");
    const zip = unzipSync(readFileSync(path.join(example, "whoami.zip")));
    expect(Object.keys(zip)).toEqual(["index.mjs"]);
    expect(strFromU8(zip["index.mjs"]!)).toBe(readFileSync(path.join(example, "whoami", "index.mjs"), "utf8"));
  });

  it("additional-route: validate and plan succeed, and the plan wires the whoami route in the module", () => {
    const dir = scratchCopy("additional-route");
    writeFileSync(path.join(dir, "offline_override.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    expect(terraform(tooling, dir, ["validate", "-no-color"])).toContain("The configuration is valid");
    const plan = terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"]);
    expect(plan, plan.slice(-2000)).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(plan).not.toMatch(/Warning:/);
    for (const type of ["aws_apigatewayv2_integration", "aws_apigatewayv2_route", "aws_lambda_permission", "aws_apigatewayv2_route_response"]) {
      expect(plan).toMatch(new RegExp(`# module\\.chat\\.${type}\\.\\w+\\["whoami"\\] will be created`));
    }
    expect(plan).toMatch(/\+ route_key\s+= "whoami"/);
    expect(plan).toMatch(/# aws_lambda_function\.whoami will be created/);
  });

  it("additional-route: a key of a built-in route fails the plan with a message naming the built-in keys", () => {
    // GIVEN the example with its route renamed to onMessage, a route the chat already has
    const dir = scratchCopy("additional-route");
    writeFileSync(path.join(dir, "offline_override.tf"), OFFLINE_PROVIDER_OVERRIDE);
    const main = path.join(dir, "main.tf");
    const text = readFileSync(main, "utf8");
    expect(text).toMatch(/^ {4}whoami = \{$/m);
    writeFileSync(main, text.replace(/^ {4}whoami = \{$/m, "    onMessage = {"));
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    // WHEN it plans THEN the variable's validation refuses it, before anything is created
    expect(() => terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"])).toThrow(
      /additional_routes keys must not be built-in route keys of the chat \(\$connect,\s+\$disconnect,\s+onMessage,/,
    );
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
