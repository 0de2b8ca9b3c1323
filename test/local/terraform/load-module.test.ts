import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigurationError } from "../../../local/terraform/errors.ts";
import { isOverrideFile, loadModule, locateModuleSource } from "../../../local/terraform/load-module.ts";

// Folder or file → one merged module, as Terraform merges it. Where Terraform's
// behaviour was in doubt it was checked with terraform 1.11 (see each test).

const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/hcl");

/** A temporary module folder holding the given files. */
function folder(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-load-module-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

/** 1-based line of the first line of `file` containing `text`: expectations follow the fixture if it is edited. */
function lineOf(file: string, text: string, from = 1): number {
  const index = readFileSync(file, "utf8")
    .split("\n")
    .findIndex((line, i) => i + 1 >= from && line.includes(text));
  if (index === -1) throw new Error(`${text} is not in ${file}`);
  return index + 1;
}

async function loadError(target: string): Promise<ConfigurationError> {
  const error = await loadModule(target).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigurationError);
  return error as ConfigurationError;
}

describe("loadModule: the HCL fixtures", () => {
  it("flat: variables, locals, resources and data sources of three files, with lines", async () => {
    const dir = path.join(FIXTURES, "flat");
    const module = await loadModule(dir);
    expect(module).toMatchObject({ dir, format: "hcl", cdktf: false });
    expect(module.files.map((file) => path.basename(file))).toEqual(["main.tf", "outputs.tf", "variables.tf"]);
    expect([...module.variables.keys()]).toEqual(expect.arrayContaining(["name", "region", "stage_name", "handler_zip"]));
    expect(module.variables.get("handler_zip")).toMatchObject({ hasDefault: true, default: null, defaultForm: "raw", nullable: true, sensitive: false });
    const stage = module.variables.get("stage_name")!;
    expect(stage.type).toBe("${string}");
    expect(stage.location).toMatchObject({ file: "variables.tf", line: lineOf(path.join(dir, "variables.tf"), 'variable "stage_name"'), format: "hcl" });
    expect(stage.validations).toHaveLength(1);
    expect(stage.validations[0]!.condition).toMatch(/^\$\{can\(regex\(/);
    expect(stage.validations[0]!.location.line).toBe(lineOf(path.join(dir, "variables.tf"), "validation {"));
    expect(module.dataSources.has("data.aws_iam_policy_document.assume")).toBe(true);
    expect(module.dataSources.get("data.aws_iam_policy_document.assume")!.mode).toBe("data");
    const api = module.resources.get("aws_apigatewayv2_api.chat")!;
    expect(api).toMatchObject({ mode: "managed", type: "aws_apigatewayv2_api", name: "chat" });
    expect(api.body.protocol_type).toBe("WEBSOCKET");
    expect(api.location.line).toBe(lineOf(path.join(dir, "main.tf"), 'resource "aws_apigatewayv2_api" "chat"'));
    expect(module.outputs.get("websocket_url")!.location.file).toBe("outputs.tf");
  });

  it("for-each-module: for_each resources, a module call and its child module, meta-arguments taken out of the body", async () => {
    const dir = path.join(FIXTURES, "for-each-module");
    const module = await loadModule(dir);
    const call = module.moduleCalls.get("function")!;
    expect(call).toMatchObject({ name: "function", source: "./modules/function", forEach: "${local.functions}" });
    expect(call.inputs).not.toHaveProperty("source");
    expect(call.inputs).not.toHaveProperty("for_each");
    expect(call.inputs.name).toBe("${var.name}-${each.key}");
    expect(call.location.argumentLine("environment.GREETING")).toBe(lineOf(path.join(dir, "main.tf"), "GREETING", call.location.line));

    const integration = module.resources.get("aws_apigatewayv2_integration.route")!;
    expect(integration.forEach).toBe("${local.routes}");
    expect(integration.count).toBeUndefined();
    expect(integration.body).not.toHaveProperty("for_each");
    const main = path.join(dir, "main.tf");
    expect(integration.location.argumentLine("integration_uri")).toBe(lineOf(main, "integration_uri", integration.location.line));
    expect(module.locals.get("routes")!.location.line).toBe(lineOf(main, "routes = merge("));
    expect(module.dataSources.has("data.aws_region.current")).toBe(true);

    const child = await loadModule(path.join(dir, call.source), { relativeTo: dir });
    expect(child.dir).toBe(path.join(dir, "modules", "function"));
    expect([...child.resources.values()][0]!.location.file).toBe(path.join("modules", "function", "main.tf"));
    expect(child.variables.size).toBeGreaterThan(0);
  });

  it("count: count stays raw on the block, out of the body", async () => {
    const module = await loadModule(path.join(FIXTURES, "count"));
    const counted = [...module.resources.values()].filter((resource) => resource.count !== undefined);
    expect(counted.length).toBeGreaterThan(0);
    for (const resource of counted) expect(resource.body).not.toHaveProperty("count");
  });

  it("archive-file: repeated nested blocks stay a list, in order", async () => {
    const module = await loadModule(path.join(FIXTURES, "archive-file"));
    const archive = module.dataSources.get("data.archive_file.handler")!;
    expect(Array.isArray(archive.body.source)).toBe(true);
    expect((archive.body.source as unknown[]).length).toBe(2);
    const file = path.join(FIXTURES, "archive-file", "main.tf");
    const first = lineOf(file, "source {", archive.location.line);
    expect(archive.location.argumentLine("source")).toBe(first);
    expect(archive.location.argumentLine("source[1]")).toBe(lineOf(file, "source {", first + 1));
  });

  it("tfvars: variables without defaults", async () => {
    const module = await loadModule(path.join(FIXTURES, "tfvars"));
    expect(module.variables.get("name")).toMatchObject({ hasDefault: false });
    expect(module.variables.get("name")).not.toHaveProperty("default");
  });
});

describe("loadModule: merging files", () => {
  it("several files: HCL and JSON together, locals merged across blocks and files", async () => {
    const dir = folder({
      "a.tf": 'variable "name" {\n  default = "x"\n}\n\nlocals {\n  one = 1\n}\n\nlocals {\n  two = 2\n}\n',
      "b.tf.json": JSON.stringify({ locals: { three: "${local.one + local.two}" }, resource: { aws_sqs_queue: { q: { name: "${var.name}" } } } }),
      "c.tf": 'output "queue" {\n  value = aws_sqs_queue.q.name\n}\n\nmodule "m" {\n  source = "./m"\n  size   = 3\n}\n',
    });
    const module = await loadModule(dir);
    expect(module.format).toBe("mixed");
    expect([...module.locals.keys()].sort()).toEqual(["one", "three", "two"]);
    expect(module.locals.get("two")!.location).toMatchObject({ file: "a.tf", line: 10 });
    expect(module.locals.get("three")!.location).toMatchObject({ file: "b.tf.json", line: undefined, format: "json" });
    expect(module.resources.get("aws_sqs_queue.q")!.body).toEqual({ name: "${var.name}" });
    expect(module.outputs.get("queue")).toMatchObject({ value: "${aws_sqs_queue.q.name}", sensitive: false });
    expect(module.moduleCalls.get("m")).toMatchObject({ source: "./m", inputs: { size: 3 } });
  });

  it("duplicate resource across files: Terraform's message, naming both places", async () => {
    const dir = folder({ "a.tf": '\nresource "aws_sqs_queue" "q" {\n  name = "a"\n}\n', "b.tf": 'resource "aws_sqs_queue" "q" {\n  name = "b"\n}\n' });
    const error = await loadError(dir);
    expect(error.location).toMatchObject({ file: "b.tf", line: 1, address: "aws_sqs_queue.q" });
    expect(error.message).toMatch(/Duplicate resource "aws_sqs_queue" configuration: A aws_sqs_queue resource named "q" was already declared at a\.tf:2/);
  });

  it("duplicate local, variable, output, module call and data source: each refused with both files named", async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ "a.tf": "locals {\n  x = 1\n}\n", "b.tf.json": '{"locals": [{"x": 2}]}' }, /Duplicate local value definition: A local value named "x" was already defined at a\.tf:2/],
      [{ "a.tf": 'variable "v" {}\n', "b.tf": 'variable "v" {}\n' }, /b\.tf:1: var\.v: Duplicate variable declaration: .* at a\.tf:1/],
      [{ "a.tf": 'output "o" {\n  value = 1\n}\n', "b.tf": 'output "o" {\n  value = 2\n}\n' }, /Duplicate output definition: .* at a\.tf:1/],
      [{ "a.tf": 'module "m" {\n  source = "./m"\n}\n', "b.tf": 'module "m" {\n  source = "./n"\n}\n' }, /Duplicate module call: .* at a\.tf:1/],
      [{ "a.tf": 'data "aws_region" "r" {}\n', "b.tf": 'data "aws_region" "r" {}\n' }, /Duplicate data "aws_region" configuration/],
      // Twice in one file: hcl2json lists both bodies; the second header's line is reported.
      [{ "a.tf": 'resource "aws_sqs_queue" "q" {}\nresource "aws_sqs_queue" "q" {}\n' }, /a\.tf:2: aws_sqs_queue\.q: Duplicate resource .* at a\.tf:1/],
    ];
    for (const [files, message] of cases) expect((await loadError(folder(files))).message).toMatch(message);
  });

  it("ignores terraform, provider, moved, import, removed and check blocks; refuses an unknown top-level block", async () => {
    const module = await loadModule(
      folder({
        "main.tf": [
          'terraform {\n  required_version = ">= 1.5"\n}',
          'provider "aws" {\n  region = "eu-west-1"\n}',
          "moved {\n  from = aws_sqs_queue.a\n  to   = aws_sqs_queue.q\n}",
          'import {\n  to = aws_sqs_queue.q\n  id = "q"\n}',
          'check "c" {\n  assert {\n    condition     = true\n    error_message = "no"\n  }\n}',
          'resource "aws_sqs_queue" "q" {}',
        ].join("\n\n"),
      }),
    );
    expect([...module.resources.keys()]).toEqual(["aws_sqs_queue.q"]);
    expect((await loadError(folder({ "main.tf": 'widget "w" {}\n' }))).message).toMatch(/"widget" is not a block type Terraform accepts/);
  });

  it("count and for_each on one block: refused as Terraform does", async () => {
    const error = await loadError(folder({ "main.tf": 'resource "aws_sqs_queue" "q" {\n  count    = 1\n  for_each = toset([])\n}\n' }));
    expect(error.message).toMatch(/main\.tf:3: aws_sqs_queue\.q, argument for_each: Invalid combination of "count" and "for_each"/);
  });

  it("module source: required, and a literal string", async () => {
    expect((await loadError(folder({ "main.tf": 'module "m" {\n  size = 1\n}\n' }))).message).toMatch(/module\.m: Missing required argument: the argument "source" is required/);
    const error = await loadError(folder({ "main.tf": 'module "m" {\n  size   = 1\n  source = "./${var.x}"\n}\n' }));
    expect(error.location).toMatchObject({ line: 3, argument: "source" });
  });

  it("a variable with nullable = false and a null default is refused; sensitive and nullable must be literals", async () => {
    expect((await loadError(folder({ "v.tf": 'variable "v" {\n  nullable = false\n  default  = null\n}\n' }))).message).toMatch(/a null default value is not valid when nullable=false/);
    expect((await loadError(folder({ "v.tf": 'variable "v" {\n  sensitive = var.x\n}\n' }))).message).toMatch(/v\.tf:2: var\.v, argument sensitive: sensitive must be true or false/);
    expect((await loadError(folder({ "v.tf": 'variable "v" {\n  defualt = 1\n}\n' }))).message).toMatch(/Unsupported argument: an argument named "defualt"/);
  });

  it("a syntax error: the file and line hcl2json reports", async () => {
    const error = await loadError(folder({ "main.tf": 'resource "aws_sqs_queue" "q" {\n  name = \n}\n' }));
    expect(error.location).toMatchObject({ file: "main.tf", line: 2 });
    expect(error.message).toMatch(/Invalid expression/);
    const json = await loadError(folder({ "main.tf.json": '{\n  "resource": {,\n}' }));
    expect(json.location.file).toBe("main.tf.json");
    expect(json.location.line).toBe(2);
  });
});

