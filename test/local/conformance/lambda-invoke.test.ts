import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { zipSync } from "fflate";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { UnsupportedConfigurationError } from "../../../local/errors.ts";
import { loadPlan } from "../../../local/plan.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { signedHeaders } from "../support/signed-fetch.ts";
import { baseDocument, FIXTURES, writeStack, type TerraformJson } from "../support/stack.ts";

// local/spec/lambda-invoke.md §12: Lambda's Invoke API on the emulator's port,
// called over HTTP with real SigV4 signing (the SDK's signer, service
// "lambda"). The fixture stack adds functions no route references: `worker`
// (with an aws_lambda_function_event_invoke_config naming it by ARN: 1 retry,
// events live 60 s), `crashy` (Lambda's defaults; its first two invocations
// crash, --crash-invocations) and `caller`/`own-endpoint` (call the Invoke
// API themselves, fixtures/handlers/lambda-caller.mjs). Retries wait 50 ms
// (--async-retry-delay); event ages run on a clock the tests move.

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
// Long enough for the handler's post to land first on a busy machine; below crashy's 10 s timeout.
const CRASH_AFTER_MS = 2_500;

function callerZip(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "wsstack-caller-"));
  const file = path.join(dir, "caller.zip");
  writeFileSync(file, zipSync({ "index.mjs": readFileSync(path.join(FIXTURES, "handlers", "lambda-caller.mjs")) }));
  return file;
}

/** The conformance API plus functions no route uses, and the worker's asynchronous invocation settings. */
export function invokeStack(): TerraformJson {
  const document = baseDocument();
  const functions = document.resource.aws_lambda_function!;
  const scripted = (name: string, extra: Record<string, unknown> = {}) => ({
    function_name: `\${var.prefix}-${name}`,
    role: "${aws_iam_role.fn_role.arn}",
    handler: "index.handler",
    runtime: "nodejs20.x",
    filename: "${path.module}/assets/scripted.zip",
    environment: [{ variables: { CONTROL_URL: "${var.control_url}" } }],
    ...extra,
  });
  functions.worker = scripted("worker", { timeout: 1 });
  functions.crashy = scripted("crashy", { timeout: 10 });
  const zip = callerZip();
  functions.caller = { function_name: "${var.prefix}-caller", role: "${aws_iam_role.fn_role.arn}", handler: "index.handler", runtime: "nodejs20.x", filename: zip };
  functions.own_endpoint = { ...functions.caller, function_name: "${var.prefix}-own-endpoint", environment: [{ variables: { AWS_ENDPOINT_URL_LAMBDA: "http://lambda.example.invalid" } }] };
  document.resource.aws_lambda_function_event_invoke_config = {
    worker: { function_name: "${aws_lambda_function.worker.arn}", maximum_retry_attempts: 1, maximum_event_age_in_seconds: 60 },
  };
  return document;
}

interface InvokeRequest {
  readonly type?: string;
  /** The raw body; a JSON payload is usually passed as `payload`. */
  readonly body?: string;
  readonly payload?: unknown;
  readonly query?: string;
  /** @default true */
  readonly sign?: boolean;
  readonly service?: string;
}

