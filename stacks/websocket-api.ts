import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api/index.js";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer/index.js";
import { Apigatewayv2Deployment } from "@cdktf/provider-aws/lib/apigatewayv2-deployment/index.js";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration/index.js";
import { Apigatewayv2IntegrationResponse } from "@cdktf/provider-aws/lib/apigatewayv2-integration-response/index.js";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route/index.js";
import { Apigatewayv2RouteResponse } from "@cdktf/provider-aws/lib/apigatewayv2-route-response/index.js";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage/index.js";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { dependable, Fn, Lazy, Op, TerraformIterator, Token, type IResolvable, type ITerraformDependable, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import type { BundledFunction } from "./bundled-function.ts";
import { readableAddress, terraformName } from "./readable-address.ts";

/** Properties of a {@link WebSocketApi}. */
export interface WebSocketApiProps {
  /** Physical API name. */
  readonly apiName: string;
  /** Stage name; the last path segment of the WebSocket URL. */
  readonly stageName: string;
  /**
   * Where API Gateway finds the route key in each message.
   * @default '$request.body.action'
   */
  readonly routeSelectionExpression?: string;
  /**
   * Description of the API.
   * @default - none
   */
  readonly description?: string;
  /**
   * Stage-wide throttling: the stage's `default_route_settings`, which every
   * route without its own `route_settings` gets.
   * @default - only the account's own API Gateway limits
   */
  readonly throttling?: ThrottleSettings;
  /**
   * Access logging of the stage into a log group of its own.
   * @default - no access log
   */
  readonly accessLog?: AccessLogOptions;
}

/** Steady rate and burst API Gateway lets through before it answers 429. */
export interface ThrottleSettings {
  /** Requests per second, steady (a token is fine). */
  readonly rateLimit: number;
  /** Requests at once (a token is fine). */
  readonly burstLimit: number;
}

