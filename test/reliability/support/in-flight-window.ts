/**
 * At most `limit` messages awaiting an answer at once, across every client of
 * a load run. An open-loop load on two shared cores offers more than the
 * emulator serves whenever the machine is slower than usual; the backlog then
 * waits in the emulator until API Gateway's 29 s integration timeout fires,
 * which on AWS (where Lambda scales out) would not happen. Holding sends back
 * in the clients keeps every invocation's wait bounded and makes the run
 * measure delivery, not this machine's spare capacity. How long sends were
 * held back is counted, so a slow machine shows in the report.
 */
export class InFlightWindow {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  /** Sends that had to wait for a free slot. */
  heldBack = 0;
  /** Total time those sends waited, in ms. */
  heldBackMs = 0;

  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`InFlightWindow: limit must be at least 1, got ${limit}`);
  }

  /** Resolves when a slot is free and takes it. */
  async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return;
    }
    const since = Date.now();
    this.heldBack += 1;
    // release() hands its slot straight to the first waiter, so inFlight is not incremented here.
    await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.heldBackMs += Date.now() - since;
  }

  /** Frees a slot: an answer (receipt or error frame) arrived. */
  release(): void {
    const next = this.waiters.shift();
    if (next !== undefined) next();
    else this.inFlight = Math.max(0, this.inFlight - 1);
  }
}
