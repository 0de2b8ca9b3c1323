import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { parseFunctionReference } from "../../../local/function-names.ts";
import { apiIdFor } from "../../../local/ids.ts";
import {
  ArchiveSourceError,
  genericProvider,
  InvalidArgumentError,
  localProviderFor,
  MissingArgumentError,
  modeledTypes,
  providerFor,
  UnknownAttributeError,
  unknownAttribute,
  UnsupportedArchiveTypeError,
  type InstanceInputs,
  type ProviderContext,
} from "../../../local/terraform/providers/index.ts";
import { globMatch } from "../../../local/terraform/providers/glob-match.ts";

// The local providers: what each fills, in which shape, and what it refuses.

const CONTEXT: ProviderContext = { region: "us-east-1", accountId: "123456789012", partition: "aws", cwd: process.cwd() };

/** An instance whose arguments are `args`; an Error value is that argument's evaluation error. */
function instance(mode: "managed" | "data", type: string, args: Record<string, unknown> = {}, options: { name?: string; context?: Partial<ProviderContext>; reads?: string[] } = {}): InstanceInputs {
  const address = `${mode === "data" ? "data." : ""}${type}.${options.name ?? "this"}`;
  return {
    address,
    mode,
    type,
    context: { ...CONTEXT, ...options.context },
    argument(name) {
      options.reads?.push(name);
      const value = args[name];
      if (value instanceof Error) throw value;
      return value ?? undefined;
    },
  };
}

/** All attributes of an instance, each read once. */
function read(mode: "managed" | "data", type: string, args: Record<string, unknown> = {}, options: Parameters<typeof instance>[3] = {}): Record<string, unknown> {
  const table = localProviderFor(mode, type)!.attributes(instance(mode, type, args, options));
  return Object.fromEntries(Object.entries(table).map(([name, thunk]) => [name, thunk()]));
}

function attribute(inputs: InstanceInputs, name: string): unknown {
  const thunk = providerFor(inputs.mode, inputs.type).attributes(inputs)[name];
  if (thunk === undefined) throw unknownAttribute(inputs, name);
  return thunk();
}

