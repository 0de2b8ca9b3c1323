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
