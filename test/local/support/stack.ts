import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { zipSync } from "fflate";
import { renderHcl } from "./hcl-rendering.ts";

/**
 * Builds a throw-away stack folder the way `cdktf synth` lays one out:
 * `cdk.tf.json` plus `assets/*.zip`, zipped here from the handler sources
 * in fixtures/handlers, with the Terraform JSON changed per test group.
 */

export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));

export type TerraformJson = {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
};

export function baseDocument(): TerraformJson {
  return JSON.parse(readFileSync(path.join(FIXTURES, "conformance-api.tf.json"), "utf8")) as TerraformJson;
}

function handlerSource(name: string): Uint8Array {
  return readFileSync(path.join(FIXTURES, "handlers", name));
}

/**
 * Which syntax writeStack uses unless told: `WSSTACK_STACK_FORMAT=hcl` runs a
 * suite against the HCL rendering of its stacks (vitest.config.ts does so
 * for the conformance suite).
 */
export const STACK_FORMAT: "json" | "hcl" = process.env.WSSTACK_STACK_FORMAT === "hcl" ? "hcl" : "json";

/** Writes the stack; returns the path of its cdk.tf.json (or main.tf, its HCL rendering). */
export function writeStack(document: TerraformJson, format: "json" | "hcl" = STACK_FORMAT): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-stack-"));
  mkdirSync(path.join(dir, "assets"));
  writeFileSync(path.join(dir, "assets", "scripted.zip"), zipSync({ "index.mjs": handlerSource("scripted.mjs") }));
  writeFileSync(path.join(dir, "assets", "commonjs.zip"), zipSync({ "index.js": handlerSource("callback.cjs") }));
  writeFileSync(
    path.join(dir, "assets", "esm.zip"),
    zipSync({ "index.js": handlerSource("esm-index.js"), "package.json": new TextEncoder().encode('{"type":"module"}') }),
  );
  if (format === "hcl") {
    const file = path.join(dir, "main.tf");
    writeFileSync(file, renderHcl(document));
    return file;
  }
  const file = path.join(dir, "cdk.tf.json");
  writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

/** Variants of the base API used by the route-selection and authorizer groups. */
export const variants = {
  withRouteSelection(document: TerraformJson, expression: string): TerraformJson {
    Object.values(document.resource.aws_apigatewayv2_api!)[0]!.route_selection_expression = expression;
    return document;
  },
  /** Removes routes (and their route responses, which Terraform would refuse to keep dangling). */
  withoutRoutes(document: TerraformJson, ...routeKeys: string[]): TerraformJson {
    return removeRoutes(document, (key) => routeKeys.includes(key));
  },
  onlyRoutes(document: TerraformJson, ...routeKeys: string[]): TerraformJson {
    return removeRoutes(document, (key) => !routeKeys.includes(key));
  },
  withRoute(document: TerraformJson, routeKey: string, functionLogicalId: string, integration: Record<string, unknown> = {}): TerraformJson {
    const logical = `extra_${Object.keys(document.resource.aws_apigatewayv2_route!).length}`;
    document.resource.aws_apigatewayv2_integration![`${logical}_integration`] = {
      api_id: "${aws_apigatewayv2_api.chat_api_A1B2C3.id}",
      integration_type: "AWS_PROXY",
      integration_uri: `\${aws_lambda_function.${functionLogicalId}.invoke_arn}`,
      ...integration,
    };
    document.resource.aws_apigatewayv2_route![logical] = {
      api_id: "${aws_apigatewayv2_api.chat_api_A1B2C3.id}",
      route_key: routeKey,
      target: `integrations/\${aws_apigatewayv2_integration.${logical}_integration.id}`,
    };
    return document;
  },
  withAuthorizer(document: TerraformJson): TerraformJson {
    const connect = document.resource.aws_apigatewayv2_route!.connect_route!;
    connect.authorization_type = "CUSTOM";
    connect.authorizer_id = "${aws_apigatewayv2_authorizer.token.id}";
    return document;
  },
};

function removeRoutes(document: TerraformJson, remove: (routeKey: string) => boolean): TerraformJson {
  const routes = document.resource.aws_apigatewayv2_route!;
  const responses = document.resource.aws_apigatewayv2_route_response ?? {};
  for (const [name, route] of Object.entries(routes)) {
    if (!remove(route.route_key as string)) continue;
    delete routes[name];
    for (const [responseName, response] of Object.entries(responses)) {
      if (response.route_id === `\${aws_apigatewayv2_route.${name}.id}`) delete responses[responseName];
    }
  }
  return document;
}
