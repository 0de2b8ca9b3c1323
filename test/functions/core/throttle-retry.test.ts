import { describe, expect, it } from "vitest";
import { isServerFault, isThrottled, isTransient } from "../../../functions/core/send-failure.ts";
import { DEFAULT_THROTTLE_RETRY, OutOfTimeError, retryTransient, retryTransientUntil } from "../../../functions/core/throttle-retry.ts";

const POLICY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

/** An error shaped as the SDK (and signed-connections-client.ts) shapes service errors. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} (HTTP ${status})`), { name, $metadata: { httpStatusCode: status } });
}

const throttled = () => serviceError("LimitExceededException", 429);
const internal = () => serviceError("InternalServerErrorException", 500);

/** An attempt that fails with the given errors in turn, then succeeds. */
function attemptsFailingWith(errors: Error[]) {
  let calls = 0;
  return {
    attempt: async () => {
      const error = errors[calls++];
      if (error) throw error;
      return "ok";
    },
    calls: () => calls,
  };
}

describe("retryTransient", () => {
  it("retryTransient: retries throttling with capped, doubling waits", async () => {
    // GIVEN an attempt throttled three times, and a random source at its maximum
    const { attempt, calls } = attemptsFailingWith([throttled(), throttled(), throttled()]);
    const waits: number[] = [];
    // WHEN it is run
    const result = await retryTransient(attempt, POLICY, async (ms) => void waits.push(ms), () => 0.999999);
    // THEN it succeeds on the fourth attempt after waits of 100, 200 and 250 (capped)
    expect(result).toBe("ok");
    expect(calls()).toBe(4);
    expect(waits).toEqual([99, 199, 249]);
  });

  it("retryTransient: a bare 429 without the exception name also counts as throttling", async () => {
    const bare = serviceError("UnknownError", 429);
    const { attempt, calls } = attemptsFailingWith([bare]);
    await expect(retryTransient(attempt, POLICY, async () => {})).resolves.toBe("ok");
    expect(calls()).toBe(2);
  });

  it.each([
    ["InternalServerErrorException", 500],
    ["UnknownError", 502],
    ["ServiceUnavailableException", 503],
    ["UnknownError", 504],
  ])("retryTransient: retries a server fault (%s, %i) like throttling", async (name, status) => {
    const { attempt, calls } = attemptsFailingWith([serviceError(name, status), throttled()]);
    const waits: number[] = [];
    await expect(retryTransient(attempt, POLICY, async (ms) => void waits.push(ms), () => 0.5)).resolves.toBe("ok");
    expect(calls()).toBe(3);
    expect(waits).toEqual([50, 100]);
  });

  it("retryTransient: an InternalServerErrorException without a status still counts as a server fault", async () => {
    const named = Object.assign(new Error("boom"), { name: "InternalServerErrorException" });
    expect(isServerFault(named)).toBe(true);
    const { attempt, calls } = attemptsFailingWith([named]);
    await expect(retryTransient(attempt, POLICY, async () => {})).resolves.toBe("ok");
    expect(calls()).toBe(2);
  });

  it("retryTransient: gives up after maxAttempts with the last transient error", async () => {
    const { attempt, calls } = attemptsFailingWith([throttled(), internal(), throttled(), internal(), throttled()]);
    await expect(retryTransient(attempt, POLICY, async () => {})).rejects.toMatchObject({ name: "InternalServerErrorException" });
    expect(calls()).toBe(4);
  });

  it("retryTransient: does not retry other errors: 410, 403, 400, 501, timeouts", async () => {
    const timeout = Object.assign(new Error("no answer within 5000 ms"), { name: "TimeoutError" });
    for (const error of [serviceError("GoneException", 410), serviceError("ForbiddenException", 403), serviceError("BadRequestException", 400), serviceError("UnknownError", 501), timeout]) {
      const { attempt, calls } = attemptsFailingWith([error]);
      await expect(retryTransient(attempt, POLICY, async () => {})).rejects.toBe(error);
      expect(calls()).toBe(1);
      expect(isTransient(error)).toBe(false);
    }
  });

  it("DEFAULT_THROTTLE_RETRY: a recipient that always fails costs at most 350 ms of waiting", async () => {
    // A broadcast runs inside API Gateway's 29 s; the policy must stay small.
    const { attempt, calls } = attemptsFailingWith(Array.from({ length: 10 }, internal));
    const waits: number[] = [];
    await expect(retryTransient(attempt, DEFAULT_THROTTLE_RETRY, async (ms) => void waits.push(ms), () => 0.999999)).rejects.toMatchObject({ name: "InternalServerErrorException" });
    expect(calls()).toBe(DEFAULT_THROTTLE_RETRY.maxAttempts);
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBeLessThanOrEqual(350);
  });

  it("isThrottled: a server fault is not throttling (it is retried as a server fault)", () => {
    expect(isThrottled(internal())).toBe(false);
    expect(isServerFault(internal())).toBe(true);
  });
});

describe("retryTransientUntil", () => {
  /** A clock that starts at 0 and moves on by each sleep. */
  function movingClock() {
    let now = 0;
    const waits: number[] = [];
    return { now: () => new Date(now), sleep: async (ms: number) => void (waits.push(ms), (now += ms)), waits };
  }

  it("retries throttling (429) past maxAttempts for as long as the deadline allows, then is OutOfTimeError carrying the 429", async () => {
    // GIVEN an attempt throttled 10 times (maxAttempts is 4), waits at their maximum, and a deadline 10 s away
    const clock = movingClock();
    const { attempt, calls } = attemptsFailingWith(Array.from({ length: 10 }, throttled));
    // WHEN it runs
    // THEN it succeeds on the 11th attempt, having waited past maxAttempts
    await expect(retryTransientUntil(attempt, POLICY, 10_000, clock, () => 0.999)).resolves.toBe("ok");
    expect(calls()).toBe(11);

    // GIVEN one throttled forever and a deadline 1 s away
    const late = movingClock();
    const forever = { attempt: async () => Promise.reject(throttled()) };
    // THEN it stops before a wait that would end past the deadline, with the last 429 inside
    const error = await retryTransientUntil(forever.attempt, POLICY, 1_000, late, () => 0.999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfTimeError);
    expect((error as OutOfTimeError).lastError).toMatchObject({ name: "LimitExceededException" });
    expect(late.now().getTime()).toBeLessThan(1_000);
  });

  it("a server fault (5xx) keeps maxAttempts: a recipient that always fails costs a few waits, not the deadline", async () => {
    const clock = movingClock();
    const { attempt, calls } = attemptsFailingWith(Array.from({ length: 10 }, internal));
    await expect(retryTransientUntil(attempt, POLICY, 60_000, clock, () => 0.5)).rejects.toMatchObject({ name: "InternalServerErrorException" });
    expect(calls()).toBe(POLICY.maxAttempts);
  });
});
