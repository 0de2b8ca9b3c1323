import { crc32 } from "node:zlib";
import { blockList, optionalString, toText, toTextList } from "./arguments.ts";
import { defineProvider, once } from "./computed.ts";
import {
  decodeStringSet,
  mergePolicyDocument,
  parsePolicyDocument,
  PolicyDocumentFormatError,
  renderPolicyDocument,
  type PolicyCondition,
  type PolicyDocument,
  type PolicyPrincipal,
  type PolicyStatement,
} from "./iam-policy-model.ts";
import { InvalidArgumentError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";

/**
 * `data "aws_iam_policy_document"`: the policy JSON built from `statement`
 * blocks, `source_policy_documents` and `override_policy_documents`, as the
 * AWS provider computes it at plan time (checked against provider 5.100).
 *
 * Not reproduced: when two `principals` blocks of one statement share a type,
 * or two `condition` blocks share a test and variable, the provider lists
 * their values in its set-hash order; here they follow the configuration.
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
 */

const VERSIONS = ["2008-10-17", "2012-10-17"];
const SID = /^[a-zA-Z0-9]*$/;

const policyDocument = defineProvider("data", "aws_iam_policy_document", (instance) => {
  const document = once(() => buildDocument(instance));
  const json = once(() => renderPolicyDocument(document(), true));
  return {
    json,
    minified_json: () => renderPolicyDocument(document(), false),
    // The provider's id is the CRC-32 of the indented JSON, in decimal.
    id: () => String(crc32(json())),
  };
});

function buildDocument(instance: InstanceInputs): PolicyDocument {
  const { address } = instance;
  const merged: PolicyDocument = { version: "", id: "", statements: [] };

  const sids = new Set<string>();
  for (const [index, source] of (toTextListAllowingNull(instance, "source_policy_documents") ?? []).entries()) {
    if (source === undefined) continue;
    const document = readDocument(address, "source_policy_documents", index, source);
    for (const statement of document.statements) {
      if (statement.sid === "") continue;
      if (sids.has(statement.sid)) throw new InvalidArgumentError(address, `source_policy_documents[${index}]`, `duplicate Sid (${statement.sid}) in source_policy_documents. Remove the Sid or ensure Sids are unique`);
      sids.add(statement.sid);
    }
    mergePolicyDocument(merged, document);
  }

  // version has a default, so the document built from the blocks always carries one.
  const version = optionalString(instance, "version") ?? "2012-10-17";
  if (!VERSIONS.includes(version)) throw new InvalidArgumentError(address, "version", `expected one of ${VERSIONS.join(", ")}, got "${version}"`);
  const own: PolicyDocument = { version, id: optionalString(instance, "policy_id") ?? "", statements: [] };
  const ownSids = new Set<string>();
  for (const [index, block] of blockList(instance.argument("statement"), address, "statement").entries()) {
    const statement = readStatement(address, `statement[${index}]`, block, version);
    if (statement.sid !== "") {
      if (ownSids.has(statement.sid)) throw new InvalidArgumentError(address, `statement[${index}].sid`, `duplicate Sid (${statement.sid}). Remove the Sid or ensure the Sid is unique`);
      ownSids.add(statement.sid);
    }
    own.statements.push(statement);
  }
  mergePolicyDocument(merged, own);

  for (const [index, override] of (toTextListAllowingNull(instance, "override_policy_documents") ?? []).entries()) {
    if (override !== undefined) mergePolicyDocument(merged, readDocument(address, "override_policy_documents", index, override));
  }
  return merged;
}

function readDocument(address: string, argument: string, index: number, text: string): PolicyDocument {
  try {
    return parsePolicyDocument(text);
  } catch (error) {
    if (error instanceof PolicyDocumentFormatError) throw new InvalidArgumentError(address, `${argument}[${index}]`, error.message);
    throw error;
  }
}

function readStatement(address: string, where: string, block: Record<string, unknown>, version: string): PolicyStatement {
  const sid = toText(block.sid, address, `${where}.sid`) ?? "";
  if (!SID.test(sid)) throw new InvalidArgumentError(address, `${where}.sid`, `"${sid}" must only include alphanumeric characters`);
  const effect = toText(block.effect, address, `${where}.effect`) ?? "Allow";
  if (effect !== "Allow" && effect !== "Deny") throw new InvalidArgumentError(address, `${where}.effect`, `expected Allow or Deny, got "${effect}"`);
  // actions, resources and identifiers are sets: duplicates go, and the order written does not matter.
  const stringSet = (name: string) => {
    const items = [...new Set(toTextList(block[name], address, `${where}.${name}`) ?? [])];
    return items.length === 0 ? undefined : decodeStringSet(items);
  };
  const withVariables = (name: string) => {
    const value = stringSet(name);
    return value === undefined ? undefined : replaceVariables(value, address, `${where}.${name}`, version);
  };
  return {
    sid,
    effect,
    actions: stringSet("actions"),
    notActions: stringSet("not_actions"),
    resources: withVariables("resources"),
    notResources: withVariables("not_resources"),
    principals: readPrincipals(address, `${where}.principals`, block.principals, version),
    notPrincipals: readPrincipals(address, `${where}.not_principals`, block.not_principals, version),
    conditions: readConditions(address, `${where}.condition`, block.condition, version),
  };
}

function readPrincipals(address: string, where: string, value: unknown, version: string): PolicyPrincipal[] {
  const seen = new Set<string>();
  const out: PolicyPrincipal[] = [];
  for (const [index, block] of blockList(value, address, where).entries()) {
    const type = toText(block.type, address, `${where}[${index}].type`);
    if (type === undefined) throw new InvalidArgumentError(address, `${where}[${index}].type`, "the argument is required");
    const identifiers = [...new Set(toTextList(block.identifiers, address, `${where}[${index}].identifiers`) ?? [])];
    // A set of blocks: an identical second block is the same element.
    const key = JSON.stringify([type, [...identifiers].sort()]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ type, identifiers: replaceVariables(decodeStringSet(identifiers), address, `${where}[${index}].identifiers`, version) });
  }
  return out;
}

