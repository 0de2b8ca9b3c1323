/**
 * The same tiny WebSocket API written four ways: a Terraform JSON stack for
 * our emulator, an Architect project for `@architect/sandbox`, a
 * `serverless.yml` for `serverless-offline`, and nothing at all for the raw
 * `ws` server (bench/emulator/raw-server.mjs implements the routes itself).
 *
 * Routes (selected by `$request.body.action`):
 * - `$connect`, `$disconnect`: return 200.
 * - `echo` (two-way: a `$default` route response): returns the body.
 * - `whoami` (two-way): returns `{"id": <connectionId>}`.
 * - `broadcast` (one-way): posts `{from, seq, data}` to every id in the body's
 *   `to` list through `@connections`, in parallel, over a keep-alive agent.
 *
 * One handler source serves every target. Architect's sandbox ignores a
 * route's return value (it has no route responses), so there the two-way
 * routes answer by posting back to the sender through `@connections`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { zipSync } from "fflate";

export const STAGE = "bench";
const ROUTES = ["connect", "disconnect", "echo", "whoami", "broadcast"] as const;

/** CommonJS, Node built-ins only, so it loads unchanged under all three emulators. */
export const HANDLER_SOURCE = String.raw`"use strict";
const http = require("node:http");
const https = require("node:https");
const agents = { "http:": new http.Agent({ keepAlive: true }), "https:": new https.Agent({ keepAlive: true }) };
// Architect's sandbox: no route responses; its management API is on the internal port.
const sandbox = process.env.ARC_SANDBOX ? JSON.parse(process.env.ARC_SANDBOX) : undefined;

function managementBase(event) {
  if (process.env.MGMT_BASE) return process.env.MGMT_BASE;
  if (sandbox) return "http://localhost:" + sandbox.ports._arc + "/_arc/ws";
  // The AWS way: https://{domainName}/{stage}.
  return "https://" + event.requestContext.domainName + "/" + event.requestContext.stage;
}

function post(base, connectionId, data) {
  const url = new URL(base + "/@connections/" + encodeURIComponent(connectionId));
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(url, {
      method: "POST",
      agent: agents[url.protocol],
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
    }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode));
    });
    request.on("error", reject);
    request.end(data);
  });
}

async function reply(event, body) {
  if (!sandbox) return { statusCode: 200, body };
  await post(managementBase(event), event.requestContext.connectionId, body);
  return { statusCode: 200 };
}

exports.connect = async () => ({ statusCode: 200 });
exports.disconnect = async () => ({ statusCode: 200 });
exports.echo = async (event) => reply(event, event.body);
exports.whoami = async (event) => reply(event, JSON.stringify({ id: event.requestContext.connectionId }));
exports.broadcast = async (event) => {
  const message = JSON.parse(event.body);
  const payload = JSON.stringify({ from: message.from, seq: message.seq, data: message.data });
  const base = managementBase(event);
  await Promise.all(message.to.map((id) => post(base, id, payload).catch(() => 0)));
  return { statusCode: 200 };
};
`;

function perRoute(route: string): string {
  return `${HANDLER_SOURCE}\nexports.handler = exports.${route};\n`;
}

/** A `cdk.tf.json` stack with one zipped function per route; returns the stack folder. */
export function writeTerraformStack(dir: string): string {
  mkdirSync(path.join(dir, "assets"), { recursive: true });
  const api = "${aws_apigatewayv2_api.bench.id}";
  const resource: Record<string, Record<string, Record<string, unknown>>> = {
    aws_apigatewayv2_api: { bench: { name: "bench", protocol_type: "WEBSOCKET", route_selection_expression: "$request.body.action" } },
    aws_apigatewayv2_stage: { stage: { api_id: api, name: STAGE, auto_deploy: true } },
    aws_lambda_function: {},
    aws_apigatewayv2_integration: {},
    aws_apigatewayv2_route: {},
    aws_apigatewayv2_route_response: {},
  };
  for (const route of ROUTES) {
    writeFileSync(path.join(dir, "assets", `${route}.zip`), zipSync({ "index.js": new TextEncoder().encode(perRoute(route)) }));
    resource.aws_lambda_function![route] = {
      function_name: `bench-${route}`,
      role: "arn:aws:iam::123456789012:role/bench",
      handler: "index.handler",
      runtime: `nodejs${process.versions.node.split(".")[0]}.x`,
      filename: `\${path.module}/assets/${route}.zip`,
      memory_size: 128,
      timeout: 10,
    };
    resource.aws_apigatewayv2_integration![route] = {
      api_id: api,
      integration_type: "AWS_PROXY",
      integration_uri: `\${aws_lambda_function.${route}.invoke_arn}`,
    };
    resource.aws_apigatewayv2_route![route] = {
      api_id: api,
      route_key: route === "connect" || route === "disconnect" ? `$${route}` : route,
      target: `integrations/\${aws_apigatewayv2_integration.${route}.id}`,
    };
    if (route === "echo" || route === "whoami") {
      resource.aws_apigatewayv2_route_response![route] = { api_id: api, route_id: `\${aws_apigatewayv2_route.${route}.id}`, route_response_key: "$default" };
    }
  }
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify({ provider: { aws: [{ region: "us-east-1" }] }, resource }, null, 2));
  return dir;
}

/** An Architect project (`app.arc` with `@ws` routes, handlers in `src/ws/<route>/index.js`). */
export function writeArchitectProject(dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "app.arc"), "@app\nbench\n\n@ws\necho\nwhoami\nbroadcast\n\n@aws\nregion us-east-1\nruntime nodejs20.x\n");
  for (const route of ["connect", "disconnect", "default", ...ROUTES.slice(2)]) {
    const folder = path.join(dir, "src", "ws", route);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, "index.js"), perRoute(route === "default" ? "echo" : route));
  }
  return dir;
}

/** A serverless 3 service using serverless-offline; the management API is on the WebSocket port. */
export function writeServerlessService(dir: string, websocketPort: number): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "handler.js"), HANDLER_SOURCE);
  const fn = (route: string, twoWay: boolean) =>
    `  ${route.replace("$", "")}:\n    handler: handler.${route.replace("$", "")}\n    events:\n      - websocket:\n          route: ${route}\n` +
    (twoWay ? "          routeResponseSelectionExpression: $default\n" : "");
  writeFileSync(
    path.join(dir, "serverless.yml"),
    [
      "service: bench",
      "frameworkVersion: '3'",
      "provider:",
      "  name: aws",
      "  runtime: nodejs20.x",
      "  region: us-east-1",
      `  stage: ${STAGE}`,
      "  websocketsApiRouteSelectionExpression: $request.body.action",
      "  environment:",
      `    MGMT_BASE: http://localhost:${websocketPort}`,
      "plugins:",
      "  - serverless-offline",
      "functions:",
      fn("$connect", false) + fn("$disconnect", false) + fn("echo", true) + fn("whoami", true) + fn("broadcast", false),
    ].join("\n"),
  );
  return dir;
}
