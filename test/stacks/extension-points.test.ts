import { parse } from "@cdktf/hcl2json";
import { TerraformVariable } from "cdktf";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { AUTHORIZER, FAN_OUT_FUNCTION, LAMBDA_ROUTES, ROUTES } from "../../contract/routes.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { BundledFunction } from "../../stacks/bundled-function.ts";
import { HCL_FILE, writeStackHcl } from "../../stacks/hcl-output.ts";
import { InvalidRouteKeyError, ROUTE_MAP_ENTRY_TYPE, WebSocketApi } from "../../stacks/websocket-api.ts";
import { bracedInterpolations } from "./hcl-scan.ts";
import { ECHO_HANDLER, resourcesOf, synthChatStack, synthInStack, tempBundleRoot } from "./synth-helpers.ts";

// Issue 13's extension points: more routes from a Terraform map, and the outputs a root module builds on.

/** An API with one built-in route and a route map over `var.extra`. */
function apiWithRouteMap(build?: (api: WebSocketApi) => void) {
  const bundleRoot = tempBundleRoot();
  return synthInStack((stack) => {
    const extra = new TerraformVariable(stack, "extra", { type: `map(${ROUTE_MAP_ENTRY_TYPE})`, default: {} });
    const api = new WebSocketApi(stack, "Api", { apiName: "chat", stageName: "dev" });
    const fn = new BundledFunction(stack, "Fn", { entry: ECHO_HANDLER, functionName: "fn", bundleRoot, logRetentionDays: 7 });
    api.addLambdaRoute("$default", fn, { twoWay: true });
    api.addLambdaRouteMap(extra.value);
    build?.(api);
  });
}

/** Resources of a type that have for_each, by their Terraform name. */
const forEachOf = (tf: { resource: Record<string, Record<string, any>> }, type: string) =>
  Object.fromEntries(Object.entries(tf.resource[type] ?? {}).filter(([, r]) => r.for_each !== undefined));

