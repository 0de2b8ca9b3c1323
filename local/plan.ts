import { existsSync } from "node:fs";
import path from "node:path";
import { AssetNotFoundError, EmulatorError, UnsupportedConfigurationError } from "./errors.ts";
import { functionArn, parseFunctionReference } from "./function-names.ts";
import { evaluateConfiguration, type EvaluatedConfiguration } from "./terraform/evaluate-configuration.ts";
import type { ResourceInstance } from "./terraform/evaluate-module.ts";
import type { VariableInputOptions } from "./terraform/variable-inputs.ts";
import type { StageThrottleSettings, ThrottleLimits } from "./throttle.ts";

/**
 * Pass 2: the evaluated Terraform (hand-written HCL, Terraform JSON, or what
 * `cdktf synth` writes; see terraform/evaluate-configuration.ts) → the model
 * the emulator serves.
 *
 * Only the resources API Gateway and Lambda need at run time are read: the
 * WebSocket API, its stage, routes, route responses, integrations (and their
 * responses), authorizers, the Lambda functions (those they call, and the
 * others, which the Lambda Invoke API serves), their asynchronous invocation
 * settings (`aws_lambda_function_event_invoke_config`) and the DynamoDB
 * tables. IAM, log groups, permissions, deployments, outputs and providers do
 * not change what a client sees, so they are ignored.
 *
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */

export interface EmulatorPlan {
  /** The file that was read, or the root module folder when it has several. */
  readonly sourceFile: string;
  /** Its folder: `path.module`, and the base of relative asset paths. */
  readonly moduleDir: string;
  readonly api: ApiPlan;
  readonly stage: StagePlan;
  /** Routes by route key. */
  readonly routes: ReadonlyMap<string, RoutePlan>;
  /**
   * Every function, by resource address: those a route or the authorizer
   * calls, and the others (functions other functions invoke through the
   * Lambda Invoke API). A function no route uses that the emulator cannot
   * run (another runtime, a missing package, `count = 0`) is left out with a
   * warning instead of failing the whole stack.
   */
  readonly functions: ReadonlyMap<string, FunctionPlan>;
  readonly tables: readonly TablePlan[];
  readonly region: string;
  readonly accountId: string;
  /** Things ignored on purpose that a user may want to know about. */
  readonly warnings: readonly string[];
}

export interface ApiPlan {
  readonly address: string;
  readonly name: string;
  readonly apiId: string;
  readonly routeSelectionExpression: string;
}

export interface StagePlan {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
  /**
   * `default_route_settings` and `route_settings` throttling. A limit the
   * block leaves out is 0, as the AWS provider sends it (every request
   * throttled); no block at all means no stage limit.
   */
  readonly throttle: StageThrottleSettings;
}

export interface RoutePlan {
  readonly address: string;
  readonly routeKey: string;
  /** A `$default` route response makes the route two-way: the integration's answer goes back to the caller. */
  readonly twoWay: boolean;
  readonly integration?: IntegrationPlan;
  readonly authorizer?: AuthorizerPlan;
}

export type IntegrationPlan = LambdaIntegrationPlan | MockIntegrationPlan;

export interface LambdaIntegrationPlan {
  readonly kind: "lambda";
  readonly address: string;
  readonly functionAddress: string;
  readonly timeoutMs: number;
}

export interface MockIntegrationPlan {
  readonly kind: "mock";
  readonly address: string;
  /** The request template chosen by the template selection expression (`$default` when absent). */
  readonly requestTemplate?: string;
  readonly responses: readonly MockResponsePlan[];
  readonly timeoutMs: number;
}

export interface MockResponsePlan {
  readonly address: string;
  /** `$default` or a `/regex/` matched against the status code. */
  readonly key: string;
  readonly template?: string;
}

export interface AuthorizerPlan {
  readonly address: string;
  readonly functionAddress: string;
  /** e.g. `route.request.querystring.token`, `route.request.header.Auth`. */
  readonly identitySources: readonly string[];
}

export type CodeSource =
  | { readonly kind: "zip"; readonly path: string }
  | { readonly kind: "directory"; readonly path: string }
  | { readonly kind: "file"; readonly path: string };

