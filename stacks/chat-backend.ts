import type { IResolvable } from "cdktf";
import { Construct } from "constructs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUTHORIZER, FAN_OUT_FUNCTION, ROUTES, type AuthorizerDefinition, type RouteDefinition, type WorkerFunctionDefinition } from "../contract/routes.ts";
import { RESOURCE_ENVIRONMENT } from "../contract/settings.ts";
import { ApiGatewayCloudWatchRole } from "./api-gateway-account.ts";
import type { BundleHandlerOptions } from "./bundle-handler.ts";
import { BundledFunction, type AsyncInvokeOptions } from "./bundled-function.ts";
import { ConnectionTable } from "./connection-table.ts";
import { physicalName } from "./physical-name.ts";
import { terraformName } from "./readable-address.ts";
import { WebSocketApi, type ThrottleSettings } from "./websocket-api.ts";

const FUNCTIONS_DIR = fileURLToPath(new URL("../functions/", import.meta.url));

/**
 * How Lambda treats the fan-out function's asynchronous invocations.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export const FAN_OUT_ASYNC_INVOKE: AsyncInvokeOptions = {
  // Lambda's own default, written out: a piece that failed three times will not
  // do better a fourth; members a retried piece reaches twice drop the copy by id.
  maximumRetryAttempts: 2,
  // A chat message older than five minutes is no longer worth delivering:
  // the conversation has moved on, and the sender's receipt was sent long
  // ago. Lambda's default would keep retrying it for six hours.
  maximumEventAgeSeconds: 300,
};

/** Properties of a {@link ChatBackend}. */
export interface ChatBackendProps {
  /** Prefix of every physical name (a token is fine). */
  readonly namePrefix: string;
  /** Stage name (a token is fine). */
  readonly stageName: string;
  /** Log retention of every log group (functions and the stage's access log), in days. */
  readonly logRetentionDays: number;
  /**
   * KMS key ARN that encrypts every log group; a token that resolves to null
   * means CloudWatch's default encryption.
   * @default - CloudWatch's default encryption
   */
  readonly logsKmsKeyId?: string;
  /**
   * Customer-managed KMS key ARN of the connection table; a token that
   * resolves to null means DynamoDB's AWS managed key.
   * @default - the AWS managed key
   */
  readonly tableKmsKeyArn?: string;
  /**
   * Stage-wide throttling of every route.
   * @default - only the account's API Gateway limits
   */
  readonly throttling?: ThrottleSettings;
  /**
   * Throttling of new connections (`$connect`'s own route settings).
   * @default - the stage-wide throttling
   */
  readonly connectThrottling?: ThrottleSettings;
  /**
   * Create the account's API Gateway CloudWatch role, which the stage's
   * access log needs (a boolean or a token such as a Terraform variable).
   * One setting per account and region: see {@link ApiGatewayCloudWatchRole}.
   * @default false
   */
  readonly manageApiGatewayCloudWatchRole?: boolean | IResolvable;
  /** Folder where handler bundles are staged before they are zipped. */
  readonly bundleRoot: string;
  /**
   * The routes to deploy.
   * @default ROUTES from contract/routes.ts
   */
  readonly routes?: readonly RouteDefinition[];
  /**
   * Where API Gateway finds the route key in each message.
   * @default '$request.body.action'
   */
  readonly routeSelectionExpression?: string;
  /**
   * Environment variables given to every route function and the fan-out
   * function, on top of the table names.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * The function that serves a large room's broadcast in pieces, invoked
   * asynchronously by the functions its `invokedBy` names; `false` for none.
   * @default FAN_OUT_FUNCTION from contract/routes.ts
   */
  readonly fanOut?: WorkerFunctionDefinition | false;
  /**
   * Memory in MB of some functions, by their name in the manifest (a token
   * is fine); every name must be a function of this backend.
   * @default - 256 MB for every function (BundledFunction's default)
   */
  readonly memorySize?: Readonly<Record<string, number>>;
  /**
   * Sign-in on `$connect`: the authorizer from the manifest, with its settings.
   * @default - no authorizer
   */
  readonly auth?: ChatAuthProps;
  /**
   * More routes served by functions of the caller's own: a Terraform map
   * (e.g. a variable's value) of route key → `{ function_name, invoke_arn,
   * two_way }`, wired by {@link WebSocketApi.addLambdaRouteMap}. Its keys
   * must not be route keys of `routes`.
   * @default - none
   */
  readonly additionalRoutes?: IResolvable;
}

/** How `$connect` verifies who connects. */
export interface ChatAuthProps {
  /**
   * Whether `$connect` requires a valid token (a boolean, or a token such as
   * a Terraform variable, so demos can switch it off at plan time).
   */
  readonly enabled: boolean | IResolvable;
  /** Environment of the authorizer function: issuer, audience, JWKS URL, algorithms. */
  readonly environment: Record<string, string>;
  /**
   * The authorizer to deploy.
   * @default AUTHORIZER from contract/routes.ts
   */
  readonly authorizer?: AuthorizerDefinition;
}

