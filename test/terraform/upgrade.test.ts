import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModule } from "../../scripts/build-module.ts";
import { chatRoot, LEGACY_MODULE_COMMIT, LEGACY_STATE_FILE, moduleFixtureDir, OFFLINE_PLAN_ARGS } from "./module-fixture.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "./terraform-cli.ts";

/**
 * The upgrade from the module as e98a89c built it, whose addresses cdktf
 * generated, to today's readable ones: a state that module leaves after an
 * apply (test/terraform/fixtures, made offline by test/terraform/module-fixture.ts)
 * must plan against today's module with moves only, never a destroy or a
 * create.
 */

interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly change: { readonly actions: string[]; readonly before: Record<string, unknown> | null; readonly after: Record<string, unknown> | null; readonly after_unknown: Record<string, unknown> };
}

/**
 * What an upgrade may change in place besides the address, and why; nothing
 * else may change:
 * - `tags` (and `tags_all`, which follows it) on every taggable resource:
 *   since issue 13 each takes `merge(var.tags, { Name = … })`;
 * - a function's package (`filename`, `source_code_hash`, and
 *   `last_modified`, which follows them): the handlers' code changed since
 *   that release, and a new zip is deployed in place, as at any release;
 * - a role policy's `policy`, only as "known after apply": its document
 *   reads ARNs of resources whose tags change, so Terraform reads the
 *   document at apply rather than at plan. Its statements are the same.
 */
const EXPLAINED_UPDATES: Readonly<Record<string, readonly string[]>> = {
  "*": ["tags", "tags_all"],
  aws_lambda_function: ["filename", "source_code_hash", "last_modified"],
};
function explained(c: ResourceChange, attribute: string): boolean {
  const type = /\.(aws_\w+)\.[^.]+$/.exec(c.address)?.[1] ?? "";
  if (type === "aws_iam_role_policy" && attribute === "policy") return c.change.after_unknown.policy === true;
  return EXPLAINED_UPDATES["*"]!.includes(attribute) || (EXPLAINED_UPDATES[type] ?? []).includes(attribute);
}

let tooling: TerraformTooling;
let root: string;

/**
 * A root that calls `moduleDir` as module.chat from `./module`, where the
 * fixture's state was made (a function's `filename` is under `path.module`),
 * over a copy of that state, or of the resources of it `keep` keeps.
 */
function upgradeRoot(name: string, moduleDir: string, keep: (resource: { type: string; name: string }) => boolean = () => true): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  // A copy: Terraform follows a symlink, and path.module with it.
  cpSync(moduleDir, path.join(dir, "module"), { recursive: true });
  writeFileSync(path.join(dir, "main.tf"), chatRoot("./module"));
  writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
  const state = JSON.parse(readFileSync(path.join(moduleFixtureDir(), LEGACY_STATE_FILE), "utf8")) as { resources: { type: string; name: string }[] };
  writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify({ ...state, resources: state.resources.filter(keep) }));
  terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
  return dir;
}

/** `terraform plan` then `show -json`, without blocking the event loop, so two can run at once. */
async function planJson(dir: string, extra: string[] = []): Promise<{ text: string; changes: ResourceChange[] }> {
  const run = (args: string[]) => promisify(execFile)(tooling.binary, [`-chdir=${dir}`, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(root, "terraformrc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" } });
  const { stdout: text } = await run([...OFFLINE_PLAN_ARGS, ...extra, "-out=plan.bin"]);
  const { stdout } = await run(["show", "-json", "plan.bin"]);
  return { text, changes: (JSON.parse(stdout) as { resource_changes?: ResourceChange[] }).resource_changes ?? [] };
}

const changed = (c: ResourceChange) => c.change.actions.some((a) => a !== "no-op" && a !== "read");

/** The top-level attributes an update changes. */
function changedAttributes({ change }: ResourceChange): string[] {
  const keys = new Set([...Object.keys(change.before ?? {}), ...Object.keys(change.after ?? {}), ...Object.keys(change.after_unknown)]);
  return [...keys].filter((k) => change.after_unknown[k] === true || JSON.stringify(change.before?.[k] ?? null) !== JSON.stringify(change.after?.[k] ?? null)).sort();
}

let newModule: string;
let legacyModule: string;

beforeAll(async () => {
  tooling = findTerraformTooling();
  root = mkdtempSync(path.join(os.tmpdir(), "wsstack-upgrade-"));
  writeFileSync(path.join(root, "terraformrc"), "");
  newModule = await buildModule(path.join(root, "module-now"));
  legacyModule = path.join(root, `module-${LEGACY_MODULE_COMMIT}`);
  mkdirSync(legacyModule);
  for (const file of readdirSync(moduleFixtureDir()).filter((f) => f.endsWith(".tf"))) cpSync(path.join(moduleFixtureDir(), file), path.join(legacyModule, file));
});