export interface FunctionPlan {
  readonly address: string;
  readonly functionName: string;
  readonly handler: string;
  readonly runtime?: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly code: CodeSource;
  readonly arn: string;
  /**
   * How asynchronous (`Event`) invocations are retried and how long they may
   * wait; loadPlan always sets it. @default DEFAULT_ASYNC_INVOKE
   */
  readonly asyncInvoke?: AsyncInvokePlan;
}

/**
 * An `aws_lambda_function_event_invoke_config` for the function (unqualified
 * or `$LATEST`), or Lambda's defaults when there is none.
 */
export interface AsyncInvokePlan {
  /** Retries after a function error, 0 to 2. @default 2 */
  readonly maximumRetryAttempts: number;
  /** Events older than this are dropped, 60 to 21 600. @default 21_600 (6 hours) */
  readonly maximumEventAgeSeconds: number;
  /** The resource these values come from; undefined for Lambda's defaults. */
  readonly address?: string;
}

export interface TablePlan {
  readonly address: string;
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly attributes: readonly { readonly name: string; readonly type: string }[];
  readonly billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  readonly readCapacity: number;
  readonly writeCapacity: number;
  readonly globalIndexes: readonly TableIndexPlan[];
  readonly localIndexes: readonly TableIndexPlan[];
  /**
   * The `ttl` block's `attribute_name`, when the block says `enabled = true`:
   * the emulator deletes items whose value there is an epoch second in the past.
   */
  readonly ttlAttribute?: string;
}

export interface TableIndexPlan {
  readonly name: string;
  readonly hashKey: string;
  readonly rangeKey?: string;
  readonly projectionType: string;
  readonly nonKeyAttributes: readonly string[];
  readonly readCapacity: number;
  readonly writeCapacity: number;
}

export interface PlanOptions extends VariableInputOptions {
  /** A root module folder of `.tf`/`.tf.json` files, one such file, or a cdktf stack folder (its `cdk.tf.json`). */
  readonly source: string;
  /** Which WebSocket API to serve (address `aws_apigatewayv2_api.x`, logical name or `name`) when there are several. */
  readonly api?: string;
  /** Which stage to serve; required when the API has several stages or none. */
  readonly stage?: string;
  /** The API id in events and ARNs. @default derived from the resource address */
  readonly apiId?: string;
  /** Values that win over every other variable source, taken as they are (tests, programmatic use). */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "123456789012" */
  readonly accountId?: string;
}

/** API Gateway's integration timeout for WebSocket APIs: 50 ms to 29 s, 29 s by default. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;
const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 3;
const DEFAULT_LAMBDA_MEMORY_MB = 128;
/** Lambda's asynchronous invocation defaults (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html). */
export const DEFAULT_ASYNC_INVOKE: AsyncInvokePlan = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };


/**
 * Reads and checks a Terraform configuration: pass 1 evaluates it into
 * resource instances (local/terraform/), pass 2, here, builds the plan from
 * their resolved values only. Resources link the way they do on AWS: a
 * route's `api_id` is the API's id, its `target` names an integration's id,
 * an `integration_uri` is a function's invoke ARN.
 */
export async function loadPlan(options: PlanOptions): Promise<EmulatorPlan> {
  const configuration = await evaluateConfiguration({ ...options, apiIdOverride: options.apiId });
  return new PlanBuilder(configuration, options).build();
}

/** One build of one configuration; holds the indexes the steps share. */
class PlanBuilder {
  private readonly warnings: string[];
  private readonly byType = new Map<string, Map<string, ResourceInstance>>();

  constructor(
    private readonly configuration: EvaluatedConfiguration,
    private readonly options: PlanOptions,
  ) {
    this.warnings = configuration.warnings;
  }

