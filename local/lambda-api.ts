import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AsyncInvocationQueue } from "./async-invoke.ts";
import { describeError, EmulatorClosedError, FunctionError, FunctionTimeoutError, WorkerCrashedError } from "./errors.ts";
import { functionArn, parseFunctionReference } from "./function-names.ts";
import type { Invoker } from "./invoker.ts";
import { drain, type SignatureRequirement } from "./management-api.ts";
import type { FunctionPlan } from "./plan.ts";
import { checkSignature } from "./sigv4-check.ts";
import { readLimitedBody } from "./read-limited-body.ts";

/**
 * AWS Lambda's `Invoke` API for the functions of the plan, on the emulator's
 * port: `POST /2015-03-31/functions/{FunctionName}/invocations`, what a
 * handler reaches through `AWS_ENDPOINT_URL_LAMBDA` (which every worker gets).
 *
 * - `X-Amz-Invocation-Type: RequestResponse` (the default) runs the function
 *   and answers 200 with its result; a function error is still 200, with
 *   `X-Amz-Function-Error: Unhandled` and the error object as the body.
 * - `Event` answers 202 at once and hands the event to the asynchronous queue
 *   (async-invoke.ts: retries, event age).
 * - `DryRun` checks the request and answers 204.
 *
 * Errors use Lambda's wire format: `x-amzn-ErrorType` names the exception,
 * the JSON body carries `Type` and the message (`Message` for
 * ResourceNotFoundException, `message` for the others, as the service model
 * has them). Requests must be SigV4-signed for the service `lambda`
 * (sigv4-check.ts; the shape is checked, not the signature);
 * `signature: undefined` accepts unsigned requests (`--unsigned-lambda`).
 *
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * @see local/spec/lambda-invoke.md
 */

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** Largest synchronous request: "Request must be smaller than 6291456 bytes for the InvokeFunction operation" (6 MB). */
export const SYNC_PAYLOAD_LIMIT = 6_291_456;
/** Largest asynchronous request: 1 MB since October 2025 (256 KB, 262 144 bytes, before). */
export const ASYNC_PAYLOAD_LIMIT = 1_048_576;
/** Largest synchronous response: 100 bytes more than a request may carry, as AWS reports it. */
export const RESPONSE_PAYLOAD_LIMIT = 6_291_556;

const INVOCATION_TYPES = ["Event", "RequestResponse", "DryRun"] as const;
type InvocationType = (typeof INVOCATION_TYPES)[number];

export interface LambdaApiOptions {
  /** The plan's functions, by resource address. */
  readonly functions: ReadonlyMap<string, FunctionPlan>;
  readonly region: string;
  readonly accountId: string;
  readonly invoker: Invoker;
  readonly queue: AsyncInvocationQueue;
  readonly log: (line: string) => void;
  /** Undefined: unsigned requests are accepted. */
  readonly signature?: SignatureRequirement;
}

/** An answer that is not the function's: Lambda refused the request. */
interface Refusal {
  readonly status: number;
  readonly errorType: string;
  readonly body: Record<string, string>;
}

export class LambdaInvokeApi {
  private readonly byName: ReadonlyMap<string, FunctionPlan>;

  constructor(private readonly options: LambdaApiOptions) {
    this.byName = new Map([...options.functions.values()].map((fn) => [fn.functionName, fn]));
  }

  /** Whether the path is the Invoke API's; such requests are answered here. */
  static matches(rawPath: string): boolean {
    return INVOKE_PATH.test(rawPath);
  }

  async handle(request: IncomingMessage, response: ServerResponse, rawPath: string): Promise<void> {
    const requestId = randomUUID();
    response.setHeader("x-amzn-RequestId", requestId);
    const refuse = async (refusal: Refusal) => {
      await drain(request);
      this.options.log(`Lambda ${request.method} ${rawPath} → ${refusal.status} ${refusal.errorType}: ${refusal.body.message ?? refusal.body.Message}`);
      sendError(response, refusal);
    };
    // Authentication comes first: an unsigned caller learns nothing, not even whether the function exists.
    if (this.options.signature !== undefined) {
      const refusal = checkSignature(request.headers, { region: this.options.signature.region, now: (this.options.signature.now ?? Date.now)(), service: "lambda" });
      if (refusal !== undefined) {
        await drain(request);
        this.options.log(`Lambda ${request.method} ${rawPath} → 403 ${refusal.errorType}: ${refusal.message} (sign with any credentials and the service "lambda", as the AWS SDK does, or start with --unsigned-lambda)`);
        return sendError(response, { status: 403, errorType: refusal.errorType, body: { message: refusal.message } });
      }
    }
    if (request.method !== "POST") {
      return refuse({ status: 404, errorType: "UnknownOperationException", body: { Type: "User", message: `Unknown operation: ${request.method} on /2015-03-31/functions/{FunctionName}/invocations (Invoke is POST)` } });
    }
    const invocationType = header(request, "x-amz-invocation-type") ?? "RequestResponse";
    if (!(INVOCATION_TYPES as readonly string[]).includes(invocationType)) {
      return refuse({
        status: 400,
        errorType: "ValidationException",
        body: { message: `1 validation error detected: Value '${invocationType}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [${INVOCATION_TYPES.join(", ")}]` },
      });
    }
    const found = this.findFunction(rawPath, request.url ?? "");
    if ("status" in found) return refuse(found);
    const fn = found;

    const limit = invocationType === "Event" ? ASYNC_PAYLOAD_LIMIT : SYNC_PAYLOAD_LIMIT;
    const { body, size } = await readLimitedBody(request, limit);
    if (body === undefined) {
      const message =
        invocationType === "Event"
          ? `${size} byte payload is too large for the Event invocation type (limit ${limit} bytes)`
          : `Request must be smaller than ${limit} bytes for the InvokeFunction operation`;
      return refuse({ status: 413, errorType: "RequestEntityTooLargeException", body: { Type: "User", message } });
    }
    let event: unknown;
    try {
      // An empty payload is the event `{}`, as the CLI's invoke without --payload gives.
      event = body.length === 0 ? {} : JSON.parse(body.toString("utf8"));
    } catch (error) {
      return refuse({
        status: 400,
        errorType: "InvalidRequestContentException",
        body: { Type: "User", message: `Could not parse request body into json: Could not parse payload into json: ${describeError(error)}` },
      });
    }
    return this.invoke(invocationType as InvocationType, fn, event, requestId, response);
  }

