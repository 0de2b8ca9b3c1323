import type { WebSocket } from "ws";
import { authorizerContext, decideAuthorization, identitySourcesPresent } from "./authorizer.ts";
import { Connection, type ConnectionRegistry } from "./connections.ts";
import { describeError, IntegrationTimeoutError } from "./errors.ts";
import {
  buildAuthorizerEvent,
  buildConnectEvent,
  buildDisconnectEvent,
  buildMessageEvent,
  formatRequestTime,
  type ApiFacts,
  type ConnectionFacts,
  type HandshakeFacts,
} from "./events.ts";
import { errorFrame, type GatewayErrorMessage } from "./frames.ts";
import { newAwsId } from "./ids.ts";
import type { Invoker } from "./invoker.ts";
import { answerMock, type TemplateVariables } from "./mock-integration.ts";
import type { GatewayOptions } from "./options.ts";
import { DEFAULT_INTEGRATION_TIMEOUT_MS, type EmulatorPlan, type IntegrationPlan, type MockIntegrationPlan, type RoutePlan } from "./plan.ts";
import { parseProxyResponse, responseHeader } from "./proxy-response.ts";
import { RouteSelector } from "./router.ts";
import type { StageThrottle } from "./throttle.ts";

/**
 * API Gateway's side of a WebSocket API: what `$connect` decides, where a
 * message goes and what the caller gets back, and the `$disconnect` that
 * follows a close. The server (sockets, HTTP) and the management API call in
 * here; nothing in this file touches a socket except through `Connection`.
 */

export interface GatewayDependencies {
  readonly plan: EmulatorPlan;
  readonly invoker: Invoker;
  readonly options: GatewayOptions;
  readonly api: ApiFacts;
  readonly connections: ConnectionRegistry;
  readonly log: (line: string) => void;
  /** The stage's token buckets; undefined when throttling is off. */
  readonly throttle?: StageThrottle;
}

/** The client's handshake, as the gateway needs it. */
export interface HandshakeRequest extends HandshakeFacts {
  readonly sourceIp: string;
  readonly userAgent?: string;
  header(name: string): string | undefined;
  query(name: string): string | undefined;
}

export type AdmitOutcome =
  | { readonly accepted: true; readonly facts: ConnectionFacts; readonly protocol?: string }
  | { readonly accepted: false; readonly status: number; readonly facts: ConnectionFacts; readonly throttled?: true };

export class Gateway {
  private readonly selector: RouteSelector;
  private readonly pendingDisconnects = new Set<Promise<void>>();

  constructor(private readonly deps: GatewayDependencies) {
    this.selector = new RouteSelector(deps.plan.api.routeSelectionExpression, new Set(deps.plan.routes.keys()));
  }