  build(): EmulatorPlan {
    const api = this.chooseApi();
    const stage = this.chooseStage(api);
    const functions = new Map<string, FunctionPlan>();
    const routes = this.readRoutes(api, functions);
    for (const routeKey of stage.throttle.routeLimits.keys()) {
      if (!routes.has(routeKey)) this.warnings.push(`stage ${stage.name}: route_settings names route "${routeKey}", which the API does not declare (AWS refuses this); ignored`);
    }
    this.readOtherFunctions(functions);
    this.readEventInvokeConfigs(functions);
    return {
      sourceFile: this.configuration.files.length === 1 ? this.configuration.files[0]! : this.configuration.rootDir,
      moduleDir: this.configuration.rootDir,
      api: { address: api.address, name: api.name, apiId: api.apiId, routeSelectionExpression: api.routeSelectionExpression },
      stage,
      routes,
      functions,
      tables: [...this.of("aws_dynamodb_table").values()].map((table) => this.readTable(table)),
      region: this.configuration.region,
      accountId: this.configuration.accountId,
      warnings: this.warnings,
    };
  }

  /** Instances of one resource type in the whole configuration, by address; other types are never evaluated. */
  private of(type: string): Map<string, ResourceInstance> {
    let instances = this.byType.get(type);
    if (instances === undefined) {
      instances = new Map(this.configuration.root.instancesOf(type).map((instance) => [instance.address, instance]));
      this.byType.set(type, instances);
    }
    return instances;
  }

  /** The instance of `type` whose `id` (or another attribute) is `value`. */
  private byAttribute(type: string, attribute: string, value: unknown): ResourceInstance | undefined {
    if (value === undefined || value === null) return undefined;
    return [...this.of(type).values()].find((instance) => instance.attribute(attribute) === value);
  }

  private text(instance: ResourceInstance, argument: string): string | undefined {
    return textValue(instance.argument(argument), instance.address, argument);
  }

  private requiredText(instance: ResourceInstance, argument: string): string {
    const value = this.text(instance, argument);
    if (value === undefined || value === "") throw new UnsupportedConfigurationError(instance.address, argument, `${argument} is required`);
    return value;
  }

  private number(instance: ResourceInstance, argument: string, fallback: number): number {
    return numberValue(instance.argument(argument), instance.address, argument, fallback);
  }

  private chooseApi(): ApiPlan & { readonly instance: ResourceInstance } {
    const all = [...this.of("aws_apigatewayv2_api").values()];
    if (all.length === 0) throw new EmulatorError(`${this.options.source} declares no aws_apigatewayv2_api`);
    const protocolOf = (api: ResourceInstance) => (this.text(api, "protocol_type") ?? "").toUpperCase();
    let candidates = all;
    if (this.options.api !== undefined) {
      const wanted = this.options.api;
      candidates = all.filter((api) => api.address === wanted || api.block.name === wanted || this.text(api, "name") === wanted);
      if (candidates.length === 0) {
        throw new EmulatorError(`no aws_apigatewayv2_api matches "${wanted}" (have: ${all.map((a) => a.address).join(", ")})`);
      }
    }
    const websocket = candidates.filter((api) => protocolOf(api) === "WEBSOCKET");
    if (websocket.length === 0) {
      const api = candidates[0]!;
      throw new UnsupportedConfigurationError(api.address, "protocol_type", `protocol_type "${protocolOf(api)}" is not supported (supported: WEBSOCKET)`);
    }
    if (websocket.length > 1) {
      throw new EmulatorError(`${this.options.source} declares ${websocket.length} WebSocket APIs (${websocket.map((a) => a.address).join(", ")}); choose one with --api`);
    }
    for (const api of candidates) {
      if (api !== websocket[0]) this.warnings.push(`${api.address} is not a WebSocket API; ignored`);
    }
    const api = websocket[0]!;
    return {
      instance: api,
      address: api.address,
      name: this.text(api, "name") ?? api.block.name,
      apiId: String(api.attribute("id")),
      routeSelectionExpression: this.text(api, "route_selection_expression") ?? "$request.body.action",
    };
  }

  private chooseStage(api: ApiPlan): StagePlan {
    const stages = [...this.of("aws_apigatewayv2_stage").values()]
      .filter((stage) => stage.argument("api_id") === api.apiId)
      .map((stage) => ({
        name: this.requiredText(stage, "name"),
        variables: stringMap(stage.argument("stage_variables"), stage.address, "stage_variables"),
        throttle: this.readStageThrottle(stage),
      }));
    const wanted = this.options.stage;
    if (wanted !== undefined) return stages.find((s) => s.name === wanted) ?? { name: wanted, variables: {}, throttle: { routeLimits: new Map() } };
    if (stages.length === 1) return stages[0]!;
    if (stages.length === 0) throw new EmulatorError(`${api.address} has no aws_apigatewayv2_stage; choose a stage name with --stage`);
    throw new EmulatorError(`${api.address} has several stages (${stages.map((s) => s.name).join(", ")}); choose one with --stage`);
  }

