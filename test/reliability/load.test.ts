import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevServer } from "../../dev/cli.ts";
import { connectInBursts, eventually, runChatLoad, tableItems, targetOf } from "./support/chat-load.ts";
import { startChat, RELIABILITY_TIMEOUT_MS } from "./support/chat-stack.ts";

// The chat under load, through the emulator serving the synthesized stack,
// with real `ws` clients signed in by the dev issuer and the real DynamoDB
// API. The soak version (test/soak/load.test.ts) runs 1,000 connections.

let dev: DevServer;
const logLines: string[] = [];

beforeAll(async () => {
  dev = await startChat({ log: (line) => void logLines.push(line) });
});
afterAll(async () => {
  await dev?.emulator.close();
});

describe("load", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  it("a burst of 300 sign-ins, 25 at a time: every connection keeps its record, none is pruned, every action works", async () => {
    // GIVEN 300 signed-in clients connecting 25 at once (each $connect tells the lobby while others are inside theirs)
    const clients = await connectInBursts(targetOf(dev), { connections: 300, burst: 25 }, "burst");
    try {
      // THEN the table holds 300 connection records
      expect((await tableItems(targetOf(dev))).connection).toBe(300);
      // WHEN every client asks for something that needs its record
      const answers = await Promise.all(clients.map((c) => c.ask({ action: "joinRoom", room: "burst-room" }, "joined:burst-room").catch((error: Error) => error)));
      // THEN every one of them is answered, and no connection was pruned
      expect(answers.filter((a) => a instanceof Error)).toEqual([]);
      expect(clients.flatMap((c) => c.errors)).toEqual([]);
      expect(logLines.filter((line) => line.includes("pruned stale connection"))).toEqual([]);
    } finally {
      for (const { client } of clients) client.close();
      await Promise.all(clients.map(({ client }) => client.closed));
    }
    const left = await eventually(() => tableItems(targetOf(dev)), (items) => items.connection + items.membership + items.user + items.claim === 0, 60_000);
    expect(left).toMatchObject({ connection: 0, membership: 0, user: 0, claim: 0 });
  });

  it("200 connections in bursts, 10 rooms, 5 messages each: every accepted message reaches every member once, in its sender's order; history agrees; nothing is left", async () => {
    const seed = Number(process.env.LOAD_SEED ?? 9);
    const run = await runChatLoad(targetOf(dev), { connections: 200, burst: 40, rooms: 10, maxRoomsPerClient: 3, messagesPerClient: 5, spreadMs: 2_000, seed, progress: (line) => console.log(line) });
    const { report } = run;
    console.log(`load (seed ${seed}): ${JSON.stringify({ ...report, problems: undefined })}`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ sent: 1000, accepted: 1000, errorFrames: 0, lost: 0, duplicated: 0, misdelivered: 0, outOfOrder: 0 });
    expect(report.delivered).toBe(report.expectedDeliveries);
    expect(report.expectedDeliveries).toBeGreaterThan(1000);
    expect(run.historyProblems).toEqual([]);
    expect(run.leftover).toMatchObject({ connection: 0, membership: 0, user: 0, claim: 0 });
  });
});
