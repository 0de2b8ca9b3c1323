/**
 * Security policy of the synthesized Terraform, checked the way a scanner
 * would: each rule is a function from the Terraform JSON to a list of
 * findings, run on the real stack (no finding) and on a copy mutated to break
 * that rule (a finding), so no rule can pass by checking nothing.
 */
import { App } from "cdktf";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { FAN_OUT_FUNCTION } from "../../contract/routes.ts";
import { RESOURCE_ENVIRONMENT, SETTINGS } from "../../contract/settings.ts";
import { FAN_OUT_ASYNC_INVOKE } from "../../stacks/chat-backend.ts";
import { ChatStack } from "../../stacks/chat-stack.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "../terraform/terraform-cli.ts";
import { functionsByName, resourcesOf, statementsByFunction, synthChatStack, tempBundleRoot, type TerraformJson } from "./synth-helpers.ts";

// ---------------------------------------------------------------- helpers

interface Statement {
  readonly where: string;
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly notActions?: string[];
  readonly notResources?: string[];
}

/** `${aws_x.NAME.attr}` → NAME, when `value` is exactly that reference. */
function referenced(value: unknown, type: string, attribute: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = new RegExp(`^\\$\\{${type}\\.(\\w+)(?:\\[[^\\]]+\\])?\\.${attribute}\\}$`).exec(value);
  return match?.[1];
}

const list = (value: unknown): string[] => (value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);
const blocks = (value: unknown): any[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** Every IAM statement: the policy documents, and any policy written as literal JSON. */
function statementsOf(tf: TerraformJson): Statement[] {
  const statements: Statement[] = [];
  for (const [name, doc] of Object.entries(tf.data?.aws_iam_policy_document ?? {})) {
    for (const s of blocks(doc.statement)) {
      statements.push({ where: `data.aws_iam_policy_document.${name}`, effect: s.effect ?? "Allow", actions: list(s.actions), resources: list(s.resources), notActions: s.not_actions, notResources: s.not_resources });
    }
  }
  for (const type of ["aws_iam_role_policy", "aws_iam_policy"]) {
    for (const [name, r] of Object.entries(tf.resource[type] ?? {})) {
      if (typeof r.policy !== "string" || !r.policy.trim().startsWith("{")) continue;
      for (const s of blocks(JSON.parse(r.policy).Statement)) {
        statements.push({ where: `${type}.${name}`, effect: s.Effect, actions: list(s.Action), resources: list(s.Resource), notActions: s.NotAction, notResources: s.NotResource });
      }
    }
  }
  return statements;
}

// ---------------------------------------------------------------- rules

/** No `*` or `service:*` action, no `*` resource, no NotAction/NotResource, no Deny-less trick. */
function wildcardFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  for (const s of statementsOf(tf)) {
    for (const a of s.actions) if (a.includes("*")) findings.push(`${s.where}: wildcard action ${a}`);
    for (const r of s.resources) if (r === "*" || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r)) findings.push(`${s.where}: wildcard resource ${r}`);
    if (s.notActions || s.notResources) findings.push(`${s.where}: NotAction/NotResource`);
    if (s.actions.length === 0) findings.push(`${s.where}: statement without actions`);
  }
  for (const [name, role] of Object.entries(tf.resource.aws_iam_role ?? {})) {
    const trust = JSON.parse(role.assume_role_policy);
    for (const s of blocks(trust.Statement)) {
      if (s.Principal === "*" || JSON.stringify(s.Principal).includes('"*"')) findings.push(`aws_iam_role.${name}: anyone may assume it`);
    }
  }
  return findings;
}

/**
 * Each function's statements reach no further than the table, its room
 * index, the function's OWN log group, this stage's @connections and, for
 * the functions FAN_OUT_FUNCTION.invokedBy names, invoking the fan-out
 * function; and each kind of resource only with its own service's actions.
 * The only managed policy is API Gateway's own, on the opt-in account role.
 */
function scopeFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const stages = resourcesOf(tf, "aws_apigatewayv2_stage").map((s) => s.name as string);
  const functions = Object.values(tf.resource.aws_lambda_function ?? {});
  const documents = tf.data?.aws_iam_policy_document ?? {};
  const physical = (name: string) => `\${var.name_prefix}-${name}`;
  const fanOut = Object.entries(tf.resource.aws_lambda_function ?? {}).find(([, f]) => f.function_name === physical(FAN_OUT_FUNCTION.name))?.[0];
  for (const [name, policy] of Object.entries(tf.resource.aws_iam_role_policy ?? {})) {
    const role = referenced(policy.role, "aws_iam_role", "id");
    const doc = referenced(policy.policy, "data.aws_iam_policy_document", "json");
    const fn = functions.find((f) => referenced(f.role, "aws_iam_role", "arn") === role);
    const ownLogGroup = fn && referenced(fn.logging_config?.log_group, "aws_cloudwatch_log_group", "name");
    if (!role || !doc || !fn || !ownLogGroup) {
      findings.push(`aws_iam_role_policy.${name}: not one function's role and policy document`);
      continue;
    }
    const allowed: { resource: RegExp; actions: RegExp }[] = [
      { resource: /^\$\{aws_dynamodb_table\.\w+\.arn\}$/, actions: /^dynamodb:[A-Za-z]+$/ },
      { resource: new RegExp(`^\\$\\{aws_dynamodb_table\\.\\w+\\.arn\\}/index/${esc(CONNECTION_TABLE.roomIndexName)}$`), actions: /^dynamodb:(Query|Scan)$/ },
      { resource: new RegExp(`^\\$\\{aws_cloudwatch_log_group\\.${ownLogGroup}\\.arn\\}:\\*$`), actions: /^logs:(CreateLogStream|PutLogEvents)$/ },
      ...stages.map((stage) => ({
        resource: new RegExp(`^\\$\\{aws_apigatewayv2_api\\.\\w+\\.execution_arn\\}/${esc(stage)}/(POST|GET|DELETE)/@connections/\\*$`),
        actions: /^execute-api:ManageConnections$/,
      })),
      // The fan-out function's unqualified ARN, for its invokers only: no `:*`, no other function.
      ...(fanOut && FAN_OUT_FUNCTION.invokedBy.map(physical).includes(fn.function_name)
        ? [{ resource: new RegExp(`^\\$\\{aws_lambda_function\\.${fanOut}\\.arn\\}$`), actions: /^lambda:InvokeFunction$/ }]
        : []),
    ];
    for (const s of blocks(documents[doc]?.statement)) {
      for (const resource of list(s.resources)) {
        const rule = allowed.find((a) => a.resource.test(resource));
        if (!rule) findings.push(`${fn.function_name}: resource wider than its table, index, own log group, stage's @connections or the fan-out function it may invoke: ${resource}`);
        else for (const action of list(s.actions)) if (!rule.actions.test(action)) findings.push(`${fn.function_name}: ${action} on ${resource}`);
      }
    }
  }
  for (const [name, attachment] of Object.entries(tf.resource.aws_iam_role_policy_attachment ?? {})) {
    const role = referenced(attachment.role, "aws_iam_role", "name");
    const trust = role ? String(tf.resource.aws_iam_role?.[role]?.assume_role_policy) : "";
    const ok =
      /:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs$/.test(attachment.policy_arn) &&
      trust.includes('"Service":"apigateway.amazonaws.com"') &&
      attachment.count === "${var.manage_api_gateway_cloudwatch_role ? 1 : 0}";
    if (!ok) findings.push(`aws_iam_role_policy_attachment.${name}: ${attachment.policy_arn}`);
  }
  if (Object.keys(tf.resource.aws_iam_policy ?? {}).length) findings.push("aws_iam_policy: standalone policies are not granted through BundledFunction.grant");
  return findings;
}

/**
 * Exactly the functions FAN_OUT_FUNCTION.invokedBy names may invoke the
 * fan-out function, on its unqualified ARN alone, each in a role policy of
 * its own; no role may invoke anything else; only those functions hold its
 * name in FAN_OUT_FUNCTION_NAME; and no resource policy lets anyone else
 * invoke it.
 */
function invokeFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const functions = functionsByName(tf);
  const fanOut = functions.get(FAN_OUT_FUNCTION.name);
  if (!fanOut) return [`no ${FAN_OUT_FUNCTION.name} function at all`];
  const fanOutArn = `\${aws_lambda_function.${fanOut.key}.arn}`;
  const holders = new Set<string>();
  for (const [name, statements] of statementsByFunction(tf)) {
    const invoking = statements.filter((s) => s.actions.some((a) => a.startsWith("lambda:")));
    for (const s of invoking) {
      holders.add(name);
      for (const action of s.actions) if (action !== "lambda:InvokeFunction") findings.push(`${name}: ${action}`);
      for (const resource of s.resources) if (resource !== fanOutArn) findings.push(`${name}: lambda:InvokeFunction on ${resource}`);
      if (statements.some((other) => other.policy === s.policy && other !== s)) findings.push(`${name}: the invoke grant shares ${s.policy} with other grants`);
    }
  }
  // Also any Lambda grant the per-function view cannot see: literal JSON policies, or a policy on no function's role.
  const functionRoles = new Set([...functions.values()].map(({ fn }) => /aws_iam_role\.(\w+)\./.exec(String(fn.role))?.[1]));
  const lambdaDocs = new Set(Object.entries(tf.data?.aws_iam_policy_document ?? {}).filter(([, d]) => JSON.stringify(d.statement ?? []).includes('"lambda:')).map(([k]) => k));
  for (const s of statementsOf(tf)) if (!s.where.startsWith("data.") && s.actions.some((a) => a.startsWith("lambda:"))) findings.push(`${s.where}: a Lambda grant on no function's role`);
  for (const [name, p] of Object.entries(tf.resource.aws_iam_role_policy ?? {})) {
    const doc = /^\$\{data\.aws_iam_policy_document\.(\w+)\.json\}$/.exec(String(p.policy))?.[1];
    const role = /^\$\{aws_iam_role\.(\w+)\.id\}$/.exec(String(p.role))?.[1];
    if (doc && lambdaDocs.has(doc) && !functionRoles.has(role)) findings.push(`aws_iam_role_policy.${name}: a Lambda grant on no function's role`);
  }
  for (const name of FAN_OUT_FUNCTION.invokedBy) if (!holders.has(name)) findings.push(`${name}: may not invoke the ${FAN_OUT_FUNCTION.name} function`);
  for (const name of holders) if (!FAN_OUT_FUNCTION.invokedBy.includes(name)) findings.push(`${name}: may invoke a function, but invokedBy does not name it`);

  const variable = RESOURCE_ENVIRONMENT.fanOutFunctionName;
  for (const [name, { fn }] of functions) {
    const value = fn.environment?.variables?.[variable];
    if (!FAN_OUT_FUNCTION.invokedBy.includes(name)) {
      if (value !== undefined) findings.push(`${name}: has ${variable} but does not invoke the ${FAN_OUT_FUNCTION.name} function`);
      continue;
    }
    // A reference where it can be one; the fan-out function names itself as written (a resource cannot refer to itself).
    const expected = name === FAN_OUT_FUNCTION.name ? fanOut.fn.function_name : `\${aws_lambda_function.${fanOut.key}.function_name}`;
    if (value !== expected) findings.push(`${name}: ${variable} is ${value}, not the ${FAN_OUT_FUNCTION.name} function's name`);
  }
  for (const [name, permission] of Object.entries(tf.resource.aws_lambda_permission ?? {})) {
    if (String(permission.function_name).includes(`aws_lambda_function.${fanOut.key}.`)) findings.push(`aws_lambda_permission.${name}: a resource policy on the ${FAN_OUT_FUNCTION.name} function`);
  }
  return findings;
}