  /**
   * `default_route_settings { throttling_burst_limit, throttling_rate_limit }` and
   * `route_settings { route_key, … }` (hashicorp/aws schema). The provider sends 0
   * for a limit the block leaves out, and API Gateway then throttles every
   * request, so a 0 is kept (with a warning) rather than read as "no limit".
   */
  private readStageThrottle(stage: ResourceInstance): StageThrottleSettings {
    const address = stage.address;
    const limits = (settings: Block, argument: string, routeKey: string): ThrottleLimits => {
      const value = (name: string): number => {
        const raw = settings[name];
        if (raw === undefined || raw === null) return 0;
        const resolved = Number(raw);
        if (!Number.isFinite(resolved) || resolved < 0) throw new UnsupportedConfigurationError(address, `${argument}.${name}`, `${argument}.${name} must be a number of at least 0`);
        return resolved;
      };
      const result = { burstLimit: value("throttling_burst_limit"), rateLimit: value("throttling_rate_limit") };
      if (result.burstLimit < 1 || result.rateLimit <= 0) {
        const which = result.burstLimit < 1 ? `throttling_burst_limit ${result.burstLimit}` : `throttling_rate_limit ${result.rateLimit}`;
        this.warnings.push(
          `${address}: ${argument} has ${which}${settings.throttling_burst_limit === undefined || settings.throttling_rate_limit === undefined ? " (unset limits are 0)" : ""}: ${routeKey} is throttled (429) ${result.burstLimit < 1 ? "on every request" : "once its burst is spent"}, as on AWS`,
        );
      }
      return result;
    };
    const defaults = firstBlock(stage.argument("default_route_settings"));
    const routeLimits = new Map<string, ThrottleLimits>();
    for (const settings of blockList(stage.argument("route_settings"))) {
      const routeKey = textValue(settings.route_key, address, "route_settings.route_key");
      if (routeKey === undefined || routeKey === "") throw new UnsupportedConfigurationError(address, "route_settings.route_key", "route_settings.route_key is required");
      if (routeLimits.has(routeKey)) throw new UnsupportedConfigurationError(address, "route_settings", `route_settings for "${routeKey}" is declared twice`);
      routeLimits.set(routeKey, limits(settings, `route_settings["${routeKey}"]`, `route "${routeKey}"`));
    }
    return { defaultLimits: defaults === undefined ? undefined : limits(defaults, "default_route_settings", "every route without route_settings"), routeLimits };
  }

  private readRoutes(api: ApiPlan, functions: Map<string, FunctionPlan>): Map<string, RoutePlan> {
    const routesHere = [...this.of("aws_apigatewayv2_route").values()].filter((route) => route.argument("api_id") === api.apiId);
    const twoWayRoutes = new Set<ResourceInstance>();
    for (const response of this.of("aws_apigatewayv2_route_response").values()) {
      const route = this.linked(response, "route_id", "aws_apigatewayv2_route");
      const key = this.text(response, "route_response_key");
      if (key !== "$default") {
        throw new UnsupportedConfigurationError(response.address, "route_response_key", `route_response_key "${key}" is not supported (WebSocket APIs only support $default)`);
      }
      twoWayRoutes.add(route);
    }
    const routes = new Map<string, RoutePlan>();
    for (const route of routesHere) {
      const routeKey = this.requiredText(route, "route_key");
      if (routes.has(routeKey)) throw new UnsupportedConfigurationError(route.address, "route_key", `route_key "${routeKey}" is declared twice (also by ${routes.get(routeKey)!.address})`);
      const integration = this.readRouteTarget(route, routeKey, functions);
      const authorizer = this.readRouteAuthorization(route, routeKey, functions);
      const rrse = this.text(route, "route_response_selection_expression");
      if (rrse !== undefined && rrse !== "$default") {
        throw new UnsupportedConfigurationError(route.address, "route_response_selection_expression", `route_response_selection_expression "${rrse}" is not supported (only $default)`);
      }
      routes.set(routeKey, { address: route.address, routeKey, twoWay: twoWayRoutes.has(route), integration, authorizer });
    }
    if (routes.size === 0) throw new EmulatorError(`${api.address} has no aws_apigatewayv2_route`);
    return routes;
  }