describe("loadModule: override files", () => {
  // Checked with terraform 1.11 (plan + show -json): the override's `attribute` block replaced both the
  // static and the dynamic `attribute` blocks; `ttl` and `tags` stayed; `name` was replaced.
  const base = `resource "aws_dynamodb_table" "t" {
  name     = "base"
  hash_key = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  dynamic "attribute" {
    for_each = var.keys
    content {
      name = attribute.value
      type = "S"
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.indexes
    content {
      name = global_secondary_index.value
    }
  }

  ttl {
    attribute_name = "exp"
    enabled        = true
  }

  tags = { a = "base" }
}

variable "keys" {
  type    = list(string)
  default = []
}

variable "stage" {
  type        = string
  default     = "dev"
  description = "base"

  validation {
    condition     = length(var.stage) > 0
    error_message = "empty"
  }
}

locals {
  l1 = "base1"
  l2 = "base2"
}

output "o" {
  value       = "base"
  description = "base"
}

module "m" {
  source = "./m"
  a      = 1
  b      = 2
}
`;

  it("an argument is replaced, a nested block type replaces every original block of that type (dynamic ones too)", async () => {
    const dir = folder({
      "main.tf": base,
      "override.tf": 'resource "aws_dynamodb_table" "t" {\n  name = "over"\n\n  attribute {\n    name = "pk"\n    type = "N"\n  }\n}\n',
    });
    const table = (await loadModule(dir)).resources.get("aws_dynamodb_table.t")!;
    expect(table.body.name).toBe("over");
    expect(table.body.hash_key).toBe("pk");
    expect(table.body.attribute).toEqual([{ name: "pk", type: "N" }]);
    expect(table.body.dynamic).toEqual({ global_secondary_index: [expect.objectContaining({ for_each: "${var.indexes}" })] });
    expect(table.body.ttl).toEqual([{ attribute_name: "exp", enabled: true }]);
    expect(table.body.tags).toEqual({ a: "base" });
    // The block stays where it was declared; errors about it point at the original.
    expect(table.location).toMatchObject({ file: "main.tf", line: 1 });
  });

  it("a dynamic block in the override replaces the original's plain and dynamic blocks of that type", async () => {
    const dir = folder({
      "main.tf": base,
      "table_override.tf.json": JSON.stringify({ resource: { aws_dynamodb_table: { t: { dynamic: { attribute: { for_each: "${var.other}", content: { name: "x", type: "S" } } } } } } }),
    });
    const table = (await loadModule(dir)).resources.get("aws_dynamodb_table.t")!;
    expect(table.body).not.toHaveProperty("attribute");
    expect(Object.keys(table.body.dynamic as object).sort()).toEqual(["attribute", "global_secondary_index"]);
    expect((table.body.dynamic as Record<string, unknown[]>).attribute).toEqual([{ for_each: "${var.other}", content: { name: "x", type: "S" } }]);
  });

  it("locals per name, variables per field (validations kept), outputs and module inputs per argument; later override files win", async () => {
    // Checked with terraform console: b_override.tf.json is applied before override.tf (lexical order), so override.tf's l1 wins.
    const dir = folder({
      "main.tf": base,
      "b_override.tf.json": JSON.stringify({ locals: { l1: "json-over" }, variable: [{ stage: { type: "number" } }], module: { m: { b: 3, c: 4 } } }),
      "override.tf": 'locals {\n  l1 = "over1"\n}\n\nvariable "stage" {\n  default = "prod"\n}\n\noutput "o" {\n  value = "over"\n}\n',
    });
    const module = await loadModule(dir);
    expect(module.files.map((file) => path.basename(file))).toEqual(["main.tf", "b_override.tf.json", "override.tf"]);
    expect(module.locals.get("l1")).toMatchObject({ value: "over1", location: { file: "override.tf", line: 2 } });
    expect(module.locals.get("l2")!.value).toBe("base2");
    const stage = module.variables.get("stage")!;
    expect(stage).toMatchObject({ type: "number", default: "prod", defaultForm: "raw", description: "base", location: { file: "main.tf" } });
    expect(stage.validations).toHaveLength(1);
    expect(module.outputs.get("o")).toMatchObject({ value: "over", description: "base" });
    expect(module.moduleCalls.get("m")!.inputs).toEqual({ a: 1, b: 3, c: 4 });
  });

  it("count in the original and for_each in the override: Terraform 1.11 still expands by count", async () => {
    // Checked with terraform plan: terraform_data.d[0] and [1] were planned, the override's for_each ignored.
    const dir = folder({ "main.tf": 'resource "terraform_data" "d" {\n  count = 2\n}\n', "override.tf": 'resource "terraform_data" "d" {\n  for_each = toset(["a"])\n}\n' });
    const resource = (await loadModule(dir)).resources.get("terraform_data.d")!;
    expect(resource.count).toBe(2);
    expect(resource.forEach).toBeUndefined();
  });

  it("refuses overriding what is not declared, depends_on and validation blocks, with Terraform's words", async () => {
    const cases: [string, string, RegExp][] = [
      ["override.tf", 'resource "aws_sqs_queue" "nope" {}\n', /override\.tf:1: aws_sqs_queue\.nope: Missing resource to override: There is no aws_sqs_queue resource named "nope"/],
      ["override.tf", 'data "aws_region" "nope" {}\n', /Missing data resource to override/],
      ["override.tf", "locals {\n  nope = 1\n}\n", /override\.tf:2: local\.nope: Missing base local value definition to override/],
      ["x_override.tf", 'variable "nope" {}\n', /Missing base variable declaration to override/],
      ["override.tf", 'output "nope" {\n  value = 1\n}\n', /Missing base output definition to override/],
      ["override.tf", 'module "nope" {}\n', /Missing module call to override/],
      ["override.tf", 'resource "aws_dynamodb_table" "t" {\n  depends_on = []\n}\n', /override\.tf:2: aws_dynamodb_table\.t, argument depends_on: Unsupported override: the depends_on argument may not be overridden/],
      ["override.tf", 'variable "stage" {\n  validation {\n    condition     = true\n    error_message = "x"\n  }\n}\n', /Can't override validation blocks/],
      ["override.tf", "moved {\n  from = a.b\n  to   = a.c\n}\n", /Cannot override 'moved' blocks/],
    ];
    for (const [name, text, message] of cases) expect((await loadError(folder({ "main.tf": base, [name]: text }))).message).toMatch(message);
  });

  it("override file names: override.tf, *_override.tf and their .tf.json forms only", () => {
    expect(["override.tf", "override.tf.json", "a_override.tf", "a_override.tf.json"].every(isOverrideFile)).toBe(true);
    expect(["overrides.tf", "my-override.tf", "override.tfvars", "override.json"].some(isOverrideFile)).toBe(false);
  });
});

describe("loadModule: Terraform JSON and cdktf", () => {
  it("blocks as objects or lists of objects, at every level", async () => {
    const objects = {
      variable: { v: { type: "string", default: "${not a template}", validation: { condition: "${true}", error_message: "m" } } },
      resource: { aws_sqs_queue: { a: { name: "a" } } },
      output: { o: { value: "${aws_sqs_queue.a.name}" } },
      module: { m: { source: "./m", x: 1 } },
      data: { aws_region: { r: {} } },
      locals: { l: 1 },
    };
    const lists = {
      variable: [{ v: [{ type: "string", default: "${not a template}", validation: [{ condition: "${true}", error_message: "m" }] }] }],
      resource: [{ aws_sqs_queue: [{ a: [{ name: "a" }] }] }],
      output: [{ o: [{ value: "${aws_sqs_queue.a.name}" }] }],
      module: [{ m: [{ source: "./m", x: 1 }] }],
      data: [{ aws_region: { r: [{}] } }],
      locals: [{ l: 1 }],
    };
    const read = async (document: object) => loadModule(folder({ "main.tf.json": JSON.stringify(document) }));
    const [a, b] = [await read(objects), await read(lists)];
    for (const module of [a, b]) {
      expect(module.format).toBe("json");
      expect(module.resources.get("aws_sqs_queue.a")!.body).toEqual({ name: "a" });
      expect(module.dataSources.get("data.aws_region.r")!.body).toEqual({});
      expect(module.outputs.get("o")!.value).toBe("${aws_sqs_queue.a.name}");
      expect(module.moduleCalls.get("m")!.inputs).toEqual({ x: 1 });
      expect(module.locals.get("l")!.value).toBe(1);
      // Checked with terraform console: a .tf.json default is read literally, "${…}" and all.
      expect(module.variables.get("v")).toMatchObject({ type: "string", default: "${not a template}", defaultForm: "literal" });
      expect(module.variables.get("v")!.validations).toEqual([expect.objectContaining({ condition: "${true}", errorMessage: "m" })]);
    }
    // A name written twice in the list form is a duplicate, as in Terraform.
    expect((await loadError(folder({ "main.tf.json": JSON.stringify({ resource: { aws_sqs_queue: { a: [{}, {}] } } }) }))).message).toMatch(/Duplicate resource/);
  });

  it("cdktf output: \"//\" metadata dropped everywhere, the construct path kept on the location", async () => {
    const dir = folder({
      "cdk.tf.json": JSON.stringify({
        "//": { metadata: { backend: "local", stackName: "chat", version: "0.21.0" }, outputs: {} },
        terraform: { required_providers: { aws: { source: "aws", version: "6.0.0" } } },
        provider: { aws: [{ region: "us-east-1" }] },
        locals: { "//": "a comment", prefix: "chat" },
        resource: {
          "//": "a comment",
          aws_apigatewayv2_api: { chat_api_A1B2C3: { name: "${local.prefix}-api", protocol_type: "WEBSOCKET", "//": { metadata: { path: "chat/chat_api", uniqueId: "chat_api_A1B2C3" } } } },
        },
      }),
      "cdk.tf": 'resource "aws_apigatewayv2_api" "chat_api_A1B2C3" {\n  name = "same stack, as HCL"\n}\n',
    });
    expect(locateModuleSource(dir).files.map((file) => path.basename(file))).toEqual(["cdk.tf.json"]);
    const module = await loadModule(dir);
    expect(module).toMatchObject({ format: "json", cdktf: true });
    expect([...module.locals.keys()]).toEqual(["prefix"]);
    const api = module.resources.get("aws_apigatewayv2_api.chat_api_A1B2C3")!;
    expect(api.body).toEqual({ name: "${local.prefix}-api", protocol_type: "WEBSOCKET" });
    expect(api.location).toMatchObject({ file: "cdk.tf.json", line: undefined, constructPath: "chat/chat_api" });
    // A duplicate names the construct, which is what a cdktf user can find.
    writeFileSync(path.join(dir, "extra.tf.json"), JSON.stringify({ resource: { aws_apigatewayv2_api: { chat_api_A1B2C3: {} } } }));
    expect((await loadError(dir)).message).toMatch(/already declared at cdk\.tf\.json \(construct chat\/chat_api\)/);
    // Naming the HCL rendering itself loads that one.
    const hcl = await loadModule(path.join(dir, "cdk.tf"));
    expect(hcl).toMatchObject({ format: "hcl", files: [path.join(dir, "cdk.tf")] });
    expect(hcl.resources.get("aws_apigatewayv2_api.chat_api_A1B2C3")!.location).toMatchObject({ file: "cdk.tf", line: 1 });
  });
});

describe("locateModuleSource", () => {
  it("a folder: .tf and .tf.json files in byte order; hidden files, editor backups, folders and other files skipped", () => {
    const dir = folder({
      "b.tf": "",
      "a.tf.json": "{}",
      "B.tf": "",
      ".hidden.tf": "",
      "main.tf~": "",
      "#main.tf#": "",
      "notes.txt": "",
      "terraform.tfvars": "",
      "sub/c.tf": "",
    });
    symlinkSync(path.join(dir, "b.tf"), path.join(dir, "linked.tf"));
    const { dir: found, files } = locateModuleSource(dir);
    expect(found).toBe(dir);
    expect(files.map((file) => path.basename(file))).toEqual(["B.tf", "a.tf.json", "b.tf", "linked.tf"]);
  });

  it("a single file: that file, its folder as the module folder", () => {
    const dir = folder({ "main.tf": "", "other.tf": "" });
    expect(locateModuleSource(path.join(dir, "main.tf"))).toEqual({ dir, files: [path.join(dir, "main.tf")] });
  });

  it("a folder with nothing to load: says which extensions it looked for", () => {
    expect(() => locateModuleSource(folder({ "readme.md": "" }))).toThrow(/holds no Terraform configuration: looked for files ending \.tf and \.tf\.json/);
    // In a cdktf project, the fix points at the synthesized stack.
    const project = folder({ "cdktf.json": "{}", "cdktf.out/stacks/chat/cdk.tf.json": "{}" });
    expect(() => locateModuleSource(project)).toThrow(/This looks like a cdktf project: give a synthesized stack folder, e\.g\. .*cdktf\.out\/stacks\/chat/);
    expect(() => locateModuleSource(path.join(project, "missing"))).toThrow(ConfigurationError);
    expect(() => locateModuleSource(path.join(folder({ "dev.tfvars": "" }), "dev.tfvars"))).toThrow(/Variable files are passed with --var-file/);
  });
});

describe("BlockLocation: lines in HCL", () => {
  it("finds block headers, arguments, nested and dynamic blocks; never inside strings, heredocs or comments", async () => {
    const text = [
      /* 1 */ "# resource \"aws_sqs_queue\" \"q\" {",
      /* 2 */ "/*",
      /* 3 */ "resource \"aws_sqs_queue\" \"q\" {",
      /* 4 */ "*/",
      /* 5 */ "resource aws_sqs_queue q {",
      /* 6 */ "  policy = <<-EOT",
      /* 7 */ "    name = \"not this\"",
      /* 8 */ "  EOT",
      /* 9 */ "  tags = {",
      /* 10 */ '    "Name" = "${upper("x}")}"',
      /* 11 */ "    stage  = \"{\"",
      /* 12 */ "  }",
      /* 13 */ "  name = \"q\"",
      /* 14 */ "  # redrive = 1",
      /* 15 */ "}",
      /* 16 */ "",
      /* 17 */ 'data "aws_iam_policy_document" "p" {',
      /* 18 */ "  statement {",
      /* 19 */ "    actions = [\"sqs:*\"]",
      /* 20 */ "  }",
      /* 21 */ "  statement {",
      /* 22 */ "    actions = [\"sns:*\"]",
      /* 23 */ "  }",
      /* 24 */ '  dynamic "condition" {',
      /* 25 */ "    for_each = []",
      /* 26 */ "    content {}",
      /* 27 */ "  }",
      /* 28 */ "}",
      /* 29 */ "",
      /* 30 */ 'output "url" { value = aws_sqs_queue.q.url }',
    ].join("\n");
    const module = await loadModule(folder({ "main.tf": text }));
    const queue = module.resources.get("aws_sqs_queue.q")!.location;
    expect(queue.line).toBe(5);
    expect(queue.argumentLine("name")).toBe(13);
    expect(queue.argumentLine("tags")).toBe(9);
    expect(queue.argumentLine("tags.Name")).toBe(10);
    expect(queue.argumentLine("tags.stage")).toBe(11);
    expect(queue.argumentLine("policy")).toBe(6);
    expect(queue.argumentLine("redrive")).toBeUndefined();
    // A nested key that is missing gives the deepest line found.
    expect(queue.argumentLine("tags.nope")).toBe(9);
    expect(queue.at("aws_sqs_queue.q", "name")).toEqual({ file: "main.tf", line: 13, address: "aws_sqs_queue.q", argument: "name" });
    expect(queue.at("aws_sqs_queue.q", "nope")).toMatchObject({ line: 5, argument: "nope" });
    const policy = module.dataSources.get("data.aws_iam_policy_document.p")!.location;
    expect(policy.line).toBe(17);
    expect(policy.argumentLine("statement")).toBe(18);
    expect(policy.argumentLine("statement[1].actions")).toBe(22);
    expect(policy.argumentLine("statement.1.actions")).toBe(22);
    expect(policy.argumentLine("condition")).toBe(24);
    expect(module.outputs.get("url")!.location.line).toBe(30);
  });
});
