import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { evaluateConfiguration } from "../../local/terraform/evaluate-configuration.ts";
import { baseDocument, writeStack } from "./support/stack.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "../terraform/terraform-cli.ts";

/**
 * The hand-written HCL stacks of test/local/fixtures/hcl are real Terraform:
 * each is initialized from the offline provider mirror and planned with dummy
 * credentials (`terraform plan` validates the configuration first; a separate
 * `validate` would load the AWS provider's schema once more for nothing).
 * hcl-emulate.test.ts serves them with the emulator.
 */
const HCL = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "hcl");

interface PlannedChange {
  address: string;
  change: { actions: string[]; after: Record<string, unknown> | null };
}

let tooling: TerraformTooling;
let root: string;

beforeAll(() => {
  // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
  tooling = findTerraformTooling();
  // A scratch copy of the whole tree (the fixtures share ../shared/handler.zip), so
  // .terraform/ and plan files never land in the repository.
  const fixtures = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-"));
  root = path.join(fixtures, "hcl");
  cpSync(HCL, root, { recursive: true, filter: (src) => !/[\\/](\.terraform|\.build)$/.test(src) });
  // archive-file reads ../../handlers/esm-index.js
  cpSync(path.join(HCL, "..", "handlers"), path.join(fixtures, "handlers"), { recursive: true });
});

/** Initializes the scratch copy of `fixture` offline, with the offline provider settings merged in. */
function init(fixture: string): string {
  const dir = path.join(root, fixture);
  // An override file merges into the fixture's own provider "aws" block.
  writeFileSync(path.join(dir, "offline_override.tf"), OFFLINE_PROVIDER_OVERRIDE);
  terraform(tooling, dir, ["init", "-input=false", "-backend=false", "-no-color", `-plugin-dir=${tooling.pluginDir}`]);
  return dir;
}

function validate(dir: string): void {
  expect(terraform(tooling, dir, ["validate", "-no-color"])).toMatch(/Success! The configuration is valid\./);
}

/** `terraform plan` offline: the summary's counts and the planned resource changes. */
function plan(dir: string, args: string[] = []): { add: number; change: number; destroy: number; created: Map<string, PlannedChange> } {
  const planFile = `plan-${Math.random().toString(36).slice(2)}.tfplan`;
  const out = terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", `-out=${planFile}`, ...args]);
  const summary = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(out);
  expect(summary, out.slice(-3000)).not.toBeNull();
  const [add, change, destroy] = summary!.slice(1).map(Number) as [number, number, number];
  const json = JSON.parse(terraform(tooling, dir, ["show", "-json", planFile])) as { resource_changes?: PlannedChange[] };
  const created = new Map((json.resource_changes ?? []).filter((c) => c.change.actions.join() === "create").map((c) => [c.address, c]));
  return { add, change, destroy, created };
}

