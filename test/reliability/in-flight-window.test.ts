import { describe, expect, it } from "vitest";
import { InFlightWindow } from "./support/in-flight-window.ts";

describe("InFlightWindow (the load runs' back-pressure)", () => {
  it("lets `limit` sends through, holds the next until an answer, and serves waiters in order", async () => {
    const window = new InFlightWindow(2);
    const order: number[] = [];
    await window.acquire();
    await window.acquire();
    const third = window.acquire().then(() => order.push(3));
    const fourth = window.acquire().then(() => order.push(4));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual([]);
    window.release();
    await third;
    expect(order).toEqual([3]);
    window.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(window.heldBack).toBe(2);
    expect(window.heldBackMs).toBeGreaterThanOrEqual(15);
    // Two slots are taken (by the 3rd and 4th); two answers free them, then two sends pass without waiting.
    window.release();
    window.release();
    await window.acquire();
    await window.acquire();
    expect(window.heldBack).toBe(2);
  });

  it("refuses a limit below one", () => {
    expect(() => new InFlightWindow(0)).toThrow(RangeError);
  });
});