describe("the provider contract", () => {
  it("every modeled type is found by mode and type, and building its table reads no argument", () => {
    // GIVEN instances whose every argument fails to evaluate
    for (const key of modeledTypes()) {
      const [mode, type] = key.startsWith("data.") ? (["data", key.slice(5)] as const) : (["managed", key] as const);
      const reads: string[] = [];
      const inputs = instance(mode, type, {}, { reads });
      // WHEN the table is built THEN nothing is evaluated: an attribute nobody reads costs nothing
      const table = localProviderFor(mode, type)!.attributes(inputs);
      expect(Object.keys(table).length, key).toBeGreaterThan(0);
      expect(reads, key).toEqual([]);
    }
    expect(modeledTypes()).toEqual(expect.arrayContaining(["aws_lambda_function", "data.archive_file", "archive_file", "data.aws_iam_policy_document"]));
  });

  it("laziness: a failing argument fails only the attributes that need it", () => {
    const inputs = instance("managed", "aws_lambda_function", { function_name: new Error("boom"), filename: undefined });
    const table = localProviderFor("managed", "aws_lambda_function")!.attributes(inputs);
    expect(table.last_modified!()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(() => table.arn!()).toThrow(/boom/);
  });

  it("memo: a thunk evaluates its arguments once, and the same instance gets the same table", () => {
    const reads: string[] = [];
    const inputs = instance("managed", "aws_dynamodb_table", { name: "connections" }, { reads });
    const provider = localProviderFor("managed", "aws_dynamodb_table")!;
    const table = provider.attributes(inputs);
    expect(provider.attributes(inputs)).toBe(table);
    table.id!();
    table.id!();
    expect(reads).toEqual(["name"]);
  });

  it("determinism: the same address gives the same values across separate instances", () => {
    const args = { protocol_type: "WEBSOCKET" };
    expect(read("managed", "aws_apigatewayv2_api", args)).toEqual(read("managed", "aws_apigatewayv2_api", args));
    expect(read("managed", "aws_iam_role", {})).toEqual(read("managed", "aws_iam_role", {}));
    expect(read("managed", "aws_apigatewayv2_route", {}, { name: "a" }).id).not.toBe(read("managed", "aws_apigatewayv2_route", {}, { name: "b" }).id);
  });

  it("a missing required argument is a MissingArgumentError naming the argument and what needed it", () => {
    const table = localProviderFor("managed", "aws_lambda_function")!.attributes(instance("managed", "aws_lambda_function"));
    expect(() => table.arn!()).toThrow(MissingArgumentError);
    expect(() => table.arn!()).toThrow(/aws_lambda_function\.this: the argument "function_name" is required \(the emulator needs it for the function's id and ARNs\)/);
  });

  it("fallback: a type without a provider gets a deterministic id; other attributes are UnknownAttributeErrors", () => {
    expect(localProviderFor("managed", "aws_s3_bucket")).toBeUndefined();
    const inputs = instance("managed", "aws_s3_bucket", { bucket: "b" });
    const id = attribute(inputs, "id");
    expect(id).toMatch(/^[a-z0-9]{20}$/);
    expect(genericProvider("managed", "aws_s3_bucket").attributes(instance("managed", "aws_s3_bucket")).id!()).toBe(id);
    const error = unknownAttribute(inputs, "arn");
    expect(error).toBeInstanceOf(UnknownAttributeError);
    expect(error.message).toMatch(/aws_s3_bucket\.this: aws_s3_bucket\.arn is known only after apply and the emulator has no local provider for this type; the emulator models only id for aws_s3_bucket/);
  });

  it("an attribute the provider does not model names the ones it does", () => {
    const error = unknownAttribute(instance("managed", "aws_dynamodb_table", { name: "t" }), "replica");
    expect(error.message).toMatch(/aws_dynamodb_table\.replica is known only after apply; the emulator models only id, arn, stream_arn, stream_label, tags_all for aws_dynamodb_table/);
  });
});

describe("aws_apigatewayv2_*", () => {
  it("api: id is apiIdFor(address), as the emulator's loader uses; endpoint and ARNs are built on it", () => {
    const api = read("managed", "aws_apigatewayv2_api", { protocol_type: "WEBSOCKET" }, { name: "chat" });
    const id = apiIdFor("aws_apigatewayv2_api.chat");
    expect(api).toEqual({
      id,
      api_endpoint: `wss://${id}.execute-api.us-east-1.amazonaws.com`,
      execution_arn: `arn:aws:execute-api:us-east-1:123456789012:${id}`,
      arn: `arn:aws:apigateway:us-east-1::/apis/${id}`,
      tags_all: {},
    });
    expect(id).toMatch(/^[a-z0-9]{10}$/);
  });

  it("api: an HTTP API's endpoint is https; another partition changes the suffix and ARNs", () => {
    const api = read("managed", "aws_apigatewayv2_api", { protocol_type: "HTTP", tags: { team: "chat" } }, { context: { partition: "aws-cn", region: "cn-north-1" } });
    expect(api.api_endpoint).toMatch(/^https:\/\/[a-z0-9]{10}\.execute-api\.cn-north-1\.amazonaws\.com\.cn$/);
    expect(api.execution_arn).toMatch(/^arn:aws-cn:execute-api:cn-north-1:123456789012:/);
    expect(api.tags_all).toEqual({ team: "chat" });
  });

  it("stage: id is the name; invoke_url, execution_arn and arn use the api_id", () => {
    expect(read("managed", "aws_apigatewayv2_stage", { api_id: "a1b2c3d4e5", name: "dev" })).toEqual({
      id: "dev",
      invoke_url: "wss://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/dev",
      execution_arn: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev",
      arn: "arn:aws:apigateway:us-east-1::/apis/a1b2c3d4e5/stages/dev",
      tags_all: {},
    });
    // $default is an HTTP API's stage (WebSocket stage names cannot hold "$"), served at the root.
    expect(read("managed", "aws_apigatewayv2_stage", { api_id: "a1b2c3d4e5", name: "$default" }).invoke_url).toBe("https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/");
  });

  it("route, integration, authorizer, responses, deployment, model, api mapping: ids in the service's shapes", () => {
    const shapes: Record<string, RegExp> = {
      aws_apigatewayv2_route: /^[a-z0-9]{7}$/,
      aws_apigatewayv2_integration: /^[a-z0-9]{7}$/,
      aws_apigatewayv2_authorizer: /^[a-z0-9]{6}$/,
      aws_apigatewayv2_route_response: /^[a-z0-9]{6}$/,
      aws_apigatewayv2_integration_response: /^[a-z0-9]{6}$/,
      aws_apigatewayv2_deployment: /^[a-z0-9]{6}$/,
      aws_apigatewayv2_model: /^[a-z0-9]{6}$/,
      aws_apigatewayv2_api_mapping: /^[a-z0-9]{10}$/,
    };
    for (const [type, shape] of Object.entries(shapes)) expect(read("managed", type).id, type).toMatch(shape);
  });

  it("domain_name: id is the domain, arn under /domainnames", () => {
    expect(read("managed", "aws_apigatewayv2_domain_name", { domain_name: "ws.example.com" })).toMatchObject({
      id: "ws.example.com",
      arn: "arn:aws:apigateway:us-east-1::/domainnames/ws.example.com",
      api_mapping_selection_expression: "$request.basepath",
    });
  });
});

describe("aws_lambda_*", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "wsstack-lambda-"));
    writeFileSync(path.join(dir, "fn.zip"), "not really a zip, but bytes to hash");
  });

  it("function: ARNs in the forms the emulator's plan parses back", () => {
    const fn = read("managed", "aws_lambda_function", { function_name: "chat-connect", filename: "fn.zip" }, { context: { cwd: dir } });
    const arn = "arn:aws:lambda:us-east-1:123456789012:function:chat-connect";
    expect(fn).toMatchObject({
      id: "chat-connect",
      arn,
      invoke_arn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}/invocations`,
      qualified_arn: `${arn}:$LATEST`,
      qualified_invoke_arn: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${arn}:$LATEST/invocations`,
      version: "$LATEST",
      architectures: ["x86_64"],
      logging_config: [{ application_log_level: "", log_format: "Text", log_group: "/aws/lambda/chat-connect", system_log_level: "" }],
    });
    // plan.ts finds the function an integration invokes by the name after ":function:".
    expect(/:function:([^:/]+)/.exec(fn.invoke_arn as string)?.[1]).toBe("chat-connect");
    expect(parseFunctionReference(fn.arn as string)).toEqual({ region: "us-east-1", accountId: "123456789012", name: "chat-connect", qualifier: undefined });
  });

  it("function: source_code_hash and code_sha256 are the base64 SHA-256 of the filename, relative to cwd", () => {
    const bytes = readFileSync(path.join(dir, "fn.zip"));
    const fn = read("managed", "aws_lambda_function", { function_name: "f", filename: "fn.zip" }, { context: { cwd: dir } });
    expect(fn.source_code_hash).toBe(createHash("sha256").update(bytes).digest("base64"));
    expect(fn.code_sha256).toBe(fn.source_code_hash);
    expect(fn.source_code_size).toBe(bytes.length);
  });

  it("function: publish = true makes version 1 the qualified one", () => {
    for (const publish of [true, "true"]) {
      const fn = read("managed", "aws_lambda_function", { function_name: "f", filename: "fn.zip", publish }, { context: { cwd: dir } });
      expect(fn.version).toBe("1");
      expect(fn.qualified_arn).toBe("arn:aws:lambda:us-east-1:123456789012:function:f:1");
    }
  });

  it("function: no local package makes the hashes unknown, with the reason", () => {
    const noFile = localProviderFor("managed", "aws_lambda_function")!.attributes(instance("managed", "aws_lambda_function", { function_name: "f", filename: "missing.zip" }, { context: { cwd: dir } }));
    expect(() => noFile.source_code_hash!()).toThrow(UnknownAttributeError);
    expect(() => noFile.source_code_hash!()).toThrow(/source_code_hash is known only after apply and its package missing\.zip does not exist \(yet\); the emulator models only id, arn, invoke_arn/);
    const s3 = localProviderFor("managed", "aws_lambda_function")!.attributes(instance("managed", "aws_lambda_function", { function_name: "f", s3_bucket: "b" }));
    expect(() => s3.code_sha256!()).toThrow(/the function has no local package \(filename\) to hash/);
    expect(s3.arn!()).toBe("arn:aws:lambda:us-east-1:123456789012:function:f");
  });

  it("permission: id is statement_id, generated as Terraform does when unset", () => {
    expect(read("managed", "aws_lambda_permission", { statement_id: "AllowApi" })).toEqual({ id: "AllowApi", statement_id: "AllowApi" });
    expect(read("managed", "aws_lambda_permission").id).toMatch(/^terraform-\d{18}[0-9a-f]{8}$/);
    expect(read("managed", "aws_lambda_permission", { statement_id_prefix: "api-" }).statement_id).toMatch(/^api-\d{18}[0-9a-f]{8}$/);
  });

  it("alias and event invoke config: function_name may be a name or an ARN", () => {
    expect(read("managed", "aws_lambda_alias", { function_name: "f", name: "live" })).toEqual({
      id: "arn:aws:lambda:us-east-1:123456789012:function:f:live",
      arn: "arn:aws:lambda:us-east-1:123456789012:function:f:live",
      invoke_arn: "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f:live/invocations",
    });
    expect(read("managed", "aws_lambda_alias", { function_name: "arn:aws:lambda:eu-west-1:111122223333:function:g", name: "live" }).arn).toBe("arn:aws:lambda:eu-west-1:111122223333:function:g:live");
    expect(read("managed", "aws_lambda_function_event_invoke_config", { function_name: "f" }).id).toBe("f");
    expect(read("managed", "aws_lambda_function_event_invoke_config", { function_name: "f", qualifier: "$LATEST" }).id).toBe("f:$LATEST");
  });
});

