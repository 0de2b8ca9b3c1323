import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { AssetNotFoundError, UnsupportedConfigurationError } from "../../local/errors.ts";
import { ConfigurationError } from "../../local/terraform/errors.ts";
import { loadPlan, type MockIntegrationPlan } from "../../local/plan.ts";
import { baseDocument, writeStack, type TerraformJson } from "./support/stack.ts";

// Terraform JSON → model: what is read, what is refused, and how the errors read.

const plan = (document: TerraformJson, options: Record<string, unknown> = {}) => loadPlan({ source: writeStack(document), ...options });

describe("loadPlan", () => {
  it("reads routes, two-way responses, the stage, functions and tables from cdktf-shaped JSON", async () => {
    const result = await plan(baseDocument(), { apiId: "abc123" });
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

  it("for_each: a resource over an empty map is not created; over a non-empty one each instance is served", async () => {
    // GIVEN a route, integration and route response with for_each over a map variable, as the module's additional_routes
    const document = baseDocument();
    document.variable = { ...(document.variable as object), extra: { type: "map(any)", default: {} } };
    const api = Object.keys(document.resource.aws_apigatewayv2_api!)[0];
    document.resource.aws_apigatewayv2_integration!.extra = { for_each: "${var.extra}", api_id: `\${aws_apigatewayv2_api.${api}.id}`, integration_type: "AWS_PROXY", integration_uri: "${each.value.invoke_arn}" };
    document.resource.aws_apigatewayv2_route!.extra = { for_each: "${var.extra}", api_id: `\${aws_apigatewayv2_api.${api}.id}`, route_key: "${each.key}", target: "integrations/${aws_apigatewayv2_integration.extra[each.key].id}" };
    (document.resource.aws_apigatewayv2_route_response ??= {}).extra = { for_each: "${{ for k, v in var.extra : k => v if v.two_way }}", route_id: "${aws_apigatewayv2_route.extra[each.key].id}", route_response_key: "$default" };
    // WHEN the map is empty THEN nothing changes and nothing is said
    const empty = await plan(document);
    expect(empty.routes.size).toBe((await plan(baseDocument())).routes.size);
    expect(empty.warnings).toEqual((await plan(baseDocument())).warnings);
    // WHEN it has entries pointing at a declared function's invoke ARN
    const invokeArn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:conf-join/invocations";
    const full = await plan(document, { variables: { extra: { whoami: { invoke_arn: invokeArn, two_way: true }, later: { invoke_arn: invokeArn, two_way: false } } } });
    // THEN every instance is a route, at its instance address, two-way where the filtered for expression says so
    expect(full.routes.get("whoami")).toMatchObject({ address: 'aws_apigatewayv2_route.extra["whoami"]', twoWay: true, integration: { address: 'aws_apigatewayv2_integration.extra["whoami"]', functionAddress: "aws_lambda_function.join" } });
    expect(full.routes.get("later")).toMatchObject({ address: 'aws_apigatewayv2_route.extra["later"]', twoWay: false });
    // AND an instance naming a function the configuration does not declare is refused with its address
    await expect(plan(document, { variables: { extra: { bad: { invoke_arn: "arn", two_way: false } } } })).rejects.toThrow(
      'aws_apigatewayv2_integration.extra["bad"]: integration_uri must be the invoke ARN of a declared aws_lambda_function (got "arn")',
    );
  });

  it("for_each: integration responses from a map, at instance addresses written as Terraform writes them", async () => {
    // GIVEN the MOCK integration's response declared through for_each over a local map (key => template)
    const document = baseDocument();
    const single = document.resource.aws_apigatewayv2_integration_response!.mock_route_integration!;
    const template = (single.response_templates as Record<string, string>).$default!;
    delete document.resource.aws_apigatewayv2_integration_response!.mock_route_integration;
    (document as Record<string, any>).locals = { mock_responses: { "/2\\d\\d/": template, "/5\\d\\d/": '{"failed": true}' } };
    document.resource.aws_apigatewayv2_integration_response!.by_status = {
      for_each: "${local.mock_responses}",
      api_id: single.api_id,
      integration_id: single.integration_id,
      integration_response_key: "${each.key}",
      response_templates: { $default: "${each.value}" },
    };
    // WHEN it is read
    const mock = (await plan(document)).routes.get("mock")!.integration!;
    // THEN each instance is a response of that integration, by its instance address; the template keeps its $${} escape
    expect(mock).toMatchObject({ kind: "mock" });
    expect((mock as MockIntegrationPlan).responses).toEqual([
      // the key is a quoted HCL string in the address, so its backslashes are escaped: by_status["/2\\d\\d/"]
      { address: `aws_apigatewayv2_integration_response.by_status[${JSON.stringify("/2\\d\\d/")}]`, key: "/2\\d\\d/", template: template.replace("$${", "${") },
      { address: `aws_apigatewayv2_integration_response.by_status[${JSON.stringify("/5\\d\\d/")}]`, key: "/5\\d\\d/", template: '{"failed": true}' },
    ]);
  });

  it("accepts environment as an object as well as a one-element list, and variable overrides", async () => {
    const document = baseDocument();
    const join = document.resource.aws_lambda_function!.join!;
    join.environment = { variables: { ONLY: "${var.prefix}" } };
    const result = await plan(document, { variables: { prefix: "other" } });
    expect(result.functions.get("aws_lambda_function.join")!.environment).toEqual({ ONLY: "other" });
  });

  it("builds the zip data.archive_file describes (source_dir), as the archive provider would, and runs that", async () => {
    const document = baseDocument();
    const dir = mkdtempSync(path.join(tmpdir(), "wsstack-src-"));
    writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => ({ statusCode: 200 });");
    (document as Record<string, any>).data.archive_file = { join_src: { type: "zip", source_dir: dir, output_path: "${path.module}/join.zip" } };
    document.resource.aws_lambda_function!.join!.filename = "${data.archive_file.join_src.output_path}";
    const source = writeStack(document);
    const code = (await loadPlan({ source })).functions.get("aws_lambda_function.join")!.code;
    expect(code).toEqual({ kind: "zip", path: path.join(path.dirname(source), "join.zip") });
    expect(Object.keys(unzipSync(readFileSync(code.path)))).toEqual(["index.js"]);
  });

  it("names the resource and path when a zip is missing, also for relative paths", async () => {
    const document = baseDocument();
    document.resource.aws_lambda_function!.join!.filename = "assets/missing.zip";
    await expect(plan(document)).rejects.toThrow(AssetNotFoundError);
    await expect(plan(document)).rejects.toThrow(/^aws_lambda_function\.join: deployment package .*assets\/missing\.zip does not exist/);
  });

  it("refuses several WebSocket APIs unless one is chosen", async () => {
    const document = baseDocument();
    document.resource.aws_apigatewayv2_api!.second = { name: "second", protocol_type: "WEBSOCKET", route_selection_expression: "$request.body.action" };
    await expect(plan(document)).rejects.toThrow(/declares 2 WebSocket APIs .*choose one with --api/);
    expect((await plan(document, { api: "chat_api_A1B2C3" })).api.address).toBe("aws_apigatewayv2_api.chat_api_A1B2C3");
  });

  it("refuses a route response key other than $default, and CUSTOM auth off $connect", async () => {
    const responses = baseDocument();
    responses.resource.aws_apigatewayv2_route_response!.echo_route!.route_response_key = "ok";
    await expect(plan(responses)).rejects.toThrow(UnsupportedConfigurationError);
    await expect(plan(responses)).rejects.toThrow(/aws_apigatewayv2_route_response\.echo_route: route_response_key "ok" is not supported/);

    const auth = baseDocument();
    Object.assign(auth.resource.aws_apigatewayv2_route!.join_route!, { authorization_type: "CUSTOM", authorizer_id: "${aws_apigatewayv2_authorizer.token.id}" });
    await expect(plan(auth)).rejects.toThrow(/aws_apigatewayv2_route\.join_route: authorization_type "CUSTOM" is only allowed on the \$connect route/);
  });

  it("names the variable, its file and the fix when a required variable has no value", async () => {
    const document = baseDocument();
    (document as Record<string, any>).variable.prefix = { type: "string" };
    await expect(plan(document)).rejects.toThrow(ConfigurationError);
    await expect(plan(document)).rejects.toThrow('cdk.tf.json: var.prefix: no value for required variable "prefix". Pass --var prefix=VALUE, set TF_VAR_prefix, or put prefix = … in terraform.tfvars');
  });

  it("refuses a non-Node.js runtime and VTL the MOCK renderer does not know", async () => {
    const python = baseDocument();
    python.resource.aws_lambda_function!.join!.runtime = "python3.12";
    await expect(plan(python)).rejects.toThrow(/aws_lambda_function\.join: runtime "python3\.12" is not supported/);

    const { checkMockIntegration } = await import("../../local/mock-integration.ts");
    const vtl = baseDocument();
    (vtl.resource.aws_apigatewayv2_integration_response!.mock_route_integration!.response_templates as Record<string, string>).$default = "$util.escapeJavaScript($input.body)";
    const mock = (await plan(vtl)).routes.get("mock")!.integration!;
    expect(() => checkMockIntegration(mock as never)).toThrow(/response_templates uses \$util\.escapeJavaScript/);
  });

  it("evaluates conditionals the way the project's stack toggles its authorizer", async () => {
    const document = baseDocument();
    (document as Record<string, any>).variable.auth_enabled = { type: "bool", default: true };
    Object.assign(document.resource.aws_apigatewayv2_route!.connect_route!, {
      authorization_type: '${var.auth_enabled ? "CUSTOM" : "NONE"}',
      authorizer_id: "${var.auth_enabled ? aws_apigatewayv2_authorizer.token.id : null}",
    });
    expect((await plan(document)).routes.get("$connect")!.authorizer?.address).toBe("aws_apigatewayv2_authorizer.token");
    // A --var arrives as text and is converted to the variable's type.
    expect((await plan(document, { variables: { auth_enabled: "false" } })).routes.get("$connect")!.authorizer).toBeUndefined();
  });

  it("finds cdk.tf.json in a folder", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "wsstack-folder-"));
    mkdirSync(path.join(dir, "nested"));
    const file = writeStack(baseDocument());
    expect((await loadPlan({ source: path.dirname(file) })).sourceFile).toBe(file);
  });
});