  /** The resource of `type` whose id an argument holds (`route_id`, `authorizer_id`, ...). */
  private linked(instance: ResourceInstance, argument: string, type: string): ResourceInstance {
    const value = instance.argument(argument);
    const target = this.byAttribute(type, "id", value);
    if (target === undefined) {
      throw new UnsupportedConfigurationError(instance.address, argument, `${argument} must be the id of a declared ${type}${value === undefined ? "" : ` (got ${JSON.stringify(value)})`}`);
    }
    return target;
  }

  private readRouteTarget(route: ResourceInstance, routeKey: string, functions: Map<string, FunctionPlan>): IntegrationPlan | undefined {
    const target = this.text(route, "target");
    if (target === undefined) {
      if (routeKey === "$connect" || routeKey === "$disconnect") return undefined;
      throw new UnsupportedConfigurationError(route.address, "target", `route "${routeKey}" has no target integration`);
    }
    const integration = target.startsWith("integrations/") ? this.byAttribute("aws_apigatewayv2_integration", "id", target.slice("integrations/".length)) : undefined;
    if (integration === undefined) {
      throw new UnsupportedConfigurationError(route.address, "target", `target must be "integrations/\${aws_apigatewayv2_integration.<name>.id}" (got "${target}")`);
    }
    return this.readIntegration(integration, functions);
  }

  private readIntegration(integration: ResourceInstance, functions: Map<string, FunctionPlan>): IntegrationPlan {
    const type = this.requiredText(integration, "integration_type");
    const timeoutMs = this.number(integration, "timeout_milliseconds", DEFAULT_INTEGRATION_TIMEOUT_MS);
    if (type === "AWS_PROXY") {
      const fn = this.functionFromUri(integration, "integration_uri");
      this.readFunctionOnce(fn, functions);
      return { kind: "lambda", address: integration.address, functionAddress: fn.address, timeoutMs };
    }
    if (type === "MOCK") return this.readMockIntegration(integration, timeoutMs);
    throw new UnsupportedConfigurationError(integration.address, "integration_type", `integration_type "${type}" is not supported (supported: AWS_PROXY, MOCK)`);
  }

  private readMockIntegration(integration: ResourceInstance, timeoutMs: number): MockIntegrationPlan {
    const selection = this.text(integration, "template_selection_expression") ?? "\\$default";
    if (selection !== "\\$default" && selection !== "$default") {
      throw new UnsupportedConfigurationError(integration.address, "template_selection_expression", `template_selection_expression "${selection}" is not supported (only \\$default)`);
    }
    const requestTemplates = stringMap(integration.argument("request_templates"), integration.address, "request_templates");
    const id = integration.attribute("id");
    const responses: MockResponsePlan[] = [];
    for (const response of this.of("aws_apigatewayv2_integration_response").values()) {
      if (response.argument("integration_id") !== id) continue;
      const templates = stringMap(response.argument("response_templates"), response.address, "response_templates");
      responses.push({ address: response.address, key: this.requiredText(response, "integration_response_key"), template: templates.$default ?? Object.values(templates)[0] });
    }
    return { kind: "mock", address: integration.address, requestTemplate: requestTemplates.$default ?? Object.values(requestTemplates)[0], responses, timeoutMs };
  }

