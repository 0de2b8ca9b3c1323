import { describe, expect, it } from "vitest";
import { forEachConcurrently } from "../../../functions/core/for-each-concurrently.ts";

async function* numbers(count: number): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) yield i;
}

/** Work that records how many calls overlap; each waits a few event-loop turns. */
function overlapMeter() {
  let running = 0;
  let max = 0;
  const done: number[] = [];
  const work = async (n: number) => {
    running++;
    max = Math.max(max, running);
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    running--;
    done.push(n);
  };
  return { work, done, max: () => max };
}

describe("forEachConcurrently", () => {
  it("forEachConcurrently: runs every item with at most the given number in flight", async () => {
    // GIVEN 100 items and a limit of 7
    const meter = overlapMeter();
    // WHEN they are processed
    await forEachConcurrently(numbers(100), 7, meter.work);
    // THEN all were done and exactly 7 overlapped at the peak
    expect(meter.done.sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
    expect(meter.max()).toBe(7);
  });

  it("forEachConcurrently: a failing source stops new work, lets running work finish, and rethrows", async () => {
    // GIVEN a source that fails after 5 items
    async function* failing(): AsyncGenerator<number> {
      yield* numbers(5);
      throw new Error("page 2 failed");
    }
    const meter = overlapMeter();
    // WHEN it is processed
    // THEN the error comes out, after the 5 items already pulled completed
    await expect(forEachConcurrently(failing(), 3, meter.work)).rejects.toThrow("page 2 failed");
    expect(meter.done).toHaveLength(5);
  });

  it("forEachConcurrently: a concurrency below 1 still makes progress", async () => {
    const meter = overlapMeter();
    await forEachConcurrently(numbers(3), 0, meter.work);
    expect(meter.done).toHaveLength(3);
  });
});
