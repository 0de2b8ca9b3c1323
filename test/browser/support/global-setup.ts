import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { CHROMIUM_PATH, MissingChromiumError } from "./chromium.ts";

/**
 * Runs once before the browser tests: checks that chromium is there (a
 * missing browser fails the run, it never skips it) and synthesizes the stack
 * once, into a private folder, the way `wsstack dev` does (local/cli.ts
 * `synthesize`), so the tests never race another synth over cdktf.out.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

declare module "vitest" {
  export interface ProvidedContext {
    /** The synthesized `wsstack` stack folder (cdk.tf.json and assets/). */
    stackDir: string;
  }
}

export default function setup(project: TestProject): void {
  if (!existsSync(CHROMIUM_PATH)) throw new MissingChromiumError(CHROMIUM_PATH);
  const outdir = mkdtempSync(path.join(tmpdir(), "wsstack-browser-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`synthesizing main.ts failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  mkdirSync(path.join(ROOT, "test-results"), { recursive: true });
  project.provide("stackDir", path.join(outdir, "stacks", "wsstack"));
}
