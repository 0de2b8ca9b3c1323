/**
 * `tsx scripts/module-fixture.ts [commit]`: writes the Terraform module as an
 * older commit built it (the .tf files, not the function zips) into
 * test/terraform/fixtures/module-<commit>/, for the upgrade test: state made
 * with that module must plan against today's with moves only.
 *
 * Run once per release whose state must keep upgrading; the fixture is
 * checked in, so the suite needs neither git history nor an old build.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The release before addresses were readable. */
export const LEGACY_MODULE_COMMIT = "e98a89c";

/** Where the fixture of `commit`'s module lives. */
export function moduleFixtureDir(commit: string = LEGACY_MODULE_COMMIT): string {
  return path.join(ROOT, "test", "terraform", "fixtures", `module-${commit}`);
}

function writeModuleFixture(commit: string): string {
  const checkout = mkdtempSync(path.join(os.tmpdir(), `wsstack-${commit}-`));
  try {
    process.stderr.write(`module-fixture: extracting ${commit}\n`);
    execFileSync("sh", ["-c", `git -C "${ROOT}" archive --format=tar "${commit}" | tar -x -C "${checkout}"`], { stdio: "inherit" });
    // The dependencies of today's lockfile: the build of that commit needs cdktf and tsx, which have not changed.
    symlinkSync(path.join(ROOT, "node_modules"), path.join(checkout, "node_modules"));
    process.stderr.write(`module-fixture: building ${commit}'s module\n`);
    execFileSync(process.execPath, ["--import", "tsx", path.join(checkout, "scripts", "build-module.ts")], { cwd: checkout, stdio: "inherit" });
    const built = path.join(checkout, "dist", "terraform-module");
    const out = moduleFixtureDir(commit);
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out, { recursive: true });
    for (const file of readdirSync(built).filter((f) => f.endsWith(".tf"))) copyFileSync(path.join(built, file), path.join(out, file));
    return out;
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = writeModuleFixture(process.argv[2] ?? LEGACY_MODULE_COMMIT);
  process.stderr.write(`module-fixture: wrote ${path.relative(ROOT, out)}\n`);
}
