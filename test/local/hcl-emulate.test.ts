import { ApiGatewayManagementApiClient, GetConnectionCommand, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { unzipSync } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../local/emulator.ts";
import { ConfigurationError } from "../../local/terraform/errors.ts";
import { TestClient } from "./support/client.ts";

/**
 * `wsstack emulate <folder>` on hand-written HCL (issue 14): each fixture of
 * fixtures/hcl (also proven real Terraform by hcl-fixtures.test.ts) is
 * served by the emulator and driven with real `ws` clients and the SDK's
 * management client. The handler (fixtures/handlers/esm-index.js) answers
 * two-way routes with its route key, connection id, function name and
 * GREETING; one-way routes are seen in the emulator's log.
 */
const HCL = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "hcl");

const running: { emulator: RunningEmulator; clients: TestClient[]; sdk?: ApiGatewayManagementApiClient }[] = [];

afterEach(async () => {
  for (const r of running.splice(0)) {
    for (const client of r.clients) client.close();
    r.sdk?.destroy();
    await r.emulator.close();
  }
});

/** A scratch copy of the fixtures (archive_file writes into its folder, and reads ../../handlers), as a user would run them. */
function scratch(): string {
  const fixtures = mkdtempSync(path.join(os.tmpdir(), "wsstack-hcl-emulate-"));
  cpSync(HCL, path.join(fixtures, "hcl"), { recursive: true, filter: (src) => !/[\\/](\.terraform|\.build)$/.test(src) });
  cpSync(path.join(HCL, "..", "handlers"), path.join(fixtures, "handlers"), { recursive: true });
  return path.join(fixtures, "hcl");
}

interface Served {
  readonly emulator: RunningEmulator;
  readonly logs: string[];
  readonly sdk: ApiGatewayManagementApiClient;
  connect(query?: string): Promise<TestClient>;
}

async function serve(source: string, options: Partial<EmulatorOptions> = {}): Promise<Served> {
  const logs: string[] = [];
  const emulator = await startEmulator({ source, port: 0, cacheDir: mkdtempSync(path.join(os.tmpdir(), "wsstack-cache-")), log: (line) => logs.push(line), ...options });
  const sdk = new ApiGatewayManagementApiClient({ endpoint: emulator.managementEndpoint, region: emulator.plan.region, credentials: { accessKeyId: "x", secretAccessKey: "x" } });
  const entry = { emulator, clients: [] as TestClient[], sdk };
  running.push(entry);
  return {
    emulator,
    logs,
    sdk,
    async connect(query = "") {
      const client = await TestClient.open(`${emulator.url}${query}`);
      entry.clients.push(client);
      return client;
    },
  };
}

/** Sends a frame and reads the two-way route's answer. */
async function ask(client: TestClient, frame: unknown): Promise<Record<string, unknown>> {
  client.send(JSON.stringify(frame));
  return JSON.parse(await client.next()) as Record<string, unknown>;
}