describe("aws_dynamodb_table, aws_iam_*, logs, sqs, sns, kms", () => {
  it("dynamodb_table: arn as plan.ts builds it; stream attributes only when streams are on", () => {
    expect(read("managed", "aws_dynamodb_table", { name: "connections" })).toEqual({
      id: "connections",
      arn: "arn:aws:dynamodb:us-east-1:123456789012:table/connections",
      stream_arn: "",
      stream_label: "",
      tags_all: {},
    });
    const streamed = read("managed", "aws_dynamodb_table", { name: "connections", stream_enabled: true });
    expect(streamed.stream_label).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$/);
    expect(streamed.stream_arn).toBe(`arn:aws:dynamodb:us-east-1:123456789012:table/connections/stream/${streamed.stream_label}`);
  });

  it("iam_role: arn with path; unique_id shaped AROA…; an unset name is generated deterministically", () => {
    expect(read("managed", "aws_iam_role", { name: "chat-lambda", path: "/service/" })).toMatchObject({
      id: "chat-lambda",
      name: "chat-lambda",
      arn: "arn:aws:iam::123456789012:role/service/chat-lambda",
    });
    const unnamed = read("managed", "aws_iam_role");
    expect(unnamed.name).toMatch(/^terraform-\d{18}[0-9a-f]{8}$/);
    expect((unnamed.name as string).length).toBe("terraform-".length + 26);
    expect(unnamed.arn).toBe(`arn:aws:iam::123456789012:role/${unnamed.name}`);
    expect(unnamed.unique_id).toMatch(/^AROA[A-Z0-9]{17}$/);
    expect(read("managed", "aws_iam_role", { name_prefix: "chat-" }).name).toMatch(/^chat-\d{18}[0-9a-f]{8}$/);
    const badPath = localProviderFor("managed", "aws_iam_role")!.attributes(instance("managed", "aws_iam_role", { name: "r", path: "service" }));
    expect(() => badPath.arn!()).toThrow(InvalidArgumentError);
  });

  it("iam_policy, role_policy, role_policy_attachment: the provider's id forms", () => {
    expect(read("managed", "aws_iam_policy", { name: "p" })).toMatchObject({ id: "arn:aws:iam::123456789012:policy/p", arn: "arn:aws:iam::123456789012:policy/p" });
    expect(read("managed", "aws_iam_policy", { name: "p" }).policy_id).toMatch(/^ANPA[A-Z0-9]{17}$/);
    expect(read("managed", "aws_iam_role_policy", { role: "r", name: "inline" }).id).toBe("r:inline");
    expect(read("managed", "aws_iam_role_policy_attachment", { role: "r", policy_arn: "arn:aws:iam::aws:policy/x" }).id).toMatch(/^r-\d{18}[0-9a-f]{8}$/);
  });

  it("cloudwatch_log_group: arn without the :* suffix (provider v4+)", () => {
    expect(read("managed", "aws_cloudwatch_log_group", { name: "/aws/lambda/f" })).toMatchObject({
      id: "/aws/lambda/f",
      arn: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f",
    });
  });

  it("sqs_queue is known by its url; sns_topic by its arn; FIFO names get .fifo", () => {
    expect(read("managed", "aws_sqs_queue", { name: "jobs" })).toMatchObject({
      id: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
      url: "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
      arn: "arn:aws:sqs:us-east-1:123456789012:jobs",
    });
    expect(read("managed", "aws_sqs_queue", { fifo_queue: true }).name).toMatch(/^terraform-\d{18}[0-9a-f]{8}\.fifo$/);
    expect(read("managed", "aws_sns_topic", { name: "events" })).toMatchObject({ id: "arn:aws:sns:us-east-1:123456789012:events", arn: "arn:aws:sns:us-east-1:123456789012:events", owner: "123456789012" });
  });

  it("kms_key: a UUID key id; kms_alias: the alias ARN and its key's ARN", () => {
    const key = read("managed", "aws_kms_key");
    expect(key.key_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(key).toMatchObject({ id: key.key_id, arn: `arn:aws:kms:us-east-1:123456789012:key/${key.key_id}` });
    expect(read("managed", "aws_kms_alias", { name: "alias/chat", target_key_id: key.key_id })).toEqual({
      id: "alias/chat",
      name: "alias/chat",
      arn: "arn:aws:kms:us-east-1:123456789012:alias/chat",
      target_key_arn: key.arn,
    });
    expect(read("managed", "aws_kms_alias", { target_key_id: "k" }).name).toMatch(/^alias\/\d{18}[0-9a-f]{8}$/);
  });
});

