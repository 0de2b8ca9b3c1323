import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModule } from "../../scripts/build-module.ts";
import { findTerraformTooling, terraform, type TerraformTooling } from "./terraform-cli.ts";

/** `override_during = plan` in the module's tests came with Terraform 1.11. */
const TERRAFORM_TEST_MINIMUM = [1, 11] as const;

let tooling: TerraformTooling;
let moduleDir: string;

beforeAll(async () => {
  // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
  tooling = findTerraformTooling();
  const [major, minor] = tooling.version.split(".").map(Number) as [number, number];
  if (major < TERRAFORM_TEST_MINIMUM[0] || (major === TERRAFORM_TEST_MINIMUM[0] && minor < TERRAFORM_TEST_MINIMUM[1])) {
    throw new Error(
      `terraform ${tooling.version} is too old for the module's tests (override_during): install Terraform >= ${TERRAFORM_TEST_MINIMUM.join(".")} (https://developer.hashicorp.com/terraform/install), or set TERRAFORM_BIN.`,
    );
  }
  // A scratch module of its own: other test files build theirs in parallel.
  moduleDir = await buildModule(path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-tftest-")), "terraform-module"));
}, 300_000);

describe("terraform test (the module's own tests/*.tftest.hcl, mocked AWS provider, offline)", () => {
  it("module: ships tests/ with a mocked provider and no real one", () => {
    const tests = readdirSync(path.join(moduleDir, "tests")).filter((f) => f.endsWith(".tftest.hcl"));
    expect(tests).toEqual(expect.arrayContaining(["validation.tftest.hcl", "auth.tftest.hcl", "tags.tftest.hcl", "custom_domain.tftest.hcl", "alarms.tftest.hcl", "additional_routes.tftest.hcl"]));
    expect(existsSync(path.join(moduleDir, "tests", "mocks", "aws.tfmock.hcl"))).toBe(true);
  });

  it("terraform test: every run block passes", () => {
    // GIVEN the built module, initialized from the provider mirror (the mock needs the provider's schema)
    terraform(tooling, moduleDir, ["init", "-input=false", "-backend=false", `-plugin-dir=${tooling.pluginDir}`]);
    // WHEN terraform runs the module's tests
    const started = Date.now();
    const out = terraform(tooling, moduleDir, ["test", "-no-color"]);
    // THEN every file passes, and none is skipped
    const summary = /^Success! (\d+) passed, 0 failed\.$/m.exec(out);
    expect(summary, out.slice(-4000)).not.toBeNull();
    expect(out).not.toMatch(/\.\.\. (fail|skip)$/m);
    const files = out.match(/^tests\/\S+\.tftest\.hcl\.\.\. pass$/gm) ?? [];
    expect(files.length).toBeGreaterThanOrEqual(6);
    expect(Number(summary![1])).toBeGreaterThanOrEqual(30);
    console.info(`terraform test (terraform ${tooling.version}, ${((Date.now() - started) / 1000).toFixed(0)} s): ${files.length} files, ${summary![0]}`);
  }, 600_000);
});