describe("Lambda Invoke API", () => {
  let h: Harness;
  let clockOffsetMs = 0;
  const endpoint = () => h.emulator.lambdaEndpoint;

  beforeAll(async () => {
    h = await startHarness({
      document: invokeStack(),
      emulator: {
        asyncRetryDelayMs: 50,
        asyncClock: () => Date.now() + clockOffsetMs,
        crashInvocations: [{ functionName: "conf-crashy", count: 2, afterMs: CRASH_AFTER_MS }],
      },
    });
  });
  afterAll(() => h.close());
  beforeEach(() => {
    h.control.reset();
    h.logs.length = 0;
  });

  async function invoke(functionName: string, request: InvokeRequest = {}): Promise<Response> {
    const url = `${endpoint()}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations${request.query ?? ""}`;
    const body = request.body ?? (request.payload === undefined ? undefined : JSON.stringify(request.payload));
    const headers: Record<string, string> = request.sign === false ? {} : await signedHeaders(url, { method: "POST", body }, { service: request.service ?? "lambda" });
    delete headers.host;
    if (request.type !== undefined) headers["x-amz-invocation-type"] = request.type;
    return fetch(url, { method: "POST", headers, body });
  }

  /** A payload the scripted handler understands: the control server keys it by `routeKey`, and it posts to `connectionId`. */
  const piece = (key: string, connectionId?: string) => ({
    requestContext: { routeKey: key, domainName: new URL(endpoint()).host, stage: "dev", connectionId },
    piece: key,
  });

  const waitForLog = async (pattern: RegExp, timeoutMs = 5_000) => {
    const end = Date.now() + timeoutMs;
    while (Date.now() < end) {
      const line = h.logs.find((l) => pattern.test(l));
      if (line !== undefined) return line;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`no log line matches ${pattern} within ${timeoutMs} ms:\n${h.logs.join("\n")}`);
  };

  it("§12.1 RequestResponse (the default) runs the function with the payload and answers 200 with its result", async () => {
    h.control.script("sync-1", { return: { ok: true, n: 7 } });
    const response = await invoke("conf-worker", { payload: piece("sync-1") });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, n: 7 });
    expect(response.headers.get("x-amz-executed-version")).toBe("$LATEST");
    expect(response.headers.get("x-amz-function-error")).toBeNull();
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const [invocation] = h.control.of("sync-1");
    expect(invocation!.fn).toBe("conf-worker");
    expect(invocation!.event).toEqual(piece("sync-1"));

    // Explicitly, and with a result of null.
    h.control.script("sync-1b", { return: null });
    const explicit = await invoke("conf-worker", { type: "RequestResponse", payload: piece("sync-1b") });
    expect(explicit.status).toBe(200);
    expect(await explicit.text()).toBe("null");
  });

  it("§12.2 a function is named by name, full ARN, partial ARN, name:$LATEST or ?Qualifier=$LATEST; another qualifier is 404", async () => {
    const names = ["conf-worker", `arn:aws:lambda:${REGION}:${ACCOUNT}:function:conf-worker`, `${ACCOUNT}:function:conf-worker`, "conf-worker:$LATEST"];
    for (const name of names) {
      h.control.script("named", { return: name });
      const response = await invoke(name, { payload: piece("named") });
      expect(response.status, name).toBe(200);
      expect(await response.json(), name).toBe(name);
    }
    expect((await invoke("conf-worker", { payload: piece("named"), query: "?Qualifier=%24LATEST" })).status).toBe(200);
    expect(h.control.of("named")).toHaveLength(names.length + 1);

    const version = await invoke("conf-worker", { payload: piece("named"), query: "?Qualifier=1" });
    expect(version.status).toBe(404);
    expect(await version.json()).toEqual({ Type: "User", Message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:conf-worker:1` });
    const mismatch = await invoke("conf-worker:$LATEST", { payload: piece("named"), query: "?Qualifier=prod" });
    expect(mismatch.status).toBe(400);
    expect(mismatch.headers.get("x-amzn-errortype")).toBe("InvalidParameterValueException");
    expect(h.control.of("named")).toHaveLength(names.length + 1);
  });

  it("§12.3 an unknown function, or one of another account or region, is 404 ResourceNotFoundException", async () => {
    const response = await invoke("conf-nope", { payload: {} });
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ Type: "User", Message: `Function not found: arn:aws:lambda:${REGION}:${ACCOUNT}:function:conf-nope` });
    for (const name of [`arn:aws:lambda:eu-west-1:${ACCOUNT}:function:conf-worker`, "999999999999:function:conf-worker"]) {
      expect((await invoke(name, { payload: {} })).status, name).toBe(404);
    }
    expect(h.logs.join("\n")).toMatch(/Lambda POST \/2015-03-31\/functions\/conf-nope\/invocations → 404 ResourceNotFoundException: Function not found/);
  });

  it("§12.4 a body that is not JSON is 400 InvalidRequestContentException and nothing runs; an empty body is the event {}", async () => {
    const response = await invoke("conf-worker", { body: "not json" });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
    const body = (await response.json()) as { Type: string; message: string };
    expect(body.Type).toBe("User");
    expect(body.message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
    expect((await invoke("conf-worker", { body: "{}", type: "Event" })).status).toBe(202);

    const bad = await invoke("conf-worker", { body: "{", type: "Event" });
    expect(bad.status).toBe(400);

    h.control.script("env", { return: "unused" });
    const empty = await invoke("conf-caller", { body: "" });
    expect(empty.status).toBe(200);
    expect(((await empty.json()) as { errorMessage?: string }).errorMessage).toBe("unknown op undefined");
  });

  it("§12.5 an X-Amz-Invocation-Type other than Event, RequestResponse or DryRun is 400", async () => {
    const response = await invoke("conf-worker", { type: "Async", payload: piece("never") });
    expect(response.status).toBe(400);
    expect(response.headers.get("x-amzn-errortype")).toBe("ValidationException");
    expect(((await response.json()) as { message: string }).message).toContain("Member must satisfy enum value set: [Event, RequestResponse, DryRun]");
    expect(h.control.of("never")).toHaveLength(0);
  });

  it("§12.6 DryRun answers 204 with no body and does not run the function; an unknown function is still 404", async () => {
    const response = await invoke("conf-worker", { type: "DryRun", payload: piece("dry") });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");
    expect((await invoke("conf-nope", { type: "DryRun", payload: {} })).status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.control.of("dry")).toHaveLength(0);
  });

  it("§12.7 Event answers 202 with an empty body at once; the function then runs and its post reaches the client", async () => {
    const { client, cid } = await h.connect();
    h.control.script("event-1", { post: { data: "from an Event invocation" }, return: "ignored" });
    const response = await invoke("conf-worker", { type: "Event", payload: piece("event-1", cid) });
    expect(response.status).toBe(202);
    expect(await response.text()).toBe("");
    expect(await client.next()).toBe("from an Event invocation");
    await waitForLog(/^Event [0-9a-f-]{36} → conf-worker \d+ ms ok$/);
    expect(h.control.of("event-1")).toHaveLength(1);
    client.close();
  });

  it("§12.8 a function error is 200 with X-Amz-Function-Error: Unhandled and {errorType, errorMessage, trace}", async () => {
    h.control.script("boom", { throw: "boom" });
    const response = await invoke("conf-worker", { payload: piece("boom") });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-amz-function-error")).toBe("Unhandled");
    const body = (await response.json()) as { errorType: string; errorMessage: string; trace: string[] };
    expect(body).toMatchObject({ errorType: "Error", errorMessage: "boom" });
    expect(body.trace[0]).toBe("Error: boom");
    expect(body.trace.length).toBeGreaterThan(1);
  });

  it("§12.9 a runtime that exits is Runtime.ExitError, a timeout Sandbox.Timedout, both 200 Unhandled", async () => {
    h.control.script("exit", { exit: true });
    const exited = await invoke("conf-worker", { payload: piece("exit") });
    expect(exited.status).toBe(200);
    expect(exited.headers.get("x-amz-function-error")).toBe("Unhandled");
    const requestId = exited.headers.get("x-amzn-requestid")!;
    expect(await exited.json()).toEqual({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3` });

    h.control.script("hang", { hang: true });
    const hung = await invoke("conf-worker", { payload: piece("hang") });
    expect(hung.status).toBe(200);
    expect(hung.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(await hung.json()).toEqual({ errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${hung.headers.get("x-amzn-requestid")} Error: Task timed out after 1.00 seconds` });
  });

  it("§12.10 payload limits: Event over 1 MB and RequestResponse over 6 MB are 413 RequestEntityTooLargeException", async () => {
    const overAsync = JSON.stringify("a".repeat(1_048_577 - 2));
    expect(Buffer.byteLength(overAsync)).toBe(1_048_577);
    const event = await invoke("conf-worker", { type: "Event", body: overAsync });
    expect(event.status).toBe(413);
    expect(event.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect(await event.json()).toEqual({ Type: "User", message: "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)" });

    // The same payload is fine synchronously (the function gets a string and fails on it: still a 200).
    const sync = await invoke("conf-caller", { body: overAsync });
    expect(sync.status).toBe(200);

    const overSync = JSON.stringify("b".repeat(6_291_457 - 2));
    const tooBig = await invoke("conf-worker", { body: overSync });
    expect(tooBig.status).toBe(413);
    expect(tooBig.headers.get("x-amzn-errortype")).toBe("RequestEntityTooLargeException");
    expect(((await tooBig.json()) as { message: string }).message).toBe("Request must be smaller than 6291456 bytes for the InvokeFunction operation");
  });

  it("§12.11 an Event whose function fails is retried maximum_retry_attempts times (1, from the config naming the function by ARN), then dropped", async () => {
    h.control.script("fails", { throw: "still failing" });
    const response = await invoke("conf-worker", { type: "Event", payload: piece("fails") });
    expect(response.status).toBe(202);
    const requestId = response.headers.get("x-amzn-requestid")!;
    await waitForLog(/event dropped after 2 attempt\(s\) \(maximum_retry_attempts 1, aws_lambda_function_event_invoke_config\.worker\)$/);
    expect(h.logs.join("\n")).toContain(`Event ${requestId} → conf-worker`);
    expect(h.logs.some((l) => l.startsWith(`Event ${requestId} → conf-worker `) && l.includes("error: conf-worker failed: Error: still failing; retry 1 of 1 in 50 ms"))).toBe(true);
    expect(h.control.of("fails")).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.control.of("fails")).toHaveLength(2);
  });

  it("§12.12 without a configuration a failing Event runs three times (Lambda's default of 2 retries); a route function can be invoked too", async () => {
    h.control.script("default-retries", { throw: "nope" });
    expect((await invoke("conf-join", { type: "Event", payload: piece("default-retries") })).status).toBe(202);
    await waitForLog(/event dropped after 3 attempt\(s\) \(maximum_retry_attempts 2, Lambda's default\)$/);
    expect(h.logs.filter((l) => /retry \d of 2 in 50 ms$/.test(l))).toHaveLength(2);
    expect(h.control.of("default-retries").map((i) => i.fn)).toEqual(["conf-join", "conf-join", "conf-join"]);
  });

  it("§12.13 an event older than maximum_event_age_in_seconds (60 s for the worker) is dropped instead of retried", async () => {
    h.control.script("ages", () => {
      // The first attempt takes "61 seconds" on the emulator's asynchronous clock.
      clockOffsetMs += 61_000;
      return { throw: "slow and failing" };
    });
    expect((await invoke("conf-worker", { type: "Event", payload: piece("ages") })).status).toBe(202);
    await waitForLog(/^Event [0-9a-f-]{36} for conf-worker dropped: it is 61 s old, over maximum_event_age_in_seconds 60 \(aws_lambda_function_event_invoke_config\.worker\)$/);
    expect(h.control.of("ages")).toHaveLength(1);
  });

  it("§12.14 --crash-invocations: the first invocations crash after the delay (Runtime.ExitError); what they did stays done; an Event is retried", async () => {
    const { client, cid } = await h.connect();
    // 1st invocation (synchronous): posts, then is killed CRASH_AFTER_MS later though it would have returned.
    h.control.script("crash-sync", { post: { data: "before the crash" }, return: "never seen" });
    const sync = await invoke("conf-crashy", { payload: piece("crash-sync", cid) });
    expect(sync.status).toBe(200);
    expect(sync.headers.get("x-amz-function-error")).toBe("Unhandled");
    expect(await sync.json()).toEqual({ errorType: "Runtime.ExitError", errorMessage: `RequestId: ${sync.headers.get("x-amzn-requestid")} Error: Runtime exited with error: signal: killed` });
    expect(await client.next()).toBe("before the crash");

    // 2nd (an Event): posts, crashes, is retried; the retry (3rd invocation) runs normally and posts again.
    h.control.script("crash-event", { post: { data: "piece 1" }, return: "done" });
    expect((await invoke("conf-crashy", { type: "Event", payload: piece("crash-event", cid) })).status).toBe(202);
    expect(await client.next()).toBe("piece 1");
    expect(await client.next(CRASH_AFTER_MS + 5_000)).toBe("piece 1");
    await waitForLog(/^Event [0-9a-f-]{36} → conf-crashy \(retry 1 of 2\) \d+ ms ok$/);
    expect(h.logs.some((l) => /^Event [0-9a-f-]{36} → conf-crashy \d+ ms error: conf-crashy: runtime exited \(injected crash after 2500 ms\); retry 1 of 2 in 50 ms$/.test(l))).toBe(true);
    expect(h.logs.join("\n")).toContain("conf-crashy: this invocation will crash after 2500 ms (--crash-invocations; 0 more to come)");
    expect(h.control.of("crash-event")).toHaveLength(2);

    // The count is spent: the next invocation returns normally.
    h.control.script("after", { return: "fine" });
    expect(await (await invoke("conf-crashy", { payload: piece("after") })).json()).toBe("fine");
    client.close();
  });

  it("§12.15 an unsigned request, or one signed for another service, is 403 and runs nothing", async () => {
    const unsigned = await invoke("conf-worker", { payload: piece("unsigned"), sign: false });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
    expect(await unsigned.json()).toEqual({ message: "Missing Authentication Token" });
    const unknown = await invoke("conf-nope", { payload: {}, sign: false });
    expect(unknown.status).toBe(403);

    const otherService = await invoke("conf-worker", { payload: piece("unsigned"), service: "execute-api" });
    expect(otherService.status).toBe(403);
    expect(otherService.headers.get("x-amzn-errortype")).toBe("InvalidSignatureException");
    expect(await otherService.json()).toEqual({ message: "Credential should be scoped to correct service: 'lambda'." });
    expect(h.logs.join("\n")).toMatch(/→ 403 MissingAuthenticationTokenException: .*--unsigned-lambda/);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.control.of("unsigned")).toHaveLength(0);
  });

  it("§12.16 every function gets AWS_ENDPOINT_URL_LAMBDA (unless its own environment sets it) and can invoke another function with its own signature", async () => {
    const env = await invoke("conf-caller", { payload: { op: "env" } });
    expect(await env.json()).toEqual({ AWS_ENDPOINT_URL_LAMBDA: h.emulator.lambdaEndpoint, AWS_REGION: REGION });
    expect(h.emulator.lambdaEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const own = await invoke("conf-own-endpoint", { payload: { op: "env" } });
    expect(((await own.json()) as { AWS_ENDPOINT_URL_LAMBDA: string }).AWS_ENDPOINT_URL_LAMBDA).toBe("http://lambda.example.invalid");

    // Function → emulator → function: synchronously, then asynchronously with the side effect observed.
    h.control.script("nested", { return: { from: "worker" } });
    const nested = await invoke("conf-caller", { payload: { op: "invoke", target: "conf-worker", payload: piece("nested") } });
    expect(await nested.json()).toEqual({ status: 200, functionError: null, errorType: null, body: JSON.stringify({ from: "worker" }) });

    const { client, cid } = await h.connect();
    h.control.script("nested-event", { post: { data: "queued by a function" } });
    const queued = await invoke("conf-caller", { payload: { op: "invoke", target: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:conf-worker`, invocationType: "Event", payload: piece("nested-event", cid) } });
    expect(await queued.json()).toMatchObject({ status: 202, body: "" });
    expect(await client.next()).toBe("queued by a function");

    const missing = await invoke("conf-caller", { payload: { op: "invoke", target: "conf-missing", invocationType: "Event" } });
    expect(await missing.json()).toMatchObject({ status: 404, errorType: "ResourceNotFoundException" });
    client.close();
  });

  it("§12.17 the WebSocket API and @connections are unchanged next to the Invoke API", async () => {
    h.control.script("echo", { return: { statusCode: 200, body: "still two-way" } });
    const { client } = await h.connect();
    client.send(JSON.stringify({ action: "echo" }));
    expect(await client.next()).toBe("still two-way");
    const stage = await fetch(`${endpoint()}/dev`);
    expect(stage.status).toBe(426);
    client.close();
  });
});