describe("data sources: aws_region, aws_caller_identity, aws_partition", () => {
  // Recorded from the real provider (terraform 1.11.4, hashicorp/aws 5.100.0) with
  // test/local/terraform/fixtures/iam-policy-document/main.tf, region us-east-1.
  it("aws_region and aws_partition match what the AWS provider reports", () => {
    expect(read("data", "aws_region")).toEqual({
      id: "us-east-1",
      name: "us-east-1",
      region: "us-east-1",
      endpoint: "ec2.us-east-1.amazonaws.com",
      description: "US East (N. Virginia)",
    });
    expect(read("data", "aws_partition")).toEqual({ id: "aws", partition: "aws", dns_suffix: "amazonaws.com", reverse_dns_prefix: "com.amazonaws" });
    expect(read("data", "aws_region", { name: "eu-west-1" })).toMatchObject({ name: "eu-west-1", description: "Europe (Ireland)", endpoint: "ec2.eu-west-1.amazonaws.com" });
    expect(read("data", "aws_partition", {}, { context: { partition: "aws-cn" } }).reverse_dns_prefix).toBe("cn.com.amazonaws");
  });

  it("aws_caller_identity: the configured account, and a stand-in IAM user", () => {
    const identity = read("data", "aws_caller_identity");
    expect(identity).toMatchObject({ id: "123456789012", account_id: "123456789012", arn: "arn:aws:iam::123456789012:user/wsstack-local" });
    expect(identity.user_id).toMatch(/^AIDA[A-Z0-9]{17}$/);
  });
});

