import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api/index.js";
import { Apigatewayv2Authorizer } from "@cdktf/provider-aws/lib/apigatewayv2-authorizer/index.js";
import { Apigatewayv2Deployment } from "@cdktf/provider-aws/lib/apigatewayv2-deployment/index.js";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration/index.js";
import { Apigatewayv2IntegrationResponse } from "@cdktf/provider-aws/lib/apigatewayv2-integration-response/index.js";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route/index.js";
import { Apigatewayv2RouteResponse } from "@cdktf/provider-aws/lib/apigatewayv2-route-response/index.js";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage/index.js";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission/index.js";
import { Fn, Lazy, Token, type IResolvable } from "cdktf";
import { Construct } from "constructs";
import type { BundledFunction } from "./bundled-function.ts";

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
}

/** Options for {@link WebSocketApi.addLambdaRoute}. */
export interface WebSocketRouteOptions {
  /**
   * Give the route a `$default` route response, so the handler's `body`
   * reaches the caller in the context of its message.
   * @default false
   */
  readonly twoWay?: boolean;
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

const PREDEFINED_ROUTE_KEYS = new Set(["$connect", "$disconnect", "$default"]);

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
  private readonly routes = new Map<string, WebSocketRoute>();
  private authorizer?: Apigatewayv2Authorizer;

  constructor(scope: Construct, id: string, props: WebSocketApiProps) {
    super(scope, id);
    this.stageName = props.stageName;
    this.api = new Apigatewayv2Api(this, "Api", {
      name: props.apiName,
      description: props.description,
      protocolType: "WEBSOCKET",
      routeSelectionExpression: props.routeSelectionExpression ?? "$request.body.action",
    });

    const deployment = new Apigatewayv2Deployment(this, "Deployment", {
      apiId: this.api.id,
      description: "Managed by wsstack; replaced when any route changes.",
      triggers: { redeployment: Lazy.stringValue({ produce: () => Fn.sha1(Fn.jsonencode(this.deploymentFingerprint())) }) },
      lifecycle: { createBeforeDestroy: true },
    });

    this.stage = new Apigatewayv2Stage(this, "Stage", {
      apiId: this.api.id,
      name: props.stageName,
      deploymentId: deployment.id,
      description: "Stage clients connect to.",
    });
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
    const integration = new Apigatewayv2Integration(this, `${id}Integration`, {
      apiId: this.api.id,
      integrationType: "AWS_PROXY",
      integrationMethod: "POST",
      integrationUri: fn.function.invokeArn,
      description: `${routeKey} → ${fn.node.id}`,
    });
    const { route, routeResponse } = this.addRouteTo(routeKey, integration, options.twoWay ?? false);
    const permission = new LambdaPermission(this, `${id}Permission`, {
      statementId: "AllowApiGatewayInvoke",
      action: "lambda:InvokeFunction",
      functionName: fn.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/${this.stageName}/${routeKey}`,
    });
    return this.remember(routeKey, { route, integration, permission, routeResponse });
  }

  /**
   * Routes `routeKey` to a MOCK integration that API Gateway answers itself
   * with `responseTemplate`: a two-way route with no Lambda behind it, e.g. a
   * keepalive ping.
   *
   * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-mock-integration.html
   */
  addMockRoute(routeKey: string, responseTemplate: string): WebSocketRoute {
    this.validateRouteKey(routeKey, true);
    const id = routeId(routeKey);
    const integration = new Apigatewayv2Integration(this, `${id}Integration`, {
      apiId: this.api.id,
      integrationType: "MOCK",
      // `\$default` is the static key "$default": every request uses the one template.
      templateSelectionExpression: "\\$default",
      requestTemplates: { $default: '{"statusCode": 200}' },
      description: `${routeKey} → mock`,
    });
    const integrationResponse = new Apigatewayv2IntegrationResponse(this, `${id}IntegrationResponse`, {
      apiId: this.api.id,
      integrationId: integration.id,
      integrationResponseKey: "$default",
      templateSelectionExpression: "\\$default",
      responseTemplates: { $default: responseTemplate },
    });
    const { route, routeResponse } = this.addRouteTo(routeKey, integration, true);
    return this.remember(routeKey, { route, integration, routeResponse, integrationResponse });
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

  private addRouteTo(routeKey: string, integration: Apigatewayv2Integration, twoWay: boolean) {
    const id = routeId(routeKey);
    const route = new Apigatewayv2Route(this, `${id}Route`, {
      apiId: this.api.id,
      routeKey,
      target: `integrations/${integration.id}`,
      routeResponseSelectionExpression: twoWay ? "$default" : undefined,
    });
    const routeResponse = twoWay
      ? new Apigatewayv2RouteResponse(this, `${id}RouteResponse`, {
          apiId: this.api.id,
          routeId: route.id,
          routeResponseKey: "$default",
        })
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
    const authorizer = new Apigatewayv2Authorizer(this, "Authorizer", {
      apiId: this.api.id,
      name: options.name,
      authorizerType: "REQUEST",
      authorizerUri: fn.function.invokeArn,
      identitySources: [...options.identitySources],
    });
    new LambdaPermission(this, "AuthorizerPermission", {
      statementId: "AllowApiGatewayAuthorizer",
      action: "lambda:InvokeFunction",
      functionName: fn.function.functionName,
      principal: "apigateway.amazonaws.com",
      sourceArn: `${this.api.executionArn}/authorizers/${authorizer.id}`,
    });
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

  // Everything whose change must produce a new deployment.
  private deploymentFingerprint(): unknown[] {
    const authorizer = this.authorizer ? [{ authorizer: this.authorizer.authorizerUri, sources: this.authorizer.identitySources }] : [];
    return [...authorizer, ...[...this.routes.entries()].map(([key, r]) => ({
      key,
      target: r.route.target,
      authorization: r.route.authorizationType,
      integration: r.integrationResponse ? r.integrationResponse.responseTemplates : r.integration.integrationUri,
      response: r.routeResponse?.id ?? null,
    }))];
  }
}

/** A route key API Gateway would refuse, or a duplicate. */
export class InvalidRouteKeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidRouteKeyError";
  }
}

// Stable construct ids from route keys: `$connect` → `Connect`, `onMessage` → `OnMessage`.
function routeId(routeKey: string): string {
  const words = routeKey.replace(/^\$/, "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("") || "Route";
}
