import { Testing } from "cdktf";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HandlerEntryNotFoundError } from "../../stacks/bundle-handler.ts";
import { AsyncInvokeConfigError, BundledFunction, WildcardActionError } from "../../stacks/bundled-function.ts";
import { ECHO_HANDLER, iamStatements, resourcesOf, synthInStack, tempBundleRoot } from "./synth-helpers.ts";

function oneFunction(entry = ECHO_HANDLER, bundleRoot = tempBundleRoot(), build?: (fn: BundledFunction) => void, logsKmsKeyId?: string) {
  return synthInStack((stack) => {
    const fn = new BundledFunction(stack, "Fn", { entry, functionName: "chat-fn", bundleRoot, logRetentionDays: 30, logsKmsKeyId });
    build?.(fn);
  });
}

describe("BundledFunction", () => {
  it("function: runs the esbuild bundle on nodejs22.x from a zip under ${path.module}", () => {
    const { json, tf } = oneFunction();
    expect(Testing.toHaveResourceWithProperties(json, "aws_lambda_function", {
      function_name: "chat-fn",
      runtime: "nodejs22.x",
      handler: "index.handler",
    })).toBe(true);
    const [fn] = resourcesOf(tf, "aws_lambda_function");
    expect(fn.filename).toMatch(/^\$\{path\.module\}\/assets\/[\w-]+\/[0-9A-F]{32}\/function\.zip$/);
  });

  it("sourceCodeHash: is the same when the source is the same", () => {
    const a = resourcesOf(oneFunction().tf, "aws_lambda_function")[0];
    const b = resourcesOf(oneFunction().tf, "aws_lambda_function")[0];
    // Base64 SHA-256 of the zip, as Lambda reports CodeSha256.
    expect(a.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(b.source_code_hash).toBe(a.source_code_hash);
    expect(b.filename).toBe(a.filename);
  });

  it("sourceCodeHash: changes when the source changes", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-src-"));
    const entry = path.join(dir, "handler.ts");
    copyFileSync(ECHO_HANDLER, entry);
    const before = resourcesOf(oneFunction(entry).tf, "aws_lambda_function")[0];
    writeFileSync(entry, 'export const handler = async () => ({ statusCode: 204 });\n');
    const after = resourcesOf(oneFunction(entry).tf, "aws_lambda_function")[0];
    expect(after.source_code_hash).not.toBe(before.source_code_hash);
  });

  it("log group: is the function's own, with the given retention", () => {
    const { json, tf } = oneFunction();
    expect(Testing.toHaveResourceWithProperties(json, "aws_cloudwatch_log_group", { name: "/aws/lambda/chat-fn", retention_in_days: 30 })).toBe(true);
    const [fn] = resourcesOf(tf, "aws_lambda_function");
    expect(fn.logging_config.log_group).toMatch(/^\$\{aws_cloudwatch_log_group\.\w+\.name\}$/);
  });

  it("logsKmsKeyId: encrypts the log group with that key; none by default", () => {
    const withKey = resourcesOf(oneFunction(ECHO_HANDLER, tempBundleRoot(), undefined, "arn:aws:kms:us-east-1:111122223333:key/k").tf, "aws_cloudwatch_log_group")[0];
    expect(withKey.kms_key_id).toBe("arn:aws:kms:us-east-1:111122223333:key/k");
    expect(resourcesOf(oneFunction().tf, "aws_cloudwatch_log_group")[0].kms_key_id).toBeUndefined();
  });

  it("role: is the function's own, assumable by Lambda only", () => {
    const { tf } = oneFunction();
    const [role] = resourcesOf(tf, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(resourcesOf(tf, "aws_lambda_function")[0].role).toMatch(/^\$\{aws_iam_role\.\w+\.arn\}$/);
  });

  it("role: may write to its own log group only", () => {
    const { tf } = oneFunction();
    expect(iamStatements(tf)).toEqual([
      { effect: "Allow", actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: [expect.stringMatching(/^\$\{aws_cloudwatch_log_group\.\w+\.arn\}:\*$/)] },
    ]);
  });

  it("grant: refuses a wildcard action", () => {
    expect(() => oneFunction(ECHO_HANDLER, tempBundleRoot(), (fn) => fn.grant({ actions: ["dynamodb:*"], resources: ["arn"] }))).toThrow(WildcardActionError);
  });

  it("grantInvoke: the grantee may invoke this function's unqualified ARN alone, in a role policy of its own", () => {
    // GIVEN a worker and a caller
    const { tf } = synthInStack((stack) => {
      const bundleRoot = tempBundleRoot();
      const worker = new BundledFunction(stack, "Worker", { entry: ECHO_HANDLER, functionName: "chat-worker", bundleRoot, logRetentionDays: 30 });
      const caller = new BundledFunction(stack, "Caller", { entry: ECHO_HANDLER, functionName: "chat-caller", bundleRoot, logRetentionDays: 30 });
      // WHEN the worker lets the caller and itself invoke it
      worker.grantInvoke(caller);
      worker.grantInvoke(worker);
    });
    // THEN each role has its main policy and one invoke policy whose only statement names the worker's ARN
    const workerArn = `\${aws_lambda_function.${Object.keys(tf.resource.aws_lambda_function!).find((k) => k === "worker")}.arn}`;
    const policies = Object.entries(tf.resource.aws_iam_role_policy!);
    expect(policies).toHaveLength(4);
    const invoke = policies.filter(([key]) => key.endsWith("_invoke_worker"));
    expect(invoke.map(([key, p]) => [key, /aws_iam_role\.(\w+)\.id/.exec(p.role)![1]]).sort()).toEqual([
      ["caller_invoke_worker", "caller"],
      ["worker_invoke_worker", "worker"],
    ]);
    for (const [, p] of invoke) {
      const doc = tf.data!.aws_iam_policy_document![/data\.aws_iam_policy_document\.(\w+)\.json/.exec(p.policy)![1]!];
      expect(doc.statement).toEqual([{ effect: "Allow", actions: ["lambda:InvokeFunction"], resources: [workerArn] }]);
    }
    // The main policies keep their log grants only: nothing there waits on another function.
    expect(iamStatements(tf).filter((s) => s.actions.includes("logs:PutLogEvents"))).toHaveLength(2);
  });

  it("configureAsyncInvoke: retries and event age of the unqualified function", () => {
    const { tf } = oneFunction(ECHO_HANDLER, tempBundleRoot(), (fn) => fn.configureAsyncInvoke({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 120 }));
    expect(resourcesOf(tf, "aws_lambda_function_event_invoke_config")).toEqual([
      { function_name: expect.stringMatching(/^\$\{aws_lambda_function\.\w+\.function_name\}$/), maximum_retry_attempts: 1, maximum_event_age_in_seconds: 120 },
    ]);
  });

  it("configureAsyncInvoke: refuses what Lambda would (retries over 2, an age outside 60–21600 s) and a second configuration", () => {
    const configure = (...all: { maximumRetryAttempts: number; maximumEventAgeSeconds: number }[]) => () => oneFunction(ECHO_HANDLER, tempBundleRoot(), (fn) => all.forEach((o) => fn.configureAsyncInvoke(o)));
    expect(configure({ maximumRetryAttempts: 3, maximumEventAgeSeconds: 300 })).toThrow(/maximumRetryAttempts must be a whole number from 0 to 2, got 3/);
    expect(configure({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 30 })).toThrow(/maximumEventAgeSeconds must be a whole number from 60 to 21600, got 30/);
    expect(configure({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 300 }, { maximumRetryAttempts: 0, maximumEventAgeSeconds: 60 })).toThrow(AsyncInvokeConfigError);
  });

  it("entry: a missing handler file fails synth with its path", () => {
    expect(() => oneFunction("/nonexistent/handler.ts")).toThrow(HandlerEntryNotFoundError);
    expect(() => oneFunction("/nonexistent/handler.ts")).toThrow(/\/nonexistent\/handler\.ts/);
  });
});