describe("data.aws_iam_policy_document", () => {
  /*
   * Expected values recorded from the real AWS provider, offline: terraform 1.11.4 with
   * hashicorp/aws 5.100.0 from the /opt/tf-plugins mirror, running
   *   terraform init -plugin-dir=/opt/tf-plugins && terraform plan -out=plan.bin && terraform show -json plan.bin
   * on test/local/terraform/fixtures/iam-policy-document/main.tf and copying each data source's
   * id, json and minified_json from .prior_state. The arguments below are that file's, evaluated.
   */
  const RECORDED = {
    assume: {
      id: "2690255455",
      json: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\n        \"Service\": \"lambda.amazonaws.com\"\n      }\n    }\n  ]\n}",
      minified_json: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}}]}",
    },
    full: {
      id: "1008376806",
      json: "{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"wsstack-test\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Table\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"dynamodb:PutItem\",\n        \"dynamodb:GetItem\",\n        \"dynamodb:DeleteItem\"\n      ],\n      \"Resource\": [\n        \"arn:aws:dynamodb:us-east-1:123456789012:table/connections/index/*\",\n        \"arn:aws:dynamodb:us-east-1:123456789012:table/connections\"\n      ]\n    },\n    {\n      \"Sid\": \"Manage\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"execute-api:ManageConnections\",\n      \"Resource\": \"arn:aws:execute-api:us-east-1:123456789012:abc/dev/POST/@connections/*\",\n      \"Condition\": {\n        \"ArnLike\": {\n          \"aws:SourceArn\": [\n            \"arn:aws:execute-api:us-east-1:123456789012:abc/*\",\n            \"arn:aws:execute-api:us-east-1:123456789012:def/*\"\n          ]\n        },\n        \"StringEquals\": {\n          \"aws:PrincipalTag/team\": \"chat\",\n          \"aws:SourceAccount\": \"123456789012\"\n        }\n      }\n    },\n    {\n      \"Effect\": \"Deny\",\n      \"NotAction\": [\n        \"sts:*\",\n        \"iam:*\"\n      ],\n      \"NotResource\": \"arn:aws:s3:::bucket\",\n      \"Principal\": {\n        \"AWS\": [\n          \"arn:aws:iam::123456789012:root\",\n          \"arn:aws:iam::111122223333:root\"\n        ],\n        \"Service\": \"lambda.amazonaws.com\"\n      }\n    },\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\",\n      \"Principal\": \"*\"\n    },\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:ListBucket\",\n      \"Resource\": \"*\",\n      \"NotPrincipal\": {\n        \"AWS\": \"arn:aws:iam::123456789012:root\"\n      }\n    }\n  ]\n}",
      minified_json: "{\"Version\":\"2012-10-17\",\"Id\":\"wsstack-test\",\"Statement\":[{\"Sid\":\"Table\",\"Effect\":\"Allow\",\"Action\":[\"dynamodb:PutItem\",\"dynamodb:GetItem\",\"dynamodb:DeleteItem\"],\"Resource\":[\"arn:aws:dynamodb:us-east-1:123456789012:table/connections/index/*\",\"arn:aws:dynamodb:us-east-1:123456789012:table/connections\"]},{\"Sid\":\"Manage\",\"Effect\":\"Allow\",\"Action\":\"execute-api:ManageConnections\",\"Resource\":\"arn:aws:execute-api:us-east-1:123456789012:abc/dev/POST/@connections/*\",\"Condition\":{\"ArnLike\":{\"aws:SourceArn\":[\"arn:aws:execute-api:us-east-1:123456789012:abc/*\",\"arn:aws:execute-api:us-east-1:123456789012:def/*\"]},\"StringEquals\":{\"aws:PrincipalTag/team\":\"chat\",\"aws:SourceAccount\":\"123456789012\"}}},{\"Effect\":\"Deny\",\"NotAction\":[\"sts:*\",\"iam:*\"],\"NotResource\":\"arn:aws:s3:::bucket\",\"Principal\":{\"AWS\":[\"arn:aws:iam::123456789012:root\",\"arn:aws:iam::111122223333:root\"],\"Service\":\"lambda.amazonaws.com\"}},{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Principal\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"s3:ListBucket\",\"Resource\":\"*\",\"NotPrincipal\":{\"AWS\":\"arn:aws:iam::123456789012:root\"}}]}",
    },
    merged: {
      id: "4223993910",
      json: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sts:AssumeRole\",\n      \"Principal\": {\n        \"Service\": \"lambda.amazonaws.com\"\n      }\n    },\n    {\n      \"Sid\": \"Table\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"dynamodb:Query\",\n      \"Resource\": \"*\"\n    },\n    {\n      \"Sid\": \"Logs\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"logs:PutLogEvents\",\n        \"logs:CreateLogStream\"\n      ],\n      \"Resource\": \"*\"\n    }\n  ]\n}",
      minified_json: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"}},{\"Sid\":\"Table\",\"Effect\":\"Allow\",\"Action\":\"dynamodb:Query\",\"Resource\":\"*\"},{\"Sid\":\"Logs\",\"Effect\":\"Allow\",\"Action\":[\"logs:PutLogEvents\",\"logs:CreateLogStream\"],\"Resource\":\"*\"}]}",
    },
    empty: {
      id: "1132004489",
      json: "{\n  \"Version\": \"2012-10-17\"\n}",
      minified_json: "{\"Version\":\"2012-10-17\"}",
    },
    order: {
      id: "2490320460",
      json: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"z:Z\",\n        \"m:M\",\n        \"a:A\"\n      ],\n      \"Resource\": [\n        \"b\",\n        \"a\"\n      ],\n      \"Principal\": {\n        \"AWS\": [\n          \"222222222222\",\n          \"111111111111\"\n        ]\n      },\n      \"Condition\": {\n        \"StringLike\": {\n          \"s3:prefix\": [\n            \"z/\",\n            \"a/\"\n          ]\n        }\n      }\n    }\n  ]\n}",
      minified_json: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"z:Z\",\"m:M\",\"a:A\"],\"Resource\":[\"b\",\"a\"],\"Principal\":{\"AWS\":[\"222222222222\",\"111111111111\"]},\"Condition\":{\"StringLike\":{\"s3:prefix\":[\"z/\",\"a/\"]}}}]}",
    },
    edge: {
      id: "3510449147",
      json: "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"Anyone\",\n      \"Effect\": \"Allow\",\n      \"Action\": [\n        \"s3:GetObject\",\n        \"s3:ListBucket\"\n      ],\n      \"Resource\": \"*\",\n      \"Principal\": \"*\"\n    },\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"sqs:SendMessage\",\n      \"Resource\": \"*\",\n      \"Principal\": {\n        \"AWS\": [\n          \"arn:aws:iam::999999999999:root\",\n          \"arn:aws:iam::111111111111:root\"\n        ]\n      },\n      \"Condition\": {\n        \"Bool\": {\n          \"aws:SecureTransport\": \"true\"\n        },\n        \"StringEquals\": {\n          \"aws:x\": \"one\"\n        }\n      }\n    },\n    {\n      \"Sid\": \"Home\",\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:PutObject\",\n      \"Resource\": \"arn:aws:s3:::bucket/home/${aws:username}/*\",\n      \"Condition\": {\n        \"StringEquals\": {\n          \"s3:x-amz-acl\": [\n            \"private\",\n            \"bucket-owner-full-control\",\n            \"private\"\n          ]\n        },\n        \"StringLike\": {\n          \"s3:prefix\": \"\\u003ca\\u0026b\\u003e\"\n        }\n      }\n    }\n  ]\n}",
      minified_json: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Anyone\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:ListBucket\"],\"Resource\":\"*\",\"Principal\":\"*\"},{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"*\",\"Principal\":{\"AWS\":[\"arn:aws:iam::999999999999:root\",\"arn:aws:iam::111111111111:root\"]},\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"},\"StringEquals\":{\"aws:x\":\"one\"}}},{\"Sid\":\"Home\",\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::bucket/home/${aws:username}/*\",\"Condition\":{\"StringEquals\":{\"s3:x-amz-acl\":[\"private\",\"bucket-owner-full-control\",\"private\"]},\"StringLike\":{\"s3:prefix\":\"\\u003ca\\u0026b\\u003e\"}}}]}",
    },
  };

  // The fixture's arguments as the evaluator hands them over: blocks as lists of objects,
  // jsonencode() results as the strings Terraform produced (keys sorted).
  const ARGUMENTS: Record<keyof typeof RECORDED, Record<string, unknown>> = {
    assume: { statement: [{ actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }] }] },
    full: {
      policy_id: "wsstack-test",
      statement: [
        {
          sid: "Table",
          actions: ["dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:GetItem"],
          resources: ["arn:aws:dynamodb:us-east-1:123456789012:table/connections", "arn:aws:dynamodb:us-east-1:123456789012:table/connections/index/*"],
        },
        {
          sid: "Manage",
          effect: "Allow",
          actions: ["execute-api:ManageConnections"],
          resources: ["arn:aws:execute-api:us-east-1:123456789012:abc/dev/POST/@connections/*"],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: ["123456789012"] },
            { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:execute-api:us-east-1:123456789012:abc/*", "arn:aws:execute-api:us-east-1:123456789012:def/*"] },
            { test: "StringEquals", variable: "aws:PrincipalTag/team", values: ["chat"] },
          ],
        },
        {
          effect: "Deny",
          not_actions: ["iam:*", "sts:*"],
          not_resources: ["arn:aws:s3:::bucket"],
          principals: [
            { type: "AWS", identifiers: ["arn:aws:iam::123456789012:root", "arn:aws:iam::111122223333:root"] },
            { type: "Service", identifiers: ["lambda.amazonaws.com"] },
          ],
        },
        { actions: ["s3:GetObject"], resources: ["*"], principals: [{ type: "*", identifiers: ["*"] }] },
        { actions: ["s3:ListBucket"], resources: ["*"], not_principals: [{ type: "AWS", identifiers: ["arn:aws:iam::123456789012:root"] }] },
      ],
    },
    merged: {
      version: "2008-10-17",
      source_policy_documents: [RECORDED.assume.json],
      override_policy_documents: ['{"Statement":[{"Action":"dynamodb:Query","Effect":"Allow","Resource":"*","Sid":"Table"}],"Version":"2012-10-17"}'],
      statement: [
        { sid: "Table", actions: ["dynamodb:GetItem"], resources: ["*"] },
        { sid: "Logs", actions: ["logs:PutLogEvents", "logs:CreateLogStream"], resources: ["*"] },
      ],
    },
    empty: {},
    order: {
      statement: [
        {
          actions: ["z:Z", "a:A", "m:M", "a:A"],
          resources: ["b", "a"],
          principals: [{ type: "AWS", identifiers: ["222222222222", "111111111111"] }],
          condition: [{ test: "StringLike", variable: "s3:prefix", values: ["z/", "a/"] }],
        },
      ],
    },
    edge: {
      source_policy_documents: [
        '{"Statement":[{"Action":["s3:GetObject","s3:ListBucket"],"Effect":"Allow","Principal":"*","Resource":"*","Sid":"Anyone"},{"Action":"sqs:SendMessage","Condition":{"Bool":{"aws:SecureTransport":true},"StringEquals":{"aws:x":["one"]}},"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::999999999999:root"]},"Resource":"*"}],"Version":"2012-10-17"}',
      ],
      statement: [
        {
          sid: "Home",
          actions: ["s3:PutObject"],
          resources: ["arn:aws:s3:::bucket/home/&{aws:username}/*"],
          condition: [
            { test: "StringLike", variable: "s3:prefix", values: ["<a&b>"] },
            { test: "StringEquals", variable: "s3:x-amz-acl", values: ["private", "bucket-owner-full-control", "private"] },
          ],
        },
      ],
    },
  };

  for (const name of Object.keys(RECORDED) as (keyof typeof RECORDED)[]) {
    it(`${name}: json, minified_json and id are what the AWS provider 5.100 computed`, () => {
      expect(read("data", "aws_iam_policy_document", ARGUMENTS[name], { name })).toEqual(RECORDED[name]);
    });
  }

  it("a single object in block form (not a list) reads the same", () => {
    const args = { statement: { actions: ["sts:AssumeRole"], principals: { type: "Service", identifiers: ["lambda.amazonaws.com"] } } };
    expect(read("data", "aws_iam_policy_document", args).json).toBe(RECORDED.assume.json);
  });

  it("refuses what the provider refuses: duplicate Sids, an unknown effect or version, &{ in 2008-10-17, bad JSON", () => {
    const refuse = (args: Record<string, unknown>, message: RegExp) => {
      const table = localProviderFor("data", "aws_iam_policy_document")!.attributes(instance("data", "aws_iam_policy_document", args));
      expect(() => table.json!()).toThrow(InvalidArgumentError);
      expect(() => table.json!()).toThrow(message);
    };
    refuse({ statement: [{ sid: "A", actions: ["x:Y"] }, { sid: "A", actions: ["x:Z"] }] }, /duplicate Sid \(A\)/);
    refuse({ statement: [{ sid: "not-alnum" }] }, /must only include alphanumeric characters/);
    refuse({ statement: [{ effect: "Maybe" }] }, /expected Allow or Deny/);
    refuse({ version: "2020-01-01" }, /expected one of 2008-10-17, 2012-10-17/);
    refuse({ version: "2008-10-17", statement: [{ resources: ["arn:aws:s3:::b/&{aws:username}"] }] }, /not supported in document version 2008-10-17/);
    refuse({ source_policy_documents: ["{not json"] }, /argument "source_policy_documents\[0\]": not valid JSON/);
    refuse({ source_policy_documents: ['{"Statement":{"Effect":"Allow"}}'] }, /Statement must be a list/);
  });
});

describe("archive_file", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "wsstack-archive-"));
    const src = path.join(dir, "src");
    mkdirSync(path.join(src, "lib", "deep"), { recursive: true });
    mkdirSync(path.join(src, "node_modules", "pkg"), { recursive: true });
    writeFileSync(path.join(src, "index.mjs"), "export const handler = async () => ({ statusCode: 200 });\n");
    writeFileSync(path.join(src, "README.md"), "# not shipped\n");
    writeFileSync(path.join(src, "lib", "util.js"), "module.exports = 1;\n");
    writeFileSync(path.join(src, "lib", "util.test.js"), "test\n");
    writeFileSync(path.join(src, "lib", "deep", "data.json"), "{}\n");
    writeFileSync(path.join(src, "node_modules", "pkg", "index.js"), "dependency\n");
    writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n");
    chmodSync(path.join(src, "run.sh"), 0o755);
    chmodSync(path.join(src, "index.mjs"), 0o644);
  });

  const archive = (args: Record<string, unknown>, name = "this") => {
    const inputs = instance("data", "archive_file", { type: "zip", ...args }, { name, context: { cwd: dir } });
    return { inputs, table: localProviderFor("data", "archive_file")!.attributes(inputs) };
  };
  const unzip = (file: string) => Object.fromEntries(Object.entries(unzipSync(readFileSync(file))).map(([name, data]) => [name, Buffer.from(data).toString("utf8")]));

  it("source blocks (as the archive-file fixture uses them): the zip unzips to exactly those files, names sorted", () => {
    // GIVEN the fixture's two inline sources, written in reverse name order
    const handler = readFileSync(path.resolve("test/local/fixtures/handlers/esm-index.js"), "utf8");
    const config = '{"stack": "zip-chat", "routes": ["$connect","$disconnect","$default","echo"]}\n';
    const { table } = archive({ output_path: ".build/handler.zip", source: [{ content: handler, filename: "index.mjs" }, { content: config, filename: "config.json" }] });
    // WHEN an output attribute is read THEN the zip is written under cwd, its folder created
    const size = table.output_size!();
    const file = path.join(dir, ".build", "handler.zip");
    expect(existsSync(file)).toBe(true);
    expect(unzip(file)).toEqual({ "config.json": config, "index.mjs": handler });
    expect(centralDirectory(readFileSync(file)).map((e) => e.name)).toEqual(["config.json", "index.mjs"]);
    expect(size).toBe(readFileSync(file).length);
  });

  it("hashes: every output_* is the hash of the written bytes; id is output_sha", () => {
    const { table } = archive({ output_path: "out/content.zip", source_content: "hello", source_content_filename: "greeting.txt" });
    const values = Object.fromEntries(Object.entries(table).map(([k, thunk]) => [k, thunk()]));
    const bytes = readFileSync(path.join(dir, "out", "content.zip"));
    const hash = (algorithm: string, encoding: "hex" | "base64") => createHash(algorithm).update(bytes).digest(encoding);
    expect(values).toEqual({
      output_size: bytes.length,
      output_md5: hash("md5", "hex"),
      output_sha: hash("sha1", "hex"),
      output_sha256: hash("sha256", "hex"),
      output_base64sha256: hash("sha256", "base64"),
      output_sha512: hash("sha512", "hex"),
      output_base64sha512: hash("sha512", "base64"),
      id: hash("sha1", "hex"),
    });
    expect(unzip(path.join(dir, "out", "content.zip"))).toEqual({ "greeting.txt": "hello" });
  });

  it("determinism: the same sources give the same bytes in another build", () => {
    const first = archive({ output_path: "det/a.zip", source_dir: "src" }).table.output_sha256!();
    const second = archive({ output_path: "det/b.zip", source_dir: "src" }, "other").table.output_sha256!();
    expect(second).toBe(first);
  });

  it("source_dir: recursive, names relative to the folder, walk order, excludes as doublestar globs", () => {
    const { table } = archive({ output_path: "dir.zip", source_dir: "src", excludes: ["*.md", "node_modules", "**/*.test.js"] });
    table.id!();
    const bytes = readFileSync(path.join(dir, "dir.zip"));
    const entries = centralDirectory(bytes);
    // filepath.Walk order: names sorted within each folder (so lib/deep/… before lib/util.js).
    expect(entries.map((e) => e.name)).toEqual(["index.mjs", "lib/deep/data.json", "lib/util.js", "run.sh"]);
    expect(Object.keys(unzipSync(bytes)).sort()).toEqual(["index.mjs", "lib/deep/data.json", "lib/util.js", "run.sh"]);
    // Files keep their Unix mode (regular file + permissions), stamped 2049-01-01 00:00 as Go's zip writer stamps the provider's zero time.
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get("run.sh")!.unixMode).toBe(0o100755);
    expect(byName.get("index.mjs")!.unixMode).toBe(0o100644);
    expect(byName.get("run.sh")!.madeBy).toBe(3);
    expect(entries.every((e) => e.dosDate === "2049-01-01 00:00:00")).toBe(true);
  });

  it("source_dir: linked files and folders are followed; output_file_mode sets every file's mode", () => {
    const linked = path.join(dir, "linked");
    mkdirSync(linked, { recursive: true });
    writeFileSync(path.join(dir, "outside.txt"), "outside\n");
    if (!existsSync(path.join(linked, "file.txt"))) symlinkSync(path.join(dir, "outside.txt"), path.join(linked, "file.txt"));
    if (!existsSync(path.join(linked, "lib"))) symlinkSync(path.join(dir, "src", "lib", "deep"), path.join(linked, "lib"));
    const { table } = archive({ output_path: "linked.zip", source_dir: "linked", output_file_mode: "0666" });
    table.id!();
    const entries = centralDirectory(readFileSync(path.join(dir, "linked.zip")));
    expect(entries.map((e) => [e.name, e.unixMode])).toEqual([
      ["file.txt", 0o100666],
      ["lib/data.json", 0o100666],
    ]);
    const skipped = archive({ output_path: "linked2.zip", source_dir: "linked", exclude_symlink_directories: true }, "skip").table;
    skipped.id!();
    expect(centralDirectory(readFileSync(path.join(dir, "linked2.zip"))).map((e) => e.name)).toEqual(["file.txt"]);
  });

  it("source_file: one entry named after the file", () => {
    const { table } = archive({ output_path: "file.zip", source_file: "src/lib/util.js" });
    table.output_md5!();
    expect(unzip(path.join(dir, "file.zip"))).toEqual({ "util.js": "module.exports = 1;\n" });
  });

  it("apply() writes the zip without any attribute being read, once for the instance", () => {
    const { inputs, table } = archive({ output_path: "applied/handler.zip", source_content: "x", source_content_filename: "x.txt" });
    localProviderFor("data", "archive_file")!.apply!(inputs);
    expect(existsSync(path.join(dir, "applied", "handler.zip"))).toBe(true);
    expect(localProviderFor("data", "archive_file")!.attributes(inputs)).toBe(table);
  });

  it("the deprecated managed archive_file behaves the same", () => {
    const inputs = instance("managed", "archive_file", { type: "zip", output_path: "managed.zip", source_content: "m", source_content_filename: "m.txt" }, { context: { cwd: dir } });
    localProviderFor("managed", "archive_file")!.attributes(inputs).id!();
    expect(unzip(path.join(dir, "managed.zip"))).toEqual({ "m.txt": "m" });
  });

  it("refuses type = \"tar.gz\" (and writes nothing), conflicting sources, and an empty folder", () => {
    const tar = archive({ type: "tar.gz", output_path: "never.tar.gz", source_content: "x", source_content_filename: "x" }).table;
    expect(() => tar.id!()).toThrow(UnsupportedArchiveTypeError);
    expect(() => tar.id!()).toThrow(/archive_file type "tar\.gz" is not supported by the emulator, which builds only type = "zip"/);
    expect(existsSync(path.join(dir, "never.tar.gz"))).toBe(false);
    expect(() => archive({ output_path: "c.zip", source_file: "src/run.sh", source_dir: "src" }).table.id!()).toThrow(/argument "source_file": conflicts with source_dir/);
    expect(() => archive({ output_path: "c.zip" }).table.id!()).toThrow(/one of source_dir, source_file, source_content_filename, source must be set/);
    expect(() => archive({ output_path: "c.zip", source_content: "x" }).table.id!()).toThrow(/source_content needs source_content_filename/);
    expect(() => archive({ output_path: "c.zip", source_dir: "src", excludes: ["**"] }).table.id!()).toThrow(ArchiveSourceError);
    expect(() => archive({ output_path: "c.zip", source_file: "nope.js" }).table.id!()).toThrow(/could not archive missing file: nope\.js/);
    expect(() => archive({ source_file: "src/run.sh" }).table.id!()).toThrow(MissingArgumentError);
  });
});