  /** Runs the authorizer and `$connect`; the handshake waits for this. */
  async admit(request: HandshakeRequest): Promise<AdmitOutcome> {
    const base: ConnectionFacts = {
      connectionId: newAwsId(),
      connectedAt: Date.now(),
      sourceIp: request.sourceIp,
      userAgent: request.userAgent,
    };
    // Throttling comes first: a throttled handshake reaches neither the authorizer nor $connect.
    if (this.deps.throttle?.take("$connect") === false) {
      this.deps.log(`$connect throttled (stage ${this.deps.api.stage} route settings) → 429`);
      return { accepted: false, status: 429, facts: base, throttled: true };
    }
    const route = this.deps.plan.routes.get("$connect");
    let facts = base;
    if (route?.authorizer !== undefined) {
      const authorizer = route.authorizer;
      const present = identitySourcesPresent(authorizer.identitySources, {
        header: (name) => request.header(name),
        query: (name) => request.query(name),
        stageVariables: this.deps.api.stageVariables,
        context: { connectionId: base.connectionId, stage: this.deps.api.stage, apiId: this.deps.api.apiId, identity: { sourceIp: base.sourceIp } },
      });
      if (!present) {
        this.deps.log(`$connect authorizer skipped: an identity source is missing → 401`);
        return { accepted: false, status: 401, facts };
      }
      const event = buildAuthorizerEvent(this.deps.api, base, request, { requestId: newAwsId(), now: Date.now() });
      const started = Date.now();
      const result = await this.invokeLambda("$connect (authorizer)", authorizer.functionAddress, this.integrationTimeout(route.integration), event).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      );
      const decision = decideAuthorization(result, event.methodArn);
      if (!decision.allowed) {
        this.deps.log(`$connect authorizer: ${decision.why} → ${decision.status}`);
        return { accepted: false, status: decision.status, facts };
      }
      facts = {
        ...base,
        authorizer: authorizerContext(decision.principalId, decision.context, Date.now() - started, this.deps.options.stringifyAuthorizerContext),
      };
    }
    const integration = route?.integration;
    if (integration === undefined) return { accepted: true, facts };
    const invocation = { requestId: newAwsId(), now: Date.now() };
    if (integration.kind === "mock") {
      const status = this.runMock(integration, this.templateVariables(facts, "$connect", "CONNECT", invocation.requestId)).statusCode;
      return status >= 200 && status < 300 ? { accepted: true, facts } : { accepted: false, status: validStatus(status) ?? 500, facts };
    }
    const event = buildConnectEvent(this.deps.api, facts, request, invocation);
    let value: unknown;
    try {
      value = await this.invokeLambda("$connect", integration.functionAddress, this.integrationTimeout(integration), event);
    } catch (error) {
      const status = error instanceof IntegrationTimeoutError ? this.deps.options.connectTimeoutStatus : 502;
      return { accepted: false, status, facts };
    }
    let status: number | undefined;
    let protocol: string | undefined;
    try {
      const response = parseProxyResponse(value);
      status = response.statusCode;
      protocol = responseHeader(response, "Sec-WebSocket-Protocol");
    } catch (error) {
      this.deps.log(`$connect: ${describeError(error)} → ${this.deps.options.connectMalformedStatus}`);
      return { accepted: false, status: this.deps.options.connectMalformedStatus, facts };
    }
    if (status === undefined || validStatus(status) === undefined) {
      this.deps.log(`$connect: no usable statusCode → ${this.deps.options.connectMalformedStatus}`);
      return { accepted: false, status: this.deps.options.connectMalformedStatus, facts };
    }
    if (status >= 200 && status < 300) return { accepted: true, facts, protocol };
    return { accepted: false, status, facts };
  }

  /** The handshake completed: the connection is usable through `@connections` from now on. */
  open(ws: WebSocket, facts: ConnectionFacts): Connection {
    const connection = new Connection(ws, facts, {
      idleTimeoutMs: this.deps.options.idleTimeoutMs,
      maxConnectionMs: this.deps.options.maxConnectionMs,
      onExpired: (expired) => expired.close(this.deps.options.timeoutCloseCode, this.deps.options.timeoutCloseReason),
    });
    this.deps.connections.add(connection);
    return connection;
  }

  /** A text frame arrived: select a route, run it, and answer as API Gateway would. */
  async message(connection: Connection, text: string): Promise<void> {
    connection.touch();
    const requestId = newAwsId();
    const routeKey = this.selector.select(text);
    if (routeKey === undefined) {
      this.deps.log(`message on ${connection.id}: no route matches and there is no $default → Forbidden`);
      this.sendError(connection, "Forbidden", requestId);
      return;
    }
    if (this.deps.throttle?.take(routeKey) === false) {
      this.deps.log(`${routeKey} on ${connection.id} throttled (stage ${this.deps.api.stage} route settings); integration not invoked`);
      if (this.deps.options.throttledMessageFrame) this.sendError(connection, "Too Many Requests", requestId);
      return;
    }
    const route = this.deps.plan.routes.get(routeKey)!;
    const integration = route.integration!;
    const messageId = newAwsId();
    if (integration.kind === "mock") {
      let answer: { body?: string };
      try {
        answer = this.runMock(integration, { ...this.templateVariables(connection.facts, routeKey, "MESSAGE", requestId), "context.messageId": messageId, "input.body": text });
      } catch (error) {
        this.deps.log(`${routeKey} (MOCK): ${describeError(error)}`);
        this.sendError(connection, "Internal server error", requestId);
        return;
      }
      if (route.twoWay && answer.body !== undefined) this.reply(connection, answer.body);
      return;
    }
    const event = buildMessageEvent(this.deps.api, connection.facts, { requestId, now: Date.now() }, routeKey, messageId, text);
    let value: unknown;
    try {
      value = await this.invokeLambda(routeKey, integration.functionAddress, this.integrationTimeout(integration), event);
    } catch (error) {
      this.sendError(connection, error instanceof IntegrationTimeoutError ? "Endpoint request timed out" : "Internal server error", requestId);
      return;
    }
    let body: string | undefined;
    try {
      body = parseProxyResponse(value).body;
    } catch (error) {
      this.deps.log(`${routeKey}: ${describeError(error)}`);
      this.sendError(connection, "Internal server error", requestId);
      return;
    }
    this.respond(route, connection, body);
  }

  /** The socket closed (any cause): forget the connection and run `$disconnect`, best-effort. */
  disconnected(connection: Connection, code: number, reason: string): Promise<void> {
    connection.closed();
    this.deps.connections.remove(connection);
    const cause = connection.closeCause ?? { code, reason };
    const done = this.runDisconnect(connection.facts, cause.code, cause.reason);
    this.pendingDisconnects.add(done);
    void done.finally(() => this.pendingDisconnects.delete(done));
    return done;
  }

  /** `$disconnect` for a handshake that `$connect` rejected, when that option is on. */
  rejected(facts: ConnectionFacts): Promise<void> {
    if (!this.deps.options.disconnectAfterRejectedConnect) return Promise.resolve();
    return this.runDisconnect(facts, 1006, "");
  }

  /** Resolves when running `$disconnect`s have finished or `deadlineMs` passed. */
  async drainDisconnects(deadlineMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.pendingDisconnects]),
      new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs))),
    ]);
    clearTimeout(timer);
  }

  private async runDisconnect(facts: ConnectionFacts, code: number, reason: string): Promise<void> {
    const integration = this.deps.plan.routes.get("$disconnect")?.integration;
    if (integration === undefined || integration.kind !== "lambda") return;
    const event = buildDisconnectEvent(this.deps.api, facts, { requestId: newAwsId(), now: Date.now() }, code, reason);
    try {
      const value = await this.invokeLambda("$disconnect", integration.functionAddress, this.integrationTimeout(integration), event);
      parseProxyResponse(value);
    } catch (error) {
      // The result of $disconnect is ignored by API Gateway; it only shows up in logs.
      this.deps.log(`$disconnect for ${facts.connectionId}: ${describeError(error)} (ignored)`);
    }
  }

  private respond(route: RoutePlan, connection: Connection, body: string | undefined): void {
    if (!route.twoWay) return; // one-way: the result never reaches the client
    if (body !== undefined) this.reply(connection, body);
    else if (this.deps.options.emptyBodyFrame) this.reply(connection, "");
  }

  private reply(connection: Connection, text: string): void {
    connection.send(text, false, this.deps.options.outboundFrameBytes);
  }

  private sendError(connection: Connection, message: GatewayErrorMessage, requestId: string): void {
    connection.send(errorFrame(message, connection.id, requestId), false, 0);
  }

  private integrationTimeout(integration: IntegrationPlan | undefined): number {
    return this.deps.options.integrationTimeoutMs ?? integration?.timeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS;
  }

  /** One Lambda call with API Gateway's timeout around it, logged as one line. */
  private async invokeLambda(label: string, functionAddress: string, timeoutMs: number, event: unknown): Promise<unknown> {
    const functionName = this.deps.plan.functions.get(functionAddress)?.functionName ?? functionAddress;
    const started = Date.now();
    const invocation = this.deps.invoker.invoke(functionAddress, event);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new IntegrationTimeoutError(timeoutMs)), timeoutMs);
    });
    try {
      const value = await Promise.race([invocation, timeout]);
      const status = value !== null && typeof value === "object" && "statusCode" in value ? String((value as { statusCode: unknown }).statusCode) : "ok";
      this.deps.log(`${label} → ${functionName} ${Date.now() - started} ms ${status}`);
      return value;
    } catch (error) {
      this.deps.log(`${label} → ${functionName} ${Date.now() - started} ms error: ${describeError(error)}`);
      if (error instanceof IntegrationTimeoutError) {
        // The function keeps running, as on AWS; its late outcome is only logged.
        invocation.then(
          () => this.deps.log(`${label} → ${functionName} finished after the integration timed out`),
          (late: unknown) => this.deps.log(`${label} → ${functionName} failed after the integration timed out: ${describeError(late)}`),
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private runMock(integration: MockIntegrationPlan, variables: TemplateVariables) {
    const answer = answerMock(integration, variables);
    this.deps.log(`MOCK ${integration.address} → ${answer.statusCode}`);
    return answer;
  }

  private templateVariables(facts: ConnectionFacts, routeKey: string, eventType: string, requestId: string): Record<string, string | number | undefined> {
    const now = Date.now();
    return {
      "context.connectionId": facts.connectionId,
      "context.requestId": requestId,
      "context.extendedRequestId": requestId,
      "context.routeKey": routeKey,
      "context.eventType": eventType,
      "context.stage": this.deps.api.stage,
      "context.apiId": this.deps.api.apiId,
      "context.domainName": this.deps.api.domainName,
      "context.connectedAt": facts.connectedAt,
      "context.requestTimeEpoch": now,
      "context.requestTime": formatRequestTime(now),
      "context.identity.sourceIp": facts.sourceIp,
      "context.identity.userAgent": facts.userAgent,
    };
  }
}

function validStatus(status: number): number | undefined {
  return Number.isInteger(status) && status >= 100 && status <= 599 ? status : undefined;
}

