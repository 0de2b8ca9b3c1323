/**
 * Named errors of the emulator. Each carries what a developer needs to fix the
 * problem (the Terraform address and argument, the function name); none of
 * them is ever sent to a WebSocket or HTTP client, which only ever sees the
 * fixed AWS texts.
 */

/** Base class, so callers can tell emulator faults from anything else. */
export class EmulatorError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The Terraform asks for something the emulator cannot run. The message
 * always starts with the resource address and names the argument, e.g.
 * `aws_apigatewayv2_integration.chat_http: integration_type "HTTP" is not supported`.
 */
export class UnsupportedConfigurationError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly argument: string,
    detail: string,
  ) {
    super(`${address}: ${detail}`);
  }
}

/** A Lambda deployment package that is not on disk. */
export class AssetNotFoundError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly path: string,
  ) {
    super(`${address}: deployment package ${path} does not exist (run the synth/build that produces it)`);
  }
}

/** The handler threw, rejected, or called back with an error (Lambda "Unhandled" error). */
export class FunctionError extends EmulatorError {
  constructor(
    readonly functionName: string,
    readonly errorType: string,
    readonly errorMessage: string,
    /** The error's stack, one line per entry, as the Node.js runtime reports it in `trace`. */
    readonly trace: readonly string[] = [],
  ) {
    super(`${functionName} failed: ${errorType}: ${errorMessage}`);
  }
}

/** The function ran past its configured Lambda `timeout`; its worker was terminated. */
export class FunctionTimeoutError extends EmulatorError {
  constructor(
    readonly functionName: string,
    readonly timeoutSeconds: number,
  ) {
    super(`${functionName}: Task timed out after ${timeoutSeconds.toFixed(2)} seconds`);
  }
}

/** The worker running the function died (process.exit, fatal error, out of memory, an injected crash). */
export class WorkerCrashedError extends EmulatorError {
  /**
   * How the runtime ended, in the words of Lambda's `Runtime.ExitError`
   * ("Runtime exited with error: <exit>"): `exit status 3`, `signal: killed`.
   */
  readonly exit: string;

  constructor(
    readonly functionName: string,
    detail: string,
    options?: { cause?: unknown; exit?: string },
  ) {
    super(`${functionName}: runtime exited (${detail})`, options);
    const code = /^exit code (-?\d+)/.exec(detail)?.[1];
    this.exit = options?.exit ?? (code === undefined ? detail : `exit status ${code}`);
  }
}

/** The function's code could not be loaded (missing file, missing export, syntax error). */
export class HandlerLoadError extends EmulatorError {}

/** API Gateway gave up waiting for the integration (default and maximum 29 s). */
export class IntegrationTimeoutError extends EmulatorError {
  constructor(readonly timeoutMs: number) {
    super(`integration did not answer within ${timeoutMs} ms`);
  }
}

/** The function answered with something that is not a Lambda proxy response. */
export class MalformedProxyResponseError extends EmulatorError {
  constructor(detail: string) {
    super(`Malformed Lambda proxy response: ${detail}`);
  }
}

/** The emulator is shutting down; no more invocations are accepted. */
export class EmulatorClosedError extends EmulatorError {
  constructor() {
    super("the emulator is shutting down");
  }
}

/** Text of an error for logs, without assuming it is an Error. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
