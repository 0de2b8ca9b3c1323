import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { AUTHORIZER, FAN_OUT_FUNCTION, LAMBDA_ROUTES } from "../../contract/routes.ts";
import { buildModule } from "../../scripts/build-module.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "./terraform-cli.ts";

/** The inputs these tests set, passed through a root module that calls the chat module. */
const INPUTS = ["domain_name", "certificate_arn", "hosted_zone_id", "alarm_topic_arn"] as const;
type Inputs = Partial<Record<(typeof INPUTS)[number], string>>;

const CUSTOM_DOMAIN: Inputs = {
  domain_name: "chat.example.com",
  certificate_arn: "arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
  hosted_zone_id: "Z0123456789ABCDEFGHIJ",
};
const ALARM_TOPIC: Inputs = { alarm_topic_arn: "arn:aws:sns:us-east-1:123456789012:chat-ops" };

interface PlanJson {
  resource_changes: { address: string; type: string; change: { actions: string[]; after: Record<string, any> } }[];
  output_changes: Record<string, { after?: unknown; after_unknown?: unknown }>;
}

function rootModule(moduleDir: string): string {
  const variables = INPUTS.map((name) => `variable "${name}" {\n  type    = string\n  default = ""\n}\n`).join("\n");
  const args = INPUTS.map((name) => `  ${name.padEnd(15)} = var.${name}`).join("\n");
  return `${variables}
module "chat" {
  source       = ${JSON.stringify(moduleDir)}
  auth_enabled = false
${args}
}

output "websocket_url" {
  value = module.chat.websocket_url
}

output "custom_domain_target" {
  value = module.chat.custom_domain_target
}
`;
}