describe("§12.18 the plan: functions no route uses, and aws_lambda_function_event_invoke_config", () => {
  const plan = (document: TerraformJson) => loadPlan({ source: writeStack(document) });

  it("loads every function; one the emulator cannot run is left out with a warning only when no route uses it", async () => {
    const document = invokeStack();
    document.resource.aws_lambda_function!.python = { function_name: "py", handler: "app.handler", runtime: "python3.12", filename: "${path.module}/assets/scripted.zip" };
    document.resource.aws_lambda_function!.gone = { function_name: "gone", handler: "index.handler", runtime: "nodejs20.x", filename: "${path.module}/assets/missing.zip" };
    document.resource.aws_lambda_function!.off = { function_name: "off", count: "${var.prefix == \"conf\" ? 0 : 1}", handler: "index.handler", filename: "${path.module}/assets/missing.zip" };
    const result = await plan(document);
    expect(result.functions.has("aws_lambda_function.worker")).toBe(true);
    expect(result.functions.has("aws_lambda_function.authorizer")).toBe(true);
    expect(result.functions.has("aws_lambda_function.python")).toBe(false);
    expect(result.functions.has("aws_lambda_function.gone")).toBe(false);
    expect(result.functions.has("aws_lambda_function.off")).toBe(false);
    expect(result.warnings).toContainEqual(expect.stringMatching(/^aws_lambda_function\.python: runtime "python3\.12" is not supported .*; no route uses this function, so it is left out/));
    expect(result.warnings).toContainEqual(expect.stringMatching(/^aws_lambda_function\.gone: deployment package .* does not exist/));
    expect(result.warnings.some((w) => w.startsWith("aws_lambda_function.off"))).toBe(false);
  });

  it("reads the configuration by function_name or arn reference; defaults are Lambda's", async () => {
    const document = invokeStack();
    document.resource.aws_lambda_function_event_invoke_config!.crashy = { function_name: "${aws_lambda_function.crashy.function_name}", qualifier: "$LATEST", maximum_event_age_in_seconds: 300 };
    const result = await plan(document);
    expect(result.functions.get("aws_lambda_function.worker")!.asyncInvoke).toEqual({ maximumRetryAttempts: 1, maximumEventAgeSeconds: 60, address: "aws_lambda_function_event_invoke_config.worker" });
    expect(result.functions.get("aws_lambda_function.crashy")!.asyncInvoke).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 300, address: "aws_lambda_function_event_invoke_config.crashy" });
    expect(result.functions.get("aws_lambda_function.join")!.asyncInvoke).toEqual({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 });
  });

  it("refuses values AWS refuses, and ignores (with a warning) a configuration for another version or function", async () => {
    const retries = invokeStack();
    retries.resource.aws_lambda_function_event_invoke_config!.worker!.maximum_retry_attempts = 3;
    await expect(plan(retries)).rejects.toThrow(UnsupportedConfigurationError);
    await expect(plan(retries)).rejects.toThrow("aws_lambda_function_event_invoke_config.worker: maximum_retry_attempts must be a whole number from 0 to 2 (got 3)");
    const age = invokeStack();
    age.resource.aws_lambda_function_event_invoke_config!.worker!.maximum_event_age_in_seconds = 30;
    await expect(plan(age)).rejects.toThrow("maximum_event_age_in_seconds must be a whole number from 60 to 21600 (got 30)");

    const alias = invokeStack();
    alias.resource.aws_lambda_function_event_invoke_config!.worker!.qualifier = "live";
    alias.resource.aws_lambda_function_event_invoke_config!.stranger = { function_name: "somebody-else", maximum_retry_attempts: 0 };
    const result = await plan(alias);
    expect(result.functions.get("aws_lambda_function.worker")!.asyncInvoke!.address).toBeUndefined();
    expect(result.warnings).toContain("aws_lambda_function_event_invoke_config.worker: applies to conf-worker:live, and the emulator runs $LATEST only; ignored");
    expect(result.warnings).toContain('aws_lambda_function_event_invoke_config.stranger: function_name "somebody-else" is not a function of this stack the emulator runs; ignored');
  });
});