describe("HCL fixtures are real Terraform (terraform init/validate/plan offline)", () => {
  it("every fixture is formatted as terraform fmt writes it (and so parses)", () => {
    const fixtures = readdirSync(HCL, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name !== "shared").map((d) => d.name);
    expect(fixtures.sort()).toEqual(["archive-file", "count", "flat", "for-each-module", "tfvars"]);
    terraform(tooling, root, ["fmt", "-check", "-recursive", "-no-color"]);
  });

  it("flat: one block per resource; 23 to add", () => {
    const dir = init("flat");
    const p = plan(dir);
    expect([p.add, p.change, p.destroy]).toEqual([23, 0, 0]);
    for (const key of ["connect", "disconnect", "default", "sendmessage"]) {
      expect(p.created.get(`aws_apigatewayv2_route.${key}`)?.change.after?.route_key).toBe(key === "sendmessage" ? key : `$${key}`);
      expect(p.created.has(`aws_lambda_permission.${key}`)).toBe(true);
    }
    expect(p.created.get("aws_apigatewayv2_api.chat")?.change.after).toMatchObject({ protocol_type: "WEBSOCKET", route_selection_expression: "$request.body.action" });
    // a variable validation block is evaluated at plan
    expect(() => plan(dir, ["-var=stage_name=Bad Stage"])).toThrow(/stage_name must start with a lowercase letter/);
  }, 180_000);

  it("for-each-module: locals map of routes, for_each, functions in a local module called with for_each; 32 to add", () => {
    const dir = init("for-each-module");
    const p = plan(dir);
    expect([p.add, p.change, p.destroy]).toEqual([32, 0, 0]);
    for (const key of ["$connect", "$disconnect", "$default", "sendmessage", "whoami"]) {
      expect(p.created.get(`aws_apigatewayv2_route.route["${key}"]`)?.change.after?.route_key).toBe(key);
      expect(p.created.has(`aws_apigatewayv2_integration.route["${key}"]`)).toBe(true);
      expect(p.created.has(`aws_lambda_permission.route["${key}"]`)).toBe(true);
    }
    expect([...p.created.keys()].filter((a) => a.startsWith("aws_apigatewayv2_route_response.")).sort()).toEqual([
      'aws_apigatewayv2_route_response.route["$default"]',
      'aws_apigatewayv2_route_response.route["whoami"]',
    ]);
    expect(p.created.get('module.function["whoami"].aws_lambda_function.this')?.change.after).toMatchObject({
      function_name: "fe-chat-whoami",
      environment: [{ variables: { GREETING: "WHOAMI", FUNCTION_LABEL: "fe-chat-whoami", TABLE_NAME: "fe-chat-connections" } }],
    });
    expect(p.created.get('module.function["sendmessage"].aws_lambda_function.this')?.change.after?.timeout).toBe(10);
  }, 180_000);

  it("count: list-driven routes, an optional authorizer and optional log groups; 31 to add, 34 with the authorizer", () => {
    const dir = init("count");
    const p = plan(dir);
    expect([p.add, p.change, p.destroy]).toEqual([31, 0, 0]);
    expect(p.created.get("aws_apigatewayv2_route.builtin[0]")?.change.after).toMatchObject({ route_key: "$connect", authorization_type: "NONE" });
    expect(p.created.get("aws_apigatewayv2_route.custom[1]")?.change.after?.route_key).toBe("whoami");
    expect(p.created.get("aws_cloudwatch_log_group.function[4]")?.change.after?.name).toBe("/aws/lambda/count-chat-whoami");

    const withAuth = plan(dir, ["-var=enable_authorizer=true"]);
    expect(withAuth.add).toBe(34);
    expect(withAuth.created.get("aws_apigatewayv2_route.builtin[0]")?.change.after?.authorization_type).toBe("CUSTOM");
    expect(withAuth.created.get("aws_apigatewayv2_authorizer.token[0]")?.change.after).toMatchObject({
      authorizer_type: "REQUEST",
      identity_sources: ["route.request.querystring.token"],
    });

  }, 180_000);

  it("tfvars: variables without defaults, from terraform.tfvars and routes.auto.tfvars.json; 25 to add", () => {
    const dir = init("tfvars");
    const p = plan(dir);
    expect([p.add, p.change, p.destroy]).toEqual([25, 0, 0]);
    expect(p.created.get("aws_apigatewayv2_stage.this")?.change.after).toMatchObject({
      name: "prod",
      default_route_settings: [{ throttling_burst_limit: 200, throttling_rate_limit: 100 }],
    });
    expect(p.created.get('aws_lambda_function.route["sendmessage"]')?.change.after).toMatchObject({
      function_name: "tfvars-chat-prod-sendmessage",
      memory_size: 256,
      environment: [{ variables: { GREETING: "hello from tfvars", ROUTE_KEY: "sendmessage", TABLE_NAME: "tfvars-chat-prod-connections" } }],
    });
    expect(p.created.get('aws_lambda_function.route["$connect"]')?.change.after?.memory_size).toBe(128);
    expect(p.created.get('aws_cloudwatch_log_group.function["$default"]')?.change.after?.retention_in_days).toBe(30);
  }, 180_000);

  it("archive-file: 12 to add; where hashicorp/archive is not mirrored, the AWS side is validated and planned with the emulator's own archive standing in", async () => {
    if (existsSync(path.join(tooling.pluginDir, "registry.terraform.io", "hashicorp", "archive"))) {
      const dir = init("archive-file");
      validate(dir);
      const p = plan(dir);
      expect([p.add, p.change, p.destroy]).toEqual([12, 0, 0]);
      expect(existsSync(path.join(dir, ".build", "handler.zip"))).toBe(true);
      return;
    }
    // GIVEN the archive the emulator builds from the same data "archive_file" block (the zip it serves)
    const dir = path.join(root, "archive-file");
    const configuration = await evaluateConfiguration({ source: dir });
    const [archive] = configuration.root.instancesOf("archive_file", "data");
    archive!.apply();
    const outputs = { output_path: String(archive!.argument("output_path")), output_base64sha256: String(archive!.attribute("output_base64sha256")) };
    expect(existsSync(path.resolve(dir, outputs.output_path))).toBe(true);
    // WHEN the archive provider (not in the offline mirror) is replaced by those values: the data block and the
    // provider requirement go, and data.archive_file.handler.<attr> reads a local with the same attributes
    const main = readFileSync(path.join(dir, "main.tf"), "utf8");
    const dataBlock = /^data "archive_file" "handler" \{\n[\s\S]*?^\}\n/m;
    const providerRequirement = /^\s*archive = \{\n[\s\S]*?\n\s*\}\n/m;
    expect(main).toMatch(dataBlock);
    expect(main).toMatch(providerRequirement);
    const standIn = main.replace(dataBlock, "").replace(providerRequirement, "").replaceAll("data.archive_file.handler.", "local.archive_handler.");
    writeFileSync(path.join(dir, "main.tf"), `${standIn}\nlocals {\n  archive_handler = ${JSON.stringify(outputs).replace(/":/g, '" =').replace(/,"/g, ', "')}\n}\n`);
    init("archive-file");
    // THEN every AWS resource validates and plans, with the function reading the emulator's zip and hash
    const p = plan(dir);
    expect([p.add, p.change, p.destroy]).toEqual([12, 0, 0]);
    expect(p.created.get("aws_lambda_function.chat")?.change.after).toMatchObject({ filename: outputs.output_path, source_code_hash: outputs.output_base64sha256 });
    console.info(`archive-file: hashicorp/archive is not in ${tooling.pluginDir}; the AWS side was validated and planned with the emulator's archive standing in`);
  }, 180_000);

  it("the conformance suite's stack, rendered as HCL for its second run (vitest project conformance-hcl), is valid Terraform", () => {
    // GIVEN the HCL rendering the conformance-hcl project serves
    const file = writeStack(baseDocument(), "hcl");
    const dir = path.dirname(file);
    writeFileSync(path.join(dir, "offline_override.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", "-backend=false", "-no-color", `-plugin-dir=${tooling.pluginDir}`]);
    // THEN terraform validates it
    validate(dir);
  }, 180_000);
});
