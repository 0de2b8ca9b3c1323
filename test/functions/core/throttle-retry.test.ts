import { describe, expect, it } from "vitest";
import { retryWhenThrottled } from "../../../functions/core/throttle-retry.ts";

const POLICY = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 250 };

function throttled(): Error {
  return Object.assign(new Error("Rate exceeded"), { name: "LimitExceededException", $metadata: { httpStatusCode: 429 } });
}

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

describe("retryWhenThrottled", () => {
  it("retryWhenThrottled: retries throttling with capped, doubling waits", async () => {
    // GIVEN an attempt throttled three times, and a random source at its maximum
    const { attempt, calls } = attemptsFailingWith([throttled(), throttled(), throttled()]);
    const waits: number[] = [];
    // WHEN it is run
    const result = await retryWhenThrottled(attempt, POLICY, async (ms) => void waits.push(ms), () => 0.999999);
    // THEN it succeeds on the fourth attempt after waits of 100, 200 and 250 (capped)
    expect(result).toBe("ok");
    expect(calls()).toBe(4);
    expect(waits).toEqual([99, 199, 249]);
  });

  it("retryWhenThrottled: a bare 429 without the exception name also counts as throttling", async () => {
    const bare = Object.assign(new Error("Too Many Requests"), { name: "UnknownError", $metadata: { httpStatusCode: 429 } });
    const { attempt, calls } = attemptsFailingWith([bare]);
    await expect(retryWhenThrottled(attempt, POLICY, async () => {})).resolves.toBe("ok");
    expect(calls()).toBe(2);
  });

  it("retryWhenThrottled: gives up after maxAttempts with the last throttling error", async () => {
    const { attempt, calls } = attemptsFailingWith(Array.from({ length: 10 }, throttled));
    await expect(retryWhenThrottled(attempt, POLICY, async () => {})).rejects.toMatchObject({ name: "LimitExceededException" });
    expect(calls()).toBe(4);
  });

  it("retryWhenThrottled: does not retry other errors, 410 included", async () => {
    const gone = Object.assign(new Error("410"), { name: "GoneException", $metadata: { httpStatusCode: 410 } });
    const { attempt, calls } = attemptsFailingWith([gone]);
    await expect(retryWhenThrottled(attempt, POLICY, async () => {})).rejects.toBe(gone);
    expect(calls()).toBe(1);
  });
});
