/**
 * `npm run bench [-- --quick] [-- <name>...]`: every benchmark, or the named
 * ones, each printing its table and writing bench/results/<name>.json.
 * `--quick` runs the same code paths with small N and short runs; CI runs it
 * so the benchmarks never rot. The emulator-throughput benchmark's peers
 * (serverless-offline, @architect/sandbox) are not in the root install: it
 * installs them into bench/peers on its first run (see bench/emulator/servers.ts).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { publish, type BenchReport } from "./lib/report.ts";
import { elapsedMs } from "./lib/stats.ts";

type Bench = (quick: boolean) => Promise<BenchReport | BenchReport[]>;

// name → module and export; loaded on demand so one bench can run without the others' set-up.
const BENCHES: Record<string, () => Promise<Bench>> = {
  "fan-out": async () => (await import("./fan-out.ts")).fanOut,
  "cold-start": async () => (await import("./cold-start.ts")).coldStart,
  "emulator-throughput": async () => (await import("./emulator-throughput.ts")).emulatorThroughput,
  synth: async () => (await import("./synth.ts")).synth,
  disconnect: async () => (await import("./disconnect.ts")).disconnectBench,
};

async function main(argv: readonly string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const names = argv.filter((a) => !a.startsWith("--"));
  const unknown = names.filter((n) => !(n in BENCHES));
  if (unknown.length) throw new Error(`unknown benchmark(s): ${unknown.join(", ")}; choose from ${Object.keys(BENCHES).join(", ")}`);
  const selected = names.length ? names : Object.keys(BENCHES);
  const failed: string[] = [];
  for (const name of selected) {
    const start = process.hrtime.bigint();
    process.stderr.write(`bench: ── ${name}${quick ? " (quick)" : ""}\n`);
    try {
      const reports = await (await BENCHES[name]!())(quick);
      for (const report of Array.isArray(reports) ? reports : [reports]) publish(report, quick);
    } catch (error) {
      // One broken benchmark must not hide the others' numbers, but it fails the run.
      failed.push(name);
      process.stderr.write(`bench: ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.stderr.write(`bench: ${name} took ${(elapsedMs(start) / 1000).toFixed(1)} s\n`);
  }
  if (failed.length) {
    process.stderr.write(`bench: failed: ${failed.join(", ")}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
  // Exit explicitly: a peer server a benchmark left running, or esbuild's service,
  // would otherwise keep the process (and CI) waiting; the benches kill their
  // children on exit.
  process.exit(process.exitCode ?? 0);
}
