import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { STACK_ID } from "../../contract/stack.ts";
import { stackSettingsFromEnvironment } from "../../stacks/stack-settings.ts";
import { synthChatStack } from "../stacks/synth-helpers.ts";
import { findTerraformTooling, type TerraformTooling } from "./terraform-cli.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const CDKTF = path.join(ROOT, "node_modules", ".bin", "cdktf");

/**
 * A Terraform CLI configuration that installs providers from the local
 * mirror only: no `direct` block, so nothing is ever fetched from a registry.
 * @see https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
 */
export function offlineCliConfig(pluginDir: string): string {
  return `provider_installation {
  filesystem_mirror {
    path    = ${JSON.stringify(pluginDir)}
    include = ["registry.terraform.io/hashicorp/*"]
  }
}
`;
}

/**
 * What `npm run deploy` needs to get as far as the plan with no AWS account:
 * the stack's offline provider settings (WSSTACK_PLAN_OFFLINE), dummy keys,
 * and no profile, shared file or metadata service a developer's real
 * credentials could come from. Sign-in settings come as TF_VAR_, as a user
 * would give them.
 */
function offlineDeployEnv(cliConfig: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(AWS_|TF_VAR_|TF_CLOUD_|TF_WORKSPACE$)/.test(name)) delete env[name];
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfig,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    NO_COLOR: "1",
    // cdktf would otherwise point TF_PLUGIN_CACHE_DIR at the home folder.
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true",
    WSSTACK_PLAN_OFFLINE: "1",
    AWS_ACCESS_KEY_ID: "offline-plan",
    AWS_SECRET_ACCESS_KEY: "offline-plan",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_EC2_METADATA_DISABLED: "true",
    TF_VAR_jwt_issuer: "https://issuer.example.com/",
    TF_VAR_jwt_audience: "chat-web",
    TF_VAR_jwks_url: "https://issuer.example.com/.well-known/jwks.json",
  };
}

describe("stack: planOffline", () => {
  it("planOffline: only WSSTACK_PLAN_OFFLINE=1 adds the provider's skip settings; the deploy root has none by default", () => {
    // GIVEN the settings `cdktf synth` reads, with and without the switch
    expect(stackSettingsFromEnvironment({}).planOffline).toBeUndefined();
    expect(stackSettingsFromEnvironment({ WSSTACK_PLAN_OFFLINE: "1" }).planOffline).toBe(true);
    // WHEN each is synthesized, THEN only the offline one skips the account checks
    const real = synthChatStack(stackSettingsFromEnvironment({})).tf.provider!.aws[0];
    const offline = synthChatStack(stackSettingsFromEnvironment({ WSSTACK_PLAN_OFFLINE: "1" })).tf.provider!.aws[0];
    for (const skip of ["skip_credentials_validation", "skip_requesting_account_id", "skip_metadata_api_check"]) {
      expect(real[skip], skip).toBeUndefined();
      expect(String(offline[skip]), skip).toBe("true");
    }
    expect(real.access_key).toBeUndefined();
    expect(offline.access_key).toBeUndefined();
  });
});

describe("cdktf diff (what `npm run deploy` runs before apply), offline", () => {
  let tooling: TerraformTooling;
  beforeAll(() => {
    // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
    tooling = findTerraformTooling();
  });

  it("cdktf diff: synthesizes, inits from the provider mirror and plans every resource of the stack", () => {
    // GIVEN a scratch output folder and a CLI configuration that knows only the local mirror
    const scratch = mkdtempSync(path.join(os.tmpdir(), "wsstack-cdktf-diff-"));
    const cliConfig = path.join(scratch, "terraformrc");
    writeFileSync(cliConfig, offlineCliConfig(tooling.pluginDir));
    const outDir = path.join(scratch, "cdktf.out");

    // WHEN cdktf diff runs the app and plans, as `npm run deploy` does before it asks to apply.
    // --skip-provider-lock: on a first init cdktf runs `terraform providers lock -platform=linux_amd64`,
    // which asks the provider's origin registry whatever the CLI configuration's mirrors say.
    const started = Date.now();
    const run = spawnSync(CDKTF, ["diff", "--output", outDir, "--no-color", "--skip-provider-lock"], {
      cwd: ROOT,
      env: offlineDeployEnv(cliConfig),
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      timeout: 170_000,
    });
    const seconds = (Date.now() - started) / 1000;
    const out = `${run.stdout ?? ""}\n${run.stderr ?? ""}`;

    // THEN it plans to create each resource, and nothing else
    expect(run.error, out.slice(-3000)).toBeUndefined();
    expect(run.status, out.slice(-3000)).toBe(0);
    const plan = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./.exec(out);
    expect(plan, out.slice(-3000)).not.toBeNull();
    const [, add, change, destroy] = plan!.map(Number) as [number, number, number, number];
    expect([change, destroy]).toEqual([0, 0]);
    const created = plannedCreations(out);
    expect(created, out.slice(-3000)).toHaveLength(add);

    // Every resource of the synthesized stack that is not counted or repeated is among them.
    const stackDir = path.join(outDir, "stacks", STACK_ID);
    const tf = JSON.parse(readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, { count?: unknown; for_each?: unknown }>>; provider: { aws: Record<string, unknown>[] } };
    const always = Object.entries(tf.resource).flatMap(([type, byName]) =>
      Object.entries(byName)
        .filter(([, r]) => r.count === undefined && r.for_each === undefined)
        .map(([name]) => `${type}.${name}`),
    );
    expect(always.length).toBeGreaterThanOrEqual(90);
    expect(created).toEqual(expect.arrayContaining(always));
    expect(tf.provider.aws[0]!.skip_credentials_validation).toBe(true);
    // Init took hashicorp/aws from the mirror; plan wrote no state.
    expect(readFileSync(path.join(stackDir, ".terraform.lock.hcl"), "utf8")).toContain('provider "registry.terraform.io/hashicorp/aws"');
    expect(existsSync(path.join(scratch, `terraform.${STACK_ID}.tfstate`))).toBe(false);
    console.info(`cdktf diff offline (terraform ${tooling.version}): Plan: ${add} to add, ${change} to change, ${destroy} to destroy (${always.length} uncounted resources in cdk.tf.json) in ${seconds.toFixed(0)} s`);
  }, 180_000);
});

/**
 * The addresses `# <address> will be created` in cdktf's output. cdktf prints
 * terraform's output as it arrives, one entry per chunk, each behind the stack
 * name (ink's StreamView), so on a loaded machine a chunk can end mid-line:
 * `wsstack  # aws_x.y will be cr` then `wsstack  eated`. Without the prefixes
 * and every blank, each header still reads `#<address>willbecreated`.
 */
function plannedCreations(output: string): string[] {
  const flat = output.replace(new RegExp(`^${STACK_ID}(?= )`, "gm"), "").replace(/\s+/g, "");
  return [...flat.matchAll(/#([^#(]+?)(?:\([^()#]*\))?willbecreated/g)].map((m) => m[1]!);
}