/** Where and how long the stage's access log is kept. */
export interface AccessLogOptions {
  /** Name of the log group the construct creates for the access log. */
  readonly logGroupName: string;
  /** Retention in days (a token is fine). */
  readonly retentionInDays: number;
  /**
   * KMS key ARN that encrypts the log group; a token that resolves to null
   * means CloudWatch's default encryption.
   * @default - CloudWatch's default encryption
   */
  readonly kmsKeyId?: string;
  /**
   * Resources the stage must wait for before it turns access logging on, such
   * as the account's API Gateway CloudWatch role setting (a WebSocket stage
   * with access logging is refused while that setting is empty).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Options for {@link WebSocketApi.addLambdaRoute}. */
export interface WebSocketRouteOptions {
  /**
   * Give the route a `$default` route response, so the handler's `body`
   * reaches the caller in the context of its message.
   * @default false
   */
  readonly twoWay?: boolean;
  /**
   * Terraform name of the route's resources: `aws_apigatewayv2_route.<name>`,
   * and the same for its integration, route response and invoke permission
   * (lower snake_case, unique in the stack).
   * @default - the route key in snake_case: `$connect` → `connect`, `onMessage` → `on_message`
   */
  readonly name?: string;
}

/** Options for {@link WebSocketApi.addRequestAuthorizer}. */
export interface RequestAuthorizerOptions {
  /** Authorizer name, unique in the API. */
  readonly name: string;
  /**
   * Where API Gateway finds the credential, e.g. `route.request.querystring.token`.
   * A missing or empty source is refused with 401 without invoking the function.
   */
  readonly identitySources: readonly string[];
  /**
   * Whether `$connect` uses the authorizer. A boolean, or a token such as a
   * Terraform variable, so auth can be switched off at plan time without
   * removing the authorizer.
   * @default true
   */
  readonly enabled?: boolean | IResolvable;
}

/** A route and the resources that make it work. */
export interface WebSocketRoute {
  readonly route: Apigatewayv2Route;
  readonly integration: Apigatewayv2Integration;
  /** Present on Lambda routes only. */
  readonly permission?: LambdaPermission;
  /** Present on two-way routes only. */
  readonly routeResponse?: Apigatewayv2RouteResponse;
  /** Present on mock routes only: the template that is the answer. */
  readonly integrationResponse?: Apigatewayv2IntegrationResponse;
}

/**
 * The resources {@link WebSocketApi.addLambdaRouteMap} makes: each is one
 * Terraform resource with `for_each` over the map (the route response over
 * its two-way entries only), so every entry gets an instance keyed by its
 * route key, e.g. `aws_apigatewayv2_route.additional["whoami"]`.
 */
export interface WebSocketRouteMap {
  readonly integration: Apigatewayv2Integration;
  readonly route: Apigatewayv2Route;
  readonly permission: LambdaPermission;
  readonly routeResponse: Apigatewayv2RouteResponse;
}

/**
 * The Terraform type of a route map's values: the function's name (or ARN)
 * for the invoke permission, its `invoke_arn` for the integration, and
 * whether the route answers the caller.
 */
export const ROUTE_MAP_ENTRY_TYPE = "object({ function_name = string, invoke_arn = string, two_way = optional(bool, false) })";

/** Terraform names of the route map's resources: `aws_apigatewayv2_route.additional[…]` and so on. */
const ROUTE_MAP_LOGICAL_ID = "additional";

const PREDEFINED_ROUTE_KEYS = new Set(["$connect", "$disconnect", "$default"]);

/**
 * The stage's access log line: one JSON object per request, with ids, route,
 * status, timing and errors only. Nothing here can carry the sign-in token:
 * a WebSocket access log has no path or query-string variable in this list,
 * and no header, request body or `requestOverride` is logged.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  connectionId: "$context.connectionId",
  eventType: "$context.eventType",
  routeKey: "$context.routeKey",
  status: "$context.status",
  requestTime: "$context.requestTime",
  requestTimeEpoch: "$context.requestTimeEpoch",
  sourceIp: "$context.identity.sourceIp",
  errorMessage: "$context.error.message",
  // The WebSocket name of $context.integrationErrorMessage.
  integrationErrorMessage: "$context.integration.error",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  authorizerError: "$context.authorizer.error",
});

/**
 * An API Gateway v2 WebSocket API with one stage, whose deployment is
 * replaced whenever a route, integration or route response changes: a
 * WebSocket stage has no auto-deploy, so without this a changed route would
 * never go live.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api.html
 */
export class WebSocketApi extends Construct {
  /** The API. */
  readonly api: Apigatewayv2Api;
  /** The stage clients connect to. */
  readonly stage: Apigatewayv2Stage;
  /** The stage name, as given. */
  readonly stageName: string;
  /** The stage's access log group, when access logging is on. */
  readonly accessLogGroup?: CloudwatchLogGroup;
  private readonly routes = new Map<string, WebSocketRoute>();
  private authorizer?: Apigatewayv2Authorizer;
  private routeMap?: { readonly entries: IResolvable; readonly resources: WebSocketRouteMap };
  private readonly routeThrottling = new Map<string, ThrottleSettings>();

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    this.stageName = props.stageName;
    this.api = named(
      new Apigatewayv2Api(this, "Api", {
        name: props.apiName,
        description: props.description,
        protocolType: "WEBSOCKET",
        routeSelectionExpression: props.routeSelectionExpression ?? "$request.body.action",
      }),
      "websocket",
    );

    // The stage's deployment: `aws_apigatewayv2_deployment.stage`.
    const deployment = named(new Apigatewayv2Deployment(this, "Deployment", {
      apiId: this.api.id,
      description: "Managed by wsstack; replaced when any route changes.",
      // A flat join rather than jsonencode of objects: no brace stands inside
      // the `${…}` of the HCL, which some scanners' HCL parsers cannot read.
      triggers: { redeployment: Lazy.stringValue({ produce: () => Fn.sha1(Fn.join(",", this.deploymentFingerprint())) }) },
      lifecycle: { createBeforeDestroy: true },
    }), "stage");

    if (props.accessLog) {
      // Ours, so it has a retention: a group API Gateway made itself would keep logs forever.
      this.accessLogGroup = named(
        new CloudwatchLogGroup(this, "AccessLogGroup", {
          name: props.accessLog.logGroupName,
          retentionInDays: props.accessLog.retentionInDays,
          kmsKeyId: props.accessLog.kmsKeyId,
        }),
        "access_log",
      );
    }

    this.stage = named(new Apigatewayv2Stage(this, "Stage", {
      apiId: this.api.id,
      name: props.stageName,
      deploymentId: deployment.id,
      description: "Stage clients connect to.",
      defaultRouteSettings: {
        // Data trace would log whole messages, sign-in tokens and chat text included.
        dataTraceEnabled: false,
        ...(props.throttling ? { throttlingRateLimit: props.throttling.rateLimit, throttlingBurstLimit: props.throttling.burstLimit } : {}),
      },
      accessLogSettings: this.accessLogGroup ? { destinationArn: this.accessLogGroup.arn, format: ACCESS_LOG_FORMAT } : undefined,
      dependsOn: props.accessLog?.dependsOn,
    }), "stage");
  }

