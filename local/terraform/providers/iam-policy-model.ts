import { EmulatorError } from "../../errors.ts";
import { isObject } from "../values.ts";

/**
 * An IAM policy document as the AWS provider's `aws_iam_policy_document`
 * holds it, merges it and writes it out: the same key order, the same
 * single-string-or-list choices, the same sorting, and Go's JSON escaping,
 * so a policy's `json` is byte for byte what `terraform plan` computes and
 * hashes (`id`) the same way.
 *
 * @see https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/iam/policy_model.go
 */

/** A principal: its identifiers are one string, or a list (from a list in the configuration or a source document). */
export interface PolicyPrincipal {
  readonly type: string;
  readonly identifiers: string | readonly string[];
}

/** A condition: under `test` (e.g. StringEquals), `variable` (e.g. aws:SourceArn) must match one of the values. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: string | readonly string[];
}

/** A statement. Action and Resource fields keep whatever a source document had (a string, a list, even `[]`); undefined is omitted. */
export interface PolicyStatement {
  readonly sid: string;
  readonly effect: string;
  readonly actions?: unknown;
  readonly notActions?: unknown;
  readonly resources?: unknown;
  readonly notResources?: unknown;
  readonly principals: readonly PolicyPrincipal[];
  readonly notPrincipals: readonly PolicyPrincipal[];
  readonly conditions: readonly PolicyCondition[];
}

/** A whole document; empty Version and Id are left out of the JSON, as Go's `omitempty` leaves them. */
export interface PolicyDocument {
  version: string;
  id: string;
  statements: PolicyStatement[];
}

/** A source or override document the provider could not read, with the reason its Go decoder would give. */
export class PolicyDocumentFormatError extends EmulatorError {}

/**
 * Merges `next` into `into` as the provider does: `next`'s Id replaces ours,
 * its Version replaces ours when it sorts later, and each statement with a Sid
 * replaces ours with the same Sid in place; the others are appended.
 */
export function mergePolicyDocument(into: PolicyDocument, next: PolicyDocument): void {
  if (next.id.length > 0) into.id = next.id;
  if (next.version > into.version) into.version = next.version;
  for (const statement of next.statements) {
    const existing = statement.sid === "" ? -1 : into.statements.findIndex((s) => s.sid === statement.sid);
    if (existing === -1) into.statements.push(statement);
    else into.statements[existing] = statement;
  }
}

/** The provider's choice for a set of strings: one element is a plain string, more are sorted in reverse. */
export function decodeStringSet(items: readonly string[]): string | string[] {
  if (items.length === 1) return items[0]!;
  return [...items].sort(compareBytes).reverse();
}

/**
 * Reads a policy JSON (a `source_policy_documents` or `override_policy_documents`
 * element) with the provider's decoder: field names match case-insensitively
 * as in Go, a string Principal means everyone, Principal lists are sorted,
 * boolean Condition values become "true"/"false" and numeric ones are dropped.
 */