/**
 * The fan-out function's asynchronous invocations: retried at most twice, and
 * dropped once older than five minutes (a chat message that late is not worth
 * delivering); no other function has such a configuration.
 */
function asyncInvokeFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const fanOut = functionsByName(tf).get(FAN_OUT_FUNCTION.name);
  const configs = Object.entries(tf.resource.aws_lambda_function_event_invoke_config ?? {});
  if (!fanOut) return [`no ${FAN_OUT_FUNCTION.name} function at all`];
  const own = configs.filter(([, c]) => c.function_name === `\${aws_lambda_function.${fanOut.key}.function_name}`);
  if (own.length !== 1) findings.push(`${FAN_OUT_FUNCTION.name}: ${own.length} event invoke configurations, not one`);
  for (const [name, c] of configs) {
    if (!own.some(([n]) => n === name)) findings.push(`${name}: configures another function (${c.function_name})`);
    if (c.maximum_retry_attempts !== 2) findings.push(`${name}: maximum_retry_attempts ${c.maximum_retry_attempts}, not 2`);
    if (c.maximum_event_age_in_seconds !== 300) findings.push(`${name}: maximum_event_age_in_seconds ${c.maximum_event_age_in_seconds}, not 300`);
    if (c.qualifier !== undefined) findings.push(`${name}: qualifier ${c.qualifier} (the unqualified function is what is invoked)`);
  }
  return findings;
}

/** Encryption at rest always on (the key from var.table_kms_key_arn when set), point-in-time recovery on. */
function tableFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const tables = Object.entries(tf.resource.aws_dynamodb_table ?? {});
  if (tables.length === 0) findings.push("no aws_dynamodb_table at all");
  for (const [name, t] of tables) {
    if (t.server_side_encryption?.enabled !== true) findings.push(`${name}: server_side_encryption not enabled`);
    if (t.server_side_encryption?.kms_key_arn !== '${var.table_kms_key_arn == "" ? null : var.table_kms_key_arn}') findings.push(`${name}: kms_key_arn not from var.table_kms_key_arn`);
    if (t.point_in_time_recovery?.enabled !== true) findings.push(`${name}: point_in_time_recovery off`);
  }
  return findings;
}

/** Every log group has a retention and the key of var.logs_kms_key_arn; every function logs into one of them. */
function logGroupFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const groups = tf.resource.aws_cloudwatch_log_group ?? {};
  for (const [name, g] of Object.entries(groups)) {
    if (g.retention_in_days === undefined || g.retention_in_days === 0) findings.push(`${name}: no retention_in_days (logs kept forever)`);
    if (g.kms_key_id !== '${var.logs_kms_key_arn == "" ? null : var.logs_kms_key_arn}') findings.push(`${name}: kms_key_id not from var.logs_kms_key_arn`);
  }
  for (const fn of resourcesOf(tf, "aws_lambda_function")) {
    const group = referenced(fn.logging_config?.log_group, "aws_cloudwatch_log_group", "name");
    if (!group || !groups[group]) findings.push(`${fn.function_name}: logs into a group the stack does not manage`);
  }
  return findings;
}

