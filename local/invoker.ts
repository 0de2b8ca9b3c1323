import { createHash, randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { transformSync } from "esbuild";
import { EmulatorClosedError, FunctionError, FunctionTimeoutError, WorkerCrashedError } from "./errors.ts";
import type { FunctionPlan } from "./plan.ts";
import type { FromWorker, LambdaWorkerData, SerializedError, ToWorker } from "./lambda-worker.ts";

/**
 * Runs Lambda functions in worker threads, one pool per function.
 *
 * Like Lambda, a worker (a "container") serves one invocation at a time and
 * stays warm afterwards; when every worker of a function is busy another is
 * started, up to `maxWorkersPerFunction`, and further invocations queue. A
 * function that runs past its `timeout` has its worker terminated, so a hung
 * handler costs one worker, never the emulator.
 *
 * Every invocation goes through here, whoever asks: API Gateway's routes and
 * authorizer (gateway.ts), and the Lambda Invoke API's synchronous and
 * asynchronous invocations (lambda-api.ts, async-invoke.ts). So the test aid
 * `crashInvocations` counts them all.
 */

/**
 * Test aid (`--crash-invocations`): the first `count` invocations of a
 * function crash `afterMs` after they start, as if the runtime process died
 * (Lambda reports `Runtime.ExitError`). What the handler did before stays done.
 */
export interface CrashInjection {
  readonly count: number;
  /** @default 0 */
  readonly afterMs?: number;
}

/** Per-invocation choices. */
export interface InvokeOptions {
  /** The invocation's request id (`context.awsRequestId`). @default a new UUID */
  readonly requestId?: string;
}

export interface InvokerOptions {
  /** Folder for the compiled worker entry. */
  readonly cacheDir: string;
  /** `host:port` values whose https traffic the workers send to the emulator over http. */
  readonly redirectHosts: readonly string[];
  /** Variables every function gets (region, credentials, the DynamoDB endpoint). */
  readonly baseEnvironment: Readonly<Record<string, string>>;
  /** @default 4 */
  readonly maxWorkersPerFunction?: number;
  /**
   * How long an invocation waits for a busy worker before another worker starts (when the function
   * has fewer than `maxWorkersPerFunction`). A worker costs ~10 MB and tens of milliseconds to start,
   * while most invocations take a millisecond or two; an invocation that would wait less than a cold
   * start is never served sooner by a new worker. So by default the delay is the function's last
   * measured cold start (10-200 ms; 50 ms before the first). A slow handler still gets more workers.
   * @default the function's cold-start time
   */
  readonly scaleOutDelayMs?: number;
  /** Where function output goes, one line at a time. */
  readonly log: (line: string) => void;
  /** Injected crashes, by function resource address (test aid). @default none */
  readonly crashInvocations?: ReadonlyMap<string, CrashInjection>;
}

/** A function's code, ready to run. */
export interface PreparedFunction {
  readonly plan: FunctionPlan;
  readonly codeDir: string;
}

export class Invoker {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly workerFile: string;
  /** Injected crashes still to come, by function address. */
  private readonly crashesLeft = new Map<string, number>();
  private closed = false;

  constructor(
    functions: readonly PreparedFunction[],
    private readonly options: InvokerOptions,
  ) {
    this.workerFile = compileWorkerEntry(options.cacheDir);
    for (const fn of functions) this.pools.set(fn.plan.address, new FunctionPool(fn, this.workerFile, options));
    for (const [address, crash] of options.crashInvocations ?? []) this.crashesLeft.set(address, crash.count);
  }

  /**
   * Invokes a function and resolves with its JSON result. Rejects with
   * FunctionError, FunctionTimeoutError or WorkerCrashedError.
   */
  async invoke(functionAddress: string, event: unknown, options: InvokeOptions = {}): Promise<unknown> {
    if (this.closed) throw new EmulatorClosedError();
    const pool = this.pools.get(functionAddress);
    if (pool === undefined) throw new Error(`no function ${functionAddress} in this plan`);
    return pool.invoke(event, options.requestId ?? randomUUID(), this.takeCrash(functionAddress, pool.name));
  }

  /** The crash delay when this invocation is one of the injected crashes. */
  private takeCrash(functionAddress: string, name: string): number | undefined {
    const left = this.crashesLeft.get(functionAddress) ?? 0;
    if (left <= 0) return undefined;
    this.crashesLeft.set(functionAddress, left - 1);
    const afterMs = this.options.crashInvocations?.get(functionAddress)?.afterMs ?? 0;
    this.options.log(`${name}: this invocation will crash after ${afterMs} ms (--crash-invocations; ${left - 1} more to come)`);
    return afterMs;
  }

  /** Terminates every worker; pending invocations reject with EmulatorClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}

/** Compiles lambda-worker.ts once per content into the cache (workers cannot load TypeScript). */
function compileWorkerEntry(cacheDir: string): string {
  const source = readFileSync(fileURLToPath(new URL("./lambda-worker.ts", import.meta.url)), "utf8");
  const digest = createHash("sha256").update(source).digest("hex").slice(0, 16);
  const file = path.join(cacheDir, `lambda-worker-${digest}.mjs`);
  if (!existsSync(file)) {
    mkdirSync(cacheDir, { recursive: true });
    const { code } = transformSync(source, { loader: "ts", format: "esm", target: "node20" });
    const staging = `${file}.${process.pid}.tmp`;
    writeFileSync(staging, code);
    // rename is atomic: concurrent emulators never load a half-written file.
    renameSync(staging, file);
  }
  return file;
}

interface Waiter {
  resolve(worker: LambdaWorker): void;
  reject(error: unknown): void;
}

class FunctionPool {
  private readonly idle: LambdaWorker[] = [];
  private readonly all = new Set<LambdaWorker>();
  private readonly waiting: Waiter[] = [];
  private readonly cap: number;
  private readonly fixedScaleOutDelayMs: number | undefined;
  /** The last measured time from spawn to a loaded handler. */
  private coldStartMs = 50;
  private scaleOutTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly fn: PreparedFunction,
    private readonly workerFile: string,
    private readonly options: InvokerOptions,
  ) {
    this.cap = Math.max(1, options.maxWorkersPerFunction ?? 4);
    this.fixedScaleOutDelayMs = options.scaleOutDelayMs === undefined ? undefined : Math.max(0, options.scaleOutDelayMs);
  }

  get name(): string {
    return this.fn.plan.functionName;
  }

  private get scaleOutDelayMs(): number {
    return this.fixedScaleOutDelayMs ?? Math.min(200, Math.max(10, this.coldStartMs));
  }

  async invoke(event: unknown, requestId: string, crashAfterMs: number | undefined): Promise<unknown> {
    const worker = await this.acquire();
    try {
      return await worker.invoke(event, this.fn.plan.timeoutSeconds, requestId, crashAfterMs);
    } finally {
      this.release(worker);
    }
  }

  private acquire(): Promise<LambdaWorker> {
    if (this.closed) return Promise.reject(new EmulatorClosedError());
    const ready = this.idle.pop();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.all.size === 0 || (this.all.size < this.cap && this.scaleOutDelayMs === 0)) return Promise.resolve(this.spawn());
    const queued = new Promise<LambdaWorker>((resolve, reject) => this.waiting.push({ resolve, reject }));
    this.scheduleScaleOut();
    return queued;
  }

  private spawn(): LambdaWorker {
    const started = performance.now();
    const worker = new LambdaWorker(this.fn, this.workerFile, this.options, () => this.forget(worker), () => {
      this.coldStartMs = performance.now() - started;
    });
    this.all.add(worker);
    return worker;
  }

  /**
   * Invocations still queued after the delay get a new worker, one per delay, up to the cap; never
   * while another worker is still starting (it will take the queue as soon as it is warm).
   */
  private scheduleScaleOut(): void {
    if (this.scaleOutTimer !== undefined || this.all.size >= this.cap) return;
    this.scaleOutTimer = setTimeout(() => {
      this.scaleOutTimer = undefined;
      if (this.closed || this.waiting.length === 0 || this.all.size >= this.cap) return;
      if ([...this.all].some((worker) => !worker.warm)) return this.scheduleScaleOut();
      this.waiting.shift()!.resolve(this.spawn());
      if (this.waiting.length > 0) this.scheduleScaleOut();
    }, this.scaleOutDelayMs);
  }

  private release(worker: LambdaWorker): void {
    if (!worker.alive || this.closed) return;
    const next = this.waiting.shift();
    if (next !== undefined) next.resolve(worker);
    else this.idle.push(worker);
  }

  /** A worker died: drop it, and let a queued invocation start a fresh one. */
  private forget(worker: LambdaWorker): void {
    this.all.delete(worker);
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next !== undefined) next.resolve(this.spawn());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.scaleOutTimer);
    for (const waiter of this.waiting.splice(0)) waiter.reject(new EmulatorClosedError());
    await Promise.all([...this.all].map((worker) => worker.terminate()));
  }
}

