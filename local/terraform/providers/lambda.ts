import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseFunctionReference } from "../../function-names.ts";
import { optionalBool, optionalString, requiredString } from "./arguments.ts";
import { defineProvider, once, tagsAll, unavailable } from "./computed.ts";
import { generatedName, LOCAL_CREATION_TIME } from "./derived-ids.ts";
import { InvalidArgumentError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";

/**
 * Lambda: the function's ARNs in the forms plan.ts reads back (the function
 * name after `:function:` in an integration's invoke ARN), and the package
 * hashes computed from the local zip as Lambda computes them.
 *
 * @see https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lambda_function#attribute-reference
 */

/** `arn:<partition>:lambda:<region>:<account>:function:<name>` */
function functionArn(instance: InstanceInputs, name: string): string {
  const { partition, region, accountId } = instance.context;
  return `arn:${partition}:lambda:${region}:${accountId}:function:${name}`;
}

/** The ARN API Gateway invokes a function (or version, or alias) through. */
function invokeArn(instance: InstanceInputs, target: string): string {
  const { partition, region } = instance.context;
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${target}/invocations`;
}

/** Lambda's `LastModified` format: `2024-01-01T00:00:00.000+0000`. */
function lambdaTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+0000");
}

/**
 * `function_name` of a permission, alias or event invoke config: a name, a
 * partial or a full ARN; the function's ARN is built from its name either way.
 */
function referencedFunctionArn(instance: InstanceInputs, neededFor: string): string {
  const value = requiredString(instance, "function_name", neededFor);
  const reference = parseFunctionReference(value);
  if (reference === undefined) throw new InvalidArgumentError(instance.address, "function_name", `"${value}" is not a function name or ARN`);
  const { partition, region, accountId } = instance.context;
  return `arn:${partition}:lambda:${reference.region ?? region}:${reference.accountId ?? accountId}:function:${reference.name}`;
}

const lambdaFunction = defineProvider("managed", "aws_lambda_function", (instance) => {
  const name = () => requiredString(instance, "function_name", "the function's id and ARNs");
  const arn = () => functionArn(instance, name());
  // `publish = true` makes the first apply publish version 1; otherwise only $LATEST exists.
  const version = () => (optionalBool(instance, "publish") === true ? "1" : "$LATEST");
  const qualifiedArn = () => `${arn()}:${version()}`;
  const packageBytes = once(() => {
    const filename = optionalString(instance, "filename");
    if (filename === undefined) unavailable("the function has no local package (filename) to hash");
    const file = path.resolve(instance.context.cwd, filename);
    if (!existsSync(file)) unavailable(`its package ${filename} does not exist (yet)`);
    return readFileSync(file);
  });
  const codeSha256 = () => createHash("sha256").update(packageBytes()).digest("base64");
  return {
    id: name,
    arn,
    invoke_arn: () => invokeArn(instance, arn()),
    qualified_arn: qualifiedArn,
    qualified_invoke_arn: () => invokeArn(instance, qualifiedArn()),
    version,
    source_code_hash: codeSha256,
    code_sha256: codeSha256,
    source_code_size: () => packageBytes().length,
    last_modified: () => lambdaTimestamp(LOCAL_CREATION_TIME),
    architectures: () => ["x86_64"],
    logging_config: () => [{ application_log_level: "", log_format: "Text", log_group: `/aws/lambda/${name()}`, system_log_level: "" }],
    tracing_config: () => [{ mode: "PassThrough" }],
    signing_job_arn: () => "",
    signing_profile_version_arn: () => "",
    tags_all: tagsAll(instance),
  };
});

const permission = defineProvider("managed", "aws_lambda_permission", (instance) => {
  // Unset, the provider generates the statement id from statement_id_prefix (or "terraform-").
  const statementId = () => optionalString(instance, "statement_id") ?? generatedName(instance.address, optionalString(instance, "statement_id_prefix") ?? "terraform-");
  return { id: statementId, statement_id: statementId };
});

const alias = defineProvider("managed", "aws_lambda_alias", (instance) => {
  const arn = () => `${referencedFunctionArn(instance, "the alias ARN")}:${requiredString(instance, "name", "the alias ARN")}`;
  return { id: arn, arn, invoke_arn: () => invokeArn(instance, arn()) };
});

const eventInvokeConfig = defineProvider("managed", "aws_lambda_function_event_invoke_config", (instance) => ({
  // The provider's id: the function_name as given, with `:<qualifier>` when one is set.
  id: () => {
    const functionName = requiredString(instance, "function_name", "the id");
    const qualifier = optionalString(instance, "qualifier");
    return qualifier === undefined || qualifier === "" ? functionName : `${functionName}:${qualifier}`;
  },
}));

/** The Lambda providers. */
export const lambdaProviders: readonly LocalProvider[] = [lambdaFunction, permission, alias, eventInvokeConfig];