  private readRouteAuthorization(route: ResourceInstance, routeKey: string, functions: Map<string, FunctionPlan>): AuthorizerPlan | undefined {
    const type = this.text(route, "authorization_type") ?? "NONE";
    if (type === "NONE") return undefined;
    if (routeKey !== "$connect") {
      throw new UnsupportedConfigurationError(route.address, "authorization_type", `authorization_type "${type}" is only allowed on the $connect route`);
    }
    if (type === "AWS_IAM") {
      this.warnings.push(`${route.address}: authorization_type AWS_IAM is not enforced locally; every connection is allowed`);
      return undefined;
    }
    if (type !== "CUSTOM") {
      throw new UnsupportedConfigurationError(route.address, "authorization_type", `authorization_type "${type}" is not supported (supported: NONE, CUSTOM, AWS_IAM)`);
    }
    const authorizer = this.linked(route, "authorizer_id", "aws_apigatewayv2_authorizer");
    const authorizerType = this.text(authorizer, "authorizer_type");
    if (authorizerType !== "REQUEST") {
      throw new UnsupportedConfigurationError(authorizer.address, "authorizer_type", `authorizer_type "${authorizerType}" is not supported (WebSocket APIs use REQUEST)`);
    }
    const fn = this.functionFromUri(authorizer, "authorizer_uri");
    this.readFunctionOnce(fn, functions);
    const sources = authorizer.argument("identity_sources") ?? [];
    if (!Array.isArray(sources) || sources.some((s) => typeof s !== "string")) {
      throw new UnsupportedConfigurationError(authorizer.address, "identity_sources", "identity_sources must be a list of strings");
    }
    return { address: authorizer.address, functionAddress: fn.address, identitySources: sources as string[] };
  }

  /** The function an `integration_uri` / `authorizer_uri` invokes: the declared function its ARN names. */
  private functionFromUri(instance: ResourceInstance, argument: string): ResourceInstance {
    const uri = this.text(instance, argument) ?? "";
    const named = /:function:([^:/]+)/.exec(uri)?.[1];
    const fn = named === undefined ? undefined : this.byAttribute("aws_lambda_function", "function_name", named);
    if (fn === undefined) throw new UnsupportedConfigurationError(instance.address, argument, `${argument} must be the invoke ARN of a declared aws_lambda_function (got "${uri}")`);
    return fn;
  }

  private readFunctionOnce(fn: ResourceInstance, functions: Map<string, FunctionPlan>): void {
    if (!functions.has(fn.address)) functions.set(fn.address, this.readFunction(fn));
  }

  private readFunction(fn: ResourceInstance): FunctionPlan {
    const address = fn.address;
    const runtime = this.text(fn, "runtime");
    if (runtime !== undefined && !runtime.startsWith("nodejs")) {
      throw new UnsupportedConfigurationError(address, "runtime", `runtime "${runtime}" is not supported (supported: nodejs*)`);
    }
    for (const argument of ["image_uri", "s3_bucket"]) {
      if (fn.has(argument)) throw new UnsupportedConfigurationError(address, argument, `${argument} is not supported (use filename with a local zip)`);
    }
    const functionName = this.requiredText(fn, "function_name");
    return {
      address,
      functionName,
      handler: this.requiredText(fn, "handler"),
      runtime,
      timeoutSeconds: this.number(fn, "timeout", DEFAULT_LAMBDA_TIMEOUT_SECONDS),
      memorySizeMb: this.number(fn, "memory_size", DEFAULT_LAMBDA_MEMORY_MB),
      environment: stringMap(firstBlock(fn.argument("environment"))?.variables, address, "environment.variables"),
      code: { kind: "zip", path: this.packagePath(fn) },
      arn: functionArn(this.configuration.region, this.configuration.accountId, functionName),
      asyncInvoke: DEFAULT_ASYNC_INVOKE,
    };
  }

  /**
   * Functions no route or authorizer calls: other functions invoke them
   * through the Lambda Invoke API (a fan-out worker, say). They are read
   * like the others, but one the emulator cannot run is skipped with a
   * warning: it must not stop a stack whose API works without it.
   */
  private readOtherFunctions(functions: Map<string, FunctionPlan>): void {
    for (const fn of this.of("aws_lambda_function").values()) {
      if (functions.has(fn.address)) continue;
      try {
        functions.set(fn.address, this.readFunction(fn));
      } catch (error) {
        if (!(error instanceof EmulatorError)) throw error;
        this.warnings.push(`${error.message}; no route uses this function, so it is left out (the Lambda Invoke API answers 404 for it)`);
      }
    }
  }