/** `$context` variables an access log line may hold: ids, route, status, timing, errors. None carries a query string, header or body. */
const SAFE_ACCESS_LOG_VARIABLES = new Set([
  "requestId", "extendedRequestId", "connectionId", "eventType", "routeKey", "messageId", "connectedAt", "apiId", "stage", "domainName",
  "status", "requestTime", "requestTimeEpoch", "identity.sourceIp",
  "error.message", "error.messageString", "error.responseType",
  "integration.error", "integration.status", "integration.integrationStatus", "integration.latency", "integration.requestId", "integrationLatency",
  "authorize.error", "authorize.status", "authorize.latency", "authorizer.error", "authorizer.status", "authorizer.latency", "authorizer.integrationStatus", "authorizer.integrationLatency",
]);

/** What in an access log format could log `?token=`: anything not on the safe list, or that names a query, path, header, body or override. */
function accessLogFormatFindings(format: string): string[] {
  const findings: string[] = [];
  for (const variable of format.match(/\$[A-Za-z]+(\.[A-Za-z0-9_]+)*/g) ?? []) {
    const name = variable.replace(/^\$context\./, "");
    if (!variable.startsWith("$context.") || !SAFE_ACCESS_LOG_VARIABLES.has(name)) findings.push(`access log variable ${variable}`);
  }
  if (/query|path|header|requestOverride|body|token|\$input|\$request/i.test(format)) findings.push("access log format names a query, path, header, body, override or token");
  return findings;
}

/** Access log on (own log group, safe format), throttling on every route and on $connect, data trace off. */
function stageFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const stages = Object.entries(tf.resource.aws_apigatewayv2_stage ?? {});
  if (stages.length === 0) findings.push("no aws_apigatewayv2_stage at all");
  for (const [name, s] of stages) {
    const log = s.access_log_settings;
    const group = referenced(log?.destination_arn, "aws_cloudwatch_log_group", "arn");
    if (!log || !group || !tf.resource.aws_cloudwatch_log_group?.[group]) findings.push(`${name}: no access log into a log group of the stack`);
    else findings.push(...accessLogFormatFindings(log.format).map((f) => `${name}: ${f}`));
    const d = s.default_route_settings;
    if (d?.throttling_rate_limit !== "${var.throttling_rate_limit}" || d?.throttling_burst_limit !== "${var.throttling_burst_limit}") findings.push(`${name}: default_route_settings not throttled from var.throttling_*`);
    const connect = blocks(s.route_settings).find((r) => r.route_key === "$connect");
    if (connect?.throttling_rate_limit !== "${var.connect_throttling_rate_limit}" || connect?.throttling_burst_limit !== "${var.connect_throttling_burst_limit}") findings.push(`${name}: $connect not throttled from var.connect_throttling_*`);
    for (const settings of [d, ...blocks(s.route_settings)]) if (settings?.data_trace_enabled !== false) findings.push(`${name}: data trace not off (${settings?.route_key ?? "default"})`);
  }
  return findings;
}

const SECRET_NAME = /secret|password|passwd|token|private|credential|api_?key/i;
const SECRET_VALUE: [string, RegExp][] = [
  ["a PEM block", /-----BEGIN [A-Z ]+-----/],
  ["an AWS access key id", /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ["an AWS secret access key", /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/],
  ["a JWT", /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/],
  ["a long base64 string", /[A-Za-z0-9+/_-]{32,}={0,2}/],
  ["a password assignment", /password\s*[:=]/i],
];

/**
 * No output and no variable default holds a secret, and every string
 * variable or output named like one is sensitive (a number or bool such as
 * max_token_age_seconds cannot hold one). References are not secrets: only
 * the literal text outside `${…}` is matched.
 */
function secretFindings(tf: TerraformJson): string[] {
  const findings: string[] = [];
  const literal = (value: unknown) => JSON.stringify(value ?? null).replace(/\$\{[^}]*\}/g, "");
  const check = (where: string, value: unknown) => {
    for (const [what, pattern] of SECRET_VALUE) if (pattern.test(literal(value))) findings.push(`${where}: looks like ${what}`);
  };
  for (const [name, v] of Object.entries(tf.variable ?? {})) {
    check(`variable ${name} default`, v.default);
    if (SECRET_NAME.test(name) && /string/.test(String(v.type)) && v.sensitive !== true) findings.push(`variable ${name}: named like a secret but not sensitive`);
  }
  for (const [name, o] of Object.entries(tf.output ?? {})) {
    check(`output ${name}`, o.value);
    if (SECRET_NAME.test(name) && o.sensitive !== true) findings.push(`output ${name}: named like a secret but not sensitive`);
  }
  // A private key or an access key id has no business anywhere in the stack.
  for (const [what, pattern] of SECRET_VALUE.slice(0, 2)) if (pattern.test(JSON.stringify(tf))) findings.push(`the stack holds ${what}`);
  return findings;
}

// ---------------------------------------------------------------- tests