function readConditions(address: string, where: string, value: unknown, version: string): PolicyCondition[] {
  const seen = new Set<string>();
  const out: PolicyCondition[] = [];
  for (const [index, block] of blockList(value, address, where).entries()) {
    const test = toText(block.test, address, `${where}[${index}].test`);
    const variable = toText(block.variable, address, `${where}[${index}].variable`);
    if (test === undefined || variable === undefined) throw new InvalidArgumentError(address, `${where}[${index}]`, "test and variable are required");
    if (!Array.isArray(block.values)) throw new InvalidArgumentError(address, `${where}[${index}].values`, "a list of strings is required");
    // values is a list: order and duplicates are kept, nulls dropped.
    const values = block.values.filter((v) => v !== null && v !== undefined).map((v, i) => toText(v, address, `${where}[${index}].values[${i}]`)!);
    const key = JSON.stringify([test, variable, values]);
    if (seen.has(key)) continue;
    seen.add(key);
    const replaced = replaceVariables(values, address, `${where}[${index}].values`, version) as string[];
    out.push({ test, variable, values: replaced.length === 1 ? replaced[0]! : replaced });
  }
  return out;
}

/**
 * `&{aws:username}` is how a configuration writes IAM's `${aws:username}`
 * past Terraform's own interpolation; version 2008-10-17 has no policy variables.
 */
function replaceVariables(value: string | string[], address: string, where: string, version: string): string | string[] {
  const replace = (item: string) => {
    if (version === "2008-10-17" && item.includes("&{")) {
      throw new InvalidArgumentError(address, where, `found &{ sequence in (${item}), which is not supported in document version 2008-10-17`);
    }
    return item.replaceAll("&{", "${");
  };
  return typeof value === "string" ? replace(value) : value.map(replace);
}

/** A list of JSON strings in which the provider skips null elements. */
function toTextListAllowingNull(instance: InstanceInputs, name: string): (string | undefined)[] | undefined {
  const value = instance.argument(name);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidArgumentError(instance.address, name, "expected a list of JSON strings");
  return value.map((item, index) => toText(item, instance.address, `${name}[${index}]`));
}

/** The `aws_iam_policy_document` data source. */
export const iamPolicyDocumentProviders: readonly LocalProvider[] = [policyDocument];
