import type { IResolvable } from "cdktf";
import { Construct } from "constructs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AUTHORIZER, ROUTES, type AuthorizerDefinition, type RouteDefinition } from "../contract/routes.ts";
import { RESOURCE_ENVIRONMENT } from "../contract/settings.ts";
import { ApiGatewayCloudWatchRole } from "./api-gateway-account.ts";
import type { BundleHandlerOptions } from "./bundle-handler.ts";
import { BundledFunction } from "./bundled-function.ts";
import { ConnectionTable } from "./connection-table.ts";
import { physicalName } from "./physical-name.ts";
import { WebSocketApi, type ThrottleSettings } from "./websocket-api.ts";

const FUNCTIONS_DIR = fileURLToPath(new URL("../functions/", import.meta.url));

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
   * Environment variables given to every route function, on top of the table names.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Sign-in on `$connect`: the authorizer from the manifest, with its settings.
   * @default - no authorizer
   */
  readonly auth?: ChatAuthProps;
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
 * manifest, and the connection table, wired so each function can do exactly
 * what its route declares.
 */
export class ChatBackend extends Construct {
  readonly api: WebSocketApi;
  readonly table: ConnectionTable;
  /** The function behind each Lambda route key. */
  readonly functions: ReadonlyMap<string, BundledFunction>;
  /** The `$connect` authorizer's function, when sign-in is configured. */
  readonly authorizerFunction?: BundledFunction;

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

    const functions = new Map<string, BundledFunction>();
    for (const route of props.routes ?? ROUTES) {
      if (route.kind === "mock") {
        this.api.addMockRoute(route.routeKey, route.response);
        continue;
      }
      const fn = this.functionFor(props, route.name, route.entry, route.description, {
        [RESOURCE_ENVIRONMENT.tableName]: this.table.table.name,
        [RESOURCE_ENVIRONMENT.roomIndexName]: this.table.roomIndexName,
        ...props.environment,
      });
      this.table.grant(fn, route.access);
      if (route.manageConnections) this.api.grantPostToConnections(fn);
      this.api.addLambdaRoute(route.routeKey, fn, { twoWay: route.twoWay });
      functions.set(route.routeKey, fn);
    }
    this.functions = functions;
    if (props.connectThrottling && this.api.hasRoute("$connect")) this.api.throttleRoute("$connect", props.connectThrottling);

    if (props.auth) {
      const definition = props.auth.authorizer ?? AUTHORIZER;
      // The authorizer reads no table and posts nowhere: only its log grant.
      this.authorizerFunction = this.functionFor(props, definition.name, definition.entry, definition.description, props.auth.environment);
      this.api.addRequestAuthorizer(this.authorizerFunction, {
        name: physicalName(props.namePrefix, definition.name),
        identitySources: [definition.identitySource],
        enabled: props.auth.enabled,
      });
    }
  }

  private functionFor(props: ChatBackendProps, name: string, entry: string, description: string, environment: Record<string, string>): BundledFunction {
    return new BundledFunction(this, functionId(name), {
      entry: path.resolve(FUNCTIONS_DIR, entry),
      functionName: physicalName(props.namePrefix, name),
      bundleRoot: props.bundleRoot,
      logRetentionDays: props.logRetentionDays,
      logsKmsKeyId: props.logsKmsKeyId,
      description,
      environment,
    });
  }
}

/**
 * The bundles a ChatBackend will ask for, named as it names them: synth
 * builds them all in parallel first, so the constructs find them cached.
 */
export function chatBackendBundles(bundleRoot: string, routes: readonly RouteDefinition[] = ROUTES, authorizer: AuthorizerDefinition | undefined = AUTHORIZER): BundleHandlerOptions[] {
  const functions = [...routes.flatMap((r) => (r.kind === "lambda" ? [r] : [])), ...(authorizer ? [authorizer] : [])];
  return functions.map((f) => ({ entry: path.resolve(FUNCTIONS_DIR, f.entry), outRoot: bundleRoot, name: functionId(f.name) }));
}

// `on-message` → `OnMessageFunction`: stable, readable construct ids.
function functionId(name: string): string {
  return name.split("-").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("") + "Function";
}