const bundleRoot = tempBundleRoot();
const deployed = synthChatStack({ bundleRoot });
const moduleMode = synthChatStack({ bundleRoot, mode: "module" });
const mutated = (change: (tf: any) => void): TerraformJson => {
  const copy = structuredClone(deployed.tf);
  change(copy);
  return copy;
};
const firstOf = (tf: any, type: string): any => Object.values(tf.resource[type])[0];
const firstDoc = (tf: any): any => Object.values(tf.data.aws_iam_policy_document)[0];
/** The role policy of function `name` (its main one, or with `invoke` its separate invoke policy), by key. */
const policyOf = (tf: any, name: string, invoke: boolean): string => {
  const role = /aws_iam_role\.(\w+)\./.exec(functionsByName(tf).get(name)!.fn.role)![1];
  return Object.keys(tf.resource.aws_iam_role_policy).find((k) => tf.resource.aws_iam_role_policy[k].role.includes(`.${role}.`) && /_invoke_/.test(k) === invoke)!;
};
const invokePolicyOf = (tf: any, name: string): string => policyOf(tf, name, true);
/** The policy document of function `name`'s main policy, or with `invoke` of its invoke policy. */
const invokeDoc = (tf: any, name: string, invoke = false): any => {
  const doc = /data\.aws_iam_policy_document\.(\w+)\.json/.exec(tf.resource.aws_iam_role_policy[policyOf(tf, name, invoke)].policy)![1]!;
  return tf.data.aws_iam_policy_document[doc];
};

