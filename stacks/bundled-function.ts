import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group/index.js";
import { DataAwsIamPolicyDocument, type DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document/index.js";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role/index.js";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy/index.js";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function/index.js";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { bundleHandler, type HandlerBundle } from "./bundle-handler.ts";

/** One IAM statement a function's role is given: exact actions on exact resources. */
export interface PolicyStatement {
  /** Fully qualified actions, e.g. `dynamodb:Query`. Never a wildcard. */
  readonly actions: readonly string[];
  /** ARNs (or ARN patterns no wider than the API needs). */
  readonly resources: readonly string[];
}

/** Properties of a {@link BundledFunction}. */
export interface BundledFunctionProps {
  /** Absolute path of the handler's TypeScript entry file. */
  readonly entry: string;
  /** Physical function name; also names the role and the log group. */
  readonly functionName: string;
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
  // One inline policy per role, one statement per grant.
  private readonly statements: DataAwsIamPolicyDocumentStatement[] = [];
  private readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
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
    this.logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyId,
    });

    this.role = new IamRole(this, "Role", {
      name: props.functionName,
      assumeRolePolicy: LAMBDA_ASSUME_ROLE_POLICY,
      description: `Execution role of ${props.functionName}`,
    });

    this.function = new LambdaFunction(this, "Function", {
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
    });

    this.policyDocument = new DataAwsIamPolicyDocument(this, "PolicyDocument", {});
    new IamRolePolicy(this, "Policy", { role: this.role.id, policy: this.policyDocument.json });
    this.grant({
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [`${this.logGroup.arn}:*`],
    });
  }

  /**
   * Adds exactly these actions on exactly these resources to the function's
   * role. The only way the stack grants IAM.
   */
  grant(statement: PolicyStatement): void {
    if (statement.actions.some((action) => action.includes("*"))) {
      throw new WildcardActionError(this.node.path, statement.actions);
    }
    this.statements.push({ effect: "Allow", actions: [...statement.actions], resources: [...statement.resources] });
    this.policyDocument.putStatement(this.statements);
  }
}

/** A grant asked for a wildcard action; every role names its actions. */
export class WildcardActionError extends Error {
  constructor(path: string, actions: readonly string[]) {
    super(`${path}: IAM actions must be named exactly, got ${actions.join(", ")}`);
    this.name = "WildcardActionError";
  }
}
