import { describe, expect, it } from "vitest";
import { AUTHORIZER, FAN_OUT_FUNCTION, LAMBDA_ROUTES } from "../../contract/routes.ts";
import { SETTINGS } from "../../contract/settings.ts";
import { AlarmConfigurationError, ChatAlarms, tableOperations } from "../../stacks/alarms.ts";
import { BundledFunction } from "../../stacks/bundled-function.ts";
import { ConnectionTable } from "../../stacks/connection-table.ts";
import { CustomDomain } from "../../stacks/custom-domain.ts";
import { WebSocketApi } from "../../stacks/websocket-api.ts";
import { ECHO_HANDLER, functionsByName, resourcesOf, synthChatStack, synthInStack, tempBundleRoot } from "./synth-helpers.ts";

// One synth of the real stack, shared by the read-only tests below.
const deployed = synthChatStack();
const resource = (type: string) => {
  const all = resourcesOf(deployed.tf, type);
  expect(all, type).toHaveLength(1);
  return all[0];
};
const alarms = () => resourcesOf(deployed.tf, "aws_cloudwatch_metric_alarm");
const alarmNamed = (name: string) => alarms().find((a) => a.alarm_name === `\${var.name_prefix}-${name}`);
// Addresses as the stack writes them in references: `aws_x.name`, `aws_x.name[0]`.
const ADDRESS = (type: string) => `${type}\\.\\w+`;

describe("ChatStack custom domain", () => {
  it("domain_name: a REGIONAL domain with var.certificate_arn and TLS 1.2, made only when var.domain_name is set", () => {
    const domain = resource("aws_apigatewayv2_domain_name");
    expect(domain).toMatchObject({
      domain_name: "${var.domain_name}",
      domain_name_configuration: { certificate_arn: "${var.certificate_arn}", endpoint_type: "REGIONAL", security_policy: "TLS_1_2" },
      count: '${var.domain_name == "" ? 0 : 1}',
    });
  });

  it("api mapping: maps the API's stage at the root of the domain (no api_mapping_key)", () => {
    const mapping = resource("aws_apigatewayv2_api_mapping");
    expect(mapping.api_id).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_apigatewayv2_api")}\\.id\\}$`));
    expect(mapping.stage).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_apigatewayv2_stage")}\\.name\\}$`));
    expect(mapping.domain_name).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_apigatewayv2_domain_name")}\\[0\\]\\.domain_name\\}$`));
    expect(mapping.api_mapping_key).toBeUndefined();
    expect(mapping.count).toBe('${var.domain_name == "" ? 0 : 1}');
  });

  it("record: an A alias in var.hosted_zone_id to the domain's regional target, only when both domain_name and hosted_zone_id are set", () => {
    const record = resource("aws_route53_record");
    const domain = `${ADDRESS("aws_apigatewayv2_domain_name")}\\[0\\]`;
    expect(record).toMatchObject({ zone_id: "${var.hosted_zone_id}", type: "A", count: '${var.domain_name == "" || var.hosted_zone_id == "" ? 0 : 1}' });
    expect(record.name).toMatch(new RegExp(`^\\$\\{${domain}\\.domain_name\\}$`));
    expect(record.alias.name).toMatch(new RegExp(`^\\$\\{${domain}\\.domain_name_configuration\\[0\\]\\.target_domain_name\\}$`));
    expect(record.alias.zone_id).toMatch(new RegExp(`^\\$\\{${domain}\\.domain_name_configuration\\[0\\]\\.hosted_zone_id\\}$`));
    expect(record.alias.evaluate_target_health).toBe(false);
  });

  it("websocket_url: wss://<domain_name> when var.domain_name is set, else the stage's invoke URL", () => {
    expect(deployed.tf.output!.websocket_url.value).toMatch(
      new RegExp(`^\\$\\{var\\.domain_name == "" \\? ${ADDRESS("aws_apigatewayv2_stage")}\\.invoke_url : format\\("wss://%s", var\\.domain_name\\)\\}$`),
    );
  });

  it("custom_domain_target: the domain's regional target and zone, null when there is no domain, for teams that run their own DNS", () => {
    const target = deployed.tf.output!.custom_domain_target;
    expect(target.value).toMatch(new RegExp(`^\\$\\{one\\(\\[for d in ${ADDRESS("aws_apigatewayv2_domain_name")} : zipmap\\(\\["target_domain_name", "hosted_zone_id"\\], `));
    expect(target.description).toMatch(/hosted_zone_id/);
  });

  it("CustomDomain: without count, refers to the domain without an index", () => {
    // GIVEN a custom domain that is always made
    const { tf } = synthInStack((stack) => {
      const api = new WebSocketApi(stack, "Api", { apiName: "chat", stageName: "dev" });
      new CustomDomain(stack, "Domain", { api, domainName: "chat.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x", hostedZoneId: "Z123" });
    });
    // THEN nothing is counted and references carry no [0]
    const [mapping] = resourcesOf(tf, "aws_apigatewayv2_api_mapping");
    const [record] = resourcesOf(tf, "aws_route53_record");
    expect(mapping.count).toBeUndefined();
    expect(mapping.domain_name).toBe("${aws_apigatewayv2_domain_name.custom_domain.domain_name}");
    expect(record.alias.name).toBe("${aws_apigatewayv2_domain_name.custom_domain.domain_name_configuration[0].target_domain_name}");
  });
});

