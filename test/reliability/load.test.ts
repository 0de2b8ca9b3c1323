import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SETTINGS } from "../../contract/settings.ts";
import type { DevServer } from "../../dev/cli.ts";
import { connectInBursts, eventually, runChatLoad, tableItems, targetOf } from "./support/chat-load.ts";
import { signIn, startChat, RELIABILITY_TIMEOUT_MS } from "./support/chat-stack.ts";

// The chat under load, through the emulator serving the synthesized stack,
// with real `ws` clients signed in by the dev issuer and the real DynamoDB
// API. The soak version (test/soak/load.test.ts) runs 1,000 connections.

let dev: DevServer;
const logLines: string[] = [];

/**
 * The stage's throttling ($connect 50/s with a burst of 100, every other
 * route 500/s with a burst of 1,000) raised out of the way: these tests sign
 * hundreds of users in within seconds and measure delivery, not refusals.
 * test/security tests the limits. The per-user and per-connection limits stay
 * at their defaults: each user here connects once, joins at most 3 rooms and
 * sends 5 messages.
 */
const LOAD_VARIABLES: Readonly<Record<string, string>> = {
  [SETTINGS.connectThrottlingRateLimit.variable]: "10000",
  [SETTINGS.connectThrottlingBurstLimit.variable]: "5000",
  [SETTINGS.throttlingRateLimit.variable]: "10000",
  [SETTINGS.throttlingBurstLimit.variable]: "5000",
};

beforeAll(async () => {
  dev = await startChat({ variables: LOAD_VARIABLES, log: (line) => void logLines.push(line) });
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
      // WHEN every client asks for something that needs its record (25 at a time, like the sign-ins: 300 joins at
      // once each tell a room of up to 300, 45,000 posts that queue past API Gateway's 29 s on a busy two-core machine)
      const answers: unknown[] = [];
      for (let start = 0; start < clients.length; start += 25) {
        const batch = clients.slice(start, start + 25);
        answers.push(...(await Promise.all(batch.map((c) => c.ask({ action: "joinRoom", room: "burst-room" }, "joined:burst-room").catch((error: Error) => error)))));
      }
      // THEN every one of them is answered, and no connection was pruned
      expect(answers.filter((a) => a instanceof Error)).toEqual([]);
      expect(clients.flatMap((c) => c.errors)).toEqual([]);
      expect(logLines.filter((line) => line.includes("pruned stale connection"))).toEqual([]);
    } finally {
      for (const { client } of clients) client.close();
      await Promise.all(clients.map(({ client }) => client.closed));
    }
    // THEN every connection's own items are gone, and each user's name stays theirs (a claim and a binding each: names are bound to identities)
    const left = await eventually(() => tableItems(targetOf(dev)), (items) => items.connection + items.membership + items.user + items.identity === 0, 60_000);
    expect(left).toMatchObject({ connection: 0, membership: 0, user: 0, identity: 0, claim: 300, binding: 300 });
  });

  it("200 connections in bursts, 10 rooms, 5 messages each: every accepted message reaches every member once, in its sender's order; history agrees; nothing is left", async () => {
    const seed = Number(process.env.LOAD_SEED ?? 9);
    const before = await tableItems(targetOf(dev));
    // Sent over 10 s (2 s before the contract's limits): each message now also counts against its sender's rate (one
    // more DynamoDB write), and 2 s offered more than two busy cores serve within API Gateway's 29 s when the
    // reliability files run in parallel (`Endpoint request timed out`).
    const run = await runChatLoad(targetOf(dev), { connections: 200, burst: 40, rooms: 10, maxRoomsPerClient: 3, messagesPerClient: 5, spreadMs: 10_000, seed, progress: (line) => console.log(line) });
    const { report } = run;
    console.log(`load (seed ${seed}): ${JSON.stringify({ ...report, problems: undefined })}`);
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ sent: 1000, accepted: 1000, errorFrames: 0, rateLimited: 0, lost: 0, duplicated: 0, misdelivered: 0, outOfOrder: 0 });
    expect(report.delivered).toBe(report.expectedDeliveries);
    expect(report.expectedDeliveries).toBeGreaterThan(1000);
    expect(run.historyProblems).toEqual([]);
    expect(run.leftover).toMatchObject({ connection: 0, membership: 0, user: 0, identity: 0 });
    // Each of the 200 users' names stays bound to them after they left.
    expect([run.leftover.claim - before.claim, run.leftover.binding - before.binding]).toEqual([200, 200]);
  });
});

/**
 * A defect the load found, now fixed: two messages of one connection that
 * raced at the start of a rate window (its first messages, or the first after
 * a minute turns) both found no count for the window; one started the count,
 * and the other was refused with `rate_limited` however far under
 * `max_messages_per_minute` the connection was.
 */
const RATE_WINDOW_RACE = "rate_limited far under max_messages_per_minute, for messages racing at the start of a rate window";

// Bugs the load found, kept as executable repros (fixed: plain tests).
describe("load: bugs found", { timeout: RELIABILITY_TIMEOUT_MS }, () => {
  it(`rate: 5 messages a new connection sends back to back are all sent (max_messages_per_minute is 60); was: ${RATE_WINDOW_RACE}`, async () => {    const refused: string[] = [];
    // GIVEN new connections (no rate window yet), ten times over, as the race needs two messages in the window's first write at once
    for (let round = 0; round < 10; round += 1) {
      const racer = await signIn(dev, `racer-${round}`);
      try {
        // WHEN one sends 5 messages back to back
        for (let seq = 1; seq <= 5; seq += 1) racer.send(JSON.stringify({ action: "onMessage", message: `racer ${round} #${seq}`, seq }));
        // THEN each gets its receipt
        for (let answered = 0; answered < 5; ) {
          const frame = JSON.parse(await racer.next(30_000)) as { type?: string; code?: string };
          if (frame.type === "sent") answered += 1;
          else if (frame.type === "error" || frame.type === undefined) {
            answered += 1;
            refused.push(`round ${round}: ${JSON.stringify(frame)}`);
          }
        }
      } finally {
        racer.close();
      }
    }
    expect(refused).toEqual([]);
  });
});
