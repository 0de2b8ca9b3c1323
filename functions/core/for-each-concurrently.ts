/**
 * Runs `work` on every item of `items` with at most `concurrency` calls in
 * flight: a pool of workers that each pull the next item when they finish one,
 * so items are consumed as the source produces them (a store page can still be
 * loading while the first sends run).
 *
 * Every call is awaited. If `work` or the source fails, no new items are
 * pulled, the calls already running finish, and the first error is rethrown.
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T>,
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  // An async generator queues concurrent next() calls, so workers can share one.
  const source = pull(items);
  let failure: { readonly error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined) {
      try {
        const next = await source.next();
        if (next.done) return;
        await work(next.value);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.floor(concurrency)) }, worker));
  if (failure !== undefined) {
    throw failure.error;
  }
}

async function* pull<T>(items: AsyncIterable<T>): AsyncGenerator<T> {
  yield* items;
}