  private async invoke(type: InvocationType, fn: FunctionPlan, event: unknown, requestId: string, response: ServerResponse): Promise<void> {
    if (type === "DryRun") {
      this.options.log(`Invoke DryRun → ${fn.functionName} 204 (not run)`);
      return void response.writeHead(204).end();
    }
    if (type === "Event") {
      this.options.queue.enqueue(fn, event, requestId);
      this.options.log(`Invoke Event → ${fn.functionName} 202, queued as ${requestId}`);
      return void response.writeHead(202, { "content-length": "0" }).end();
    }
    const started = Date.now();
    let payload: string;
    let functionError = false;
    try {
      const value = await this.options.invoker.invoke(fn.address, event, { requestId });
      payload = JSON.stringify(value) ?? "null";
      if (Buffer.byteLength(payload) > RESPONSE_PAYLOAD_LIMIT) {
        const size = Buffer.byteLength(payload);
        payload = JSON.stringify({
          errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${RESPONSE_PAYLOAD_LIMIT} bytes).`,
          errorType: "Function.ResponseSizeTooLarge",
        });
        functionError = true;
      }
      this.options.log(`Invoke RequestResponse → ${fn.functionName} ${Date.now() - started} ms ${functionError ? "error: the result is over 6 MB" : "ok"}`);
    } catch (error) {
      const object = errorObject(error, requestId);
      if (object === undefined) {
        this.options.log(`Invoke RequestResponse → ${fn.functionName} ${Date.now() - started} ms → 500 ServiceException: ${describeError(error)}`);
        const message = error instanceof EmulatorClosedError ? "The emulator is shutting down" : "An internal error occurred";
        return sendError(response, { status: 500, errorType: "ServiceException", body: { Type: "Service", Message: message } });
      }
      this.options.log(`Invoke RequestResponse → ${fn.functionName} ${Date.now() - started} ms error: ${describeError(error)}`);
      payload = JSON.stringify(object);
      functionError = true;
    }
    response
      .writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
        "X-Amz-Executed-Version": "$LATEST",
        ...(functionError ? { "X-Amz-Function-Error": "Unhandled" } : {}),
      })
      .end(payload);
  }

  /** The function the path (and `Qualifier`) names, or Lambda's refusal. */
  private findFunction(rawPath: string, url: string): FunctionPlan | Refusal {
    const segment = INVOKE_PATH.exec(rawPath)![1]!;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      name = segment;
    }
    const query = new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
    const qualifierParameter = query.get("Qualifier") ?? undefined;
    const reference = parseFunctionReference(name);
    const { region, accountId } = this.options;
    if (reference === undefined) {
      return {
        status: 400,
        errorType: "ValidationException",
        body: { message: `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST(\\.PUBLISHED)?|[a-zA-Z0-9-_]+))?` },
      };
    }
    if (reference.qualifier !== undefined && qualifierParameter !== undefined && reference.qualifier !== qualifierParameter) {
      return { status: 400, errorType: "InvalidParameterValueException", body: { Type: "User", message: "The derived qualifier from the function name does not match the specified qualifier." } };
    }
    const qualifier = qualifierParameter ?? reference.qualifier;
    const notFound: Refusal = {
      status: 404,
      errorType: "ResourceNotFoundException",
      body: { Type: "User", Message: `Function not found: ${functionArn(reference.region ?? region, reference.accountId ?? accountId, reference.name, qualifier)}` },
    };
    const fn = this.byName.get(reference.name);
    const elsewhere = (reference.region !== undefined && reference.region !== region) || (reference.accountId !== undefined && reference.accountId !== accountId);
    // The emulator has $LATEST only: no published versions, no aliases.
    if (fn === undefined || elsewhere || (qualifier !== undefined && qualifier !== "$LATEST")) return notFound;
    return fn;
  }
}

/**
 * The error object a synchronous caller gets (with `X-Amz-Function-Error:
 * Unhandled`), as the Node.js runtime and Lambda word it; undefined for
 * errors that are the emulator's, not the function's.
 */
export function errorObject(error: unknown, requestId: string): Record<string, unknown> | undefined {
  if (error instanceof FunctionError) return { errorType: error.errorType, errorMessage: error.errorMessage, trace: error.trace };
  if (error instanceof FunctionTimeoutError) {
    return { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${error.timeoutSeconds.toFixed(2)} seconds` };
  }
  if (error instanceof WorkerCrashedError) {
    return { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${error.exit}` };
  }
  return undefined;
}

function sendError(response: ServerResponse, refusal: Refusal): void {
  const text = JSON.stringify(refusal.body);
  response
    .writeHead(refusal.status, { "x-amzn-ErrorType": refusal.errorType, "content-type": "application/json", "content-length": Buffer.byteLength(text) })
    .end(text);
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