/** Waits for a log line (one-way routes answer nothing, but the emulator logs each invocation). */
async function logged(served: Served, pattern: RegExp): Promise<string> {
  const end = Date.now() + 5_000;
  for (;;) {
    const line = served.logs.find((l) => pattern.test(l));
    if (line !== undefined) return line;
    if (Date.now() > end) throw new Error(`no log line matching ${pattern} in:\n${served.logs.join("\n")}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The management API, through the AWS SDK: the connection exists, and a post reaches the client. */
async function expectManagementApiReaches(served: Served, client: TestClient, connectionId: string): Promise<void> {
  const info = await served.sdk.send(new GetConnectionCommand({ ConnectionId: connectionId }));
  expect(info.ConnectedAt).toBeInstanceOf(Date);
  await served.sdk.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode("from the SDK") }));
  expect(await client.next()).toBe("from the SDK");
}

describe("wsstack emulate serves hand-written HCL folders", () => {
  it("flat: single resources, a validation block, coalesce over a null default, filebase64sha256, data.aws_iam_policy_document", async () => {
    // GIVEN the flat fixture folder (main.tf, variables.tf, outputs.tf)
    const served = await serve(path.join(scratch(), "flat"));
    // THEN its routes are read by their addresses, $default is two-way, and the stage throttles as declared
    const plan = served.emulator.plan;
    expect([...plan.routes.keys()].sort()).toEqual(["$connect", "$default", "$disconnect", "sendmessage"]);
    expect(plan.routes.get("$default")).toMatchObject({ address: "aws_apigatewayv2_route.default", twoWay: true });
    expect(plan.routes.get("sendmessage")?.twoWay).toBe(false);
    expect(plan.stage).toMatchObject({ name: "dev", throttle: { defaultLimits: { burstLimit: 100, rateLimit: 50 } } });
    expect(plan.functions.get("aws_lambda_function.sendmessage")).toMatchObject({ functionName: "flat-chat-sendmessage", timeoutSeconds: 10, environment: { TABLE_NAME: "flat-chat-connections", GREETING: "sendmessage" } });
    expect(plan.tables.map((t) => t.name)).toEqual(["flat-chat-connections"]);
    // WHEN a client connects and sends an unrouted action
    const client = await served.connect();
    const answer = await ask(client, { action: "nothing-here", text: "hi" });
    // THEN $default's function answers with its own name and environment
    expect(answer).toMatchObject({ kind: "esm", routeKey: "$default", functionName: "flat-chat-default", greeting: "default" });
    // AND the one-way sendmessage route runs its function
    client.send(JSON.stringify({ action: "sendmessage", text: "hello" }));
    await logged(served, /sendmessage → flat-chat-sendmessage \d+ ms 200/);
    await expectManagementApiReaches(served, client, String(answer.connectionId));
  });

  it("flat: a --var that fails the variable's validation block gets Terraform's message, with file and line", async () => {
    const dir = path.join(scratch(), "flat");
    const failure = startEmulator({ source: dir, port: 0, vars: ["stage_name=Bad Stage"], log: () => {} });
    await expect(failure).rejects.toThrow(ConfigurationError);
    await expect(failure).rejects.toThrow(/variables\.tf:\d+: var\.stage_name: Invalid value for variable: stage_name must start with a lowercase letter and hold only a-z, 0-9, _ and -\. \(the value came from -var\)/);
  });

  it("for-each-module: a locals map of routes, for_each, a local module called with for_each, for expressions with if", async () => {
    // GIVEN extra routes merged in through a map(object) variable with an optional attribute
    const served = await serve(path.join(scratch(), "for-each-module"), { vars: ['extra_routes={ ping = { function = "whoami", two_way = true } }'] });
    const plan = served.emulator.plan;
    // THEN every route is an instance of the for_each resource, and two-way ones come from the filtered for expression
    expect([...plan.routes.keys()].sort()).toEqual(["$connect", "$default", "$disconnect", "ping", "sendmessage", "whoami"]);
    expect(plan.routes.get("whoami")).toMatchObject({ address: 'aws_apigatewayv2_route.route["whoami"]', twoWay: true });
    expect(plan.routes.get("ping")).toMatchObject({ twoWay: true, integration: { functionAddress: 'module.function["whoami"].aws_lambda_function.this' } });
    expect(plan.routes.get("sendmessage")?.twoWay).toBe(false);
    // AND the module's functions have their inputs: names, timeout from a conditional, environment merged in the module
    expect(plan.functions.get('module.function["sendmessage"].aws_lambda_function.this')).toMatchObject({
      functionName: "fe-chat-sendmessage",
      timeoutSeconds: 10,
      environment: { FUNCTION_LABEL: "fe-chat-sendmessage", TABLE_NAME: "fe-chat-connections", GREETING: "SENDMESSAGE" },
    });
    // WHEN a client asks the two-way routes
    const client = await served.connect();
    expect(await ask(client, { action: "whoami" })).toMatchObject({ routeKey: "whoami", functionName: "fe-chat-whoami", greeting: "WHOAMI" });
    expect(await ask(client, { action: "ping" })).toMatchObject({ routeKey: "ping", functionName: "fe-chat-whoami" });
    const fallback = await ask(client, { action: "unknown" });
    expect(fallback).toMatchObject({ routeKey: "$default", functionName: "fe-chat-default", greeting: "DEFAULT" });
    await expectManagementApiReaches(served, client, String(fallback.connectionId));
  });

  it("count: list-driven routes with count.index, splats, an optional REQUEST authorizer switched on by a --var", async () => {
    const dir = path.join(scratch(), "count");
    // GIVEN the defaults: no authorizer
    const open = await serve(dir);
    expect([...open.emulator.plan.routes.keys()].sort()).toEqual(["$connect", "$default", "$disconnect", "sendmessage", "whoami"]);
    expect(open.emulator.plan.routes.get("$connect")?.authorizer).toBeUndefined();
    const client = await open.connect();
    const answer = await ask(client, { action: "whoami" });
    expect(answer).toMatchObject({ routeKey: "whoami", functionName: "count-chat-whoami", greeting: "whoami" });
    await expectManagementApiReaches(open, client, String(answer.connectionId));
    await open.emulator.close();
    // WHEN enable_authorizer=true: aws_apigatewayv2_authorizer.token[0] guards $connect, reading ?token=
    const guarded = await serve(dir, { vars: ["enable_authorizer=true"] });
    expect(guarded.emulator.plan.routes.get("$connect")?.authorizer).toMatchObject({
      address: "aws_apigatewayv2_authorizer.token[0]",
      functionAddress: "aws_lambda_function.authorizer[0]",
      identitySources: ["route.request.querystring.token"],
    });
    // THEN a connection without the identity source is refused with 401 before any function runs
    await expect(TestClient.open(guarded.emulator.url)).rejects.toThrow(/401/);
  });

  it("count: a list --var that breaks the validation (alltrue over a for expression) is refused with its message", async () => {
    const failure = startEmulator({ source: path.join(scratch(), "count"), port: 0, vars: ['custom_routes=["$connect"]'], log: () => {} });
    await expect(failure).rejects.toThrow(/custom_routes holds custom route keys only/);
  });

  it("archive-file: data.archive_file zips the handler as the provider would, and the function runs the zip", async () => {
    const root = scratch();
    const served = await serve(path.join(root, "archive-file"));
    // THEN the zip exists at output_path with both sources, under their file names
    const zip = path.join(root, "archive-file", ".build", "handler.zip");
    expect(existsSync(zip)).toBe(true);
    const entries = unzipSync(readFileSync(zip));
    expect(Object.keys(entries).sort()).toEqual(["config.json", "index.mjs"]);
    expect(new TextDecoder().decode(entries["index.mjs"])).toBe(readFileSync(path.join(HCL, "..", "handlers", "esm-index.js"), "utf8"));
    expect(JSON.parse(new TextDecoder().decode(entries["config.json"]))).toEqual({ stack: "zip-chat", routes: ["$connect", "$disconnect", "$default", "echo"] });
    // AND the one function behind every route (for_each over toset) answers the two-way echo route
    expect([...served.emulator.plan.routes.keys()].sort()).toEqual(["$connect", "$default", "$disconnect", "echo"]);
    const client = await served.connect();
    const answer = await ask(client, { action: "echo" });
    expect(answer).toMatchObject({ routeKey: "echo", functionName: "zip-chat-handler", greeting: "zipped by archive_file" });
    await expectManagementApiReaches(served, client, String(answer.connectionId));
  });

  it("tfvars: values from terraform.tfvars and routes.auto.tfvars.json; a --var-file and TF_VAR_ override them in Terraform's order", async () => {
    const dir = path.join(scratch(), "tfvars");
    // GIVEN no command-line values: terraform.tfvars and the auto.tfvars.json give every variable
    const served = await serve(dir);
    const plan = served.emulator.plan;
    expect(plan.stage).toMatchObject({ name: "prod", throttle: { defaultLimits: { burstLimit: 200, rateLimit: 100 } } });
    expect(plan.functions.get('aws_lambda_function.route["sendmessage"]')).toMatchObject({ functionName: "tfvars-chat-prod-sendmessage", memorySizeMb: 256, environment: { GREETING: "hello from tfvars", ROUTE_KEY: "sendmessage" } });
    expect(plan.functions.get('aws_lambda_function.route["$connect"]')?.memorySizeMb).toBe(128);
    expect(plan.routes.get("$default")?.twoWay).toBe(true);
    const client = await served.connect();
    expect(await ask(client, { action: "anything" })).toMatchObject({ routeKey: "$default", functionName: "tfvars-chat-prod-default", greeting: "hello from tfvars" });
    await served.emulator.close();
    // WHEN TF_VAR_stage_name is set (lower than terraform.tfvars) and a --var-file sets it again (higher)
    writeFileSync(path.join(dir, "staging.tfvars"), 'stage_name = "staging"\n');
    const overridden = await serve(dir, { env: { TF_VAR_stage_name: "from-env", TF_VAR_name: "ignored-by-tfvars" }, varFiles: [path.join(dir, "staging.tfvars")] });
    // THEN the var file wins over terraform.tfvars, which wins over the environment
    expect(overridden.emulator.plan.stage.name).toBe("staging");
    expect(overridden.emulator.plan.functions.get('aws_lambda_function.route["$default"]')?.functionName).toBe("tfvars-chat-staging-default");
  });

  it("refusals name the file, line, address and argument, and say what would work; what the emulator does not need is never evaluated", async () => {
    // GIVEN the flat fixture with an unmodeled data source and a function the emulator lacks
    const dir = path.join(scratch(), "flat");
    const main = readFileSync(path.join(dir, "main.tf"), "utf8");
    const extra = [
      'data "aws_vpc" "main" {',
      "  default = true",
      "}",
      "",
      'resource "aws_ssm_parameter" "stamp" {',
      '  name  = "/flat/stamp"',
      '  type  = "String"',
      "  value = \"${timestamp()}-${data.aws_vpc.main.cidr_block}\"",
      "}",
      "",
    ].join("\n");
    writeFileSync(path.join(dir, "extra.tf"), extra);
    // WHEN only resources the emulator does not read use them THEN the stack is served (they are never evaluated)
    const served = await serve(dir);
    expect(served.emulator.plan.routes.size).toBe(4);
    await served.emulator.close();
    // WHEN a function's environment uses the missing function
    writeFileSync(path.join(dir, "main.tf"), main.replace('GREETING   = "default"', 'GREETING   = "default"\n      STARTED    = timestamp()'));
    const line = readFileSync(path.join(dir, "main.tf"), "utf8").split("\n").findIndex((l) => l.includes("environment {") ) + 1;
    // THEN the refusal names the function, the file and line, the resource and the argument, and the fix
    const failure = startEmulator({ source: dir, port: 0, log: () => {} });
    await expect(failure).rejects.toThrow(ConfigurationError);
    await expect(failure).rejects.toThrow(/^main\.tf:\d+: aws_lambda_function\.default, argument environment: the emulator does not implement Terraform's timestamp\(\) function\. Compute the value another way, or pass it in with --var/);
    expect(line).toBeGreaterThan(0);
    // WHEN a function's environment reads an attribute of a data source the emulator does not model
    writeFileSync(path.join(dir, "main.tf"), main.replace('GREETING   = "default"', 'GREETING   = data.aws_vpc.main.cidr_block'));
    await expect(startEmulator({ source: dir, port: 0, log: () => {} })).rejects.toThrow(/main\.tf:\d+: aws_lambda_function\.default, argument environment: .*cidr_block/);
    // WHEN a module comes from the registry THEN it is refused with the fix
    writeFileSync(path.join(dir, "extra.tf"), 'module "remote" {\n  source = "terraform-aws-modules/lambda/aws"\n}\n\noutput "remote" {\n  value = module.remote\n}\n');
    writeFileSync(path.join(dir, "main.tf"), main.replace('GREETING   = "default"', 'GREETING   = jsonencode(module.remote)'));
    await expect(startEmulator({ source: dir, port: 0, log: () => {} })).rejects.toThrow(/extra\.tf:2: module\.remote, argument source: module source "terraform-aws-modules\/lambda\/aws" is not a local path\. The emulator runs local modules only/);
  });

  it("for_each over a list is refused with Terraform's message and the toset() fix, at the line of for_each", async () => {
    const dir = path.join(scratch(), "archive-file");
    const main = readFileSync(path.join(dir, "main.tf"), "utf8").replace("for_each = toset(local.routes)", "for_each = local.routes");
    writeFileSync(path.join(dir, "main.tf"), main);
    const line = main.split("\n").findIndex((l) => l.includes("for_each = local.routes")) + 1;
    await expect(startEmulator({ source: dir, port: 0, log: () => {} })).rejects.toThrow(
      `main.tf:${line}: aws_apigatewayv2_route.route, argument for_each: the "for_each" argument must be a map, or set of strings, and you have provided a value of type tuple. Wrap a list of strings in toset(), or build a map with a for expression`,
    );
  });
});
