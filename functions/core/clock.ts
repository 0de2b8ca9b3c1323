/** The clock port: time for timestamps and TTLs, and waiting for backoff. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The real clock. A function rather than a shared constant, so nothing in the core is module state. */
export function systemClock(): Clock {
  return {
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
}
