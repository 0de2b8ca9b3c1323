import { FunctionError } from "./errors.ts";

/**
 * The Lambda REQUEST authorizer on `$connect`, as API Gateway applies it:
 * identity sources are checked before the function is called, and the
 * function's answer becomes an HTTP status or an authorizer context.
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-lambda-auth.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html
 */

export interface IdentityInputs {
  /** Header lookup, case-insensitive. */
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, unknown>>;
}

/** Every identity source must be present and non-empty, otherwise 401 without invoking the authorizer. */
export function identitySourcesPresent(sources: readonly string[], inputs: IdentityInputs): boolean {
  return sources.every((source) => {
    const value = identityValue(source.trim(), inputs);
    return value !== undefined && value !== null && value !== "";
  });
}

function identityValue(source: string, inputs: IdentityInputs): unknown {
  // Identity sources may be written with a leading `$` (`$request.header.Auth`) or without.
  const name = source.replace(/^\$/, "");
  if (name.startsWith("route.request.header.")) return inputs.header(name.slice("route.request.header.".length));
  if (name.startsWith("route.request.querystring.")) return inputs.query(name.slice("route.request.querystring.".length));
  if (name.startsWith("request.header.")) return inputs.header(name.slice("request.header.".length));
  if (name.startsWith("request.querystring.")) return inputs.query(name.slice("request.querystring.".length));
  if (name.startsWith("stageVariables.")) return inputs.stageVariables[name.slice("stageVariables.".length)];
  if (name.startsWith("context.")) {
    let current: unknown = inputs.context;
    for (const key of name.slice("context.".length).split(".")) {
      if (current === null || typeof current !== "object") return undefined;
      current = (current as Record<string, unknown>)[key];
    }
    return current;
  }
  return undefined;
}

export type AuthorizerOutcome =
  | { readonly allowed: true; readonly principalId: string; readonly context: Readonly<Record<string, unknown>> }
  | { readonly allowed: false; readonly status: 401 | 403 | 500; readonly why: string };

/** Turns the authorizer's result (or error) into API Gateway's decision. */
export function decideAuthorization(result: { ok: true; value: unknown } | { ok: false; error: unknown }, methodArn: string): AuthorizerOutcome {
  if (!result.ok) {
    const message = result.error instanceof FunctionError ? result.error.errorMessage : undefined;
    if (message === "Unauthorized") return { allowed: false, status: 401, why: "the authorizer answered Unauthorized" };
    return { allowed: false, status: 500, why: "the authorizer failed" };
  }
  const value = result.value;
  if (value === "Unauthorized") return { allowed: false, status: 401, why: "the authorizer answered Unauthorized" };
  if (value === null || typeof value !== "object") return { allowed: false, status: 500, why: "the authorizer returned no policy" };
  const output = value as { principalId?: unknown; policyDocument?: unknown; context?: unknown };
  const document = output.policyDocument as { Statement?: unknown } | undefined;
  if (document === undefined || document === null || typeof document !== "object" || document.Statement === undefined) {
    return { allowed: false, status: 500, why: "the authorizer's result has no policyDocument.Statement" };
  }
  if (output.context !== undefined && output.context !== null) {
    if (typeof output.context !== "object" || Array.isArray(output.context)) return { allowed: false, status: 500, why: "context is not an object" };
    for (const [key, item] of Object.entries(output.context)) {
      if (item !== null && typeof item === "object") return { allowed: false, status: 500, why: `context.${key} is an object or array` };
    }
  }
  const statements = (Array.isArray(document.Statement) ? document.Statement : [document.Statement]) as Array<Record<string, unknown>>;
  let allowed = false;
  for (const statement of statements) {
    if (statement === null || typeof statement !== "object") continue;
    if (!list(statement.Action).some((action) => matches(action, "execute-api:Invoke"))) continue;
    if (!list(statement.Resource).some((resource) => matches(resource, methodArn))) continue;
    if (statement.Effect === "Deny") return { allowed: false, status: 403, why: "the policy denies the connection" };
    if (statement.Effect === "Allow") allowed = true;
  }
  if (!allowed) return { allowed: false, status: 403, why: "no Allow statement covers the method ARN" };
  return {
    allowed: true,
    principalId: output.principalId === undefined || output.principalId === null ? "" : String(output.principalId),
    context: (output.context as Record<string, unknown> | undefined) ?? {},
  };
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (value === undefined || value === null) return [];
  return [String(value)];
}

/** IAM-style wildcard match: `*` any run, `?` one character; the action's service prefix is case-insensitive. */
function matches(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.split("").map((ch) => (ch === "*" ? ".*" : ch === "?" ? "." : ch.replace(/[.+^${}()|[\]\\]/g, "\\$&"))).join("")}$`, "i");
  return regex.test(value);
}

/**
 * `requestContext.authorizer` for later events: principalId, the authorizer's
 * latency and its context; numbers and booleans become strings by default,
 * as the proxy integration does for REST APIs.
 */
export function authorizerContext(principalId: string, context: Readonly<Record<string, unknown>>, latencyMs: number, stringify: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { principalId, integrationLatency: latencyMs };
  for (const [key, value] of Object.entries(context)) {
    out[key] = stringify && value !== null && value !== undefined ? String(value) : value;
  }
  return out;
}