describe("terraform plan: custom domain and alarms (offline)", () => {
  let tooling: TerraformTooling;
  let dir: string;

  /** `terraform plan` with these inputs, as JSON. */
  function plan(inputs: Inputs): PlanJson {
    const vars = Object.entries(inputs).map(([name, value]) => `-var=${name}=${value}`);
    const planFile = `plan-${Math.random().toString(36).slice(2)}.tfplan`;
    terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", `-out=${planFile}`, ...vars]);
    return JSON.parse(terraform(tooling, dir, ["show", "-json", planFile])) as PlanJson;
  }
  const created = (p: PlanJson, type: string) => p.resource_changes.filter((r) => r.type === type && r.change.actions.includes("create"));

  beforeAll(async () => {
    // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
    tooling = findTerraformTooling();
    const moduleDir = await buildModule(path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-domain-")), "terraform-module"));
    dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-tf-domain-root-"));
    writeFileSync(path.join(dir, "main.tf"), rootModule(moduleDir));
    writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
  });

  it("domain_name, certificate_arn, hosted_zone_id and alarm_topic_arn set: the domain, its mapping, its alias record and every alarm are planned; websocket_url is wss://chat.example.com", () => {
    // GIVEN every optional input of the custom domain and the alarms / WHEN it plans
    const p = plan({ ...CUSTOM_DOMAIN, ...ALARM_TOPIC });

    // THEN the custom domain is made, REGIONAL with TLS 1.2 and the certificate
    const [domain, ...moreDomains] = created(p, "aws_apigatewayv2_domain_name");
    expect(moreDomains).toEqual([]);
    expect(domain!.address).toBe("module.chat.aws_apigatewayv2_domain_name.custom_domain[0]");
    expect(domain!.change.after).toMatchObject({
      domain_name: "chat.example.com",
      domain_name_configuration: [{ certificate_arn: CUSTOM_DOMAIN.certificate_arn, endpoint_type: "REGIONAL", security_policy: "TLS_1_2" }],
    });
    // AND the stage is mapped at its root
    const mappings = created(p, "aws_apigatewayv2_api_mapping");
    expect(mappings.map((m) => m.address)).toEqual(["module.chat.aws_apigatewayv2_api_mapping.custom_domain[0]"]);
    expect(mappings[0]!.change.after).toMatchObject({ domain_name: "chat.example.com", stage: "dev" });
    expect(mappings[0]!.change.after.api_mapping_key ?? "").toBe("");
    // AND the alias record points the name at the domain
    const records = created(p, "aws_route53_record");
    expect(records.map((r) => r.address)).toEqual(["module.chat.aws_route53_record.custom_domain[0]"]);
    expect(records[0]!.change.after).toMatchObject({ name: "chat.example.com", type: "A", zone_id: CUSTOM_DOMAIN.hosted_zone_id });
    // AND clients are told the custom domain's URL, with no stage segment
    expect(p.output_changes.websocket_url!.after).toBe("wss://chat.example.com");

    // AND every alarm: errors and throttles per function (routes, fan-out, authorizer), integration errors, DynamoDB throttles
    const functions = [...LAMBDA_ROUTES.map((r) => r.name), FAN_OUT_FUNCTION.name, AUTHORIZER.name];
    const alarms = created(p, "aws_cloudwatch_metric_alarm");
    const expected = [...functions.flatMap((f) => [`wsstack-${f}-errors`, `wsstack-${f}-throttles`]), "wsstack-integration-errors", "wsstack-dynamodb-throttles"];
    expect(alarms).toHaveLength(2 * functions.length + 2);
    expect(alarms.map((a) => a.change.after.alarm_name).sort()).toEqual(expected.sort());
    for (const a of alarms) {
      expect(a.change.after, a.address).toMatchObject({ alarm_actions: [ALARM_TOPIC.alarm_topic_arn], ok_actions: [ALARM_TOPIC.alarm_topic_arn], treat_missing_data: "notBreaching", evaluation_periods: 1 });
    }
    expect(alarms.find((a) => a.change.after.alarm_name === "wsstack-on-message-errors")!.change.after).toMatchObject({ threshold: 1, period: 300, statistic: "Sum" });
    expect(alarms.find((a) => a.change.after.alarm_name === "wsstack-integration-errors")!.change.after).toMatchObject({ threshold: 5, namespace: "AWS/ApiGateway", metric_name: "IntegrationError" });
    console.info(`custom domain + alarms: ${p.resource_changes.filter((r) => r.change.actions.includes("create")).length} to add, ${alarms.length} alarms`);
  }, 240_000);

  it("defaults: no custom domain, mapping, record or alarm; websocket_url is the stage's invoke URL, custom_domain_target null", () => {
    // GIVEN no optional input / WHEN it plans
    const p = plan({});
    // THEN none of them is planned
    for (const type of ["aws_apigatewayv2_domain_name", "aws_apigatewayv2_api_mapping", "aws_route53_record", "aws_cloudwatch_metric_alarm"]) {
      expect(created(p, type), type).toEqual([]);
    }
    // AND the URL is the stage's, known only after apply; there is no DNS target
    expect(p.output_changes.websocket_url!.after_unknown).toBe(true);
    expect(p.output_changes.custom_domain_target!.after ?? null).toBeNull();
    expect(p.output_changes.custom_domain_target!.after_unknown ?? false).toBe(false);
  }, 240_000);

  it("domain_name without hosted_zone_id: domain and mapping, no record; custom_domain_target says where to point DNS", () => {
    const p = plan({ domain_name: CUSTOM_DOMAIN.domain_name, certificate_arn: CUSTOM_DOMAIN.certificate_arn });
    expect(created(p, "aws_apigatewayv2_domain_name")).toHaveLength(1);
    expect(created(p, "aws_apigatewayv2_api_mapping")).toHaveLength(1);
    expect(created(p, "aws_route53_record")).toEqual([]);
    // The target's host name and zone are known after apply.
    expect(p.output_changes.custom_domain_target!.after_unknown).toEqual({ target_domain_name: true, hosted_zone_id: true });
  }, 240_000);

  it("validation: domain_name without certificate_arn is refused at plan with the contract's message", () => {
    expect(() => plan({ domain_name: CUSTOM_DOMAIN.domain_name })).toThrow(/certificate_arn is required when domain_name is set/);
  }, 240_000);
});
