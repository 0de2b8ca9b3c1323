import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import { runChatLoad } from "../reliability/support/chat-load.ts";
import { startChat } from "../reliability/support/chat-stack.ts";

// The load: connections arriving in bursts of 50 (as after a deploy),
// then 1,000 concurrent connections in 20 rooms (each in 1-3), each sending 20
// messages at random intervals. Through the emulator serving the synthesized
// stack, real `ws` clients, the real DynamoDB API. Figures are printed, not
// asserted as times.

let dev: DevServer;

beforeAll(async () => {
  dev = await startChat();
});
afterAll(async () => {
  await dev?.emulator.close();
});

describe("soak: load", () => {
  it("1,000 connections, 20 rooms, 20 messages each: nothing lost, duplicated, misdelivered or out of order; history agrees; the table ends empty", async () => {
    const seed = Number(process.env.LOAD_SEED ?? 2026);
    const run = await runChatLoad(dev, {
      connections: Number(process.env.LOAD_CONNECTIONS ?? 1000),
      burst: 50,
      rooms: 20,
      maxRoomsPerClient: 3,
      messagesPerClient: 20,
      // Spread so that the offered load stays within what the emulator serves on two cores, well inside the 29 s integration timeout.
      maxIntervalMs: Number(process.env.LOAD_MAX_INTERVAL_MS ?? 40_000),
      seed,
      progress: (line) => console.log(line),
    });
    const { report } = run;
    console.log(`soak load (seed ${seed}): ${JSON.stringify({ ...report, problems: undefined })}; phases ${JSON.stringify(run.durations)}`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ errorFrames: 0, lost: 0, duplicated: 0, misdelivered: 0, outOfOrder: 0 });
    expect(report.accepted).toBe(report.sent);
    expect(report.delivered).toBe(report.expectedDeliveries);
    expect(run.historyProblems).toEqual([]);
    expect(run.leftover).toMatchObject({ connection: 0, membership: 0, user: 0, claim: 0 });
  });
});
