import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config/index.js";
import { AssetType, TerraformAsset, Token, type TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { bundleHandler, type HandlerBundle } from "./bundle-handler.ts";
import { readableAddress, terraformName } from "./readable-address.ts";

/** One IAM statement a function's role is given: exact actions on exact resources. */
export interface PolicyStatement {
  /** Fully qualified actions, e.g. `dynamodb:Query`. Never a wildcard. */
  readonly actions: readonly string[];
  /** ARNs (or ARN patterns no wider than the API needs). */
  readonly resources: readonly string[];
}

/** Options of {@link BundledFunction.grant}. */
export interface GrantOptions {
  /**
   * Put the statement in an inline policy of its own, made under this
   * construct id, instead of the role's main policy. For a statement that
   * names another function's ARN: the role's main policy (its logs, table
   * and `@connections` grants) then never waits for, or changes with, that
   * function; and a function may name its own ARN without a dependency
   * cycle (function → role; policy → role and function).
   * @default - the role's main policy
   */
  readonly separatePolicy?: string;
  /**
   * Terraform name of the separate policy, after the function's own:
   * `aws_iam_role_policy.<function>_<separatePolicyName>`.
   * @default - `separatePolicy` in snake_case
   */
  readonly separatePolicyName?: string;
}

/**
 * How Lambda handles a function's asynchronous invocations (`InvocationType:
 * Event`) that fail or wait too long.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 */
export interface AsyncInvokeOptions {
  /** Retries after a failed invocation, 0 to 2. */
  readonly maximumRetryAttempts: number;
  /** Seconds an event may wait in Lambda's queue (retries included) before it is dropped, 60 to 21600. */
  readonly maximumEventAgeSeconds: number;
}

/** Properties of a {@link BundledFunction}. */
export interface BundledFunctionProps {
  /** Absolute path of the handler's TypeScript entry file. */
  readonly entry: string;
  /** Physical function name; also names the role and the log group. */
  readonly functionName: string;
  /**
   * Terraform name of the function and of everything it owns:
   * `aws_lambda_function.<name>`, `aws_iam_role.<name>`,
   * `aws_cloudwatch_log_group.<name>`, `aws_iam_role_policy.<name>` (lower
   * snake_case, unique in the stack).
   * @default - the construct id in snake_case
   */
  readonly addressName?: string;
  /** Folder where the esbuild bundle is staged before cdktf zips it. */
  readonly bundleRoot: string;
  /** Logs retention in days (a token is fine). */
  readonly logRetentionDays: number;
  /**
   * KMS key ARN that encrypts the function's log group; a token that
   * resolves to null means CloudWatch's default encryption.
   * @default - CloudWatch's default encryption
   */
  readonly logsKmsKeyId?: string;
  /**
   * Environment variables for the function.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Function timeout in seconds. API Gateway stops waiting at 29 s anyway.
   * @default 10
   */
  readonly timeoutSeconds?: number;
  /**
   * Memory in MB; Lambda gives CPU in proportion, which matters for fan-out.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Description shown in the Lambda console.
   * @default - none
   */
  readonly description?: string;
}

const LAMBDA_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/**
 * A Lambda function built from one TypeScript handler: esbuild bundle, zipped
 * asset, its own role, its own log group, and nothing shared with other
 * functions, so each role holds exactly what its handler uses.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
 */
export class BundledFunction extends Construct {
  /** The Lambda function. */
  readonly function: LambdaFunction;
  /** The function's execution role. */
  readonly role: IamRole;
  /** The log group the function writes to. */
  readonly logGroup: CloudwatchLogGroup;
  /** The bundle that was zipped, with its size and content hash. */
  readonly bundle: HandlerBundle;
  /** Terraform name of the function and its resources: `aws_lambda_function.<addressName>`. */
  readonly addressName: string;
  // One main inline policy per role, one statement per grant; a separate
  // policy (GrantOptions.separatePolicy) holds only what names other resources.
  private eventInvokeConfig?: LambdaFunctionEventInvokeConfig;
  private readonly policies = new Map<string, { readonly document: DataAwsIamPolicyDocument; readonly statements: DataAwsIamPolicyDocumentStatement[] }>();

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    this.addressName = props.addressName ?? terraformName(id);
    this.bundle = bundleHandler({ entry: props.entry, outRoot: props.bundleRoot, name: id });
    // A zip we make ourselves, byte-stable for unchanged code, rather than
    // AssetType.ARCHIVE: cdktf's archiver stamps file times into the zip and
    // runs one node process per asset at every synth.
    const asset = new TerraformAsset(this, "Asset", {
      path: this.bundle.zipFile,
      type: AssetType.FILE,
      assetHash: createHash("sha256").update(this.bundle.zipSha256).digest("hex").slice(0, 32).toUpperCase(),
    });

    // Ours, not Lambda's: a group Lambda creates itself keeps logs forever.
    this.logGroup = this.named(
      new CloudwatchLogGroup(this, "LogGroup", {
        name: `/aws/lambda/${props.functionName}`,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.logsKmsKeyId,
      }),
    );

    this.role = this.named(
      new IamRole(this, "Role", {
        name: props.functionName,
        assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY,
        description: `Execution role of ${props.functionName}`,
      }),
    );

    this.function = this.named(new LambdaFunction(this, "Function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: this.bundle.handler,
      // `${path.module}` keeps the path right both for `cdktf deploy` (root
      // module) and when the synthesized HCL is consumed as a module.
      filename: `\${path.module}/${asset.path}`,
      sourceCodeHash: this.bundle.zipSha256,
      timeout: props.timeoutSeconds ?? 10,
      memorySize: props.memorySize ?? 256,
      environment: props.environment ? { variables: props.environment } : undefined,
      // Text, because the handlers already write one JSON object per line.
      // Naming the log group here also orders its creation before the function.
      loggingConfig: { logFormat: "Text", logGroup: this.logGroup.name },
    }));

    this.grant({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${this.logGroup.arn}:*`],
    });
  }

  /**
   * Adds exactly these actions on exactly these resources to the function's
   * role. The only way the stack grants IAM.
   */
  grant(statement: PolicyStatement, options: GrantOptions = {}): void {
    if (statement.actions.some((action) => action.includes("*"))) {
      throw new WildcardActionError(this.node.path, statement.actions);
    }
    const policy = options.separatePolicy ? this.policy(options.separatePolicy, options.separatePolicyName ?? terraformName(options.separatePolicy)) : this.policy("Policy");
    policy.statements.push({ effect: "Allow", actions: [...statement.actions], resources: [...statement.resources] });
    policy.document.putStatement(policy.statements);
  }

  /**
   * Lets `grantee` invoke this function: `lambda:InvokeFunction` on this
   * function's unqualified ARN alone, in a policy of its own on the
   * grantee's role (`grantee` may be this function itself).
   *
   * Not `<arn>:*` as well: the stack publishes no version or alias, and the
   * handlers invoke by unqualified name, which IAM matches against the
   * unqualified ARN; `:*` would only open versions and aliases nobody calls.
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html
   */
  grantInvoke(grantee: BundledFunction): void {
    grantee.grant({ actions: ["lambda:InvokeFunction"], resources: [this.function.arn] }, { separatePolicy: `Invoke${this.node.id}`, separatePolicyName: `invoke_${this.addressName}` });
  }

  /**
   * Sets how Lambda retries this function's asynchronous invocations and how
   * old an event may grow before Lambda drops it (for the unqualified
   * function, which is what is invoked).
   *
   * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html
   */
  configureAsyncInvoke(options: AsyncInvokeOptions): LambdaFunctionEventInvokeConfig {
    if (this.eventInvokeConfig) throw new AsyncInvokeConfigError(`${this.node.path}: asynchronous invocation is already configured; a function has one such configuration.`);
    const { maximumRetryAttempts: retries, maximumEventAgeSeconds: age } = options;
    if (!Token.isUnresolved(retries) && !(Number.isInteger(retries) && retries >= 0 && retries <= 2)) {
      throw new AsyncInvokeConfigError(`${this.node.path}: maximumRetryAttempts must be a whole number from 0 to 2, got ${retries}.`);
    }
    if (!Token.isUnresolved(age) && !(Number.isInteger(age) && age >= 60 && age <= 21_600)) {
      throw new AsyncInvokeConfigError(`${this.node.path}: maximumEventAgeSeconds must be a whole number from 60 to 21600, got ${age}.`);
    }
    this.eventInvokeConfig = this.named(
      new LambdaFunctionEventInvokeConfig(this, "EventInvokeConfig", {
        functionName: this.function.functionName,
        maximumRetryAttempts: options.maximumRetryAttempts,
        maximumEventAgeInSeconds: options.maximumEventAgeSeconds,
      }),
    );
    return this.eventInvokeConfig;
  }

  // The inline policy made under construct id `id` (`Policy` is the main one,
  // named as the function; a separate one is `<function>_<suffix>`), made on first use.
  private policy(id: string, suffix?: string) {
    let policy = this.policies.get(id);
    if (!policy) {
      const name = suffix ? `${this.addressName}_${suffix}` : undefined;
      // A data source is read anew at every plan: only the role policy has state to move.
      const document = readableAddress(new DataAwsIamPolicyDocument(this, `${id}Document`, {}), name ?? this.addressName);
      this.named(new IamRolePolicy(this, id, { role: this.role.id, policy: document.json }), name);
      policy = { document, statements: [] };
      this.policies.set(id, policy);
    }
    return policy;
  }

  // `<type>.<addressName>` (or `name`), moved from the id cdktf generated before addresses were readable.
  private named<T extends TerraformResource>(resource: T, name = this.addressName): T {
    return readableAddress(resource, name, { movedFromGeneratedId: true });
  }
}

/** A grant asked for a wildcard action; every role names its actions. */
export class WildcardActionError extends Error {
  constructor(path: string, actions: readonly string[]) {
    super(`${path}: IAM actions must be named exactly, got ${actions.join(", ")}`);
    this.name = "WildcardActionError";
  }
}

/** An asynchronous invocation configuration Lambda would refuse, or a second one. */
export class AsyncInvokeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AsyncInvokeConfigError";
  }
}