describe("ChatStack alarms", () => {
  const functionNames = [...LAMBDA_ROUTES.map((r) => r.name), FAN_OUT_FUNCTION.name, AUTHORIZER.name];

  it("alarms: two per function (errors, throttles), integration errors and DynamoDB throttles, each made only when var.alarm_topic_arn is set", () => {
    expect(alarms()).toHaveLength(2 * functionNames.length + 2);
    for (const a of alarms()) {
      expect(a).toMatchObject({
        count: '${var.alarm_topic_arn == "" ? 0 : 1}',
        alarm_actions: ["${var.alarm_topic_arn}"],
        ok_actions: ["${var.alarm_topic_arn}"],
        comparison_operator: "GreaterThanOrEqualToThreshold",
        evaluation_periods: 1,
        treat_missing_data: "notBreaching",
      });
      expect(a.alarm_description, a.alarm_name).toMatch(/^\S.{19,}/);
    }
  });

  it("functions: Errors and Throttles of each function by FunctionName, summed over var.alarm_period_seconds, thresholds from variables", () => {
    const fns = functionsByName(deployed.tf);
    for (const name of functionNames) {
      const dimensions = { FunctionName: `\${aws_lambda_function.${fns.get(name)!.key}.function_name}` };
      const common = { namespace: "AWS/Lambda", statistic: "Sum", period: "${var.alarm_period_seconds}", dimensions };
      expect(alarmNamed(`${name}-errors`), name).toMatchObject({ ...common, metric_name: "Errors", threshold: `\${var.${SETTINGS.alarmFunctionErrorsThreshold.variable}}` });
      expect(alarmNamed(`${name}-throttles`), name).toMatchObject({ ...common, metric_name: "Throttles", threshold: `\${var.${SETTINGS.alarmFunctionThrottlesThreshold.variable}}` });
    }
    expect(alarmNamed("authorizer-errors").alarm_description).toMatch(/authorizer is failing/);
  });

  it("integration errors: API Gateway's IntegrationError for the API and stage (ApiId, Stage)", () => {
    expect(alarmNamed("integration-errors")).toMatchObject({
      namespace: "AWS/ApiGateway",
      metric_name: "IntegrationError",
      statistic: "Sum",
      period: "${var.alarm_period_seconds}",
      threshold: `\${var.${SETTINGS.alarmIntegrationErrorsThreshold.variable}}`,
    });
    const { dimensions } = alarmNamed("integration-errors");
    expect(Object.keys(dimensions).sort()).toEqual(["ApiId", "Stage"]);
    expect(dimensions.ApiId).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_apigatewayv2_api")}\\.id\\}$`));
    expect(dimensions.Stage).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_apigatewayv2_stage")}\\.name\\}$`));
  });

  it("DynamoDB throttles: ThrottledRequests by TableName and Operation, one series per operation the functions call, summed", () => {
    const alarm = alarmNamed("dynamodb-throttles");
    expect(alarm.threshold).toBe(`\${var.${SETTINGS.alarmDynamodbThrottlesThreshold.variable}}`);
    // Metric math: no single metric on the alarm itself.
    expect(alarm.metric_name).toBeUndefined();
    expect(alarm.statistic).toBeUndefined();
    const queries = alarm.metric_query as { id: string; expression?: string; return_data: boolean; metric?: any }[];
    const [sum, ...series] = queries;
    const expected = tableOperations([...LAMBDA_ROUTES, FAN_OUT_FUNCTION].flatMap((f) => [...(f.access.table ?? []), ...(f.access.roomIndex ?? [])]));
    expect(expected).toEqual(expect.arrayContaining(["GetItem", "PutItem", "Query", "BatchWriteItem"]));
    expect(series.map((q) => q.metric.dimensions.Operation)).toEqual(expected);
    expect(sum).toMatchObject({ return_data: true, expression: `SUM([${series.map((q) => q.id).join(", ")}])` });
    for (const q of series) {
      expect(q.return_data).toBe(false);
      expect(q.metric).toMatchObject({ namespace: "AWS/DynamoDB", metric_name: "ThrottledRequests", stat: "Sum", period: "${var.alarm_period_seconds}" });
      expect(q.metric.dimensions.TableName).toMatch(new RegExp(`^\\$\\{${ADDRESS("aws_dynamodb_table")}\\.name\\}$`));
    }
  });

  it("fanOut: false makes no fan-out alarms", () => {
    const { tf } = synthChatStack({ fanOut: false });
    const names = resourcesOf(tf, "aws_cloudwatch_metric_alarm").map((a) => a.alarm_name);
    expect(names).not.toContain(`\${var.name_prefix}-${FAN_OUT_FUNCTION.name}-errors`);
    expect(names).toHaveLength(2 * (functionNames.length - 1) + 2);
  });

  it("ChatAlarms: refuses more DynamoDB operations than one alarm's metric math takes", () => {
    expect(() =>
      synthInStack((stack) => {
        const bundleRoot = tempBundleRoot();
        const fn = new BundledFunction(stack, "Fn", { entry: ECHO_HANDLER, functionName: "fn", bundleRoot, logRetentionDays: 7 });
        new ChatAlarms(stack, "Alarms", {
          namePrefix: "chat",
          topicArn: "arn:aws:sns:us-east-1:123456789012:ops",
          functions: [{ name: "fn", fn }],
          api: new WebSocketApi(stack, "Api", { apiName: "chat", stageName: "dev" }),
          table: new ConnectionTable(stack, "Table", { tableName: "chat" }),
          tableOperations: Array.from({ length: 11 }, (_, i) => `Operation${i}`),
          thresholds: { functionErrors: 1, functionThrottles: 1, integrationErrors: 1, dynamodbThrottles: 1 },
          periodSeconds: 60,
        });
      }),
    ).toThrow(AlarmConfigurationError);
  });
});
