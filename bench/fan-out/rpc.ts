/**
 * The bench's helper processes (the @connections stand-in and DynamoDB) run
 * as child processes, so their CPU is not counted in the broadcaster's
 * `process.cpuUsage()`. This is the request/answer protocol over the IPC channel.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

interface Call { readonly id: number; readonly method: string; readonly args: unknown }
type Answer = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: string };
/** A request the child makes of the parent (see `request`), and the parent's answer. */
interface Up { readonly up: number; readonly args: unknown }
interface UpAnswer { readonly upId: number; readonly ok: boolean; readonly value?: unknown; readonly error?: string }

type Method = (...args: never[]) => unknown;
type ArgsOf<F> = F extends (...args: infer A) => unknown ? A : never;
type ResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : never;

export interface ChildHandle<Api> {
  call<M extends keyof Api & string>(method: M, ...args: ArgsOf<Api[M]>): Promise<ResultOf<Api[M]>>;
  readonly pid: number;
  close(): Promise<void>;
}

/**
 * Starts `module` (next to this file) in a child Node process under tsx and waits for it to be ready.
 * `onRequest` answers the child's own requests (`request` in the child), e.g. an invocation asking to queue another.
 */
export async function startChild<Api>(module: string, options: Record<string, unknown>, onRequest?: (args: unknown) => Promise<unknown>): Promise<ChildHandle<Api>> {
  const file = fileURLToPath(new URL(module, import.meta.url));
  const child: ChildProcess = fork(file, [JSON.stringify(options)], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on("message", (message: Answer | Up | { ready: true }) => {
    if ("ready" in message) return;
    if ("up" in message) {
      const reply = (answer: UpAnswer): void => void (child.connected && child.send(answer));
      Promise.resolve()
        .then(() => (onRequest === undefined ? Promise.reject(new Error(`${module} made a request and nobody answers it`)) : onRequest(message.args)))
        .then(
          (value) => reply({ upId: message.up, ok: true, value }),
          (error: unknown) => reply({ upId: message.up, ok: false, error: error instanceof Error ? error.message : String(error) }),
        );
      return;
    }
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    message.ok ? waiter.resolve(message.value) : waiter.reject(new Error(message.error));
  });
  child.on("exit", (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${module} exited with ${code}`));
    pending.clear();
  });
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`${module} exited with ${code} before it was ready`)));
  });
  return {
    pid: child.pid!,
    call: ((method: string, args?: unknown) =>
      new Promise<unknown>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        child.send({ id, method, args } satisfies Call);
      })) as unknown as ChildHandle<Api>["call"],
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** In the child: answers calls with `api`, then tells the parent it is ready. */
export function serve(api: Record<string, Method>): void {
  process.on("message", (call: Call | UpAnswer) => {
    if ("upId" in call) {
      const waiter = upPending.get(call.upId);
      upPending.delete(call.upId);
      if (waiter) call.ok ? waiter.resolve(call.value) : waiter.reject(new Error(call.error));
      return;
    }
    Promise.resolve()
      .then(() => (api[call.method] as (args: unknown) => unknown)(call.args))
      .then(
        (value) => process.send!({ id: call.id, ok: true, value } satisfies Answer),
        (error: unknown) => process.send!({ id: call.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies Answer),
      );
  });
  process.on("disconnect", () => process.exit(0));
  process.send!({ ready: true });
}

const upPending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextUp = 1;

/** In the child: asks the parent something (its `onRequest` answers) and resolves with the answer. */
export function request(args: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const up = nextUp++;
    upPending.set(up, { resolve, reject });
    process.send!({ up, args } satisfies Up);
  });
}

/** The options a child was started with. */
export function childOptions<T>(): T {
  return JSON.parse(process.argv[2] ?? "{}") as T;
}
