import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FunctionError } from "../../local/errors.ts";
import { AWS_ID_PATTERN, newAwsId } from "../../local/ids.ts";
import { Invoker, type InvokerOptions } from "../../local/invoker.ts";

// The worker pool's performance behaviour: how many workers a burst gets, and what crosses the thread boundary.

const HANDLER = `"use strict";
const { threadId } = require("node:worker_threads");
exports.handler = async (event) => {
  if (event.sleepMs) await new Promise((resolve) => setTimeout(resolve, event.sleepMs));
  if (event.returnFunction) return () => 1;
  return { threadId, event };
};
`;

function invokerWith(options: Partial<InvokerOptions> = {}): Invoker {
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-invoker-"));
  writeFileSync(path.join(dir, "index.js"), HANDLER);
  writeFileSync(path.join(dir, "package.json"), '{"type":"commonjs"}');
  return new Invoker(
    [
      {
        plan: {
          address: "aws_lambda_function.fn",
          functionName: "fn",
          handler: "index.handler",
          timeoutSeconds: 5,
          memorySizeMb: 128,
          environment: {},
          code: { kind: "directory", path: dir },
          arn: "arn:aws:lambda:us-east-1:123456789012:function:fn",
        },
        codeDir: dir,
      },
    ],
    { cacheDir: path.join(dir, ".cache"), redirectHosts: [], baseEnvironment: {}, log: () => undefined, ...options },
  );
}

type Result = { threadId: number; event: Record<string, unknown> };

describe("invoker", () => {
  let invoker: Invoker | undefined;
  afterEach(async () => {
    await invoker?.close();
    invoker = undefined;
  });

  it("keeps a burst of quick invocations on the warm worker instead of starting one per invocation", async () => {
    invoker = invokerWith({ scaleOutDelayMs: 2_000 });
    const results = (await Promise.all(Array.from({ length: 40 }, () => invoker!.invoke("aws_lambda_function.fn", {})))) as Result[];
    expect(new Set(results.map((r) => r.threadId)).size).toBe(1);
  });

  it("starts more workers (up to the cap) when invocations keep waiting, one invocation per worker at a time", async () => {
    invoker = invokerWith({ scaleOutDelayMs: 20, maxWorkersPerFunction: 3 });
    const started = Date.now();
    const results = (await Promise.all(Array.from({ length: 6 }, () => invoker!.invoke("aws_lambda_function.fn", { sleepMs: 300 })))) as Result[];
    const threads = new Set(results.map((r) => r.threadId));
    expect(threads.size).toBeGreaterThan(1);
    expect(threads.size).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(6 * 300); // not one after the other on a single worker
  });

  it("passes the event as JSON and returns the result as JSON (undefined dropped, dates as strings)", async () => {
    invoker = invokerWith();
    const at = new Date(0);
    const result = (await invoker.invoke("aws_lambda_function.fn", { keep: 1, drop: undefined, at, nested: [{ a: "b" }] })) as Result;
    expect(result.event).toEqual({ keep: 1, at: at.toISOString(), nested: [{ a: "b" }] });
    expect("drop" in result.event).toBe(false);
  });

  it("reports a result that has no JSON form as a function error", async () => {
    invoker = invokerWith();
    await expect(invoker.invoke("aws_lambda_function.fn", { returnFunction: true })).rejects.toBeInstanceOf(FunctionError);
  });
});

describe("ids", () => {
  it("draws distinct ids in API Gateway's format across refills of the random pool", () => {
    const ids = Array.from({ length: 3_000 }, () => newAwsId());
    for (const id of ids) expect(id).toMatch(AWS_ID_PATTERN);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
