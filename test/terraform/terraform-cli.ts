import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The terraform binary and the offline provider mirror the Terraform checks
 * need. Missing either is a failure with an install hint, never a skip.
 */
export interface TerraformTooling {
  readonly binary: string;
  /** The folder that holds `registry.terraform.io/hashicorp/aws/...`. */
  readonly pluginDir: string;
  readonly version: string;
}

const MIRROR_CANDIDATES = ["/opt/tf-plugins", path.join(os.homedir(), ".terraform.d", "plugins"), "/usr/share/terraform/plugins"];

export function findTerraformTooling(env: NodeJS.ProcessEnv = process.env): TerraformTooling {
  const binary = env.TERRAFORM_BIN ?? "terraform";
  const probe = spawnSync(binary, ["version", "-json"], { encoding: "utf8", env: quietEnv(env) });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      "terraform was not found on PATH. Install Terraform >= 1.9 (https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN.",
    );
  }
  const version = (JSON.parse(probe.stdout) as { terraform_version: string }).terraform_version;
  const candidates = env.TF_PLUGIN_DIR ? [env.TF_PLUGIN_DIR] : MIRROR_CANDIDATES;
  const pluginDir = candidates.find((dir) => existsSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws")));
  if (!pluginDir) {
    throw new Error(
      `No offline mirror of hashicorp/aws found (looked in ${candidates.join(", ")}). ` +
        "Create one with `terraform providers mirror <dir>` on a machine with network (provider 5.100.x or 6.x), then set TF_PLUGIN_DIR=<dir>.",
    );
  }
  return { binary, pluginDir, version };
}

/** Runs terraform in `dir`; throws with terraform's own output when it fails. */
export function terraform(tooling: TerraformTooling, dir: string, args: string[]): string {
  try {
    return execFileSync(tooling.binary, [`-chdir=${dir}`, ...args], {
      encoding: "utf8",
      env: quietEnv(process.env),
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`terraform ${args.join(" ")} failed in ${dir}:\n${e.stderr ?? ""}\n${e.stdout ?? ""}`);
  }
}

/** The provider versions `terraform version -json` reports for an initialized folder. */
export function providerVersions(tooling: TerraformTooling, dir: string): Record<string, string> {
  return (JSON.parse(terraform(tooling, dir, ["version", "-json"])) as { provider_selections: Record<string, string> }).provider_selections;
}

// No CLI config file, no checkpoint calls home, no colour in assertions.
function quietEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rc = path.join(mkdtempSync(path.join(os.tmpdir(), "tfrc-")), "terraformrc");
  writeFileSync(rc, "");
  return { ...env, TF_CLI_CONFIG_FILE: rc, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", NO_COLOR: "1" };
}

/** Provider settings that let `terraform plan` run with no AWS account and no network. */
export const OFFLINE_PROVIDER_OVERRIDE = `provider "aws" {
  region                      = "us-east-1"
  access_key                  = "offline-plan"
  secret_key                  = "offline-plan"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
}
`;
