import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { KNOWN_DEFECTS, runFuzz, summarize } from "../reliability/support/fuzz-run.ts";

// The hostile-input fuzzer of test/reliability/fuzz.test.ts, four times longer:
// 20,000 seeded frames over eight connections and a bystander, against the
// synthesized stack in the emulator. Replay a failure with
// FUZZ_SEED=<seed> [FUZZ_ONLY=<i>,…] npm run test:soak -- test/soak/fuzz.test.ts.

const seed = process.env.FUZZ_SEED === undefined ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED);
const frames = Number(process.env.FUZZ_FRAMES ?? 20_000);
const only = process.env.FUZZ_ONLY?.split(",").map(Number);

describe("soak: hostile input", () => {
  it(`fuzz: ${only?.length ?? frames} seeded frames each get a documented answer or API Gateway's close; no handler crashes; a bystander keeps chatting`, async () => {
    console.log(`soak fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const report = await runFuzz({ seed, frames, only, lanes: 8, checkEvery: 1_000, progress: (line) => console.log(`soak fuzz seed ${seed}: ${line}`) });
    console.log(summarize(report));

    expect(report.failures, `seed ${seed}`).toEqual([]);
    expect(report.crashLines, `seed ${seed}: handler crashes in the emulator log`).toEqual([]);
    expect(report.framesSent).toBe(only?.length ?? frames);
    expect([...report.known.keys()].filter((label) => !KNOWN_DEFECTS.includes(label))).toEqual([]);
    if (only === undefined) {
      expect(report.bystanderChecks).toBeGreaterThanOrEqual(frames / 1_000);
      expect(report.lobbyMessagesVerified).toBeGreaterThan(0);
      expect(report.privateMessagesVerified).toBeGreaterThan(0);
    }
    // About 4 minutes on two busy cores; the limit is a safety net, not a target.
  }, 1_800_000);
});
