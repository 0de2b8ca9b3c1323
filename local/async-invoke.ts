import { describeError, EmulatorClosedError } from "./errors.ts";
import type { Invoker } from "./invoker.ts";
import { DEFAULT_ASYNC_INVOKE, type FunctionPlan } from "./plan.ts";

/**
 * Lambda's asynchronous (`Event`) invocations: the event queue between the
 * `202` and the function, and what happens when the function fails.
 *
 * As AWS documents it: an event runs once; on a function error (the handler
 * threw, the function timed out, the runtime crashed) it is retried
 * `maximum_retry_attempts` times (default 2), one minute after the first
 * attempt and two minutes after the second; an event older than
 * `maximum_event_age_in_seconds` (default 6 hours) is dropped instead of run.
 * Both come from the function's `aws_lambda_function_event_invoke_config`.
 * The event keeps its request id across retries.
 *
 * Events run on the same workers as every other invocation (invoker.ts), so
 * they share the function's concurrency. Nothing is persisted: events waiting
 * for a retry are dropped when the emulator stops.
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
 * @see local/spec/lambda-invoke.md §7
 */

/** AWS's waits before the first and the second retry. */
export const AWS_RETRY_DELAYS_MS: readonly number[] = [60_000, 120_000];

export interface AsyncInvocationOptions {
  readonly invoker: Invoker;
  readonly log: (line: string) => void;
  /**
   * Replaces both of AWS's waits before a retry (60 s, then 120 s), so tests
   * need not wait minutes (`--async-retry-delay`). @default AWS's
   */
  readonly retryDelayMs?: number;
  /** Test hook: the clock (epoch ms) event ages are measured by. @default Date.now */
  readonly clock?: () => number;
}

interface QueuedEvent {
  readonly fn: FunctionPlan;
  readonly event: unknown;
  readonly requestId: string;
  readonly receivedAt: number;
}

export class AsyncInvocationQueue {
  private readonly waiting = new Map<NodeJS.Timeout, QueuedEvent>();
  private closed = false;

  constructor(private readonly options: AsyncInvocationOptions) {}

  /** Accepts an event (the caller answers 202); it starts on the next turn of the event loop. */
  enqueue(fn: FunctionPlan, event: unknown, requestId: string): void {
    this.later({ fn, event, requestId, receivedAt: this.now() }, 1, 0);
  }

  /** Drops the events still waiting (logged); attempts already running end with the workers. */
  close(): void {
    this.closed = true;
    if (this.waiting.size > 0) this.options.log(`stopping: ${this.waiting.size} asynchronous event(s) not run (nothing is persisted)`);
    for (const timer of this.waiting.keys()) clearTimeout(timer);
    this.waiting.clear();
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  private later(queued: QueuedEvent, attempt: number, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      void this.attempt(queued, attempt);
    }, delayMs);
    this.waiting.set(timer, queued);
  }

  private async attempt(queued: QueuedEvent, attempt: number): Promise<void> {
    const { fn, requestId } = queued;
    const config = fn.asyncInvoke ?? DEFAULT_ASYNC_INVOKE;
    const source = config.address ?? "Lambda's default";
    const label = `Event ${requestId} → ${fn.functionName}${attempt > 1 ? ` (retry ${attempt - 1} of ${config.maximumRetryAttempts})` : ""}`;
    const ageMs = this.now() - queued.receivedAt;
    if (ageMs > config.maximumEventAgeSeconds * 1000) {
      this.options.log(`Event ${requestId} for ${fn.functionName} dropped: it is ${Math.floor(ageMs / 1000)} s old, over maximum_event_age_in_seconds ${config.maximumEventAgeSeconds} (${source})`);
      return;
    }
    const started = Date.now();
    try {
      await this.options.invoker.invoke(fn.address, queued.event, { requestId });
      this.options.log(`${label} ${Date.now() - started} ms ok`);
    } catch (error) {
      if (this.closed || error instanceof EmulatorClosedError) return;
      const failed = `${label} ${Date.now() - started} ms error: ${describeError(error)}`;
      if (attempt > config.maximumRetryAttempts) {
        this.options.log(`${failed}; event dropped after ${attempt} attempt(s) (maximum_retry_attempts ${config.maximumRetryAttempts}, ${source})`);
        return;
      }
      const delayMs = this.options.retryDelayMs ?? AWS_RETRY_DELAYS_MS[Math.min(attempt, AWS_RETRY_DELAYS_MS.length) - 1]!;
      this.options.log(`${failed}; retry ${attempt} of ${config.maximumRetryAttempts} in ${delayMs} ms`);
      this.later(queued, attempt + 1, delayMs);
    }
  }
}
