import { Testing } from "cdktf";
import { describe, expect, it } from "vitest";
import { AUTHORIZER, CLIENT_ACTIONS, FAN_OUT_FUNCTION, LAMBDA_ROUTES, ROUTES } from "../../contract/routes.ts";
import { RESOURCE_ENVIRONMENT, SETTINGS } from "../../contract/settings.ts";
import { ChatBackend, FunctionWiringError } from "../../stacks/chat-backend.ts";
import { AWS_PROVIDER_VERSION_RANGE } from "../../stacks/chat-stack.ts";
import { stackSettingsFromEnvironment } from "../../stacks/stack-settings.ts";
import { functionsByName, iamStatements, resourcesOf, statementsByFunction, synthChatStack, synthInStack, tempBundleRoot } from "./synth-helpers.ts";

// One synth of the real stack, with the real handlers, shared by the read-only tests below.
const deployed = synthChatStack();
// Every Lambda route has its function; the fan-out function and the $connect authorizer one more each.
const FUNCTION_COUNT = LAMBDA_ROUTES.length + 2;
// Functions with the table in their environment: every route function, and the fan-out function.
const tableFunctions = () => resourcesOf(deployed.tf, "aws_lambda_function").filter((f) => f.environment.variables.TABLE_NAME);
const fanOutOf = (tf = deployed.tf) => functionsByName(tf).get(FAN_OUT_FUNCTION.name)!;