describe("§12.19 flags", () => {
  it("--async-retry-delay, --crash-invocations (repeatable) and --unsigned-lambda map to emulator options", async () => {
    const { emulatorOptions, parseArgs } = await import("../../../local/cli.ts");
    const args = parseArgs(["emulate", "s", "--async-retry-delay", "250", "--crash-invocations", "wsstack-fan-out=2@150", "--crash-invocations=other=1", "--unsigned-lambda"]);
    const options = emulatorOptions("s", args.flags, {});
    expect(options).toMatchObject({
      asyncRetryDelayMs: 250,
      unsignedLambda: true,
      crashInvocations: [
        { functionName: "wsstack-fan-out", count: 2, afterMs: 150 },
        { functionName: "other", count: 1 },
      ],
    });
    const defaults = emulatorOptions("s", parseArgs(["emulate", "s"]).flags, {});
    expect(defaults).toMatchObject({ asyncRetryDelayMs: undefined, unsignedLambda: false, crashInvocations: [] });
    expect(() => emulatorOptions("s", parseArgs(["emulate", "s", "--crash-invocations", "fan-out"]).flags, {})).toThrow("--crash-invocations expects NAME=COUNT or NAME=COUNT@MS");
  });

  it("an unknown --crash-invocations function stops the start with the names it has", async () => {
    await expect(startHarness({ document: invokeStack(), emulator: { crashInvocations: [{ functionName: "conf-typo", count: 1 }] } })).rejects.toThrow(
      /^--crash-invocations: no function "conf-typo" \(have: .*conf-worker/,
    );
  });

  it("--unsigned-lambda accepts unsigned requests", async () => {
    const h = await startHarness({ document: invokeStack(), emulator: { unsignedLambda: true } });
    try {
      h.control.script("open", { return: "open" });
      const response = await fetch(`${h.emulator.lambdaEndpoint}/2015-03-31/functions/conf-worker/invocations`, {
        method: "POST",
        body: JSON.stringify({ requestContext: { routeKey: "open" } }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toBe("open");
      expect(h.logs).toContain("note: the Lambda Invoke API accepts unsigned requests (--unsigned-lambda); AWS answers them 403");
    } finally {
      await h.close();
    }
  });
});