describe("excludes globs (doublestar rules)", () => {
  it.each([
    ["*.md", "README.md", true],
    ["*.md", "docs/README.md", false],
    ["**/*.md", "docs/README.md", true],
    ["**/*.md", "README.md", true],
    ["node_modules", "node_modules", true],
    ["node_modules", "lib/node_modules", false],
    ["lib/**", "lib", true],
    ["lib/**", "lib/a/b.js", true],
    ["lib/**/b.js", "lib/b.js", true],
    ["lib/**/b.js", "lib/x/y/b.js", true],
    ["lib/?.js", "lib/a.js", true],
    ["lib/?.js", "lib/ab.js", false],
    ["*.{js,mjs}", "a.mjs", true],
    ["[!a]*", "a.js", false],
    ["[a-c].txt", "b.txt", true],
    ["a\\*b", "a*b", true],
    ["a\\*b", "axb", false],
  ])("%s matches %s: %s", (pattern, file, expected) => {
    expect(globMatch(pattern, file)).toBe(expected);
  });
});

/** The central directory's entries: name, "made by" OS, Unix mode and DOS timestamp. */
function centralDirectory(zip: Buffer): { name: string; madeBy: number; unixMode: number; dosDate: string }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const time = zip.readUInt16LE(offset + 12);
    const date = zip.readUInt16LE(offset + 14);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const pad = (n: number) => String(n).padStart(2, "0");
    out.push({
      name: zip.toString("utf8", offset + 46, offset + 46 + nameLength),
      madeBy: zip[offset + 5]!,
      unixMode: zip.readUInt32LE(offset + 38) >>> 16,
      dosDate: `${1980 + (date >> 9)}-${pad((date >> 5) & 15)}-${pad(date & 31)} ${pad(time >> 11)}:${pad((time >> 5) & 63)}:${pad((time & 31) * 2)}`,
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
