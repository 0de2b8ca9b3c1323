/**
 * Worker-thread entry that plays the Lambda Node.js runtime for one function.
 *
 * The invoker compiles this file (esbuild, types stripped) and starts one
 * worker per concurrent invocation. Each worker has its own `process.env` and
 * its own module state, kept warm between invocations like a Lambda
 * container, and runs one invocation at a time. It must import nothing but
 * Node built-ins: it is loaded from a cache folder, not from `local/`.
 *
 * Two things make unmodified AWS handlers work locally:
 * - `https` requests to the emulator's own host:port (what a handler gets from
 *   `https://${requestContext.domainName}/${stage}`) are sent as plain `http`;
 * - `console` lines carry the request id and level, as in CloudWatch.
 */
import http from "node:http";
import https from "node:https";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format } from "node:util";
import { parentPort, workerData } from "node:worker_threads";

export interface LambdaWorkerData {
  readonly codeDir: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memorySizeMb: number;
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** `host:port` pairs whose https traffic goes to the emulator over http. */
  readonly redirectHosts: readonly string[];
}

/**
 * The event travels as its JSON text and is parsed here, as the Lambda runtime parses the payload:
 * one JSON.stringify + a string copy is much cheaper than structured-cloning the object graph.
 */
export type ToWorker = { readonly type: "invoke"; readonly requestId: string; readonly event: string; readonly deadline: number };

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "init-error"; readonly error: SerializedError }
  /** `value` is the result's JSON text (`"null"` for undefined), as Lambda serializes it. */
  | { readonly type: "result"; readonly requestId: string; readonly ok: true; readonly value: string }
  | { readonly type: "result"; readonly requestId: string; readonly ok: false; readonly error: SerializedError };

export interface SerializedError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stack?: string;
}

type Handler = (event: unknown, context: unknown, callback: (error?: unknown, value?: unknown) => void) => unknown;

const data = workerData as LambdaWorkerData;
const port = parentPort!;
let currentRequestId: string | undefined;

function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { errorType: error.name || "Error", errorMessage: error.message, stack: error.stack };
  // Lambda reports `callback("Unauthorized")` as errorType "string".
  if (typeof error === "string") return { errorType: "string", errorMessage: error };
  return { errorType: typeof error, errorMessage: format("%o", error) };
}

function redirectToEmulator(): void {
  const targets = new Set(data.redirectHosts);
  const agent = new http.Agent({ keepAlive: true });
  const targetOf = (first: unknown): boolean => {
    if (typeof first === "string" || first instanceof URL) {
      try {
        const url = new URL(first);
        return url.protocol === "https:" && targets.has(url.host);
      } catch {
        return false;
      }
    }
    if (first !== null && typeof first === "object") {
      const options = first as { hostname?: string; host?: string; port?: number | string };
      const host = options.hostname ?? options.host ?? "localhost";
      return targets.has(`${host}:${options.port ?? 443}`) || targets.has(host);
    }
    return false;
  };
  const toHttpArgs = (args: unknown[]): unknown[] => {
    const [first, ...rest] = args;
    if (typeof first === "string" || first instanceof URL) {
      const url = new URL(first);
      url.protocol = "http:";
      const options = typeof rest[0] === "object" && rest[0] !== null ? { ...(rest[0] as object), agent } : undefined;
      return options ? [url, options, ...rest.slice(1)] : [url, { agent }, ...rest];
    }
    return [{ ...(first as object), protocol: "http:", agent }, ...rest];
  };
  const originalRequest = https.request;
  const originalGet = https.get;
  https.request = function request(...args: unknown[]) {
    if (targetOf(args[0])) return (http.request as (...a: unknown[]) => http.ClientRequest)(...toHttpArgs(args));
    return (originalRequest as (...a: unknown[]) => http.ClientRequest)(...args);
  } as typeof https.request;
  https.get = function get(...args: unknown[]) {
    if (targetOf(args[0])) return (http.get as (...a: unknown[]) => http.ClientRequest)(...toHttpArgs(args));
    return (originalGet as (...a: unknown[]) => http.ClientRequest)(...args);
  } as typeof https.get;
  syncBuiltinESMExports(); // so `import { request } from "node:https"` sees the patch too

  const originalFetch = globalThis.fetch;
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const raw = typeof input === "string" || input instanceof URL ? String(input) : input.url;
    const url = new URL(raw);
    if (url.protocol === "https:" && targets.has(url.host)) {
      url.protocol = "http:";
      return originalFetch(typeof input === "string" || input instanceof URL ? url : new Request(url, input), init);
    }
    return originalFetch(input, init);
  }) as typeof fetch;
}

