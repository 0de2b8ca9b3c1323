import { UnsupportedConfigurationError } from "./errors.ts";
import type { MockIntegrationPlan } from "./plan.ts";

/**
 * MOCK integrations: API Gateway answers by itself. The request template
 * (usually `{"statusCode": 200}`) gives the status; the integration response
 * whose key matches it (`/2\d\d/` or `$default`) gives the text sent back on
 * a two-way route.
 *
 * Templates are literal text plus a small subset of VTL: `$context.<name>`,
 * `${context.<name>}` (including `identity.sourceIp`) and `$input.body`. Any
 * other variable or any `#` directive is refused when the emulator starts,
 * rather than sent out half-rendered.
 */

export type TemplateVariables = Readonly<Record<string, string | number | undefined>>;

const VARIABLE = /\$(?:\{((?:context|input)\.[A-Za-z0-9_.]+)\}|((?:context|input)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*))/g;
const SUPPORTED = new Set([
  "context.connectionId",
  "context.requestId",
  "context.extendedRequestId",
  "context.messageId",
  "context.routeKey",
  "context.eventType",
  "context.stage",
  "context.apiId",
  "context.domainName",
  "context.connectedAt",
  "context.requestTimeEpoch",
  "context.requestTime",
  "context.identity.sourceIp",
  "context.identity.userAgent",
  "input.body",
]);

/** Throws when a template uses VTL the emulator does not render. */
export function checkTemplate(template: string, address: string, argument: string): void {
  if (/^\s*#(set|if|foreach|else|end|macro|define|parse|include|stop)\b/m.test(template)) {
    throw new UnsupportedConfigurationError(address, argument, `${argument} uses VTL directives (#set, #if, ...), which the emulator does not support`);
  }
  // Every VTL reference ($name, ${name}, $name.call(...)) must be one the renderer knows.
  for (const match of template.matchAll(/\$!?\{?([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*)/g)) {
    const name = match[1]!;
    if (!SUPPORTED.has(name)) {
      throw new UnsupportedConfigurationError(address, argument, `${argument} uses $${name}, which the emulator does not support (supported: ${[...SUPPORTED].map((v) => `$${v}`).join(", ")})`);
    }
  }
}

export function checkMockIntegration(plan: MockIntegrationPlan): void {
  if (plan.requestTemplate !== undefined) checkTemplate(plan.requestTemplate, plan.address, "request_templates");
  for (const response of plan.responses) {
    if (response.template !== undefined) checkTemplate(response.template, response.address, "response_templates");
  }
}

export function renderTemplate(template: string, variables: TemplateVariables): string {
  return template.replace(VARIABLE, (_all, braced: string | undefined, bare: string | undefined) => {
    const value = variables[braced ?? bare!];
    return value === undefined ? "" : String(value);
  });
}

export interface MockAnswer {
  readonly statusCode: number;
  /** The rendered response template, or undefined when no integration response matches. */
  readonly body?: string;
}

/** Runs a MOCK integration; throws SyntaxError when the request template does not render to JSON. */
export function answerMock(plan: MockIntegrationPlan, variables: TemplateVariables): MockAnswer {
  let statusCode = 200;
  if (plan.requestTemplate !== undefined && plan.requestTemplate.trim() !== "") {
    const parsed = JSON.parse(renderTemplate(plan.requestTemplate, variables)) as { statusCode?: unknown };
    if (parsed !== null && typeof parsed === "object" && parsed.statusCode !== undefined) statusCode = Number(parsed.statusCode);
  }
  const status = String(statusCode);
  const byPattern = plan.responses.find((r) => r.key.length > 2 && r.key.startsWith("/") && r.key.endsWith("/") && new RegExp(`^(?:${r.key.slice(1, -1)})$`).test(status));
  const response = byPattern ?? plan.responses.find((r) => r.key === "$default");
  return { statusCode, body: response?.template === undefined ? undefined : renderTemplate(response.template, variables) };
}