describe("WebSocketApi.addLambdaRouteMap", () => {
  it("addLambdaRouteMap: an AWS_PROXY integration, a route and a permission per entry, each for_each over the map", () => {
    // GIVEN / WHEN
    const { tf } = apiWithRouteMap();
    // THEN each is one resource, at a readable address, iterating the map
    const integrations = forEachOf(tf, "aws_apigatewayv2_integration");
    const routes = forEachOf(tf, "aws_apigatewayv2_route");
    const permissions = forEachOf(tf, "aws_lambda_permission");
    expect(Object.keys(integrations)).toEqual(["additional"]);
    expect(Object.keys(routes)).toEqual(["additional"]);
    expect(Object.keys(permissions)).toEqual(["additional"]);
    expect(integrations.additional).toMatchObject({
      for_each: "${var.extra}",
      integration_type: "AWS_PROXY",
      integration_method: "POST",
      integration_uri: "${each.value.invoke_arn}",
    });
    expect(routes.additional).toMatchObject({
      for_each: "${var.extra}",
      route_key: "${each.key}",
      target: "integrations/${aws_apigatewayv2_integration.additional[each.key].id}",
      route_response_selection_expression: '${each.value.two_way ? "$default" : null}',
    });
    // A WebSocket API authorizes $connect only; the map cannot hold $connect (the variable's validation).
    expect(routes.additional.authorization_type).toBeUndefined();
    expect(routes.additional.api_id).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.id\}$/);
  });

  it("addLambdaRouteMap: API Gateway may invoke each function for its own route on this stage only", () => {
    const { tf } = apiWithRouteMap();
    const { additional: permission } = forEachOf(tf, "aws_lambda_permission");
    expect(permission).toMatchObject({
      for_each: "${var.extra}",
      action: "lambda:InvokeFunction",
      principal: "apigateway.amazonaws.com",
      function_name: "${each.value.function_name}",
      // A prefix: one function may serve several keys without its statement ids colliding.
      statement_id_prefix: "AllowApiGatewayInvoke-",
    });
    expect(permission.source_arn).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}\/dev\/\$\{each\.key\}$/);
    expect(permission.statement_id).toBeUndefined();
  });

  it("addLambdaRouteMap: two-way entries only get a $default route response, through a for filter", () => {
    const { tf } = apiWithRouteMap();
    const responses = forEachOf(tf, "aws_apigatewayv2_route_response");
    expect(responses).toEqual({
      additional: expect.objectContaining({
        for_each: "${{ for key, entry in var.extra : key => entry if entry.two_way }}",
        route_id: "${aws_apigatewayv2_route.additional[each.key].id}",
        route_response_key: "$default",
      }),
    });
    // The built-in route keeps its own, without for_each.
    expect(resourcesOf(tf, "aws_apigatewayv2_route_response")).toHaveLength(2);
  });

  it("addLambdaRouteMap: the stage redeploys when the map or its routes change", () => {
    const { tf } = apiWithRouteMap();
    const [deployment] = resourcesOf(tf, "aws_apigatewayv2_deployment");
    const trigger: string = deployment.triggers.redeployment;
    expect(trigger).toMatch(/^\$\{sha1\(join\(",", (concat\()?\[/);
    expect(trigger).toContain("jsonencode(var.extra)");
    expect(trigger).toContain("[ for key, val in aws_apigatewayv2_route.additional: val.id]");
    expect(trigger).toContain("[ for key, val in aws_apigatewayv2_route_response.additional: val.id]");
  });

  it("addLambdaRouteMap: refuses a second map", () => {
    expect(() => apiWithRouteMap((api) => api.addLambdaRouteMap(api.api.tagsInput as never))).toThrow(InvalidRouteKeyError);
    expect(() => apiWithRouteMap((api) => api.addLambdaRouteMap(api.api.tagsInput as never))).toThrow(/already has a route map/);
  });
});

describe("ChatStack: extension points", () => {
  // One synth of the real stack (module mode, as npm run module), shared by the read-only tests below.
  const module = synthChatStack({ mode: "module" });
  const FUNCTIONS = [...LAMBDA_ROUTES.map((r) => r.name), FAN_OUT_FUNCTION.name, AUTHORIZER.name];

  it("additional_routes: declared from the contract, a map of objects defaulting to {}", () => {
    const variable = module.tf.variable!.additional_routes;
    expect(variable.type).toBe(SETTINGS.additionalRoutes.type);
    expect(variable.type).toBe(`map(${ROUTE_MAP_ENTRY_TYPE})`);
    expect(variable.default).toEqual({});
    expect(variable.description).toBe(SETTINGS.additionalRoutes.description);
    // The route map iterates it.
    expect(forEachOf(module.tf, "aws_apigatewayv2_route")).toEqual({ additional: expect.objectContaining({ for_each: "${var.additional_routes}" }) });
  });

  it("additional_routes: a key of a built-in route is refused, with the built-in keys in the message", () => {
    const rules: { condition: string; error_message: string }[] = module.tf.variable!.additional_routes.validation;
    expect(rules.length).toBe((SETTINGS.additionalRoutes.validation ?? []).length + 1);
    const rule = rules.at(-1)!;
    const keys = ROUTES.map((r) => r.routeKey);
    expect(rule.condition).toBe(`\${alltrue([for key in keys(var.additional_routes) : !contains(${JSON.stringify(keys).replace(/,/g, ", ")}, key)])}`);
    expect(rule.error_message).toMatch(/^additional_routes keys must not be built-in route keys of the chat \(\$connect, \$disconnect, onMessage, .*\$default\): give your route a key of its own\.$/);
  });

  it("additional_routes: follows the routes the stack deploys", () => {
    const custom = synthChatStack({ mode: "module", routes: ROUTES.filter((r) => r.routeKey !== "history") });
    const rule = custom.tf.variable!.additional_routes.validation.at(-1);
    expect(rule.condition).not.toContain('"history"');
    expect(rule.condition).toContain('"onMessage"');
  });

  it("outputs: api and stage ids, table and room index, each with a description", () => {
    const out = module.tf.output!;
    expect(out.api_execution_arn.value).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}$/);
    expect(out.stage_name.value).toMatch(/^\$\{aws_apigatewayv2_stage\.\w+\.name\}$/);
    expect(out.stage_arn.value).toMatch(/^\$\{aws_apigatewayv2_stage\.\w+\.arn\}$/);
    expect(out.table_arn.value).toMatch(/^\$\{aws_dynamodb_table\.\w+\.arn\}$/);
    expect(out.table_name.value).toMatch(/^\$\{aws_dynamodb_table\.\w+\.name\}$/);
    expect(out.room_index_name.value).toBe(CONNECTION_TABLE.roomIndexName);
    expect(out.api_id.value).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.id\}$/);
    for (const name of ["api_execution_arn", "stage_name", "stage_arn", "table_arn", "room_index_name", "function_names", "function_arns", "function_role_names"]) {
      expect(out[name].description, name).toMatch(/^\S.{19,}/);
    }
  });

  it("outputs: every function's name, ARN and role name, keyed by its manifest name", () => {
    const out = module.tf.output!;
    const functions = module.tf.resource.aws_lambda_function!;
    const roles = module.tf.resource.aws_iam_role!;
    for (const [output, pattern] of [
      ["function_names", /^\$\{aws_lambda_function\.(\w+)\.function_name\}$/],
      ["function_arns", /^\$\{aws_lambda_function\.(\w+)\.arn\}$/],
      ["function_role_names", /^\$\{aws_iam_role\.(\w+)\.name\}$/],
    ] as const) {
      const value = out[output].value as Record<string, string>;
      expect(Object.keys(value).sort(), output).toEqual([...FUNCTIONS].sort());
      for (const [name, ref] of Object.entries(value)) {
        const target = pattern.exec(ref)?.[1];
        expect(target, `${output}.${name}`).toBeDefined();
        if (output === "function_role_names") {
          // The role of the very function of that name.
          const fn = Object.values(functions).find((f: any) => f.function_name === `\${var.name_prefix}-${name}`);
          expect(fn.role).toBe(`\${aws_iam_role.${target}.arn}`);
          expect(roles[target!]).toBeDefined();
        } else {
          expect(functions[target!].function_name).toBe(`\${var.name_prefix}-${name}`);
        }
      }
    }
  });

  it("HCL: the route map, its variable and the map outputs render as Terraform reads them, with no brace inside an interpolation", async () => {
    // GIVEN the module-mode stack WHEN written as HCL
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-ext-hcl-"));
    await writeStackHcl(module.stack, dir);
    const text = readFileSync(path.join(dir, HCL_FILE), "utf8");
    // THEN the variable's type is a bare type expression and its default an empty object
    expect(text).toMatch(/^\s*type\s*=\s*map\(object\(\{ function_name = string, invoke_arn = string, two_way = optional\(bool, false\) \}\)\)$/m);
    expect(text).toMatch(/variable "additional_routes" \{\n\s*default = \{\n\s*\}/);
    // THEN the two-way filter is a bare for expression, outside any interpolation
    expect(text).toMatch(/^\s*for_each\s*=\s*\{ for key, entry in var\.additional_routes : key => entry if entry\.two_way \}$/m);
    expect(bracedInterpolations(text)).toEqual([]);
    // THEN it parses back to what the JSON says
    const hcl = await parse(HCL_FILE, text);
    for (const type of ["aws_apigatewayv2_integration", "aws_apigatewayv2_route", "aws_lambda_permission", "aws_apigatewayv2_route_response"]) {
      const [fromHcl] = hcl.resource[type].additional;
      const fromJson = module.tf.resource[type]!.additional;
      for (const key of ["for_each", "route_key", "target", "route_id", "integration_uri", "function_name", "source_arn"]) {
        if (fromJson[key] !== undefined) expect(fromHcl[key], `${type}.${key}`).toBe(fromJson[key]);
      }
    }
    const [names] = hcl.output.function_names;
    expect(names.value).toEqual(module.tf.output!.function_names.value);
  });
});
