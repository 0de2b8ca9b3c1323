import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * A copy of a synthesized stack folder with some arguments changed, e.g. one
 * function's `timeout` or one integration's `timeout_milliseconds`, which no
 * stack variable sets. The bundles are shared (a symlink to the original
 * `assets/`), so the handlers are exactly the synthesized ones.
 */

type Resources = Record<string, Record<string, Record<string, unknown>>>;

export function stackVariant(stackDir: string, edit: (resources: Resources) => void): string {
  const document = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Resources };
  edit(document.resource);
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-variant-"));
  symlinkSync(path.join(stackDir, "assets"), path.join(dir, "assets"), "dir");
  writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(document, null, 2));
  return dir;
}

/** The resource of `type` whose `function_name` (or, for integrations, whose function) ends with `-<name>`. */
export function lambdaNamed(resources: Resources, name: string): Record<string, unknown> {
  const found = Object.values(resources.aws_lambda_function ?? {}).find((fn) => String(fn.function_name).endsWith(`-${name}`));
  if (found === undefined) throw new Error(`no aws_lambda_function named *-${name}`);
  return found;
}

export function integrationOf(resources: Resources, name: string): Record<string, unknown> {
  const [address] = Object.entries(resources.aws_lambda_function ?? {}).find(([, fn]) => String(fn.function_name).endsWith(`-${name}`)) ?? [];
  if (address === undefined) throw new Error(`no aws_lambda_function named *-${name}`);
  const found = Object.values(resources.aws_apigatewayv2_integration ?? {}).find((integration) => String(integration.integration_uri).includes(`aws_lambda_function.${address}.`));
  if (found === undefined) throw new Error(`no integration invokes aws_lambda_function.${address}`);
  return found;
}