describe("policy: the synthesized Terraform", () => {
  it("IAM: no wildcard action (`*`, `service:*`) or resource (`*`), no NotAction, no role anyone may assume", () => {
    expect(statementsOf(deployed.tf).length).toBeGreaterThan(10);
    for (const tf of [deployed.tf, moduleMode.tf]) expect(wildcardFindings(tf)).toEqual([]);
    // Each kind of wildcard is caught.
    expect(wildcardFindings(mutated((tf) => firstDoc(tf).statement.push({ effect: "Allow", actions: ["*"], resources: ["x"] })))).toEqual([expect.stringMatching(/wildcard action \*$/)]);
    expect(wildcardFindings(mutated((tf) => firstDoc(tf).statement.push({ effect: "Allow", actions: ["dynamodb:*"], resources: ["*"] })))).toHaveLength(2);
    expect(wildcardFindings(mutated((tf) => (firstOf(tf, "aws_iam_role_policy").policy = JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] }))))).toEqual([expect.stringMatching(/wildcard resource \*$/)]);
    expect(wildcardFindings(mutated((tf) => (firstOf(tf, "aws_iam_role").assume_role_policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }] }))))).toHaveLength(1);
  });

  it("IAM: every statement reaches only the table, its room index, the function's own log group, the stage's @connections", () => {
    for (const tf of [deployed.tf, moduleMode.tf]) expect(scopeFindings(tf)).toEqual([]);
    // Another function's log group, the whole API, the table's streams, a bought policy: each is caught.
    const foreignLog = mutated((tf) => {
      const s = firstDoc(tf).statement.find((x: any) => x.actions.includes("logs:PutLogEvents"));
      const own = /aws_cloudwatch_log_group\.(\w+)\./.exec(s.resources[0])![1];
      const other = Object.keys(tf.resource.aws_cloudwatch_log_group).find((g) => g !== own);
      s.resources = [`\${aws_cloudwatch_log_group.${other}.arn}:*`];
    });
    expect(scopeFindings(foreignLog)).toEqual([expect.stringMatching(/resource wider than .*aws_cloudwatch_log_group/)]);
    const wholeApi = mutated((tf) => {
      const doc = Object.values(tf.data.aws_iam_policy_document).find((d: any) => d.statement.some((x: any) => x.actions.includes("execute-api:ManageConnections"))) as any;
      doc.statement.find((x: any) => x.actions.includes("execute-api:ManageConnections")).resources = ["${aws_apigatewayv2_api.A.execution_arn}/*"];
    });
    expect(scopeFindings(wholeApi)).toEqual([expect.stringMatching(/resource wider than .*execution_arn\}\/\*$/)]);
    const streams = mutated((tf) => firstDoc(tf).statement.push({ effect: "Allow", actions: ["dynamodb:GetRecords"], resources: ["${aws_dynamodb_table.T.arn}/stream/*"] }));
    expect(scopeFindings(streams)).toHaveLength(1);
    const logsOnTable = mutated((tf) => firstDoc(tf).statement.push({ effect: "Allow", actions: ["logs:DeleteLogGroup"], resources: ["${aws_dynamodb_table.T.arn}"] }));
    expect(scopeFindings(logsOnTable)).toEqual([expect.stringMatching(/logs:DeleteLogGroup on/)]);
    const admin = mutated((tf) => (firstOf(tf, "aws_iam_role_policy_attachment").policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"));
    expect(scopeFindings(admin)).toEqual([expect.stringMatching(/AdministratorAccess/)]);
    // Invoking: the fan-out function's versions and aliases, another function, or a function invokedBy does not name.
    const fanOutArn = `\${aws_lambda_function.${functionsByName(deployed.tf).get(FAN_OUT_FUNCTION.name)!.key}.arn}`;
    const qualified = mutated((tf) => firstDoc(tf).statement.push({ effect: "Allow", actions: ["lambda:InvokeFunction"], resources: [`${fanOutArn}:*`] }));
    expect(scopeFindings(qualified)).toEqual([expect.stringMatching(/resource wider than .*arn\}:\*$/)]);
    const byConnect = mutated((tf) => invokeDoc(tf, "connect").statement.push({ effect: "Allow", actions: ["lambda:InvokeFunction"], resources: [fanOutArn] }));
    expect(scopeFindings(byConnect)).toEqual([expect.stringMatching(/-connect: resource wider than .*aws_lambda_function/)]);
  });

  it("IAM: exactly the functions FAN_OUT_FUNCTION.invokedBy names may invoke the fan-out function, on its unqualified ARN alone, and only they know its name", () => {
    expect(FAN_OUT_FUNCTION.invokedBy).toEqual(["on-message", "fan-out"]);
    for (const tf of [deployed.tf, moduleMode.tf]) expect(invokeFindings(tf)).toEqual([]);
    // Each way to get it wrong is caught.
    const fanOutKey = functionsByName(deployed.tf).get(FAN_OUT_FUNCTION.name)!.key;
    const fanOutArn = `\${aws_lambda_function.${fanOutKey}.arn}`;
    const cases: [string, (tf: any) => void, RegExp | RegExp[]][] = [
      ["another function invokes", (tf) => invokeDoc(tf, "join-room").statement.push({ effect: "Allow", actions: ["lambda:InvokeFunction"], resources: [fanOutArn] }), [/^join-room: the invoke grant shares/, /^join-room: may invoke a function, but invokedBy does not name it$/]],
      ["versions and aliases too", (tf) => invokeDoc(tf, "on-message", true).statement[0].resources.push(`${fanOutArn}:*`), /^on-message: lambda:InvokeFunction on .*:\*$/],
      ["another function's ARN", (tf) => (invokeDoc(tf, "fan-out", true).statement[0].resources = [fanOutArn.replace(fanOutKey, functionsByName(tf).get("history")!.key)]), /^fan-out: lambda:InvokeFunction on .*aws_lambda_function\.history\.arn/],
      ["more than invoking", (tf) => invokeDoc(tf, "on-message", true).statement[0].actions.push("lambda:UpdateFunctionCode"), /^on-message: lambda:UpdateFunctionCode$/],
      ["in the main policy", (tf) => invokeDoc(tf, "on-message", true).statement.push({ effect: "Allow", actions: ["logs:PutLogEvents"], resources: ["x"] }), /^on-message: the invoke grant shares/],
      ["an invoker that may not", (tf) => delete tf.resource.aws_iam_role_policy[invokePolicyOf(tf, "on-message")], /^on-message: may not invoke/],
      ["a name where it has no use", (tf) => (functionsByName(tf).get("typing-indicator")!.fn.environment.variables[RESOURCE_ENVIRONMENT.fanOutFunctionName] = "x"), /^typing-indicator: has FAN_OUT_FUNCTION_NAME/],
      ["an invoker without the name", (tf) => delete functionsByName(tf).get("on-message")!.fn.environment.variables[RESOURCE_ENVIRONMENT.fanOutFunctionName], /^on-message: FAN_OUT_FUNCTION_NAME is undefined/],
      ["a resource policy", (tf) => (tf.resource.aws_lambda_permission.Extra = { action: "lambda:InvokeFunction", principal: "*", function_name: `\${aws_lambda_function.${fanOutKey}.function_name}` }), /resource policy on the fan-out function/],
      ["a policy on no function's role", (tf) => (tf.resource.aws_iam_role_policy.Stray = { role: "r", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "arn" }] }) }), /on no function's role/],
    ];
    for (const [what, change, findings] of cases) expect(invokeFindings(mutated(change)), what).toEqual([findings].flat().map((f) => expect.stringMatching(f)));
  });

  it("fan-out: asynchronous invocations retried at most twice and dropped after five minutes; no other function configured", () => {
    expect(FAN_OUT_ASYNC_INVOKE).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 300 });
    for (const tf of [deployed.tf, moduleMode.tf]) expect(asyncInvokeFindings(tf)).toEqual([]);
    const config = (tf: any) => firstOf(tf, "aws_lambda_function_event_invoke_config");
    expect(asyncInvokeFindings(mutated((tf) => (config(tf).maximum_event_age_in_seconds = 21600)))).toEqual([expect.stringMatching(/maximum_event_age_in_seconds 21600, not 300/)]);
    expect(asyncInvokeFindings(mutated((tf) => delete config(tf).maximum_retry_attempts))).toEqual([expect.stringMatching(/maximum_retry_attempts undefined, not 2/)]);
    expect(asyncInvokeFindings(mutated((tf) => (config(tf).qualifier = "live")))).toEqual([expect.stringMatching(/qualifier live/)]);
    expect(asyncInvokeFindings(mutated((tf) => (tf.resource.aws_lambda_function_event_invoke_config = {})))).toEqual([expect.stringMatching(/0 event invoke configurations/)]);
  });

  it("table: encryption at rest on, with var.table_kms_key_arn when set; point-in-time recovery on", () => {
    for (const tf of [deployed.tf, moduleMode.tf]) expect(tableFindings(tf)).toEqual([]);
    expect(tableFindings(mutated((tf) => delete firstOf(tf, "aws_dynamodb_table").point_in_time_recovery))).toEqual([expect.stringMatching(/point_in_time_recovery off/)]);
    expect(tableFindings(mutated((tf) => (firstOf(tf, "aws_dynamodb_table").server_side_encryption = { enabled: false })))).toHaveLength(2);
  });

  it("log groups: every one has a retention and var.logs_kms_key_arn's key; no function logs into a group of its own making", () => {
    // The fan-out function is one of those checked.
    expect(functionsByName(deployed.tf).get(FAN_OUT_FUNCTION.name)?.fn.logging_config.log_group).toMatch(/^\$\{aws_cloudwatch_log_group\.\w+\.name\}$/);
    for (const tf of [deployed.tf, moduleMode.tf]) expect(logGroupFindings(tf)).toEqual([]);
    expect(logGroupFindings(mutated((tf) => delete firstOf(tf, "aws_cloudwatch_log_group").retention_in_days))).toEqual([expect.stringMatching(/no retention_in_days/)]);
    expect(logGroupFindings(mutated((tf) => delete firstOf(tf, "aws_cloudwatch_log_group").kms_key_id))).toEqual([expect.stringMatching(/kms_key_id/)]);
    expect(logGroupFindings(mutated((tf) => delete firstOf(tf, "aws_lambda_function").logging_config))).toEqual([expect.stringMatching(/group the stack does not manage/)]);
  });

  it("stage: access log with a format that cannot carry ?token=, throttling stage-wide and on $connect, data trace off", () => {
    for (const tf of [deployed.tf, moduleMode.tf]) expect(stageFindings(tf)).toEqual([]);
    expect(stageFindings(mutated((tf) => delete firstOf(tf, "aws_apigatewayv2_stage").access_log_settings))).toEqual([expect.stringMatching(/no access log/)]);
    expect(stageFindings(mutated((tf) => delete firstOf(tf, "aws_apigatewayv2_stage").default_route_settings.throttling_rate_limit))).toEqual([expect.stringMatching(/default_route_settings not throttled/)]);
    expect(stageFindings(mutated((tf) => delete firstOf(tf, "aws_apigatewayv2_stage").route_settings))).toEqual([expect.stringMatching(/\$connect not throttled/)]);
    expect(stageFindings(mutated((tf) => (firstOf(tf, "aws_apigatewayv2_stage").default_route_settings.data_trace_enabled = true)))).toEqual([expect.stringMatching(/data trace not off/)]);
    // Anything that could hold the query string is refused, whatever its spelling.
    for (const leak of ["$request.querystring.token", "$context.requestOverride.querystring.token", "$context.path", "$context.identity.userAgent", "$input.body"]) {
      expect(accessLogFormatFindings(`{"requestId":"$context.requestId","x":"${leak}"}`), leak).not.toEqual([]);
    }
  });

  it("secrets: no output or variable default holds one; a string variable or output named like one is sensitive", () => {
    for (const tf of [deployed.tf, moduleMode.tf]) expect(secretFindings(tf)).toEqual([]);
    // Every variable is looked at: the token-named number is there and passes as a number.
    expect(Object.keys(deployed.tf.variable!).length).toBeGreaterThan(20);
    expect(deployed.tf.variable!.max_token_age_seconds.type).toBe("number");
    const cases: [string, (tf: any) => void, RegExp][] = [
      ["PEM default", (tf) => (tf.variable.x = { type: "string", default: "-----BEGIN PRIVATE KEY-----\nMIIE" }), /PEM/],
      ["access key default", (tf) => (tf.variable.x = { type: "string", default: "AKIAIOSFODNN7EXAMPLE" }), /access key id/],
      ["secret key default", (tf) => (tf.variable.x = { type: "string", default: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" }), /secret access key/],
      ["JWT output", (tf) => (tf.output.x = { value: "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig" }), /JWT/],
      ["not sensitive", (tf) => (tf.variable.api_token = { type: "string", default: "" }), /api_token: named like a secret but not sensitive/],
      ["not sensitive output", (tf) => (tf.output.client_secret = { value: "${aws_x.y.secret}" }), /client_secret: named like a secret/],
    ];
    for (const [what, change, finding] of cases) expect(secretFindings(mutated(change)), what).toEqual(expect.arrayContaining([expect.stringMatching(finding)]));
    expect(secretFindings(mutated((tf) => (tf.variable.api_token = { type: "string", default: "", sensitive: true })))).toEqual([]);
  });
});

describe("policy: terraform on the synthesized module (offline)", () => {
  let tooling: TerraformTooling;
  let dir: string;
  // Terraform loads the whole provider for each command, and two cores are shared: plans are slow.
  const SLOW = 240_000;
  const plan = (vars: Record<string, string>, target?: string | string[]) =>
    terraform(tooling, dir, [
      "plan", "-input=false", "-lock=false", "-refresh=false", "-no-color",
      ...[target ?? []].flat().map((t) => `-target=${t}`),
      ...Object.entries(vars).flatMap(([k, v]) => ["-var", `${k}=${v}`]),
    ]);
  const signIn = (jwksUrl: string) => ({ auth_enabled: "true", jwt_issuer: "https://issuer.example/", jwt_audience: "chat", jwks_url: jwksUrl });
  // The function that reads var.jwks_url: planning it alone still validates the variable, in a fraction of the time.
  const authorizer = () => {
    const [name] = Object.entries(moduleMode.tf.resource.aws_lambda_function!).find(([, f]) => f.environment.variables.JWKS_URL)!;
    return `aws_lambda_function.${name}`;
  };

  beforeAll(() => {
    // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
    tooling = findTerraformTooling();
    // The module as cdktf writes it (JSON, with its assets), used as a root with an offline provider.
    const outdir = mkdtempSync(path.join(os.tmpdir(), "wsstack-policy-"));
    const app = new App({ outdir });
    new ChatStack(app, "wsstack", { mode: "module", bundleRoot });
    app.synth();
    dir = path.join(outdir, "stacks", "wsstack");
    writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
  }, SLOW);

  it("validate: the module is valid, with no warning", () => {
    const out = terraform(tooling, dir, ["validate", "-no-color"]);
    expect(out).toContain("The configuration is valid");
    expect(out).not.toMatch(/Warning/);
  }, SLOW);

  it("jwks_url: a plain-http URL off loopback fails the plan with the validation's message", () => {
    expect(() => plan(signIn("http://evil.example/jwks.json"), authorizer())).toThrow(/jwks_url must be an https:\/\/ URL/);
  }, SLOW);

  it("jwks_url: http:// on loopback plans (the dev issuer)", () => {
    const out = plan(signIn("http://127.0.0.1:3001/.well-known/jwks.json"), authorizer());
    expect(out).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
  }, SLOW);

  it("whole plan: an https:// JWKS URL, both KMS keys and the account role plan, and change what they name", () => {
    const out = plan({
      ...signIn("https://issuer.example/.well-known/jwks.json"),
      table_kms_key_arn: "arn:aws:kms:us-east-1:111122223333:key/table",
      logs_kms_key_arn: "arn:aws:kms:us-east-1:111122223333:key/logs",
      manage_api_gateway_cloudwatch_role: "true",
    });
    expect(out).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy/);
    expect(out).not.toMatch(/Warning:/);
    expect(out).toMatch(/kms_key_arn\s+= "arn:aws:kms:us-east-1:111122223333:key\/table"/);
    expect(out.match(/kms_key_id\s+= "arn:aws:kms:us-east-1:111122223333:key\/logs"/g)?.length).toBe(resourcesOf(moduleMode.tf, "aws_cloudwatch_log_group").length);
    expect(out).toMatch(/aws_api_gateway_account\.\w+\[0\] will be created/);
    expect(out).toMatch(/throttling_rate_limit\s+= 50/);
    expect(out).toMatch(/route_key\s+= "\$connect"/);
    expect(out).toMatch(/aws_lambda_function_event_invoke_config\.\w+ will be created[\s\S]*?maximum_event_age_in_seconds\s+= 300[\s\S]*?maximum_retry_attempts\s+= 2/);
  }, SLOW);

  it("memory: var.on_message_memory_mb sizes on-message, var.fan_out_memory_mb the fan-out function; a size Lambda refuses fails the plan", () => {
    // GIVEN the two functions (planned alone: their dependencies come along)
    const functions = functionsByName(moduleMode.tf);
    const [onMessage, fanOut] = ["on-message", FAN_OUT_FUNCTION.name].map((name) => functions.get(name)!.key);
    const targets = [onMessage, fanOut].map((key) => `aws_lambda_function.${key}`);
    const sizes = { ...signIn("https://issuer.example/.well-known/jwks.json"), [SETTINGS.onMessageMemoryMb.variable]: "1024", [SETTINGS.fanOutMemoryMb.variable]: "2048" };
    // WHEN each gets its own size, THEN each function is planned with it
    const out = plan(sizes, targets);
    const memoryOf = (key: string) => new RegExp(`# aws_lambda_function\\.${key} will be created[\\s\\S]*?memory_size\\s+= (\\d+)`).exec(out)?.[1];
    expect(memoryOf(onMessage!)).toBe("1024");
    expect(memoryOf(fanOut!)).toBe("2048");
    // WHEN a size is below Lambda's 128 MB, THEN the plan fails with the variable's rule
    expect(() => plan({ ...sizes, [SETTINGS.fanOutMemoryMb.variable]: "64" }, targets[1])).toThrow(/fan_out_memory_mb must be between 128 and 10240/);
  }, SLOW);
});