  /**
   * `aws_lambda_function_event_invoke_config { function_name, qualifier,
   * maximum_retry_attempts, maximum_event_age_in_seconds }` (hashicorp/aws
   * schema). `function_name` is a name or an ARN, usually a reference to the
   * function's `function_name` or `arn`. The emulator runs `$LATEST` only, so
   * a configuration for another version or alias is ignored with a warning.
   */
  private readEventInvokeConfigs(functions: Map<string, FunctionPlan>): void {
    const byName = new Map([...functions.values()].map((fn) => [fn.functionName, fn]));
    /** Whether the configuration chosen so far for a function names `$LATEST` (an unqualified one wins). */
    const chosenQualified = new Map<string, boolean>();
    for (const config of this.of("aws_lambda_function_event_invoke_config").values()) {
      const address = config.address;
      const value = this.requiredText(config, "function_name");
      const reference = parseFunctionReference(value);
      if (reference === undefined) throw new UnsupportedConfigurationError(address, "function_name", `function_name "${value}" is not a function name or ARN`);
      const fn = byName.get(reference.name);
      const elsewhere = (reference.region !== undefined && reference.region !== this.configuration.region) || (reference.accountId !== undefined && reference.accountId !== this.configuration.accountId);
      if (fn === undefined || elsewhere) {
        this.warnings.push(`${address}: function_name "${value}" is not a function of this stack the emulator runs; ignored`);
        continue;
      }
      const qualifier = this.text(config, "qualifier") ?? reference.qualifier;
      if (qualifier !== undefined && qualifier !== "$LATEST") {
        this.warnings.push(`${address}: applies to ${fn.functionName}:${qualifier}, and the emulator runs $LATEST only; ignored`);
        continue;
      }
      const whole = (argument: string, fallback: number, min: number, max: number): number => {
        const number = this.number(config, argument, fallback);
        if (!Number.isInteger(number) || number < min || number > max) {
          throw new UnsupportedConfigurationError(address, argument, `${argument} must be a whole number from ${min} to ${max} (got ${number})`);
        }
        return number;
      };
      const asyncInvoke: AsyncInvokePlan = {
        maximumRetryAttempts: whole("maximum_retry_attempts", DEFAULT_ASYNC_INVOKE.maximumRetryAttempts, 0, 2),
        maximumEventAgeSeconds: whole("maximum_event_age_in_seconds", DEFAULT_ASYNC_INVOKE.maximumEventAgeSeconds, 60, 21_600),
        address,
      };
      if (config.has("destination_config")) {
        this.warnings.push(`${address}: destination_config is not emulated; successful and failed events are only logged`);
      }
      const current = functions.get(fn.address)!;
      // Unqualified invocations are what the emulator serves: an unqualified configuration wins over one for $LATEST.
      const previous = chosenQualified.get(fn.address);
      if (previous !== undefined && !(previous && qualifier === undefined)) {
        this.warnings.push(`${address}: ${fn.functionName} already has ${current.asyncInvoke?.address}; ignored`);
        continue;
      }
      if (previous !== undefined) this.warnings.push(`${current.asyncInvoke?.address}: ${fn.functionName} also has the unqualified ${address}, which is used`);
      chosenQualified.set(fn.address, qualifier !== undefined);
      functions.set(fn.address, { ...current, asyncInvoke });
    }
  }

  /**
   * The zip a function runs. Relative paths are relative to the working
   * directory, as Terraform reads them, and the emulator's working directory
   * is the root module. An `archive_file` that writes this path is built
   * first, as the archive provider would have before the function was created.
   */
  private packagePath(fn: ResourceInstance): string {
    if (!fn.has("filename")) throw new UnsupportedConfigurationError(fn.address, "filename", "filename is required (a local zip)");
    const file = path.resolve(this.configuration.rootDir, this.requiredText(fn, "filename"));
    for (const archive of [...this.configuration.root.instancesOf("archive_file", "data"), ...this.configuration.root.instancesOf("archive_file")]) {
      const output = archive.argument("output_path");
      if (typeof output === "string" && path.resolve(this.configuration.rootDir, output) === file) archive.apply();
    }
    if (!existsSync(file)) throw new AssetNotFoundError(fn.address, file);
    return file;
  }

