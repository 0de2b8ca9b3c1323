/**
 * Synth: `npm run synth` (this stack: bundling, zips, JSON and HCL) against
 * `cdktf synth` of an empty stack, on the same machine in the same run. The
 * empty stack is the floor: the CLI, tsx and cdktf themselves.
 *
 * Run alone: `npx tsx bench/synth.ts [--quick]`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { progress, publish, type BenchReport } from "./lib/report.ts";
import { elapsedMs, median, ratio } from "./lib/stats.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TARGET = 1.5;

function timeMs(command: string, args: string[], cwd: string): number {
  const start = process.hrtime.bigint();
  execFileSync(command, args, { cwd, stdio: "ignore", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  return elapsedMs(start);
}

// Inside the project, so the empty app resolves cdktf and tsx from node_modules.
function emptyApp(): string {
  const dir = path.join(ROOT, ".build", "bench", "empty-cdktf-app");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "cdktf.json"), JSON.stringify({ language: "typescript", app: "npx tsx main.ts", terraformProviders: [], sendCrashReports: "false" }));
  writeFileSync(path.join(dir, "main.ts"), 'import { App, TerraformStack } from "cdktf";\nconst app = new App();\nnew TerraformStack(app, "empty");\napp.synth();\n');
  return dir;
}

export async function synth(quick: boolean): Promise<BenchReport> {
  const runs = quick ? 1 : 5;
  const empty = emptyApp();
  const cdktf = path.join(ROOT, "node_modules", ".bin", "cdktf");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // One warm-up each: the first run pays for disk caches and esbuild's first bundle.
  timeMs(cdktf, ["synth"], empty);
  timeMs(npm, ["run", "synth"], ROOT);
  const emptyTimes: number[] = [];
  const ourTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    progress(`synth: run ${i + 1}/${runs}`);
    emptyTimes.push(timeMs(cdktf, ["synth"], empty));
    ourTimes.push(timeMs(npm, ["run", "synth"], ROOT));
  }
  const emptyMs = median(emptyTimes);
  const ourMs = median(ourTimes);
  const r = ourMs / emptyMs;
  return {
    name: "synth",
    title: `Synth time (median of ${runs}, interleaved)`,
    columns: ["what", "median s", "vs empty stack"],
    rows: [
      ["cdktf synth, empty stack", (emptyMs / 1000).toFixed(2), "1.00×"],
      ["npm run synth (JSON + HCL, all functions)", (ourMs / 1000).toFixed(2), ratio(ourMs, emptyMs)],
    ],
    notes: [`target ≤ ${TARGET}× the empty stack: ${r <= TARGET ? "met" : "MISSED"} (${r.toFixed(2)}×)`],
    raw: { emptyTimes, ourTimes },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  publish(await synth(process.argv.includes("--quick")), process.argv.includes("--quick"));
}
