import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AssetNotFoundError, UnresolvedReferenceError, UnsupportedConfigurationError } from "../../local/errors.ts";
import { loadPlan } from "../../local/plan.ts";
import { baseDocument, writeStack, type TerraformJson } from "./support/stack.ts";

// Terraform JSON → model: what is read, what is refused, and how the errors read.

const plan = (document: TerraformJson, options: Record<string, unknown> = {}) => loadPlan({ source: writeStack(document), ...options });

describe("loadPlan", () => {
  it("reads routes, two-way responses, the stage, functions and tables from cdktf-shaped JSON", () => {
    const result = plan(baseDocument(), { apiId: "abc123" });
    expect(result.api).toMatchObject({ apiId: "abc123", name: "conf-chat", routeSelectionExpression: "$request.body.action" });
    expect(result.stage.name).toBe("dev");
    expect([...result.routes.keys()].sort()).toEqual(["$connect", "$default", "$disconnect", "123", "commonjs", "echo", "esm", "join", "mock"]);
    expect(result.routes.get("echo")!.twoWay).toBe(true);
    expect(result.routes.get("join")!.twoWay).toBe(false);
    expect(result.routes.get("mock")!.integration).toMatchObject({ kind: "mock", requestTemplate: '{"statusCode": 200}' });
    const join = result.functions.get("aws_lambda_function.join")!;
    expect(join).toMatchObject({ functionName: "conf-join", handler: "index.handler", timeoutSeconds: 3, memorySizeMb: 256 });
    expect(join.environment).toMatchObject({ TABLE_NAME: "conf-connections", GREETING: "hello from join" });
    expect(join.code.kind).toBe("zip");
    expect(result.tables[0]).toMatchObject({ name: "conf-connections", hashKey: "pk", rangeKey: "sk", billingMode: "PAY_PER_REQUEST" });
    // Functions no route uses (the authorizer is not attached here) are loaded too: the Lambda Invoke API serves them.
    expect(result.functions.has("aws_lambda_function.authorizer")).toBe(true);
  });

  it("for_each: a resource over an empty map is not created; over a non-empty one it is left out with a warning", () => {
    // GIVEN a route, integration and route response with for_each over a map variable, as the module's additional_routes
    const document = baseDocument();
    document.variable = { ...(document.variable as object), extra: { type: "map(any)", default: {} } };
    const api = Object.keys(document.resource.aws_apigatewayv2_api!)[0];
    document.resource.aws_apigatewayv2_integration!.extra = { for_each: "${var.extra}", api_id: `\${aws_apigatewayv2_api.${api}.id}`, integration_type: "AWS_PROXY", integration_uri: "${each.value.invoke_arn}" };
    document.resource.aws_apigatewayv2_route!.extra = { for_each: "${var.extra}", api_id: `\${aws_apigatewayv2_api.${api}.id}`, route_key: "${each.key}", target: "integrations/${aws_apigatewayv2_integration.extra[each.key].id}" };
    (document.resource.aws_apigatewayv2_route_response ??= {}).extra = { for_each: "${{ for k, v in var.extra : k => v if v.two_way }}", route_id: "${aws_apigatewayv2_route.extra[each.key].id}", route_response_key: "$default" };
    // WHEN the map is empty THEN nothing changes and nothing is said
    const empty = plan(document);
    expect(empty.routes.size).toBe(plan(baseDocument()).routes.size);
    expect(empty.warnings.filter((w) => w.includes("for_each"))).toEqual([]);
    // WHEN it has an entry THEN the built-in routes still load, and each for_each resource is named in a warning
    const full = plan(document, { variables: { extra: { whoami: { invoke_arn: "arn", two_way: true } } } });
    expect([...full.routes.keys()]).not.toContain("whoami");
    expect(full.warnings.filter((w) => w.includes("for_each is not expanded")).map((w) => w.split(":")[0]).sort()).toEqual([
      "aws_apigatewayv2_integration.extra",
      "aws_apigatewayv2_route.extra",
      "aws_apigatewayv2_route_response.extra",
    ]);
  });

  it("accepts environment as an object as well as a one-element list, and variable overrides", () => {
    const document = baseDocument();
    const join = document.resource.aws_lambda_function!.join!;
    join.environment = { variables: { ONLY: "${var.prefix}" } };
    const result = plan(document, { variables: { prefix: "other" } });
    expect(result.functions.get("aws_lambda_function.join")!.environment).toEqual({ ONLY: "other" });
  });

  it("reads data.archive_file source_dir instead of the zip it would produce", () => {
    const document = baseDocument();
    const dir = mkdtempSync(path.join(tmpdir(), "wsstack-src-"));
    writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => ({ statusCode: 200 });");
    (document as Record<string, any>).data.archive_file = { join_src: { type: "zip", source_dir: dir, output_path: "${path.module}/join.zip" } };
    document.resource.aws_lambda_function!.join!.filename = "${data.archive_file.join_src.output_path}";
    expect(plan(document).functions.get("aws_lambda_function.join")!.code).toEqual({ kind: "directory", path: dir });
  });

  it("names the resource and path when a zip is missing, also for relative paths", () => {
    const document = baseDocument();
    document.resource.aws_lambda_function!.join!.filename = "assets/missing.zip";
    expect(() => plan(document)).toThrow(AssetNotFoundError);
    expect(() => plan(document)).toThrow(/^aws_lambda_function\.join: deployment package .*assets\/missing\.zip does not exist/);
  });

  it("refuses several WebSocket APIs unless one is chosen", () => {
    const document = baseDocument();
    document.resource.aws_apigatewayv2_api!.second = { name: "second", protocol_type: "WEBSOCKET", route_selection_expression: "$request.body.action" };
    expect(() => plan(document)).toThrow(/declares 2 WebSocket APIs .*choose one with --api/);
    expect(plan(document, { api: "chat_api_A1B2C3" }).api.address).toBe("aws_apigatewayv2_api.chat_api_A1B2C3");
  });

  it("refuses a route response key other than $default, and CUSTOM auth off $connect", () => {
    const responses = baseDocument();
    responses.resource.aws_apigatewayv2_route_response!.echo_route!.route_response_key = "ok";
    expect(() => plan(responses)).toThrow(UnsupportedConfigurationError);
    expect(() => plan(responses)).toThrow(/aws_apigatewayv2_route_response\.echo_route: route_response_key "ok" is not supported/);

    const auth = baseDocument();
    Object.assign(auth.resource.aws_apigatewayv2_route!.join_route!, { authorization_type: "CUSTOM", authorizer_id: "${aws_apigatewayv2_authorizer.token.id}" });
    expect(() => plan(auth)).toThrow(/aws_apigatewayv2_route\.join_route: authorization_type "CUSTOM" is only allowed on the \$connect route/);
  });

  it("names the variable when a reference has no value", () => {
    const document = baseDocument();
    (document as Record<string, any>).variable.prefix = { type: "string" };
    expect(() => plan(document)).toThrow(UnresolvedReferenceError);
    expect(() => plan(document)).toThrow(/variable "prefix" has no default; pass a value with --var prefix=/);
  });

  it("refuses a non-Node.js runtime and VTL the MOCK renderer does not know", async () => {
    const python = baseDocument();
    python.resource.aws_lambda_function!.join!.runtime = "python3.12";
    expect(() => plan(python)).toThrow(/aws_lambda_function\.join: runtime "python3\.12" is not supported/);

    const { checkMockIntegration } = await import("../../local/mock-integration.ts");
    const vtl = baseDocument();
    (vtl.resource.aws_apigatewayv2_integration_response!.mock_route_integration!.response_templates as Record<string, string>).$default = "$util.escapeJavaScript($input.body)";
    const mock = plan(vtl).routes.get("mock")!.integration!;
    expect(() => checkMockIntegration(mock as never)).toThrow(/response_templates uses \$util\.escapeJavaScript/);
  });

  it("evaluates conditionals the way the project's stack toggles its authorizer", () => {
    const document = baseDocument();
    (document as Record<string, any>).variable.auth_enabled = { type: "bool", default: true };
    Object.assign(document.resource.aws_apigatewayv2_route!.connect_route!, {
      authorization_type: '${var.auth_enabled ? "CUSTOM" : "NONE"}',
      authorizer_id: "${var.auth_enabled ? aws_apigatewayv2_authorizer.token.id : null}",
    });
    expect(plan(document).routes.get("$connect")!.authorizer?.address).toBe("aws_apigatewayv2_authorizer.token");
    // A --var arrives as text and is converted to the variable's type.
    expect(plan(document, { variables: { auth_enabled: "false" } }).routes.get("$connect")!.authorizer).toBeUndefined();
  });

  it("finds cdk.tf.json in a folder", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wsstack-folder-"));
    mkdirSync(path.join(dir, "nested"));
    const file = writeStack(baseDocument());
    expect(loadPlan({ source: path.dirname(file) }).sourceFile).toBe(file);
  });
});