/**
 * The chat backend: one WebSocket API, one function per route of the route
 * manifest, the fan-out function that serves large rooms, and the connection
 * table, wired so each function can do exactly what the manifest declares:
 * its table access, `@connections`, and invoking the fan-out function for
 * those its `invokedBy` names.
 */
export class ChatBackend extends Construct {
  readonly api: WebSocketApi;
  readonly table: ConnectionTable;
  /** The function behind each Lambda route key. */
  readonly functions: ReadonlyMap<string, BundledFunction>;
  /** The `$connect` authorizer's function, when sign-in is configured. */
  readonly authorizerFunction?: BundledFunction;
  /** The fan-out function, unless `fanOut` is false. */
  readonly fanOutFunction?: BundledFunction;
  /** Every function of the backend (route functions, fan-out, authorizer) by its name in the manifest. */
  readonly functionsByName: ReadonlyMap<string, BundledFunction>;

  constructor(scope: Construct, id: string, props: ChatBackendProps) {
    super(scope, id);
    this.table = new ConnectionTable(this, "Connections", { tableName: physicalName(props.namePrefix, "connections"), kmsKeyArn: props.tableKmsKeyArn });
    const manageRole = props.manageApiGatewayCloudWatchRole ?? false;
    const cloudWatchRole =
      manageRole === false ? undefined : new ApiGatewayCloudWatchRole(this, "ApiGatewayCloudWatchRole", { roleName: physicalName(props.namePrefix, "apigateway-cloudwatch"), enabled: manageRole });
    this.api = new WebSocketApi(this, "WebSocket", {
      apiName: physicalName(props.namePrefix, "chat"),
      stageName: props.stageName,
      routeSelectionExpression: props.routeSelectionExpression,
      description: "wsstack chat: WebSocket API",
      throttling: props.throttling,
      accessLog: {
        logGroupName: `/aws/apigateway/${physicalName(props.namePrefix, `${props.stageName}-access`)}`,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.logsKmsKeyId,
        dependsOn: cloudWatchRole ? [cloudWatchRole.account] : undefined,
      },
    });

    const routes = props.routes ?? ROUTES;
    const fanOut = props.fanOut === false ? undefined : (props.fanOut ?? FAN_OUT_FUNCTION);
    const authorizer = props.auth ? (props.auth.authorizer ?? AUTHORIZER) : undefined;
    validateWiring(routes, fanOut, authorizer, props.memorySize ?? {});
    const tableEnvironment = {
      [RESOURCE_ENVIRONMENT.tableName]: this.table.table.name,
      [RESOURCE_ENVIRONMENT.roomIndexName]: this.table.roomIndexName,
      ...props.environment,
    };

    // Made before the routes, so an invoker's environment can refer to it.
    const fanOutFn = fanOut
      ? this.functionFor(props, fanOut.name, fanOut.entry, fanOut.description, {
          ...tableEnvironment,
          // Its own name as written, not a reference: a resource cannot refer to itself.
          ...(fanOut.invokedBy.includes(fanOut.name) ? { [RESOURCE_ENVIRONMENT.fanOutFunctionName]: physicalName(props.namePrefix, fanOut.name) } : {}),
        })
      : undefined;
    if (fanOut && fanOutFn) {
      this.table.grant(fanOutFn, fanOut.access);
      if (fanOut.manageConnections) this.api.grantPostToConnections(fanOutFn);
      fanOutFn.configureAsyncInvoke(FAN_OUT_ASYNC_INVOKE);
    }
    this.fanOutFunction = fanOutFn;

    const functions = new Map<string, BundledFunction>();
    const byName = new Map<string, BundledFunction>();
    for (const route of routes) {
      if (route.kind === "mock") {
        this.api.addMockRoute(route.routeKey, route.response, { name: terraformName(route.name) });
        continue;
      }
      const invokesFanOut = fanOut?.invokedBy.includes(route.name) ?? false;
      const fn = this.functionFor(props, route.name, route.entry, route.description, {
        ...tableEnvironment,
        // A reference: the function that hands work off is created after the one that takes it.
        ...(invokesFanOut && fanOutFn ? { [RESOURCE_ENVIRONMENT.fanOutFunctionName]: fanOutFn.function.functionName } : {}),
      });
      this.table.grant(fn, route.access);
      if (route.manageConnections) this.api.grantPostToConnections(fn);
      this.api.addLambdaRoute(route.routeKey, fn, { twoWay: route.twoWay, name: terraformName(route.name) });
      functions.set(route.routeKey, fn);
      byName.set(route.name, fn);
    }
    this.functions = functions;
    if (fanOut && fanOutFn) byName.set(fanOut.name, fanOutFn);
    this.functionsByName = byName;
    if (props.additionalRoutes) this.api.addLambdaRouteMap(props.additionalRoutes);
    if (props.connectThrottling && this.api.hasRoute("$connect")) this.api.throttleRoute("$connect", props.connectThrottling);

    if (fanOut && fanOutFn) {
      // validateWiring made sure each name is a route function or the fan-out function itself.
      for (const name of fanOut.invokedBy) fanOutFn.grantInvoke(name === fanOut.name ? fanOutFn : byName.get(name)!);
    }

    if (props.auth && authorizer) {
      // The authorizer reads no table and posts nowhere: only its log grant.
      this.authorizerFunction = this.functionFor(props, authorizer.name, authorizer.entry, authorizer.description, props.auth.environment);
      byName.set(authorizer.name, this.authorizerFunction);
      this.api.addRequestAuthorizer(this.authorizerFunction, {
        name: physicalName(props.namePrefix, authorizer.name),
        identitySources: [authorizer.identitySource],
        enabled: props.auth.enabled,
      });
    }
  }