/** CloudWatch-style lines: `<time>\t<request id>\t<LEVEL>\t<message>`. */
function tagConsole(): void {
  const write = (level: string) => (...args: unknown[]) => {
    process.stdout.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${format(...args)}\n`);
  };
  console.log = write("INFO");
  console.info = write("INFO");
  console.warn = write("WARN");
  console.error = write("ERROR");
  console.debug = write("DEBUG");
  console.trace = write("TRACE");
}

/** Resolves `index.handler` the way the Lambda Node.js runtime does: .js, .mjs, then .cjs. */
async function loadHandler(): Promise<Handler> {
  const dot = data.handler.lastIndexOf(".");
  if (dot <= 0) throw Object.assign(new Error(`Bad handler ${data.handler}`), { name: "Runtime.MalformedHandlerName" });
  const moduleName = data.handler.slice(0, dot);
  const exportName = data.handler.slice(dot + 1);
  const file = [".js", ".mjs", ".cjs"].map((ext) => path.join(data.codeDir, moduleName + ext)).find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw Object.assign(new Error(`Cannot find module '${moduleName}'`), { name: "Runtime.ImportModuleError" });
  }
  let loaded: Record<string, unknown>;
  if (isEsm(file)) {
    loaded = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } else {
    loaded = createRequire(file)(file) as Record<string, unknown>;
  }
  const handler = loaded[exportName];
  if (typeof handler !== "function") {
    throw Object.assign(new Error(`${moduleName}.${exportName} is undefined or not exported`), { name: "Runtime.HandlerNotFound" });
  }
  return handler as Handler;
}

/** `.mjs`, or `.js` under a package.json with `"type": "module"` inside the package. */
function isEsm(file: string): boolean {
  if (file.endsWith(".mjs")) return true;
  if (file.endsWith(".cjs")) return false;
  let dir = path.dirname(file);
  const root = path.resolve(data.codeDir);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, "utf8")) as { type?: string }).type === "module";
      } catch {
        return false;
      }
    }
    if (path.resolve(dir) === root) return false;
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function run(handler: Handler, requestId: string, event: unknown, deadline: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const succeed = (value?: unknown) => {
      if (!settled) (settled = true), resolve(value);
    };
    const fail = (error: unknown) => {
      if (!settled) (settled = true), reject(error);
    };
    const callback = (error?: unknown, value?: unknown) => (error !== undefined && error !== null ? fail(error) : succeed(value));
    const context = {
      awsRequestId: requestId,
      functionName: data.functionName,
      functionVersion: data.functionVersion,
      memoryLimitInMB: String(data.memorySizeMb),
      invokedFunctionArn: data.invokedFunctionArn,
      logGroupName: data.logGroupName,
      logStreamName: data.logStreamName,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: callback,
      succeed,
      fail,
    };
    try {
      const returned = handler(event, context, callback);
      if (returned !== null && typeof returned === "object" && typeof (returned as Promise<unknown>).then === "function") {
        (returned as Promise<unknown>).then(succeed, fail);
      } else if (handler.length < 3) {
        succeed(returned);
      }
    } catch (error) {
      fail(error);
    }
  });
}

async function main(): Promise<void> {
  redirectToEmulator();
  tagConsole();
  let handler: Handler;
  try {
    handler = await loadHandler();
  } catch (error) {
    port.postMessage({ type: "init-error", error: serializeError(error) } satisfies FromWorker);
    return;
  }
  port.on("message", (message: ToWorker) => {
    currentRequestId = message.requestId;
    run(handler, message.requestId, JSON.parse(message.event), message.deadline).then(
      (value) => {
        let payload: string;
        try {
          // Lambda returns JSON: undefined becomes null, class instances plain objects.
          const text = value === undefined ? "null" : (JSON.stringify(value) as string | undefined);
          // A function or symbol has no JSON: Lambda reports a serialization error, so do not send null.
          if (text === undefined) throw new TypeError(`the handler's result (a ${typeof value}) is not JSON-serializable`);
          payload = text;
        } catch (error) {
          port.postMessage({ type: "result", requestId: message.requestId, ok: false, error: serializeError(error) } satisfies FromWorker);
          return;
        }
        port.postMessage({ type: "result", requestId: message.requestId, ok: true, value: payload } satisfies FromWorker);
      },
      (error: unknown) => {
        port.postMessage({ type: "result", requestId: message.requestId, ok: false, error: serializeError(error) } satisfies FromWorker);
      },
    );
  });
  port.postMessage({ type: "ready" } satisfies FromWorker);
}

void main();
