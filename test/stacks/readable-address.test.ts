import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { parse } from "@cdktf/hcl2json";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider/index.js";
import { TerraformStack, Testing } from "cdktf";
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { LAMBDA_ROUTES } from "../../contract/routes.ts";
import { moduleFixtureDir } from "../terraform/module-fixture.ts";
import { InvalidAddressError, readableAddress, terraformName } from "../../stacks/readable-address.ts";
import { synthChatStack, synthInStack, type Synthesized } from "./synth-helpers.ts";

let deployed: Synthesized;
beforeAll(() => {
  deployed = synthChatStack();
});

/** Every `<type>.<name>` (and `data.<type>.<name>`) the synthesized stack declares. */
const addresses = (tf: Synthesized["tf"]): string[] => [
  ...Object.entries(tf.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`)),
  ...Object.entries(tf.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`)),
];

describe("readable addresses", () => {
  it("addresses: every resource and data source of the stack has a lower snake_case name, as hand-written Terraform", () => {
    const all = addresses(deployed.tf);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter((address) => !/^(data\.)?[a-z0-9_]+\.[a-z][a-z0-9_]*$/.test(address))).toEqual([]);
  });

  it("addresses: a function and everything it owns are named after the manifest's name, and a route's resources after the route's", () => {
    const { resource, data } = deployed.tf;
    // GIVEN on-message, a two-way Lambda route that invokes the fan-out function
    expect(resource.aws_lambda_function!.on_message.function_name).toBe("${var.name_prefix}-on-message");
    expect(resource.aws_lambda_function!.on_message.role).toBe("${aws_iam_role.on_message.arn}");
    expect(resource.aws_lambda_function!.on_message.logging_config.log_group).toBe("${aws_cloudwatch_log_group.on_message.name}");
    expect(resource.aws_iam_role_policy!.on_message.policy).toBe("${data.aws_iam_policy_document.on_message.json}");
    expect(resource.aws_iam_role_policy!.on_message_invoke_fan_out.policy).toBe("${data.aws_iam_policy_document.on_message_invoke_fan_out.json}");
    expect(data!.aws_iam_policy_document!.on_message).toBeDefined();
    expect(resource.aws_apigatewayv2_route!.on_message).toMatchObject({ route_key: "onMessage", target: "integrations/${aws_apigatewayv2_integration.on_message.id}" });
    expect(resource.aws_apigatewayv2_route_response!.on_message.route_id).toBe("${aws_apigatewayv2_route.on_message.id}");
    expect(resource.aws_lambda_permission!.on_message.function_name).toBe("${aws_lambda_function.on_message.function_name}");
    // THEN every Lambda route has the four, under its own name
    for (const route of LAMBDA_ROUTES) {
      const name = terraformName(route.name);
      for (const type of ["aws_lambda_function", "aws_iam_role", "aws_cloudwatch_log_group", "aws_iam_role_policy", "aws_apigatewayv2_integration", "aws_apigatewayv2_route", "aws_lambda_permission"]) {
        expect(resource[type]?.[name], `${type}.${name}`).toBeDefined();
      }
    }
    // AND the shared resources have the names a reviewer looks for
    for (const address of ["aws_apigatewayv2_api.websocket", "aws_apigatewayv2_stage.stage", "aws_apigatewayv2_deployment.stage", "aws_dynamodb_table.connections", "aws_apigatewayv2_authorizer.authorizer", "aws_lambda_permission.authorizer", "aws_cloudwatch_log_group.access_log", "aws_lambda_function_event_invoke_config.fan_out", "aws_iam_role.api_gateway_cloudwatch", "aws_api_gateway_account.api_gateway_cloudwatch", "aws_apigatewayv2_integration_response.ping"]) {
      expect(addresses(deployed.tf)).toContain(address);
    }
  });

  it("terraformName: kebab-case names and camelCase route keys give the same snake_case", () => {
    expect(["on-message", "onMessage", "$connect", "TypingIndicator", "fan-out"].map(terraformName)).toEqual(["on_message", "on_message", "connect", "typing_indicator", "fan_out"]);
    expect(() => terraformName("$")).toThrow(InvalidAddressError);
  });

  it("readableAddress: refuses a name that is not lower snake_case, and a resource referred to before it was named", () => {
    expect(() => synthInStack((stack) => readableAddress(new IamRole(stack, "Role", { assumeRolePolicy: "{}" }), "OnMessage"))).toThrow(/lower snake_case/);
    expect(() =>
      synthInStack((stack) => {
        const role = new IamRole(stack, "Role", { assumeRolePolicy: "{}" });
        new IamRole(stack, "Other", { assumeRolePolicy: role.arn });
        readableAddress(role, "late");
      }),
    ).toThrow(/before readableAddress named it/);
  });

  it("readableAddress: two resources of one address fail the synth, naming both", () => {
    // GIVEN one resource named with readableAddress and another given the same name directly
    const stack = new TerraformStack(Testing.app(), "stack");
    new AwsProvider(stack, "aws", {});
    readableAddress(new IamRole(stack, "One", { assumeRolePolicy: "{}" }), "same");
    new IamRole(stack, "Two", { assumeRolePolicy: "{}" }).overrideLogicalId("same");
    // WHEN it is synthesized, THEN the validation names both
    expect(() => Testing.synth(stack, true)).toThrow(/aws_iam_role\.same is the address of both stack\/One and stack\/Two/);
  });
});

describe("moved blocks: state of the module as e98a89c built it upgrades in place", () => {
  it("moved: every resource address of today's module (e98a89c) moves, exactly once, to a resource the stack declares; data sources have none", async () => {
    // GIVEN the addresses of the module as e98a89c built it (test/terraform/fixtures, written by test/terraform/module-fixture.ts)
    const legacy = (await parse("main.tf", readFileSync(path.join(moduleFixtureDir(), "main.tf"), "utf8"))) as { resource: Record<string, Record<string, unknown>> };
    const before = Object.entries(legacy.resource).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
    expect(before).toContain("aws_apigatewayv2_route.Chat_WebSocket_ConnectRoute_3CC3B081");
    // WHEN the stack is synthesized now
    const moved = (deployed.tf as { moved?: { from: string; to: string }[] }).moved ?? [];
    // THEN each old address is the `from` of one moved block, computed from the construct path as cdktf did
    // (a resource added since, e.g. a new route's, may have one too: from an address no state has, a no-op),
    const froms = moved.map((m) => m.from);
    for (const address of before) expect(froms.filter((from) => from === address), address).toHaveLength(1);
    // and each `to` is a resource that exists, under a readable name
    const declared = new Set(addresses(deployed.tf));
    for (const { from, to } of moved) {
      expect(declared.has(to), `${from} → ${to}`).toBe(true);
      expect(from.split(".")[0]).toBe(to.split(".")[0]);
    }
    expect(new Set(moved.map((m) => m.to)).size).toBe(moved.length);
    expect(moved.find((m) => m.from === "aws_lambda_permission.Chat_WebSocket_TypingIndicatorPermission_BF81A7E2")?.to).toBe("aws_lambda_permission.typing_indicator");
  });
});