  /** `wss://…/<stage>`: what clients connect to. */
  get webSocketUrl(): string {
    return this.stage.invokeUrl;
  }

  /** `https://…/<stage>/@connections`: where a backend posts to a connection. */
  get connectionUrl(): string {
    return `${Fn.replace(this.stage.invokeUrl, "wss://", "https://")}/@connections`;
  }

  /**
   * Routes `routeKey` to a Lambda proxy integration of `fn`, and lets API
   * Gateway invoke `fn` for this route on this stage only.
   */
  addLambdaRoute(routeKey: string, fn: BundledFunction, options: WebSocketRouteOptions = {}): WebSocketRoute {
    this.validateRouteKey(routeKey, options.twoWay ?? false);
    const id = routeId(routeKey);
    const name = options.name ?? terraformName(routeKey);
    const integration = named(
      new Apigatewayv2Integration(this, `${id}Integration`, {
        apiId: this.api.id,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: fn.function.invokeArn,
        description: `${routeKey} → ${fn.node.id}`,
      }),
      name,
    );
    const { route, routeResponse } = this.addRouteTo(routeKey, name, integration, options.twoWay ?? false);
    const permission = named(new LambdaPermission(this, `${id}Permission`, {
      statementId: "AllowApiGatewayInvoke",
      action: "lambda:InvokeFunction",
      functionName: fn.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/${this.stageName}/${routeKey}`,
    }), name);
    return this.remember(routeKey, { route, integration, permission, routeResponse });
  }

  /**
   * Routes `routeKey` to a MOCK integration that API Gateway answers itself
   * with `responseTemplate`: a two-way route with no Lambda behind it, e.g. a
   * keepalive ping.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mock-integration.html
   */
  addMockRoute(routeKey: string, responseTemplate: string, options: Pick<WebSocketRouteOptions, "name"> = {}): WebSocketRoute {
    this.validateRouteKey(routeKey, true);
    const id = routeId(routeKey);
    const name = options.name ?? terraformName(routeKey);
    const integration = named(new Apigatewayv2Integration(this, `${id}Integration`, {
      apiId: this.api.id,
      integrationType: "MOCK",
      // `\$default` is the static key "$default": every request uses the one template.
      templateSelectionExpression: "\\$default",
      requestTemplates: { $default: '{"statusCode": 200}' },
      description: `${routeKey} → mock`,
    }), name);
    const integrationResponse = named(new Apigatewayv2IntegrationResponse(this, `${id}IntegrationResponse`, {
      apiId: this.api.id,
      integrationId: integration.id,
      integrationResponseKey: "$default",
      templateSelectionExpression: "\\$default",
      responseTemplates: { $default: responseTemplate },
    }), name);
    const { route, routeResponse } = this.addRouteTo(routeKey, name, integration, true);
    return this.remember(routeKey, { route, integration, routeResponse, integrationResponse });
  }

  /**
   * Routes every entry of a Terraform map, route key → `{ function_name,
   * invoke_arn, two_way }` ({@link ROUTE_MAP_ENTRY_TYPE}), to that entry's
   * own Lambda function, wired as {@link addLambdaRoute} wires one: an
   * AWS_PROXY integration, a route with no authorization (a WebSocket API
   * authorizes `$connect` alone), an invoke permission scoped to this stage
   * and route, and for two-way entries a `$default` route response. The map
   * is known at plan time only (e.g. a module variable), so each resource is
   * one `for_each` over it, and its keys cannot be checked here: validate the
   * variable against the other route keys (ChatStack does).
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-routes-integrations.html
   */
  addLambdaRouteMap(entries: IResolvable): WebSocketRouteMap {
    if (this.routeMap) throw new InvalidRouteKeyError("This API already has a route map; put every route in the one map.");
    const each = TerraformIterator.fromMap(entries);
    const integration = new Apigatewayv2Integration(this, "RouteMapIntegration", {
      forEach: each,
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      integrationUri: each.getString("invoke_arn"),
      description: `${each.key} → ${each.getString("function_name")}`,
    });
    integration.overrideLogicalId(ROUTE_MAP_LOGICAL_ID);
    const route = new Apigatewayv2Route(this, "RouteMapRoute", {
      forEach: each,
      apiId: this.api.id,
      routeKey: each.key,
      target: `integrations/${eachInstance(integration, "id")}`,
      routeResponseSelectionExpression: Token.asString(Fn.conditional(each.getBoolean("two_way"), "$default", Token.nullValue())),
    });
    route.overrideLogicalId(ROUTE_MAP_LOGICAL_ID);
    const permission = new LambdaPermission(this, "RouteMapPermission", {
      forEach: each,
      // A prefix, not a fixed id: one function may serve several keys, or the same key of several APIs.
      statementIdPrefix: "AllowApiGatewayInvoke-",
      action: "lambda:InvokeFunction",
      functionName: each.getString("function_name"),
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/${this.stageName}/${each.key}`,
    });
    permission.overrideLogicalId(ROUTE_MAP_LOGICAL_ID);
    // The two-way entries only: a `for` expression with a filter, written out (cdktf has no builder for one).
    const twoWay = TerraformIterator.fromMap(Token.asAnyMap(`\${{ for key, entry in ${Token.asString(entries)} : key => entry if entry.two_way }}`));
    const routeResponse = new Apigatewayv2RouteResponse(this, "RouteMapRouteResponse", {
      forEach: twoWay,
      apiId: this.api.id,
      routeId: eachInstance(route, "id"),
      routeResponseKey: "$default",
    });
    routeResponse.overrideLogicalId(ROUTE_MAP_LOGICAL_ID);
    const resources = { integration, route, permission, routeResponse };
    this.routeMap = { entries, resources };
    return resources;
  }

  private validateRouteKey(routeKey: string, twoWay: boolean): void {
    if (Token.isUnresolved(routeKey)) return;
    if (routeKey.startsWith("$") && !PREDEFINED_ROUTE_KEYS.has(routeKey)) {
      throw new InvalidRouteKeyError(`Route keys starting with '$' are reserved; only $connect, $disconnect and $default may be used, got '${routeKey}'.`);
    }
    if (this.routes.has(routeKey)) {
      throw new InvalidRouteKeyError(`Route '${routeKey}' is already defined on this API.`);
    }
    if (routeKey === "$connect" && twoWay) {
      // API Gateway accepts it but never sends a $connect route response frame.
      throw new InvalidRouteKeyError("A $connect route cannot be two-way: API Gateway sends no frame from $connect.");
    }
  }

  private addRouteTo(routeKey: string, name: string, integration: Apigatewayv2Integration, twoWay: boolean) {
    const id = routeId(routeKey);
    const route = named(
      new Apigatewayv2Route(this, `${id}Route`, {
        apiId: this.api.id,
        routeKey,
        target: `integrations/${integration.id}`,
        routeResponseSelectionExpression: twoWay ? "$default" : undefined,
      }),
      name,
    );
    const routeResponse = twoWay
      ? named(
          new Apigatewayv2RouteResponse(this, `${id}RouteResponse`, {
            apiId: this.api.id,
            routeId: route.id,
            routeResponseKey: "$default",
          }),
          name,
        )
      : undefined;
    return { route, routeResponse };
  }

  private remember(routeKey: string, route: WebSocketRoute): WebSocketRoute {
    this.routes.set(routeKey, route);
    return route;
  }

  /**
   * Puts a Lambda REQUEST authorizer in front of `$connect`, the only route a
   * WebSocket API can authorize; it guards every connection and so the whole API.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
   */
  addRequestAuthorizer(fn: BundledFunction, options: RequestAuthorizerOptions): Apigatewayv2Authorizer {
    const connect = this.routes.get("$connect");
    if (!connect) {
      throw new InvalidRouteKeyError("You can only set a WebSocket authorizer on a $connect route; add the $connect route first.");
    }
    if (options.identitySources.length === 0) {
      throw new InvalidRouteKeyError("A REQUEST authorizer needs at least one identity source.");
    }
    // Named as its function: `aws_apigatewayv2_authorizer.authorizer`, `aws_lambda_permission.authorizer`.
    const authorizer = named(new Apigatewayv2Authorizer(this, "Authorizer", {
      apiId: this.api.id,
      name: options.name,
      authorizerType: "REQUEST",
      authorizerUri: fn.function.invokeArn,
      identitySources: [...options.identitySources],
    }), fn.addressName);
    named(new LambdaPermission(this, "AuthorizerPermission", {
      statementId: "AllowApiGatewayAuthorizer",
      action: "lambda:InvokeFunction",
      functionName: fn.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/authorizers/${authorizer.id}`,
    }), fn.addressName);
    const enabled = options.enabled ?? true;
    if (typeof enabled === "boolean") {
      connect.route.authorizationType = enabled ? "CUSTOM" : "NONE";
      if (enabled) connect.route.authorizerId = authorizer.id;
    } else {
      connect.route.authorizationType = Fn.conditional(enabled, "CUSTOM", "NONE");
      connect.route.authorizerId = Fn.conditional(enabled, authorizer.id, Token.nullValue());
    }
    this.authorizer = authorizer;
    return authorizer;
  }

  /** Whether `routeKey` has been added. */
  hasRoute(routeKey: string): boolean {
    return this.routes.has(routeKey);
  }

  /**
   * Gives one route its own throttling on the stage (`route_settings`), e.g.
   * a lower rate of new connections on `$connect` than of messages. The route
   * must exist first: API Gateway refuses settings for an unknown route key,
   * so the stage is made to wait for it.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-protect.html
   */
  throttleRoute(routeKey: string, throttling: ThrottleSettings): void {
    const route = this.routes.get(routeKey);
    if (!route) {
      throw new InvalidRouteKeyError(`Route '${routeKey}' must be added before it can be throttled.`);
    }
    if (this.routeThrottling.has(routeKey)) {
      throw new InvalidRouteKeyError(`Route '${routeKey}' is already throttled on this stage.`);
    }
    this.routeThrottling.set(routeKey, throttling);
    this.stage.putRouteSettings(
      [...this.routeThrottling.entries()].map(([key, t]) => ({
        routeKey: key,
        dataTraceEnabled: false,
        throttlingRateLimit: t.rateLimit,
        throttlingBurstLimit: t.burstLimit,
      })),
    );
    this.stage.dependsOn = [...(this.stage.dependsOn ?? []), dependable(route.route)];
  }

  /**
   * Lets `fn` post to connections on this stage, and nothing else: not other
   * stages, not GET or DELETE of a connection.
   */
  grantPostToConnections(fn: BundledFunction): void {
    fn.grant({
      actions: ["execute-api:ManageConnections"],
      resources: [`${this.api.executionArn}/${this.stageName}/POST/@connections/*`],
    });
  }

  // Everything whose change must produce a new deployment, as one flat list
  // of strings (a changed integration URI keeps the integration's id, so ids
  // alone would miss it).
  private deploymentFingerprint(): string[] {
    const parts: string[] = [];
    if (this.authorizer) parts.push(this.authorizer.authorizerUri, Fn.join(" ", this.authorizer.identitySources));
    for (const [key, r] of this.routes) {
      parts.push(
        key,
        r.route.target,
        r.route.authorizationType,
        r.integrationResponse ? Fn.jsonencode(r.integrationResponse.responseTemplates) : r.integration.integrationUri,
      );
      if (r.routeResponse) parts.push(r.routeResponse.id);
    }
    if (this.routeMap) {
      // The map itself (keys, functions, two-way), and the instances' ids, so
      // the deployment waits for them and follows their replacement.
      const { entries, resources } = this.routeMap;
      const mapParts = [
        Fn.jsonencode(entries),
        Fn.join(" ", Token.asList(TerraformIterator.fromResources(resources.route).pluckProperty("id"))),
        Fn.join(" ", Token.asList(TerraformIterator.fromResources(resources.routeResponse).pluckProperty("id"))),
      ];
      // None while the map is empty: the fingerprint, and so the deployment,
      // stay what they were before route maps existed (an upgrade redeploys nothing).
      // `>= 1`, not `== 0`: cdktf's HCL renderer turns a literal 0 into `undefined`.
      return Token.asList(Fn.concat([parts, Fn.conditional(Op.gte(Fn.lengthOf(entries), 1), mapParts, [])]));
    }
    return parts;
  }
}

/** A route key API Gateway would refuse, or a duplicate. */
export class InvalidRouteKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRouteKeyError";
  }
}

// `type.name[each.key].attribute`: the instance of a for_each resource that
// belongs to the current entry of another resource's for_each over the same keys.
function eachInstance(resource: TerraformResource, attribute: string): string {
  return `\${${resource.terraformResourceType}.${resource.friendlyUniqueId}[each.key].${attribute}}`;
}

// `<type>.<name>`, moved from the id cdktf generated before addresses were readable.
function named<T extends TerraformResource>(resource: T, name: string): T {
  return readableAddress(resource, name, { movedFromGeneratedId: true });
}

// Stable construct ids from route keys: `$connect` → `Connect`, `onMessage` → `OnMessage`.
function routeId(routeKey: string): string {
  const words = routeKey.replace(/^\$/, "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("") || "Route";
}