interface Pending {
  readonly requestId: string;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** One warm "container": a worker thread with the function's environment. */
class LambdaWorker {
  alive = true;
  /** Its handler is loaded (or failed to load): it no longer counts as starting. */
  warm = false;
  private readonly worker: Worker;
  private readonly ready: Promise<void>;
  private pending: Pending | undefined;
  private readonly name: string;

  constructor(
    fn: PreparedFunction,
    workerFile: string,
    options: InvokerOptions,
    private readonly onDeath: () => void,
    onWarm: () => void,
  ) {
    const plan = fn.plan;
    this.name = plan.functionName;
    const logStream = `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomUUID().replaceAll("-", "")}`;
    const workerData: LambdaWorkerData = {
      codeDir: fn.codeDir,
      handler: plan.handler,
      functionName: plan.functionName,
      functionVersion: "$LATEST",
      memorySizeMb: plan.memorySizeMb,
      invokedFunctionArn: plan.arn,
      logGroupName: `/aws/lambda/${plan.functionName}`,
      logStreamName: logStream,
      redirectHosts: options.redirectHosts,
    };
    this.worker = new Worker(workerFile, {
      workerData,
      // Its own process.env: the function's variables and the runtime's, never the host's credentials.
      env: {
        PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        LANG: "en_US.UTF-8",
        TZ: ":UTC",
        ...options.baseEnvironment,
        // The worker stands in for the function's runtime; the SDK's warning about the host's Node version
        // (once per worker) is noise here. emulator.ts warns once when the versions differ.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
        AWS_LAMBDA_FUNCTION_NAME: plan.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(plan.memorySizeMb),
        AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${plan.functionName}`,
        AWS_LAMBDA_LOG_STREAM_NAME: logStream,
        AWS_EXECUTION_ENV: `AWS_Lambda_${plan.runtime ?? "nodejs20.x"}`,
        LAMBDA_TASK_ROOT: fn.codeDir,
        _HANDLER: plan.handler,
        ...plan.environment,
      },
      stdout: true,
      stderr: true,
      // The worker entry is plain JS: a tsx loader per worker would cost ~7 MB and start-up time.
      execArgv: workerExecArgv(),
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, plan.memorySizeMb) },
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream }).on("line", (line) => options.log(`[${this.name}] ${line}`));
    }
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === "ready") {
          this.worker.off("message", onMessage);
          resolve();
        } else if (message.type === "init-error") {
          this.worker.off("message", onMessage);
          reject(toFunctionError(this.name, message.error));
          void this.terminate();
        }
      };
      this.worker.on("message", onMessage);
      this.worker.once("exit", (code) => reject(new WorkerCrashedError(this.name, `exit code ${code} during init`)));
    });
    this.ready.then(
      () => {
        this.warm = true;
        onWarm();
      },
      () => (this.warm = true), // observed again by the first invoke
    );
    this.worker.on("message", (message: FromWorker) => {
      if (message.type !== "result" || this.pending?.requestId !== message.requestId) return;
      const pending = this.pending;
      this.pending = undefined;
      if (message.ok) pending.resolve(JSON.parse(message.value));
      else pending.reject(toFunctionError(this.name, message.error));
    });
    this.worker.on("error", (error) => {
      this.fail(new WorkerCrashedError(this.name, `${error.name}: ${error.message}`, { cause: error }));
    });
    this.worker.on("exit", (code) => {
      this.fail(new WorkerCrashedError(this.name, `exit code ${code}`));
    });
  }

  async invoke(event: unknown, timeoutSeconds: number, requestId: string, crashAfterMs?: number): Promise<unknown> {
    await this.ready;
    // It may have died while idle (a stray timer throwing after its last invocation).
    if (!this.alive) throw new WorkerCrashedError(this.name, "exited before the invocation started");
    const deadline = Date.now() + timeoutSeconds * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new FunctionTimeoutError(this.name, timeoutSeconds));
        void this.terminate();
      }, timeoutSeconds * 1000);
      let settled = false;
      let crash: NodeJS.Timeout | undefined;
      const finish = (settle: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(crash);
        settle();
      };
      if (crashAfterMs !== undefined) {
        // An injected crash: the runtime dies `crashAfterMs` into the invocation, as a killed Lambda
        // process would. What the handler did so far stays done; an outcome it reported sooner is lost.
        crash = setTimeout(() => {
          const error = new WorkerCrashedError(this.name, `injected crash after ${crashAfterMs} ms`, { exit: "signal: killed" });
          finish(() => reject(error));
          this.fail(error);
          void this.terminate();
        }, crashAfterMs);
      }
      const outcomeLost = crashAfterMs !== undefined;
      this.pending = {
        requestId,
        resolve: (value) => {
          if (!outcomeLost) finish(() => resolve(value));
        },
        // A timeout or a real crash still ends the invocation; the handler's own error is lost with the runtime.
        reject: (error) => {
          if (!outcomeLost || !(error instanceof FunctionError)) finish(() => reject(error));
        },
      };
      this.worker.postMessage({ type: "invoke", requestId, event: JSON.stringify(event) ?? "null", deadline } satisfies ToWorker);
    });
  }

  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    if (this.alive) {
      this.alive = false;
      this.onDeath();
    }
    pending?.reject(error);
  }

  async terminate(): Promise<void> {
    if (this.alive) {
      this.alive = false;
      this.onDeath();
    }
    await this.worker.terminate();
  }
}

const HOOK_FLAGS = /^(--import|--require|-r|--loader|--experimental-loader)(=|$)/;

/**
 * Without the host's module hooks: inheriting `--import tsx` would load tsx into every worker. Other
 * flags are only inherited when there is no hook flag (an explicit list must not hold process-wide
 * flags such as --expose-gc, which workers refuse).
 */
function workerExecArgv(): string[] | undefined {
  return process.execArgv.some((arg) => HOOK_FLAGS.test(arg)) ? [] : undefined;
}

function toFunctionError(functionName: string, error: SerializedError): FunctionError {
  // The Node.js runtime reports the stack as `trace`, one entry per line.
  return new FunctionError(functionName, error.errorType, error.errorMessage, error.stack === undefined ? [] : error.stack.split("\n"));
}
