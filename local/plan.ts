import { existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { AssetNotFoundError, EmulatorError, UnsupportedConfigurationError } from "./errors.ts";
import { functionArn, parseFunctionReference } from "./function-names.ts";
import { apiIdFor } from "./ids.ts";
import { ReferenceResolver, referencedAddress, type ResourceReference } from "./references.ts";
import type { StageThrottleSettings, ThrottleLimits } from "./throttle.ts";

/**
 * Terraform JSON (as `cdktf synth` writes it) → the model the emulator serves.
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
  /** The Terraform JSON file that was read. */
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

export interface PlanOptions {
  /** A `cdk.tf.json` file, or a folder holding one. */
  readonly source: string;
  /** Which WebSocket API to serve (address `aws_apigatewayv2_api.x`, logical name or `name`) when there are several. */
  readonly api?: string;
  /** Which stage to serve; required when the API has several stages or none. */
  readonly stage?: string;
  /** The API id in events and ARNs. @default derived from the resource address */
  readonly apiId?: string;
  /** Values replacing variable defaults. */
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

type Block = Record<string, unknown>;
type ResourceMap = Map<string, Block>; // address → arguments

interface TerraformDocument {
  resource?: Record<string, Record<string, Block>>;
  data?: Record<string, Record<string, Block>>;
  variable?: Record<string, { default?: unknown; type?: unknown }>;
  locals?: Record<string, unknown>;
}

/** Finds the Terraform JSON a user pointed at: the file itself, or `cdk.tf.json` / `main.tf.json` in a folder. */
export function locateTerraformJson(source: string): string {
  const resolved = path.resolve(source);
  if (!existsSync(resolved)) throw new EmulatorError(`${source} does not exist`);
  if (statSync(resolved).isFile()) return resolved;
  for (const candidate of ["cdk.tf.json", "main.tf.json"]) {
    const file = path.join(resolved, candidate);
    if (existsSync(file)) return file;
  }
  throw new EmulatorError(`${source} holds no cdk.tf.json or main.tf.json`);
}

/** Reads and checks a Terraform JSON document; every problem names the resource and argument. */
export function loadPlan(options: PlanOptions): EmulatorPlan {
  const sourceFile = locateTerraformJson(options.source);
  let document: TerraformDocument;
  try {
    document = JSON.parse(readFileSync(sourceFile, "utf8")) as TerraformDocument;
  } catch (error) {
    throw new EmulatorError(`${sourceFile} is not valid JSON`, { cause: error });
  }
  return new PlanBuilder(document, sourceFile, options).build();
}

/** One build of one document; holds the indexes the steps share. */
class PlanBuilder {
  private readonly resources: Map<string, ResourceMap>;
  private readonly dataSources: Map<string, ResourceMap>;
  private readonly resolver: ReferenceResolver;
  private readonly moduleDir: string;
  private readonly region: string;
  private readonly accountId: string;
  private readonly warnings: string[] = [];
  private apiId = "";

  constructor(
    document: TerraformDocument,
    private readonly sourceFile: string,
    private readonly options: PlanOptions,
  ) {
    this.moduleDir = path.dirname(sourceFile);
    this.region = options.region ?? "us-east-1";
    this.accountId = options.accountId ?? "123456789012";
    this.resources = indexBlocks(document.resource);
    this.dataSources = indexBlocks(document.data);
    this.resolver = new ReferenceResolver({
      moduleDir: this.moduleDir,
      variableBlocks: document.variable ?? {},
      variableOverrides: options.variables ?? {},
      locals: mergeLocals(document.locals),
      attribute: (reference) => this.attribute(reference),
    });
  }

  build(): EmulatorPlan {
    this.dropForEachResources();
    const api = this.chooseApi();
    this.apiId = api.apiId;
    const stage = this.chooseStage(api.address);
    const functions = new Map<string, FunctionPlan>();
    const routes = this.readRoutes(api.address, functions);
    for (const routeKey of stage.throttle.routeLimits.keys()) {
      if (!routes.has(routeKey)) this.warnings.push(`stage ${stage.name}: route_settings names route "${routeKey}", which the API does not declare (AWS refuses this); ignored`);
    }
    this.readOtherFunctions(functions);
    this.readEventInvokeConfigs(functions);
    return {
      sourceFile: this.sourceFile,
      moduleDir: this.moduleDir,
      api,
      stage,
      routes,
      functions,
      tables: [...this.of("aws_dynamodb_table")].map(([address, block]) => this.readTable(address, block)),
      region: this.region,
      accountId: this.accountId,
      warnings: this.warnings,
    };
  }

  /** Blocks of one resource type, keyed by address (`<type>.<name>`). */
  private of(type: string): ResourceMap {
    const byName = this.resources.get(type) ?? new Map<string, Block>();
    return new Map([...byName].map(([name, block]) => [`${type}.${name}`, block]));
  }

  private text(block: Block, address: string, argument: string): string | undefined {
    const value = block[argument];
    if (value === undefined || value === null) return undefined;
    return this.resolver.resolveText(value, address, argument);
  }

  private requiredText(block: Block, address: string, argument: string): string {
    const value = this.text(block, address, argument);
    if (value === undefined || value === "") throw new UnsupportedConfigurationError(address, argument, `${argument} is required`);
    return value;
  }

  private number(block: Block, address: string, argument: string, fallback: number): number {
    const value = block[argument];
    if (value === undefined || value === null) return fallback;
    const resolved = Number(this.resolver.resolve(value, address, argument));
    if (!Number.isFinite(resolved)) throw new UnsupportedConfigurationError(address, argument, `${argument} is not a number`);
    return resolved;
  }

  private chooseApi(): ApiPlan {
    const all = [...this.of("aws_apigatewayv2_api")];
    if (all.length === 0) throw new EmulatorError(`${this.sourceFile} declares no aws_apigatewayv2_api`);
    const protocolOf = (address: string, block: Block) => (this.text(block, address, "protocol_type") ?? "").toUpperCase();
    let candidates = all;
    if (this.options.api !== undefined) {
      const wanted = this.options.api;
      candidates = all.filter(
        ([address, block]) => address === wanted || address.split(".")[1] === wanted || this.text(block, address, "name") === wanted,
      );
      if (candidates.length === 0) {
        throw new EmulatorError(`no aws_apigatewayv2_api matches "${wanted}" (have: ${all.map(([a]) => a).join(", ")})`);
      }
    }
    const websocket = candidates.filter(([address, block]) => protocolOf(address, block) === "WEBSOCKET");
    if (websocket.length === 0) {
      const [address, block] = candidates[0]!;
      throw new UnsupportedConfigurationError(address, "protocol_type", `protocol_type "${protocolOf(address, block)}" is not supported (supported: WEBSOCKET)`);
    }
    if (websocket.length > 1) {
      throw new EmulatorError(
        `${this.sourceFile} declares ${websocket.length} WebSocket APIs (${websocket.map(([a]) => a).join(", ")}); choose one with --api`,
      );
    }
    for (const [address] of candidates) {
      if (address !== websocket[0]![0]) this.warnings.push(`${address} is not a WebSocket API; ignored`);
    }
    const [address, block] = websocket[0]!;
    return {
      address,
      name: this.text(block, address, "name") ?? address.split(".")[1]!,
      apiId: this.options.apiId ?? apiIdFor(address),
      routeSelectionExpression: this.text(block, address, "route_selection_expression") ?? "$request.body.action",
    };
  }

  private chooseStage(apiAddress: string): StagePlan {
    const stages = [...this.of("aws_apigatewayv2_stage")]
      .filter(([, block]) => referencedAddress(block.api_id, "aws_apigatewayv2_api") === apiAddress)
      .map(([address, block]) => ({
        name: this.requiredText(block, address, "name"),
        variables: this.stringMap(block.stage_variables, address, "stage_variables"),
        throttle: this.readStageThrottle(address, block),
      }));
    const wanted = this.options.stage;
    if (wanted !== undefined) return stages.find((s) => s.name === wanted) ?? { name: wanted, variables: {}, throttle: { routeLimits: new Map() } };
    if (stages.length === 1) return stages[0]!;
    if (stages.length === 0) throw new EmulatorError(`${apiAddress} has no aws_apigatewayv2_stage; choose a stage name with --stage`);
    throw new EmulatorError(`${apiAddress} has several stages (${stages.map((s) => s.name).join(", ")}); choose one with --stage`);
  }

  /**
   * `default_route_settings { throttling_burst_limit, throttling_rate_limit }` and
   * `route_settings { route_key, … }` (hashicorp/aws schema). The provider sends 0
   * for a limit the block leaves out, and API Gateway then throttles every
   * request, so a 0 is kept (with a warning) rather than read as "no limit".
   */
  private readStageThrottle(address: string, block: Block): StageThrottleSettings {
    const limits = (settings: Block, argument: string, routeKey: string): ThrottleLimits => {
      const value = (name: string): number => {
        const raw = settings[name];
        if (raw === undefined || raw === null) return 0;
        const resolved = Number(this.resolver.resolve(raw, address, `${argument}.${name}`));
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
    const defaults = firstBlock(block.default_route_settings);
    const routeLimits = new Map<string, ThrottleLimits>();
    for (const settings of blockList(block.route_settings)) {
      const routeKey = this.requiredText(settings, address, "route_key");
      if (routeLimits.has(routeKey)) throw new UnsupportedConfigurationError(address, "route_settings", `route_settings for "${routeKey}" is declared twice`);
      routeLimits.set(routeKey, limits(settings, `route_settings["${routeKey}"]`, `route "${routeKey}"`));
    }
    return { defaultLimits: defaults === undefined ? undefined : limits(defaults, "default_route_settings", "every route without route_settings"), routeLimits };
  }

  private stringMap(value: unknown, address: string, argument: string): Record<string, string> {
    const block = firstBlock(value);
    if (block === undefined) return {};
    const out: Record<string, string> = {};
    for (const [key, item] of Object.entries(block)) {
      if (key === "//") continue;
      out[key] = this.resolver.resolveText(item, address, `${argument}.${key}`);
    }
    return out;
  }

  private readRoutes(apiAddress: string, functions: Map<string, FunctionPlan>): Map<string, RoutePlan> {
    const twoWayRoutes = new Set<string>();
    for (const [address, block] of this.of("aws_apigatewayv2_route_response")) {
      const route = this.resourceId(block, address, "route_id", "aws_apigatewayv2_route");
      const key = this.text(block, address, "route_response_key");
      if (key !== "$default") {
        throw new UnsupportedConfigurationError(address, "route_response_key", `route_response_key "${key}" is not supported (WebSocket APIs only support $default)`);
      }
      twoWayRoutes.add(route);
    }
    const routes = new Map<string, RoutePlan>();
    for (const [address, block] of this.of("aws_apigatewayv2_route")) {
      if (referencedAddress(block.api_id, "aws_apigatewayv2_api") !== apiAddress) continue;
      const routeKey = this.requiredText(block, address, "route_key");
      if (routes.has(routeKey)) throw new UnsupportedConfigurationError(address, "route_key", `route_key "${routeKey}" is declared twice`);
      const integration = this.readRouteTarget(address, block, routeKey, functions);
      const authorizer = this.readRouteAuthorization(address, block, routeKey, functions);
      const rrse = this.text(block, address, "route_response_selection_expression");
      if (rrse !== undefined && rrse !== "$default") {
        throw new UnsupportedConfigurationError(address, "route_response_selection_expression", `route_response_selection_expression "${rrse}" is not supported (only $default)`);
      }
      routes.set(routeKey, { address, routeKey, twoWay: twoWayRoutes.has(address), integration, authorizer });
    }
    if (routes.size === 0) throw new EmulatorError(`${apiAddress} has no aws_apigatewayv2_route`);
    return routes;
  }

  private readRouteTarget(address: string, block: Block, routeKey: string, functions: Map<string, FunctionPlan>): IntegrationPlan | undefined {
    if (block.target === undefined || block.target === null) {
      if (routeKey === "$connect" || routeKey === "$disconnect") return undefined;
      throw new UnsupportedConfigurationError(address, "target", `route "${routeKey}" has no target integration`);
    }
    const target = this.text(block, address, "target") ?? "";
    const integrationAddress = target.startsWith("integrations/") ? target.slice("integrations/".length) : "";
    const integration = this.of("aws_apigatewayv2_integration").get(integrationAddress);
    if (integration === undefined) {
      throw new UnsupportedConfigurationError(address, "target", `target must be "integrations/\${aws_apigatewayv2_integration.<name>.id}" (got "${target}")`);
    }
    return this.readIntegration(integrationAddress, integration, functions);
  }

  private readIntegration(address: string, block: Block, functions: Map<string, FunctionPlan>): IntegrationPlan {
    const type = this.requiredText(block, address, "integration_type");
    const timeoutMs = this.number(block, address, "timeout_milliseconds", DEFAULT_INTEGRATION_TIMEOUT_MS);
    if (type === "AWS_PROXY") {
      const functionAddress = this.functionFromUri(address, block, "integration_uri");
      this.readFunctionOnce(functionAddress, functions);
      return { kind: "lambda", address, functionAddress, timeoutMs };
    }
    if (type === "MOCK") return this.readMockIntegration(address, block, timeoutMs);
    throw new UnsupportedConfigurationError(address, "integration_type", `integration_type "${type}" is not supported (supported: AWS_PROXY, MOCK)`);
  }

  private readMockIntegration(address: string, block: Block, timeoutMs: number): MockIntegrationPlan {
    const selection = this.text(block, address, "template_selection_expression") ?? "\\$default";
    if (selection !== "\\$default" && selection !== "$default") {
      throw new UnsupportedConfigurationError(address, "template_selection_expression", `template_selection_expression "${selection}" is not supported (only \\$default)`);
    }
    const requestTemplates = this.stringMap(block.request_templates, address, "request_templates");
    const responses: MockResponsePlan[] = [];
    for (const [responseAddress, response] of this.of("aws_apigatewayv2_integration_response")) {
      if (this.resourceId(response, responseAddress, "integration_id", "aws_apigatewayv2_integration") !== address) continue;
      const templates = this.stringMap(response.response_templates, responseAddress, "response_templates");
      responses.push({
        address: responseAddress,
        key: this.requiredText(response, responseAddress, "integration_response_key"),
        template: templates.$default ?? Object.values(templates)[0],
      });
    }
    return { kind: "mock", address, requestTemplate: requestTemplates.$default ?? Object.values(requestTemplates)[0], responses, timeoutMs };
  }

  private readRouteAuthorization(address: string, block: Block, routeKey: string, functions: Map<string, FunctionPlan>): AuthorizerPlan | undefined {
    const type = this.text(block, address, "authorization_type") ?? "NONE";
    if (type === "NONE") return undefined;
    if (routeKey !== "$connect") {
      throw new UnsupportedConfigurationError(address, "authorization_type", `authorization_type "${type}" is only allowed on the $connect route`);
    }
    if (type === "AWS_IAM") {
      this.warnings.push(`${address}: authorization_type AWS_IAM is not enforced locally; every connection is allowed`);
      return undefined;
    }
    if (type !== "CUSTOM") {
      throw new UnsupportedConfigurationError(address, "authorization_type", `authorization_type "${type}" is not supported (supported: NONE, CUSTOM, AWS_IAM)`);
    }
    const authorizerAddress = this.resourceId(block, address, "authorizer_id", "aws_apigatewayv2_authorizer");
    const authorizer = this.of("aws_apigatewayv2_authorizer").get(authorizerAddress)!;
    const authorizerType = this.text(authorizer, authorizerAddress, "authorizer_type");
    if (authorizerType !== "REQUEST") {
      throw new UnsupportedConfigurationError(authorizerAddress, "authorizer_type", `authorizer_type "${authorizerType}" is not supported (WebSocket APIs use REQUEST)`);
    }
    const functionAddress = this.functionFromUri(authorizerAddress, authorizer, "authorizer_uri");
    this.readFunctionOnce(functionAddress, functions);
    const sources = this.resolver.resolve(authorizer.identity_sources ?? [], authorizerAddress, "identity_sources");
    if (!Array.isArray(sources) || sources.some((s) => typeof s !== "string")) {
      throw new UnsupportedConfigurationError(authorizerAddress, "identity_sources", "identity_sources must be a list of strings");
    }
    return { address: authorizerAddress, functionAddress, identitySources: sources as string[] };
  }

  /** The function an `integration_uri` / `authorizer_uri` invokes: the declared function whose ARN the value names. */
  private functionFromUri(address: string, block: Block, argument: string): string {
    const uri = this.text(block, address, argument) ?? "";
    const named = /:function:([^:/]+)/.exec(uri)?.[1];
    for (const [fnAddress, fn] of this.of("aws_lambda_function")) {
      if (named !== undefined && (this.text(fn, fnAddress, "function_name") ?? fnAddress.split(".")[1]) === named) return fnAddress;
    }
    throw new UnsupportedConfigurationError(address, argument, `${argument} must be the invoke ARN of a declared aws_lambda_function (got "${uri}")`);
  }

  /**
   * An argument that holds another resource's id (`route_id`, `authorizer_id`, ...). Ids of
   * API Gateway resources evaluate to their addresses, so conditionals such as
   * `var.auth ? aws_apigatewayv2_authorizer.a.id : null` work like references.
   */
  private resourceId(block: Block, address: string, argument: string, type: string): string {
    const value = this.text(block, address, argument);
    if (value === undefined || !this.of(type).has(value)) {
      throw new UnsupportedConfigurationError(address, argument, `${argument} must be the id of a declared ${type}${value === undefined ? "" : ` (got "${value}")`}`);
    }
    return value;
  }

  private readFunctionOnce(address: string, functions: Map<string, FunctionPlan>): void {
    if (functions.has(address)) return;
    functions.set(address, this.readFunction(address, this.of("aws_lambda_function").get(address)!));
  }

  private readFunction(address: string, block: Block): FunctionPlan {
    const runtime = this.text(block, address, "runtime");
    if (runtime !== undefined && !runtime.startsWith("nodejs")) {
      throw new UnsupportedConfigurationError(address, "runtime", `runtime "${runtime}" is not supported (supported: nodejs*)`);
    }
    if (block.image_uri !== undefined || block.s3_bucket !== undefined) {
      const argument = block.image_uri !== undefined ? "image_uri" : "s3_bucket";
      throw new UnsupportedConfigurationError(address, argument, `${argument} is not supported (use filename with a local zip)`);
    }
    const functionName = this.text(block, address, "function_name") ?? address.split(".")[1]!;
    const environment = this.stringMap(firstBlock(block.environment)?.variables, address, "environment.variables");
    return {
      address,
      functionName,
      handler: this.requiredText(block, address, "handler"),
      runtime,
      timeoutSeconds: this.number(block, address, "timeout", DEFAULT_LAMBDA_TIMEOUT_SECONDS),
      memorySizeMb: this.number(block, address, "memory_size", DEFAULT_LAMBDA_MEMORY_MB),
      environment,
      code: this.readCodeSource(address, block),
      arn: this.functionArn(functionName),
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
    for (const [address, block] of this.of("aws_lambda_function")) {
      if (functions.has(address) || this.notCreated(address, block)) continue;
      try {
        functions.set(address, this.readFunction(address, block));
      } catch (error) {
        if (!(error instanceof EmulatorError)) throw error;
        this.warnings.push(`${error.message}; no route uses this function, so it is left out (the Lambda Invoke API answers 404 for it)`);
      }
    }
  }

  /**
   * Resources with `for_each`, such as the module's additional_routes: the
   * emulator does not expand them. Over an empty collection (the default)
   * Terraform creates no instance either, so they go silently; otherwise
   * they are left out with a warning, and their routes answer as unknown.
   */
  private dropForEachResources(): void {
    for (const [type, byName] of this.resources) {
      for (const [name, block] of [...byName]) {
        if (block.for_each === undefined || block.for_each === null) continue;
        byName.delete(name);
        const address = `${type}.${name}`;
        if (!this.emptyCollection(block.for_each, address)) {
          this.warnings.push(`${address}: for_each is not expanded by the emulator; its instances are left out (they exist on AWS only)`);
        }
      }
    }
  }

  /** Whether a `for_each` value is certainly empty: an empty map or list, or a `for` expression over one. */
  private emptyCollection(value: unknown, address: string): boolean {
    // `{ for k, v in <collection> : … if … }` has no more entries than its collection.
    const forExpression = typeof value === "string" ? /^\$\{\s*[{[]\s*for\s+[^:]+?\s+in\s+([^:]+?)\s*:/.exec(value) : null;
    try {
      const resolved = this.resolver.resolve(forExpression ? `\${${forExpression[1]}}` : value, address, "for_each");
      if (Array.isArray(resolved)) return resolved.length === 0;
      if (resolved !== null && typeof resolved === "object") return Object.keys(resolved).length === 0;
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
    }
    return false;
  }

  /** `count = 0` (e.g. `var.x ? 1 : 0`): Terraform creates nothing. A count the emulator cannot evaluate counts as created. */
  private notCreated(address: string, block: Block): boolean {
    if (block.count === undefined || block.count === null) return false;
    try {
      return Number(this.resolver.resolve(block.count, address, "count")) === 0;
    } catch {
      return false;
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
    for (const [address, block] of this.of("aws_lambda_function_event_invoke_config")) {
      if (this.notCreated(address, block)) continue;
      const value = this.requiredText(block, address, "function_name");
      const reference = parseFunctionReference(value);
      if (reference === undefined) throw new UnsupportedConfigurationError(address, "function_name", `function_name "${value}" is not a function name or ARN`);
      const fn = byName.get(reference.name);
      const elsewhere = (reference.region !== undefined && reference.region !== this.region) || (reference.accountId !== undefined && reference.accountId !== this.accountId);
      if (fn === undefined || elsewhere) {
        this.warnings.push(`${address}: function_name "${value}" is not a function of this stack the emulator runs; ignored`);
        continue;
      }
      const qualifier = this.text(block, address, "qualifier") ?? reference.qualifier;
      if (qualifier !== undefined && qualifier !== "$LATEST") {
        this.warnings.push(`${address}: applies to ${fn.functionName}:${qualifier}, and the emulator runs $LATEST only; ignored`);
        continue;
      }
      const whole = (argument: string, fallback: number, min: number, max: number): number => {
        const number = this.number(block, address, argument, fallback);
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
      if (block.destination_config !== undefined && block.destination_config !== null) {
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

  private readCodeSource(address: string, block: Block): CodeSource {
    const filename = block.filename;
    if (filename === undefined || filename === null) throw new UnsupportedConfigurationError(address, "filename", "filename is required (a local zip)");
    // data.archive_file is evaluated by Terraform at plan time; the emulator reads its source instead.
    const archive = typeof filename === "string" ? /^\$\{data\.archive_file\.([A-Za-z0-9_-]+)\.output_path\}$/.exec(filename) : null;
    if (archive) {
      const archiveAddress = `data.archive_file.${archive[1]}`;
      const data = this.dataSources.get("archive_file")?.get(archive[1]!);
      if (data === undefined) throw new UnsupportedConfigurationError(address, "filename", `${archiveAddress} is not declared`);
      const dir = this.text(data, archiveAddress, "source_dir");
      const file = this.text(data, archiveAddress, "source_file");
      if (dir !== undefined) return { kind: "directory", path: this.existingPath(archiveAddress, dir) };
      if (file !== undefined) return { kind: "file", path: this.existingPath(archiveAddress, file) };
      throw new UnsupportedConfigurationError(archiveAddress, "source", "only source_dir and source_file are supported");
    }
    return { kind: "zip", path: this.existingPath(address, this.resolver.resolveText(filename, address, "filename")) };
  }

  private existingPath(address: string, file: string): string {
    const absolute = path.resolve(this.moduleDir, file);
    if (!existsSync(absolute)) throw new AssetNotFoundError(address, absolute);
    return absolute;
  }

  private readTable(address: string, block: Block): TablePlan {
    const billingMode = (this.text(block, address, "billing_mode") ?? "PROVISIONED") === "PAY_PER_REQUEST" ? "PAY_PER_REQUEST" : "PROVISIONED";
    const readCapacity = this.number(block, address, "read_capacity", 5);
    const writeCapacity = this.number(block, address, "write_capacity", 5);
    const index = (raw: Block, argument: string, hashKey?: string): TableIndexPlan => ({
      name: this.requiredText(raw, address, "name"),
      hashKey: hashKey ?? this.requiredText(raw, address, "hash_key"),
      rangeKey: this.text(raw, address, "range_key"),
      projectionType: this.text(raw, address, "projection_type") ?? "ALL",
      nonKeyAttributes: ((this.resolver.resolve(raw.non_key_attributes ?? [], address, `${argument}.non_key_attributes`) as unknown[]) ?? []).map(String),
      readCapacity: this.number(raw, address, "read_capacity", readCapacity),
      writeCapacity: this.number(raw, address, "write_capacity", writeCapacity),
    });
    const hashKey = this.requiredText(block, address, "hash_key");
    return {
      address,
      name: this.requiredText(block, address, "name"),
      hashKey,
      rangeKey: this.text(block, address, "range_key"),
      attributes: blockList(block.attribute).map((a) => ({
        name: this.requiredText(a, address, "name"),
        type: this.requiredText(a, address, "type"),
      })),
      billingMode,
      readCapacity,
      writeCapacity,
      globalIndexes: blockList(block.global_secondary_index).map((gsi) => index(gsi, "global_secondary_index")),
      localIndexes: blockList(block.local_secondary_index).map((lsi) => index(lsi, "local_secondary_index", hashKey)),
      ...this.readTtl(address, block),
    };
  }

  /** `ttl { attribute_name, enabled }`; `enabled` defaults to false, as in the AWS provider. */
  private readTtl(address: string, block: Block): { ttlAttribute?: string } {
    const ttl = firstBlock(block.ttl);
    if (ttl === undefined || ttl.enabled === undefined || ttl.enabled === null) return {};
    const enabled = this.resolver.resolve(ttl.enabled, address, "ttl.enabled");
    if (enabled !== true && enabled !== "true") return {};
    const attribute = ttl.attribute_name === undefined || ttl.attribute_name === null ? "" : this.resolver.resolveText(ttl.attribute_name, address, "ttl.attribute_name");
    if (attribute === "") throw new UnsupportedConfigurationError(address, "ttl.attribute_name", "ttl.attribute_name is required when ttl.enabled is true");
    return { ttlAttribute: attribute };
  }

  private functionArn(functionName: string): string {
    return functionArn(this.region, this.accountId, functionName);
  }

  /** Attribute values other resources may read (an environment variable naming a table, an ARN in a policy). */
  private attribute(reference: ResourceReference): unknown {
    const key = reference.name;
    if (reference.data) {
      if (reference.type === "aws_region" && ["name", "id", "region"].includes(reference.attribute)) return this.region;
      if (reference.type === "aws_caller_identity" && reference.attribute === "account_id") return this.accountId;
      if (reference.type === "archive_file" && reference.attribute === "output_path") {
        const data = this.dataSources.get("archive_file")?.get(key);
        return data && this.text(data, `data.archive_file.${key}`, "output_path");
      }
      return undefined;
    }
    const block = this.resources.get(reference.type)?.get(key);
    if (block === undefined) return undefined;
    const address = `${reference.type}.${key}`;
    switch (reference.type) {
      case "aws_dynamodb_table": {
        const name = this.text(block, address, "name");
        if (reference.attribute === "name" || reference.attribute === "id") return name;
        if (reference.attribute === "arn") return `arn:aws:dynamodb:${this.region}:${this.accountId}:table/${name}`;
        return undefined;
      }
      case "aws_lambda_function": {
        const name = this.text(block, address, "function_name") ?? key;
        if (reference.attribute === "function_name" || reference.attribute === "id") return name;
        if (reference.attribute === "arn" || reference.attribute === "qualified_arn") return this.functionArn(name);
        if (reference.attribute === "invoke_arn") {
          return `arn:aws:apigateway:${this.region}:lambda:path/2015-03-31/functions/${this.functionArn(name)}/invocations`;
        }
        return undefined;
      }
      case "aws_apigatewayv2_api": {
        const apiId = this.apiId || this.options.apiId || apiIdFor(address);
        if (reference.attribute === "id") return apiId;
        if (reference.attribute === "execution_arn") return `arn:aws:execute-api:${this.region}:${this.accountId}:${apiId}`;
        if (reference.attribute === "api_endpoint") return `wss://${apiId}.execute-api.${this.region}.amazonaws.com`;
        return undefined;
      }
      case "aws_apigatewayv2_stage":
        if (reference.attribute === "name" || reference.attribute === "id") return this.text(block, address, "name");
        return undefined;
      case "aws_apigatewayv2_route":
      case "aws_apigatewayv2_integration":
      case "aws_apigatewayv2_authorizer":
      case "aws_apigatewayv2_route_response":
      case "aws_apigatewayv2_integration_response":
      case "aws_apigatewayv2_deployment":
        // Their ids only ever link resources together; the address is a stable stand-in.
        return reference.attribute === "id" ? address : undefined;
      default:
        if (reference.attribute === "name") return this.text(block, address, "name");
        return undefined;
    }
  }
}

/** `resource` / `data` → type → name → block; Terraform JSON also allows a list of such objects. */
function indexBlocks(section: unknown): Map<string, ResourceMap> {
  const out = new Map<string, ResourceMap>();
  const sections = Array.isArray(section) ? section : section ? [section] : [];
  for (const item of sections) {
    for (const [type, byName] of Object.entries(item as Record<string, unknown>)) {
      const map = out.get(type) ?? new Map<string, Block>();
      for (const [name, block] of Object.entries(byName as Record<string, unknown>)) {
        const first = firstBlock(block);
        if (first !== undefined) map.set(name, first);
      }
      out.set(type, map);
    }
  }
  return out;
}

function mergeLocals(locals: unknown): Record<string, unknown> {
  if (Array.isArray(locals)) return Object.assign({}, ...locals) as Record<string, unknown>;
  return (locals as Record<string, unknown> | undefined) ?? {};
}

/** cdktf writes nested blocks either as an object or as a one-element list; accept both. */
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