  private readTable(table: ResourceInstance): TablePlan {
    const address = table.address;
    const billingMode = (this.text(table, "billing_mode") ?? "PROVISIONED") === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED";
    const readCapacity = this.number(table, "read_capacity", 5);
    const writeCapacity = this.number(table, "write_capacity", 5);
    const required = (block: Block, argument: string): string => {
      const value = textValue(block[argument], address, argument);
      if (value === undefined || value === "") throw new UnsupportedConfigurationError(address, argument, `${argument} is required`);
      return value;
    };
    const index = (raw: Block, argument: string, hashKey?: string): TableIndexPlan => ({
      name: required(raw, "name"),
      hashKey: hashKey ?? required(raw, "hash_key"),
      rangeKey: textValue(raw.range_key, address, `${argument}.range_key`),
      projectionType: textValue(raw.projection_type, address, `${argument}.projection_type`) ?? "ALL",
      nonKeyAttributes: (Array.isArray(raw.non_key_attributes) ? raw.non_key_attributes : []).map(String),
      readCapacity: numberValue(raw.read_capacity, address, `${argument}.read_capacity`, readCapacity),
      writeCapacity: numberValue(raw.write_capacity, address, `${argument}.write_capacity`, writeCapacity),
    });
    const hashKey = this.requiredText(table, "hash_key");
    return {
      address,
      name: this.requiredText(table, "name"),
      hashKey,
      rangeKey: this.text(table, "range_key"),
      attributes: blockList(table.argument("attribute")).map((a) => ({ name: required(a, "name"), type: required(a, "type") })),
      billingMode,
      readCapacity,
      writeCapacity,
      globalIndexes: blockList(table.argument("global_secondary_index")).map((gsi) => index(gsi, "global_secondary_index")),
      localIndexes: blockList(table.argument("local_secondary_index")).map((lsi) => index(lsi, "local_secondary_index", hashKey)),
      ...readTtl(table),
    };
  }
}

type Block = Record<string, unknown>;

/** `ttl { attribute_name, enabled }`; `enabled` defaults to false, as in the AWS provider. */
function readTtl(table: ResourceInstance): { ttlAttribute?: string } {
  const ttl = firstBlock(table.argument("ttl"));
  if (ttl === undefined || (ttl.enabled !== true && ttl.enabled !== "true")) return {};
  const attribute = textValue(ttl.attribute_name, table.address, "ttl.attribute_name") ?? "";
  if (attribute === "") throw new UnsupportedConfigurationError(table.address, "ttl.attribute_name", "ttl.attribute_name is required when ttl.enabled is true");
  return { ttlAttribute: attribute };
}

/** A resolved value the plan needs as text: strings, numbers and bools convert as Terraform converts them. */
function textValue(value: unknown, address: string, argument: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw new UnsupportedConfigurationError(address, argument, `${argument} must be a string (got a collection)`);
}

function numberValue(value: unknown, address: string, argument: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const resolved = Number(value);
  if (typeof value === "boolean" || !Number.isFinite(resolved)) throw new UnsupportedConfigurationError(address, argument, `${argument} is not a number`);
  return resolved;
}

/** A map of strings (`stage_variables`, `environment.variables`, templates). */
function stringMap(value: unknown, address: string, argument: string): Record<string, string> {
  const block = firstBlock(value);
  if (block === undefined) return {};
  const out: Record<string, string> = {};
  for (const [key, item] of Object.entries(block)) out[key] = textValue(item, address, `${argument}.${key}`) ?? "";
  return out;
}

/** A nested block given as one object, or the first of a list (HCL and cdktf write both). */
function firstBlock(value: unknown): Block | undefined {
  if (Array.isArray(value)) return value[0] as Block | undefined;
  if (value !== null && typeof value === "object") return value as Block;
  return undefined;
}

/** Repeated blocks (attribute, global_secondary_index): a list, or a single object. */
function blockList(value: unknown): Block[] {
  if (Array.isArray(value)) return value as Block[];
  if (value !== null && typeof value === "object") return [value as Block];
  return [];
}
