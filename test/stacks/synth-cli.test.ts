import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadPlan, type EmulatorPlan } from "../../local/plan.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A PATH holding node, npm, npx and a shell, and certainly no terraform. */
function pathWithoutTerraform(): string {
  const bin = path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-noterraform-")), "bin");
  mkdirSync(bin);
  for (const tool of ["node", "npm", "npx", "sh", "bash", "env"]) {
    const found = execFileSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
    symlinkSync(found, path.join(bin, tool));
  }
  return bin;
}

function cdktfSynth(outDir: string, env: Record<string, string> = {}): void {
  execFileSync(path.join(ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", outDir], {
    cwd: ROOT,
    stdio: "pipe",
    env: { ...process.env, PATH: pathWithoutTerraform(), CHECKPOINT_DISABLE: "1", WSSTACK_HCL: "1", ...env },
  });
}

describe("cdktf synth (the CLI, as npm run synth runs it)", () => {
  it("synth: works with no terraform binary and writes cdk.tf.json and cdk.tf side by side; the emulator plans both alike", async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "wsstack-synth-"));
    cdktfSynth(out);
    const stackDir = path.join(out, "stacks", "wsstack");
    expect(existsSync(path.join(stackDir, "cdk.tf.json"))).toBe(true);
    expect(readFileSync(path.join(stackDir, "cdk.tf"), "utf8")).toMatch(/^resource "aws_apigatewayv2_api" /m);

    // WHEN the emulator reads the HCL twin (the module's durable form) and the JSON
    const options = { variables: { auth_enabled: "false" } };
    const json = await loadPlan({ source: stackDir, ...options });
    const hcl = await loadPlan({ source: path.join(stackDir, "cdk.tf"), ...options });
    // THEN routes, integrations, functions (code, environment, sizes, async settings), tables and stage agree
    const served = (plan: EmulatorPlan) => ({
      api: plan.api,
      stage: { name: plan.stage.name, routeLimits: [...plan.stage.throttle.routeLimits], defaults: plan.stage.throttle.defaultLimits },
      routes: [...plan.routes.values()],
      functions: [...plan.functions.values()],
      tables: plan.tables,
    });
    expect(json.routes.size).toBeGreaterThan(5);
    expect(hcl.sourceFile).toBe(path.join(stackDir, "cdk.tf"));
    expect(served(hcl)).toEqual(served(json));
    expect(hcl.warnings).toEqual(json.warnings);
  });

  it("synth: TF_CLOUD_ORGANIZATION and TF_WORKSPACE give a cloud block, still without terraform", () => {
    const out = mkdtempSync(path.join(os.tmpdir(), "wsstack-synth-"));
    cdktfSynth(out, { TF_CLOUD_ORGANIZATION: "acme", TF_WORKSPACE: "chat-prod", TF_CLOUD_PROJECT: "realtime" });
    const tf = JSON.parse(readFileSync(path.join(out, "stacks", "wsstack", "cdk.tf.json"), "utf8"));
    expect(tf.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "chat-prod", project: "realtime" } });
    expect(tf.terraform.backend).toBeUndefined();
    // The HCL twin keeps the project, which cdktf's own NamedCloudWorkspace loses.
    const hcl = readFileSync(path.join(out, "stacks", "wsstack", "cdk.tf"), "utf8");
    expect(hcl).toMatch(/cloud \{[\s\S]*project\s*=\s*"realtime"/);
  });
});