describe("ChatStack", () => {
  it("routes: every manifest route exists; each Lambda route invokes its own function", () => {
    // The for_each route of additional_routes is test/stacks/extension-points.test.ts's.
    const routes = resourcesOf(deployed.tf, "aws_apigatewayv2_route").filter((r) => r.for_each === undefined);
    expect(routes.map((r) => r.route_key).sort()).toEqual(ROUTES.map((r) => r.routeKey).sort());
    expect(routes.map((r) => r.route_key)).toEqual(expect.arrayContaining(["$connect", "$disconnect", "$default", "onMessage"]));
    const integrations = deployed.tf.resource.aws_apigatewayv2_integration!;
    const lambdaKeys = new Set(LAMBDA_ROUTES.map((r) => r.routeKey));
    const functionsBehindRoutes = routes
      .filter((r) => lambdaKeys.has(r.route_key))
      .map((r) => integrations[/aws_apigatewayv2_integration\.(\w+)\.id/.exec(r.target)![1]!].integration_uri);
    expect(new Set(functionsBehindRoutes).size).toBe(LAMBDA_ROUTES.length);
    expect(resourcesOf(deployed.tf, "aws_lambda_function")).toHaveLength(FUNCTION_COUNT);
  });

  it("authorizer: $connect is guarded by a REQUEST authorizer on ?token= unless var.auth_enabled is false", () => {
    const [authorizer] = resourcesOf(deployed.tf, "aws_apigatewayv2_authorizer");
    expect(authorizer).toMatchObject({ authorizer_type: "REQUEST", identity_sources: [AUTHORIZER.identitySource] });
    const connect = resourcesOf(deployed.tf, "aws_apigatewayv2_route").find((r) => r.route_key === "$connect");
    expect(connect.authorization_type).toBe('${var.auth_enabled ? "CUSTOM" : "NONE"}');
    expect(connect.authorizer_id).toMatch(/^\$\{var\.auth_enabled \? aws_apigatewayv2_authorizer\.\w+\.id : null\}$/);
    const others = resourcesOf(deployed.tf, "aws_apigatewayv2_route").filter((r) => r.route_key !== "$connect");
    for (const r of others) expect(r.authorization_type).toBeUndefined();
  });

  it("authorizer: configured from variables only, with no secret, and refuses to plan when enabled but unset", () => {
    const authorizerFn = resourcesOf(deployed.tf, "aws_lambda_function").find((f) => f.environment.variables.JWKS_URL);
    expect(authorizerFn.environment.variables).toEqual({
      JWT_ISSUER: "${var.jwt_issuer}",
      JWT_AUDIENCE: "${var.jwt_audience}",
      JWKS_URL: "${var.jwks_url}",
      JWT_ALGORITHMS: '${join(",", var.jwt_algorithms)}',
      NAME_CLAIMS: '${join(",", var.name_claims)}',
      MAX_TOKEN_AGE_SECONDS: "${var.max_token_age_seconds}",
    });
    expect(deployed.tf.variable!.auth_enabled.validation[0].condition).toContain("!var.auth_enabled ||");
    expect(deployed.tf.variable!.auth_enabled).toMatchObject({ type: "bool", default: true });
    expect(deployed.tf.variable!.auth_enabled.description).toMatch(/demo/);
    expect(JSON.stringify(deployed.tf.output)).not.toMatch(/jwt|jwks/i);
  });

  it("authorizer: API Gateway may invoke it for this API's authorizer only", () => {
    const permission = resourcesOf(deployed.tf, "aws_lambda_permission").find((p) => p.source_arn.includes("/authorizers/"));
    expect(permission.source_arn).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}\/authorizers\/\$\{aws_apigatewayv2_authorizer\.\w+\.id\}$/);
  });

  it("routes: every two-way route of the manifest has a route response, and $default is two-way", () => {
    const twoWay = ROUTES.filter((r) => r.twoWay).map((r) => r.routeKey);
    expect(twoWay).toContain("$default");
    const routes = deployed.tf.resource.aws_apigatewayv2_route!;
    const withResponse = resourcesOf(deployed.tf, "aws_apigatewayv2_route_response").filter((rr) => rr.for_each === undefined).map((rr) => {
      const routeName = /aws_apigatewayv2_route\.(\w+)\.id/.exec(rr.route_id)![1]!;
      return routes[routeName].route_key;
    });
    expect(withResponse.sort()).toEqual([...twoWay].sort());
  });

  it("routes: the onMessage route is the seed's action name", () => {
    expect(CLIENT_ACTIONS).toContain("onMessage");
  });

  it("functions: run nodejs22.x; route functions and the fan-out function know the table and its room index", () => {
    for (const fn of resourcesOf(deployed.tf, "aws_lambda_function")) expect(fn.runtime).toBe("nodejs22.x");
    expect(tableFunctions()).toHaveLength(LAMBDA_ROUTES.length + 1);
    for (const fn of tableFunctions()) {
      expect(fn.environment.variables).toMatchObject({
        TABLE_NAME: expect.stringMatching(/^\$\{aws_dynamodb_table\.\w+\.name\}$/),
        ROOM_INDEX_NAME: "byRoom",
      });
    }
  });

  it("log groups: one per function and one for the stage's access log, retention from var.log_retention_days, KMS from var.logs_kms_key_arn", () => {
    const groups = resourcesOf(deployed.tf, "aws_cloudwatch_log_group");
    expect(groups).toHaveLength(FUNCTION_COUNT + 1);
    expect(groups.filter((g) => g.name.startsWith("/aws/lambda/"))).toHaveLength(FUNCTION_COUNT);
    expect(groups.map((g) => g.name)).toContain("/aws/apigateway/${var.name_prefix}-${var.stage_name}-access");
    for (const g of groups) {
      expect(g.retention_in_days).toBe("${var.log_retention_days}");
      expect(g.kms_key_id).toBe('${var.logs_kms_key_arn == "" ? null : var.logs_kms_key_arn}');
    }
  });

  it("roles: one per function, each with one main inline policy, and one more on each role that may invoke the fan-out function; the API Gateway CloudWatch role only when asked for", () => {
    const roles = resourcesOf(deployed.tf, "aws_lambda_function").map((f) => f.role);
    expect(new Set(roles).size).toBe(FUNCTION_COUNT);
    const lambdaRoles = resourcesOf(deployed.tf, "aws_iam_role").filter((r) => r.assume_role_policy.includes("lambda.amazonaws.com"));
    expect(lambdaRoles).toHaveLength(FUNCTION_COUNT);
    expect(resourcesOf(deployed.tf, "aws_iam_role")).toHaveLength(FUNCTION_COUNT + 1);
    expect(resourcesOf(deployed.tf, "aws_iam_role_policy")).toHaveLength(FUNCTION_COUNT + FAN_OUT_FUNCTION.invokedBy.length);
    const policiesPerFunction = [...statementsByFunction(deployed.tf)].map(([name, statements]) => [name, new Set(statements.map((s) => s.policy)).size]);
    expect(Object.fromEntries(policiesPerFunction)).toEqual(Object.fromEntries([...functionsByName(deployed.tf).keys()].map((name) => [name, FAN_OUT_FUNCTION.invokedBy.includes(name) ? 2 : 1])));
  });

  it("stage: throttled stage-wide from var.throttling_*, and $connect from var.connect_throttling_*", () => {
    const [stage] = resourcesOf(deployed.tf, "aws_apigatewayv2_stage");
    expect(stage.default_route_settings).toEqual({
      data_trace_enabled: false,
      throttling_rate_limit: "${var.throttling_rate_limit}",
      throttling_burst_limit: "${var.throttling_burst_limit}",
    });
    expect(stage.route_settings).toEqual([
      { route_key: "$connect", data_trace_enabled: false, throttling_rate_limit: "${var.connect_throttling_rate_limit}", throttling_burst_limit: "${var.connect_throttling_burst_limit}" },
    ]);
    expect(deployed.tf.variable!).toMatchObject({
      throttling_rate_limit: { default: 500 },
      throttling_burst_limit: { default: 1000 },
      connect_throttling_rate_limit: { default: 50 },
      connect_throttling_burst_limit: { default: 100 },
    });
  });

  it("stage: access log into its own group, after the account's CloudWatch role setting when the stack makes it", () => {
    const [stage] = resourcesOf(deployed.tf, "aws_apigatewayv2_stage");
    const groups = deployed.tf.resource.aws_cloudwatch_log_group!;
    const access = Object.keys(groups).find((k) => groups[k].name.endsWith("-access"))!;
    expect(stage.access_log_settings.destination_arn).toBe(`\${aws_cloudwatch_log_group.${access}.arn}`);
    const [account] = Object.keys(deployed.tf.resource.aws_api_gateway_account!);
    expect(stage.depends_on).toEqual(expect.arrayContaining([expect.stringContaining(`aws_api_gateway_account.${account}`)]));
  });

  it("API Gateway CloudWatch role: made only when var.manage_api_gateway_cloudwatch_role, default false", () => {
    expect(deployed.tf.variable!.manage_api_gateway_cloudwatch_role).toMatchObject({ type: "bool", default: false });
    const gated = [
      ...resourcesOf(deployed.tf, "aws_api_gateway_account"),
      ...resourcesOf(deployed.tf, "aws_iam_role_policy_attachment"),
      ...resourcesOf(deployed.tf, "aws_iam_role").filter((r) => r.assume_role_policy.includes("apigateway.amazonaws.com")),
    ];
    expect(gated).toHaveLength(3);
    for (const r of gated) expect(r.count).toBe("${var.manage_api_gateway_cloudwatch_role ? 1 : 0}");
    const [account] = resourcesOf(deployed.tf, "aws_api_gateway_account");
    expect(account.cloudwatch_role_arn).toMatch(/^\$\{aws_iam_role\.\w+\[count\.index\]\.arn\}$/);
    expect(resourcesOf(deployed.tf, "aws_iam_role_policy_attachment")[0].policy_arn).toMatch(/:iam::aws:policy\/service-role\/AmazonAPIGatewayPushToCloudWatchLogs$/);
  });

  it("table: encrypted with var.table_kms_key_arn when set, else the AWS managed key; point-in-time recovery on", () => {
    const [table] = resourcesOf(deployed.tf, "aws_dynamodb_table");
    expect(table.server_side_encryption).toEqual({ enabled: true, kms_key_arn: '${var.table_kms_key_arn == "" ? null : var.table_kms_key_arn}' });
    expect(table.point_in_time_recovery).toEqual({ enabled: true });
  });

  it("IAM: no statement names a wildcard action or a resource wider than its table, index, log group or stage's POST @connections", () => {
    const allowedResource = [
      /^\$\{aws_dynamodb_table\.\w+\.arn\}$/,
      /^\$\{aws_dynamodb_table\.\w+\.arn\}\/index\/byRoom$/,
      /^\$\{aws_cloudwatch_log_group\.\w+\.arn\}:\*$/,
      /^\$\{aws_apigatewayv2_api\.\w+\.execution_arn\}\/\$\{var\.stage_name\}\/POST\/@connections\/\*$/,
      new RegExp(`^\\$\\{aws_lambda_function\\.${fanOutOf().key}\\.arn\\}$`),
    ];
    const statements = iamStatements(deployed.tf);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of statements) {
      expect(s.effect).toBe("Allow");
      for (const action of s.actions) expect(action).toMatch(/^[a-z-]+:[A-Za-z]+$/);
      for (const resource of s.resources) {
        expect(allowedResource.some((re) => re.test(resource)), `resource too wide: ${resource}`).toBe(true);
      }
    }
  });

  it("IAM: each function may do exactly what its route declares in the manifest", () => {
    const policies = resourcesOf(deployed.tf, "aws_iam_role_policy");
    const documents = deployed.tf.data!.aws_iam_policy_document!;
    const roles = deployed.tf.resource.aws_iam_role!;
    const actionsByRoleName = new Map<string, string[]>();
    for (const p of policies) {
      const roleName = roles[/aws_iam_role\.(\w+)\.id/.exec(p.role)![1]!].name as string;
      const doc = documents[/data\.aws_iam_policy_document\.(\w+)\.json/.exec(p.policy)![1]!];
      const actions = doc.statement.flatMap((s: { actions: string[] }) => s.actions);
      actionsByRoleName.set(roleName, [...(actionsByRoleName.get(roleName) ?? []), ...actions]);
    }
    for (const route of [...LAMBDA_ROUTES, FAN_OUT_FUNCTION]) {
      const expected = [
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        ...[...(route.access.table ?? []), ...(route.access.roomIndex ?? [])].map((a) => `dynamodb:${a}`),
        ...(route.manageConnections ? ["execute-api:ManageConnections"] : []),
        ...(FAN_OUT_FUNCTION.invokedBy.includes(route.name) ? ["lambda:InvokeFunction"] : []),
      ];
      expect(actionsByRoleName.get(`\${var.name_prefix}-${route.name}`)?.sort(), route.name).toEqual(expected.sort());
    }
    expect(actionsByRoleName.get(`\${var.name_prefix}-${AUTHORIZER.name}`)?.sort()).toEqual(["logs:CreateLogStream", "logs:PutLogEvents"]);
  });

  it("fan-out: a function of its own like the route functions (arm64, nodejs22.x, the routes' timeout, its own role and log group), named <prefix>-fan-out", () => {
    const { fn } = fanOutOf();
    const onMessage = functionsByName(deployed.tf).get("on-message")!.fn;
    expect(fn).toMatchObject({
      function_name: "${var.name_prefix}-fan-out",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      timeout: onMessage.timeout,
      description: FAN_OUT_FUNCTION.description,
      role: "${aws_iam_role.fan_out.arn}",
      logging_config: { log_format: "Text", log_group: "${aws_cloudwatch_log_group.fan_out.name}" },
    });
    expect(fn.filename).toMatch(/^\$\{path\.module\}\/assets\/.+\/function\.zip$/);
    expect(deployed.tf.resource.aws_cloudwatch_log_group![/aws_cloudwatch_log_group\.(\w+)\./.exec(fn.logging_config.log_group)![1]!].name).toBe("/aws/lambda/${var.name_prefix}-fan-out");
    // No route reaches it: only Lambda invokes it, asynchronously.
    const uris = resourcesOf(deployed.tf, "aws_apigatewayv2_integration").map((i) => i.integration_uri);
    expect(uris).not.toContain(`\${aws_lambda_function.${fanOutOf().key}.invoke_arn}`);
  });

  it("fan-out: has the route functions' environment (every setting for routes, the table, the index) and its own name to hand work on", () => {
    const functions = functionsByName(deployed.tf);
    const connect = functions.get("connect")!.fn.environment.variables;
    const routeSettings = Object.values(SETTINGS).flatMap((s) => ("environment" in s && s.environment.receivers === "routes" ? [s.environment.name] : []));
    expect(routeSettings).toEqual(expect.arrayContaining(["FAN_OUT_SHARD_SIZE", "FAN_OUT_CONCURRENCY"]));
    expect(Object.keys(connect).sort()).toEqual([...routeSettings, RESOURCE_ENVIRONMENT.tableName, RESOURCE_ENVIRONMENT.roomIndexName].sort());
    // It names itself as written: a resource cannot refer to itself.
    expect(fanOutOf().fn.environment.variables).toEqual({ ...connect, [RESOURCE_ENVIRONMENT.fanOutFunctionName]: "${var.name_prefix}-fan-out" });
    // onMessage names it by reference, so it is created after the function it hands work to.
    expect(functions.get("on-message")!.fn.environment.variables).toEqual({ ...connect, [RESOURCE_ENVIRONMENT.fanOutFunctionName]: `\${aws_lambda_function.${fanOutOf().key}.function_name}` });
    const others = [...functions].filter(([name]) => !FAN_OUT_FUNCTION.invokedBy.includes(name));
    expect(others.length).toBe(FUNCTION_COUNT - FAN_OUT_FUNCTION.invokedBy.length);
    for (const [name, { fn }] of others) expect(fn.environment.variables[RESOURCE_ENVIRONMENT.fanOutFunctionName], name).toBeUndefined();
  });

  it("fan-out: asynchronous invocations retried at most twice and dropped after 300 s", () => {
    expect(resourcesOf(deployed.tf, "aws_lambda_function_event_invoke_config")).toEqual([
      { function_name: `\${aws_lambda_function.${fanOutOf().key}.function_name}`, maximum_retry_attempts: 2, maximum_event_age_in_seconds: 300 },
    ]);
  });

  it("memory: var.on_message_memory_mb sizes on-message and var.fan_out_memory_mb the fan-out function; the others keep 256 MB", () => {
    const functions = functionsByName(deployed.tf);
    expect(functions.get("on-message")!.fn.memory_size).toBe(`\${var.${SETTINGS.onMessageMemoryMb.variable}}`);
    expect(fanOutOf().fn.memory_size).toBe(`\${var.${SETTINGS.fanOutMemoryMb.variable}}`);
    for (const [name, { fn }] of functions) if (name !== "on-message" && name !== FAN_OUT_FUNCTION.name) expect(fn.memory_size, name).toBe(256);
    for (const setting of [SETTINGS.onMessageMemoryMb, SETTINGS.fanOutMemoryMb]) {
      expect(deployed.tf.variable![setting.variable]).toMatchObject({ type: "number", default: setting.default, validation: [{ condition: setting.validation[0].condition }] });
    }
  });

  it("fanOut: false deploys no fan-out function, no invoke grant, no FAN_OUT_FUNCTION_NAME and no event invoke configuration", () => {
    const { tf } = synthChatStack({ fanOut: false });
    expect(functionsByName(tf).has(FAN_OUT_FUNCTION.name)).toBe(false);
    expect(resourcesOf(tf, "aws_lambda_function")).toHaveLength(FUNCTION_COUNT - 1);
    expect(JSON.stringify(tf)).not.toContain(RESOURCE_ENVIRONMENT.fanOutFunctionName);
    expect(iamStatements(tf).flatMap((s) => s.actions)).not.toContain("lambda:InvokeFunction");
    expect(tf.resource.aws_lambda_function_event_invoke_config).toBeUndefined();
    // on-message still takes its memory variable.
    expect(functionsByName(tf).get("on-message")!.fn.memory_size).toBe(`\${var.${SETTINGS.onMessageMemoryMb.variable}}`);
  });

  it("fanOut: refuses an invoker that is not a route function of the stack, and a name a route already uses", () => {
    const bundleRoot = tempBundleRoot();
    expect(() => synthChatStack({ bundleRoot, fanOut: { ...FAN_OUT_FUNCTION, invokedBy: ["on-message", "authorizer"] } })).toThrow(FunctionWiringError);
    expect(() => synthChatStack({ bundleRoot, fanOut: { ...FAN_OUT_FUNCTION, invokedBy: ["on-mesage"] } })).toThrow(/invokedBy names on-mesage/);
    expect(() => synthChatStack({ bundleRoot, routes: ROUTES.filter((r) => r.name !== "on-message") })).toThrow(/invokedBy names on-message/);
    expect(() => synthChatStack({ bundleRoot, fanOut: { ...FAN_OUT_FUNCTION, name: "history" } })).toThrow(/used twice: history/);
  });

  it("memorySize: refuses a size for a function the backend does not deploy", () => {
    const backend = (memorySize: Record<string, number>) => () =>
      synthInStack((stack) => new ChatBackend(stack, "Chat", { namePrefix: "p", stageName: "s", logRetentionDays: 1, bundleRoot: tempBundleRoot(), memorySize }));
    expect(backend({ "on-mesage": 512 })).toThrow(/memorySize names no function of this backend: on-mesage/);
    // No auth, so no authorizer function to size either.
    expect(backend({ [AUTHORIZER.name]: 512 })).toThrow(FunctionWiringError);
  });

  it("stage: its name comes from var.stage_name, default dev", () => {
    expect(resourcesOf(deployed.tf, "aws_apigatewayv2_stage")[0].name).toBe("${var.stage_name}");
    expect(deployed.tf.variable!.stage_name).toMatchObject({ type: "string", default: "dev" });
  });

  it("variables: every variable is wired into the stack (a stack-only setting such as a memory size included), none declared and left unused", () => {
    const { variable, ...rest } = deployed.tf;
    const used = JSON.stringify(rest);
    const names = Object.keys(variable!);
    expect(names).toEqual(expect.arrayContaining([SETTINGS.onMessageMemoryMb.variable, SETTINGS.fanOutMemoryMb.variable]));
    expect(names.filter((name) => !new RegExp(`\\bvar\\.${name}\\b`).test(used))).toEqual([]);
  });

  it("variables: every variable has a description and a default", () => {
    for (const [name, v] of Object.entries(deployed.tf.variable!)) {
      expect(v.description, name).toMatch(/^\S.{19,}/);
      expect(v.default, name).toBeDefined();
    }
  });

  it("outputs: WebSocket URL, connection URL, table name and API id, each described", () => {
    const out = deployed.tf.output!;
    // The stage's URL unless var.domain_name is set (test/stacks/custom-domain-alarms.test.ts).
    expect(out.websocket_url.value).toMatch(/^\$\{var\.domain_name == "" \? aws_apigatewayv2_stage\.\w+\.invoke_url : format\("wss:\/\/%s", var\.domain_name\)\}$/);
    expect(out.connection_url.value).toMatch(/^\$\{replace\(aws_apigatewayv2_stage\.\w+\.invoke_url, "wss:\/\/", "https:\/\/"\)\}\/@connections$/);
    expect(out.table_name.value).toMatch(/^\$\{aws_dynamodb_table\.\w+\.name\}$/);
    expect(out.api_id.value).toMatch(/^\$\{aws_apigatewayv2_api\.\w+\.id\}$/);
    for (const o of Object.values(out)) expect(o.description).toMatch(/^\S.{19,}/);
  });

  it("provider: hashicorp/aws in a range that admits 5.100 and 6.x", () => {
    expect(deployed.tf.terraform!.required_providers.aws).toEqual({ source: "hashicorp/aws", version: AWS_PROVIDER_VERSION_RANGE });
    expect(AWS_PROVIDER_VERSION_RANGE).toBe(">= 5.100, < 7");
    expect(Testing.toHaveProvider(deployed.json, "aws")).toBe(true);
  });

  it("backend: local, with a path relative to the stack folder, by default", () => {
    expect(deployed.tf.terraform!.backend).toEqual({ local: { path: "../../../terraform.wsstack.tfstate" } });
    expect(deployed.tf.terraform!.cloud).toBeUndefined();
  });

  it("backend: Terraform Cloud when TF_CLOUD_ORGANIZATION and TF_WORKSPACE are set", () => {
    const settings = stackSettingsFromEnvironment({ TF_CLOUD_ORGANIZATION: "acme", TF_WORKSPACE: "chat-prod", TF_CLOUD_PROJECT: "realtime" });
    const { tf } = synthChatStack(settings);
    expect(tf.terraform!.cloud).toEqual({ organization: "acme", workspaces: { name: "chat-prod", project: "realtime" } });
    expect(tf.terraform!.backend).toBeUndefined();
  });

  it("backend: stays local when only one of the Terraform Cloud variables is set", () => {
    expect(stackSettingsFromEnvironment({ TF_CLOUD_ORGANIZATION: "acme" }).backend).toBeUndefined();
    expect(stackSettingsFromEnvironment({ TF_WORKSPACE: "chat" }).backend).toBeUndefined();
  });

  it("module mode: no provider configuration, no backend, no aws_region variable", () => {
    const { tf } = synthChatStack({ mode: "module" });
    expect(tf.provider).toBeUndefined();
    expect(tf.terraform!.backend).toBeUndefined();
    expect(tf.terraform!.cloud).toBeUndefined();
    expect(tf.terraform!.required_providers.aws.version).toBe(AWS_PROVIDER_VERSION_RANGE);
    expect(tf.variable!.aws_region).toBeUndefined();
  });
});
