import { Testing, TerraformStack } from "cdktf";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ChatStack, type ChatStackProps } from "../../stacks/chat-stack.ts";

export const ECHO_HANDLER = fileURLToPath(new URL("./fixtures/echo-handler.ts", import.meta.url));

/** A fresh folder for bundles, so tests never share staged output. */
export function tempBundleRoot(): string {
  return mkdtempSync(path.join(os.tmpdir(), "wsstack-bundles-"));
}

export interface Synthesized {
  /** What Testing.synth returned: the input of Testing.toHave… matchers. */
  readonly json: string;
  /** The same, parsed. */
  readonly tf: TerraformJson;
  readonly stack: ChatStack;
}

export interface TerraformJson {
  terraform?: Record<string, any>;
  provider?: Record<string, any>;
  variable?: Record<string, any>;
  output?: Record<string, any>;
  data?: Record<string, Record<string, any>>;
  resource: Record<string, Record<string, any>>;
}

/** Synthesizes a whole ChatStack, as `cdktf synth` would. */
export function synthChatStack(props: Partial<ChatStackProps> = {}): Synthesized {
  const app = Testing.app();
  const stack = new ChatStack(app, "wsstack", { bundleRoot: tempBundleRoot(), ...props });
  const json = Testing.synth(stack);
  return { json, tf: JSON.parse(json) as TerraformJson, stack };
}

/** Synthesizes whatever `build` puts in a bare stack. */
export function synthInStack(build: (stack: TerraformStack) => void): { json: string; tf: TerraformJson } {
  const json = Testing.synthScope((scope) => build(scope as TerraformStack));
  return { json, tf: JSON.parse(json) as TerraformJson };
}

/** All resources of one type, as a list. */
export function resourcesOf(tf: TerraformJson, type: string): any[] {
  return Object.values(tf.resource[type] ?? {});
}

/** All IAM statements the stack grants, from its policy documents. */
export function iamStatements(tf: TerraformJson): { actions: string[]; resources: string[]; effect: string }[] {
  return Object.values(tf.data?.aws_iam_policy_document ?? {}).flatMap((doc: any) => doc.statement);
}

/** A function of the stack: its Terraform name (`aws_lambda_function.<key>`) and its block. */
export interface SynthesizedFunction {
  readonly key: string;
  readonly fn: any;
}

/**
 * The stack's functions by their name in the manifest (`on-message`,
 * `fan-out`, `authorizer`, …): each physical name is `${var.name_prefix}-<name>`.
 */
export function functionsByName(tf: TerraformJson): Map<string, SynthesizedFunction> {
  const byName = new Map<string, SynthesizedFunction>();
  for (const [key, fn] of Object.entries(tf.resource.aws_lambda_function ?? {})) {
    const name = /^\$\{var\.name_prefix\}-(.+)$/.exec(String(fn.function_name))?.[1];
    if (name) byName.set(name, { key, fn });
  }
  return byName;
}

/**
 * What each function's role may do: the statements of every inline policy on
 * it, by the function's manifest name (a role is mapped to the function that
 * runs with it).
 */
export function statementsByFunction(tf: TerraformJson): Map<string, { policy: string; actions: string[]; resources: string[] }[]> {
  const byRole = new Map<string, string>();
  for (const [name, { fn }] of functionsByName(tf)) {
    const role = /^\$\{aws_iam_role\.(\w+)\.arn\}$/.exec(String(fn.role))?.[1];
    if (role) byRole.set(role, name);
  }
  const out = new Map<string, { policy: string; actions: string[]; resources: string[] }[]>();
  for (const [policy, p] of Object.entries(tf.resource.aws_iam_role_policy ?? {})) {
    const role = /^\$\{aws_iam_role\.(\w+)\.id\}$/.exec(String(p.role))?.[1];
    const doc = /^\$\{data\.aws_iam_policy_document\.(\w+)\.json\}$/.exec(String(p.policy))?.[1];
    const name = role && byRole.get(role);
    if (!name || !doc) continue;
    const statements = (tf.data?.aws_iam_policy_document?.[doc]?.statement ?? []) as { actions: string[]; resources: string[] }[];
    out.set(name, [...(out.get(name) ?? []), ...statements.map((s) => ({ policy, actions: [...s.actions], resources: [...s.resources] }))]);
  }
  return out;
}
