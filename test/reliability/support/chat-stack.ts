import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startDevServer, type DevServer } from "../../../dev/cli.ts";
import type { EmulatorOptions } from "../../../local/emulator.ts";
import { TestClient } from "../../local/support/client.ts";

/**
 * The chat as users run it: the synthesized stack (main.ts, with its real
 * bundles) served by the emulator with the dev issuer, and real `ws` clients
 * signed in through it. Shared by the reliability tests and the soak tests.
 */

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
let synthesized: string | undefined;

/** Synthesizes the stack once per test process; returns the stack folder. */
export function synthesizeChatStack(): string {
  if (synthesized !== undefined) return synthesized;
  const outdir = mkdtempSync(path.join(tmpdir(), "wsstack-reliability-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: ROOT, env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`synth failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  synthesized = path.join(outdir, "stacks", "wsstack");
  return synthesized;
}

/** `wsstack dev` on a free port, quiet unless `log` is given. */
export function startChat(options: Partial<EmulatorOptions> = {}): Promise<DevServer> {
  return startDevServer({ source: synthesizeChatStack(), port: 0, log: () => undefined, ...options });
}

/** A dev-issuer token for `name`. */
export async function tokenFor(dev: DevServer, name: string): Promise<string> {
  const response = await fetch(`${dev.issuer.issuer}/token?name=${encodeURIComponent(name)}`);
  if (!response.ok) throw new Error(`dev issuer answered ${response.status} for ${name}`);
  return ((await response.json()) as { token: string }).token;
}

/** A signed-in `ws` client. */
export async function signIn(dev: DevServer, name: string): Promise<TestClient> {
  return TestClient.open(`${dev.emulator.url}?token=${await tokenFor(dev, name)}`);
}

/**
 * The per-test limit of the reliability tests: a safety net for a busy
 * two-core machine (CI runs two test files at once), never a target.
 */
export const RELIABILITY_TIMEOUT_MS = 300_000;