  private functionFor(props: ChatBackendProps, name: string, entry: string, description: string, environment: Record<string, string>): BundledFunction {
    return new BundledFunction(this, functionId(name), {
      entry: path.resolve(FUNCTIONS_DIR, entry),
      functionName: physicalName(props.namePrefix, name),
      // The manifest's name in Terraform's spelling: `on-message` → `aws_lambda_function.on_message`.
      addressName: terraformName(name),
      bundleRoot: props.bundleRoot,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyId: props.logsKmsKeyId,
      description,
      environment,
      memorySize: props.memorySize?.[name],
    });
  }
}

/**
 * Refuses a manifest the backend cannot wire as written: a function name
 * used twice (it names a role and a log group), an invoker of the fan-out
 * function that is not one of its route functions or the fan-out function
 * itself, a memory size for a function that is not deployed.
 */
function validateWiring(routes: readonly RouteDefinition[], fanOut: WorkerFunctionDefinition | undefined, authorizer: AuthorizerDefinition | undefined, memorySize: Readonly<Record<string, number>>): void {
  const functions = chatBackendFunctions(routes, fanOut ?? false, authorizer ?? false).map((f) => f.name);
  const twice = functions.filter((name, i) => functions.indexOf(name) !== i);
  if (twice.length) throw new FunctionWiringError(`Each function needs a name of its own (it names its role and log group); used twice: ${twice.join(", ")}.`);
  if (fanOut) {
    const invokers = new Set([...routes.flatMap((r) => (r.kind === "lambda" ? [r.name] : [])), fanOut.name]);
    const unknown = fanOut.invokedBy.filter((name) => !invokers.has(name));
    if (unknown.length) {
      throw new FunctionWiringError(`The ${fanOut.name} function may only be invoked by a route function of this backend or by itself; invokedBy names ${unknown.join(", ")}.`);
    }
  }
  const unsized = Object.keys(memorySize).filter((name) => !functions.includes(name));
  if (unsized.length) throw new FunctionWiringError(`memorySize names no function of this backend: ${unsized.join(", ")} (functions: ${functions.join(", ")}).`);
}

/** The manifest asks for wiring the backend cannot make. */
export class FunctionWiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "FunctionWiringError";
  }
}

/**
 * The bundles a ChatBackend will ask for, named as it names them: synth
 * builds them all in parallel first, so the constructs find them cached.
 */
export function chatBackendBundles(
  bundleRoot: string,
  routes: readonly RouteDefinition[] = ROUTES,
  authorizer: AuthorizerDefinition | undefined = AUTHORIZER,
  fanOut: WorkerFunctionDefinition | false = FAN_OUT_FUNCTION,
): BundleHandlerOptions[] {
  return chatBackendFunctions(routes, fanOut, authorizer ?? false).map((f) => ({ entry: path.resolve(FUNCTIONS_DIR, f.entry), outRoot: bundleRoot, name: functionId(f.name) }));
}

/** Every function a ChatBackend deploys, by its name in the manifest and its handler entry (`false`: no such function). */
export function chatBackendFunctions(
  routes: readonly RouteDefinition[] = ROUTES,
  fanOut: WorkerFunctionDefinition | false = FAN_OUT_FUNCTION,
  authorizer: AuthorizerDefinition | false = AUTHORIZER,
): { readonly name: string; readonly entry: string }[] {
  return [...routes.flatMap((r) => (r.kind === "lambda" ? [r] : [])), ...(fanOut ? [fanOut] : []), ...(authorizer ? [authorizer] : [])].map(({ name, entry }) => ({ name, entry }));
}

// `on-message` → `OnMessageFunction`: stable, readable construct ids.
function functionId(name: string): string {
  return name.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("") + "Function";
}