describe(`upgrade: state made by the module as ${LEGACY_MODULE_COMMIT} built it`, () => {
  it("plan: every resource moves, 0 to add and 0 to destroy, in-place changes only those explained; and the state is what that module leaves (it plans no change)", async () => {
    // GIVEN the state an apply of the e98a89c module leaves, under a root that calls it as module.chat
    const before = upgradeRoot("before", legacyModule);
    const after = upgradeRoot("after", newModule);
    // WHEN the e98a89c module and today's are planned against it (both at once)
    const [legacy, upgrade] = await Promise.all([planJson(before), planJson(after)]);

    // THEN the state is faithful: the module that made it changes nothing
    expect(legacy.changes.filter(changed).map((c) => c.address)).toEqual([]);
    expect(legacy.changes.filter((c) => c.change.actions.includes("no-op")).length).toBeGreaterThanOrEqual(100);

    // AND today's module moves every resource, creating and destroying none
    const summary = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(upgrade.text);
    expect(summary, upgrade.text.slice(-3000)).not.toBeNull();
    expect([summary![1], summary![3]]).toEqual(["0", "0"]);
    const managed = upgrade.changes.filter((c) => !c.address.includes(".data."));
    expect(managed.filter((c) => c.change.actions.includes("create") || c.change.actions.includes("delete")).map((c) => `${c.address}: ${c.change.actions.join("/")}`)).toEqual([]);
    const moves = managed.filter((c) => c.previous_address);
    const legacyAddresses = legacy.changes.filter((c) => !c.address.includes(".data.")).map((c) => c.address).sort();
    expect(moves.map((c) => c.previous_address).sort()).toEqual(legacyAddresses);
    expect(moves.every((c) => /^module\.chat\.[a-z0-9_]+\.[a-z][a-z0-9_]*(\[\d+\])?$/.test(c.address))).toBe(true);

    // AND each in-place update is the tags issue 13 adds, nothing else
    const updates = managed.filter((c) => c.change.actions.includes("update"));
    const unexplained = updates.map((c) => [c.address, changedAttributes(c).filter((a) => !explained(c, a))] as const).filter(([, attributes]) => attributes.length > 0);
    expect(unexplained).toEqual([]);

    // For the closing note: the same resources, before and after
    const sample = ["aws_apigatewayv2_route.connect", "aws_lambda_function.on_message", "aws_iam_role.on_message", "aws_lambda_permission.typing_indicator", "aws_dynamodb_table.connections", "aws_apigatewayv2_api.websocket", "aws_apigatewayv2_stage.stage"];
    const lines = sample.map((s) => moves.find((c) => c.address === `module.chat.${s}`)!).map((c) => `  ${c.previous_address}\n    → ${c.address}`);
    console.log(
      `terraform ${tooling.version}: upgrade from ${LEGACY_MODULE_COMMIT}: ${summary![0]} (${moves.length} moved, ${updates.length} of them updated in place: tags, and the functions' new code)\n${lines.join("\n")}`,
    );
  });

  it("plan: without its moved block a resource would be destroyed and made again (what the first test guards against)", async () => {
    // GIVEN today's module with the table's moved block left out
    const broken = path.join(root, "module-without-a-move");
    cpSync(newModule, broken, { recursive: true });
    const movedTf = path.join(broken, "moved.tf");
    const text = readFileSync(movedTf, "utf8");
    const tableMove = /moved \{\n\s*from = aws_dynamodb_table\.\w+\n\s*to\s*= aws_dynamodb_table\.connections\n\}\n/;
    expect(text).toMatch(tableMove);
    writeFileSync(movedTf, text.replace(tableMove, ""));
    // (and a state of the table alone, so a plan of just its two addresses is quick)
    const dir = upgradeRoot("broken", broken, (r) => r.type === "aws_dynamodb_table");
    // WHEN the table's old and new addresses are planned
    const { text: plan, changes } = await planJson(dir, ["-target=module.chat.aws_dynamodb_table.connections", "-target=module.chat.aws_dynamodb_table.Chat_Connections_Table_44E1E5BB"]);
    // THEN the table, with every connection and room in it, would be destroyed and created anew
    expect(plan).toMatch(/Plan: 1 to add, 0 to change, 1 to destroy/);
    expect(changes.filter(changed).map((c) => `${c.address}: ${c.change.actions.join("/")}`).sort()).toEqual([
      "module.chat.aws_dynamodb_table.Chat_Connections_Table_44E1E5BB: delete",
      "module.chat.aws_dynamodb_table.connections: create",
    ]);
  });
});