export function parsePolicyDocument(text: string): PolicyDocument {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new PolicyDocumentFormatError(`not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new PolicyDocumentFormatError("a policy document must be a JSON object");
  const fields = goFields(parsed, ["Version", "Id", "Statement"]);
  const statements = fields.Statement;
  if (statements !== undefined && statements !== null && !Array.isArray(statements)) {
    throw new PolicyDocumentFormatError("Statement must be a list of statements (the provider cannot read a single statement object)");
  }
  return {
    version: goString(fields.Version, "Version"),
    id: goString(fields.Id, "Id"),
    statements: ((statements ?? []) as unknown[]).map((statement, index) => parseStatement(statement, index)),
  };
}

function parseStatement(value: unknown, index: number): PolicyStatement {
  if (!isObject(value)) throw new PolicyDocumentFormatError(`Statement[${index}] must be an object`);
  const fields = goFields(value, ["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
  // Go keeps Action and Resource as decoded; JSON null is the same as absent (a nil interface, omitted).
  const raw = (field: unknown) => (field === null ? undefined : field);
  return {
    sid: goString(fields.Sid, `Statement[${index}].Sid`),
    effect: goString(fields.Effect, `Statement[${index}].Effect`),
    actions: raw(fields.Action),
    notActions: raw(fields.NotAction),
    resources: raw(fields.Resource),
    notResources: raw(fields.NotResource),
    principals: parsePrincipals(fields.Principal, `Statement[${index}].Principal`),
    notPrincipals: parsePrincipals(fields.NotPrincipal, `Statement[${index}].NotPrincipal`),
    conditions: parseConditions(fields.Condition, `Statement[${index}].Condition`),
  };
}

function parsePrincipals(value: unknown, where: string): PolicyPrincipal[] {
  if (value === undefined || value === null) return [];
  // Any string, not only "*", is read as "everyone".
  if (typeof value === "string") return [{ type: "*", identifiers: ["*"] }];
  if (!isObject(value)) throw new PolicyDocumentFormatError(`${where} must be "*" or an object`);
  return Object.entries(value).map(([type, identifiers]) => {
    if (typeof identifiers === "string") return { type, identifiers };
    if (Array.isArray(identifiers) && identifiers.every((item) => typeof item === "string")) return { type, identifiers: [...identifiers].sort(compareBytes) };
    throw new PolicyDocumentFormatError(`${where}.${type} must be a string or a list of strings`);
  });
}

function parseConditions(value: unknown, where: string): PolicyCondition[] {
  if (value === undefined || value === null) return [];
  if (!isObject(value)) throw new PolicyDocumentFormatError(`${where} must be an object`);
  const out: PolicyCondition[] = [];
  for (const [test, variables] of Object.entries(value)) {
    if (variables === null) continue;
    if (!isObject(variables)) throw new PolicyDocumentFormatError(`${where}.${test} must be an object`);
    for (const [variable, values] of Object.entries(variables)) {
      if (typeof values === "string") out.push({ test, variable, values: [values] });
      else if (typeof values === "boolean") out.push({ test, variable, values: String(values) });
      else if (Array.isArray(values)) {
        if (!values.every((item) => typeof item === "string")) throw new PolicyDocumentFormatError(`${where}.${test}.${variable} must list strings`);
        out.push({ test, variable, values: [...values] });
      }
      // The provider's decoder has no case for numbers (or objects): such a condition silently disappears.
    }
  }
  return out;
}

/** The document as the provider's JSON encoder writes it: `json` is indented by two spaces, `minified_json` is not. */
export function renderPolicyDocument(document: PolicyDocument, indent: boolean): string {
  const out: Record<string, unknown> = {};
  if (document.version !== "") out.Version = document.version;
  if (document.id !== "") out.Id = document.id;
  if (document.statements.length > 0) out.Statement = document.statements.map(renderStatement);
  return goEscape(JSON.stringify(out, null, indent ? 2 : undefined));
}

function renderStatement(statement: PolicyStatement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (statement.sid !== "") out.Sid = statement.sid;
  if (statement.effect !== "") out.Effect = statement.effect;
  if (statement.actions !== undefined) out.Action = statement.actions;
  if (statement.notActions !== undefined) out.NotAction = statement.notActions;
  if (statement.resources !== undefined) out.Resource = statement.resources;
  if (statement.notResources !== undefined) out.NotResource = statement.notResources;
  if (statement.principals.length > 0) out.Principal = renderPrincipals(statement.principals);
  if (statement.notPrincipals.length > 0) out.NotPrincipal = renderPrincipals(statement.notPrincipals);
  if (statement.conditions.length > 0) out.Condition = renderConditions(statement.conditions);
  return out;
}

/**
 * Principals grouped by type. Only a lone `{ type = "*", identifiers = ["*"] }`
 * becomes `"*"`: IAM refuses `"*"` in role trust policies but accepts `{"AWS": "*"}`.
 */
function renderPrincipals(principals: readonly PolicyPrincipal[]): unknown {
  if (principals.length === 1) {
    const only = principals[0]!;
    const ids = only.identifiers;
    if (only.type === "*" && (ids === "*" || (Array.isArray(ids) && ids.length === 1 && ids[0] === "*"))) return "*";
  }
  const byType = new Map<string, string | string[]>();
  for (const principal of principals) {
    const existing = byType.get(principal.type);
    if (typeof principal.identifiers === "string") {
      if (existing === undefined) byType.set(principal.type, principal.identifiers);
      else byType.set(principal.type, [...(typeof existing === "string" ? [existing] : existing), principal.identifiers]);
    } else {
      const sorted = [...principal.identifiers].sort(compareBytes).reverse();
      byType.set(principal.type, [...(existing === undefined ? [] : typeof existing === "string" ? [existing] : existing), ...sorted]);
    }
  }
  return sortedObject(byType);
}

/** Conditions grouped by test, then variable; values keep their order (order matters to some tests), one value is a plain string. */
function renderConditions(conditions: readonly PolicyCondition[]): unknown {
  const byTest = new Map<string, Map<string, string[]>>();
  for (const condition of conditions) {
    const variables = byTest.get(condition.test) ?? new Map<string, string[]>();
    byTest.set(condition.test, variables);
    const values = variables.get(condition.variable) ?? [];
    variables.set(condition.variable, values);
    values.push(...(typeof condition.values === "string" ? [condition.values] : condition.values));
  }
  const out = new Map<string, unknown>();
  for (const [test, variables] of byTest) {
    const flattened = new Map<string, unknown>();
    for (const [variable, values] of variables) flattened.set(variable, values.length === 1 ? values[0] : values);
    out.set(test, sortedObject(flattened));
  }
  return sortedObject(out);
}

/** Go writes map keys sorted. */
function sortedObject(map: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...map.keys()].sort(compareBytes)) out[key] = map.get(key);
  return out;
}

/** Go's encoding/json escapes these, which JSON.stringify leaves alone (it is safe to embed the output in HTML). */
function goEscape(json: string): string {
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Go compares strings byte by byte; for the ASCII of policy text that is code-unit order. */
function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Object fields the way Go's decoder finds struct fields: an exact name, else a case-insensitive match; a later key wins. */
function goFields(object: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    const name = names.find((n) => n === key) ?? names.find((n) => n.toLowerCase() === key.toLowerCase());
    if (name !== undefined) out[name] = value;
  }
  return out;
}

function goString(value: unknown, where: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new PolicyDocumentFormatError(`${where} must be a string`);
  return value;
}
