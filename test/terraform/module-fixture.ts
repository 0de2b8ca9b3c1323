/**
 * `tsx test/terraform/module-fixture.ts [commit]`: writes the Terraform module as an
 * older commit built it (the .tf files, not the function zips) into
 * test/terraform/fixtures/module-<commit>/, with a state that module would
 * leave after an apply (state.json), for the upgrade test: that state must
 * plan against today's module with moves only.
 *
 * Run once per release whose state must keep upgrading; the fixture is
 * checked in, so the suite needs neither git history nor an old build.
 *
 * The state is made offline, without AWS: plan the old module with
 * `-refresh=false` against the state so far, take each resource's planned
 * values as its state, give every value only AWS would know (ids, ARNs)
 * a fixed stand-in of its type, and repeat until the plan has no change.
 * The stand-ins then satisfy every expression of the module that reads them,
 * as AWS's values would.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SETTINGS } from "../../contract/settings.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "./terraform-cli.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The release before addresses were readable. */
export const LEGACY_MODULE_COMMIT = "e98a89c";

/** Where the fixture of `commit`'s module lives. */
export function moduleFixtureDir(commit: string = LEGACY_MODULE_COMMIT): string {
  return path.join(ROOT, "test", "terraform", "fixtures", `module-${commit}`);
}

/** The fixture's state: what an apply of the fixture module from {@link chatRoot} leaves. */
export const LEGACY_STATE_FILE = "state.json";

/**
 * A root module that calls the chat module at `source` as `module.chat`,
 * with settings every release accepts and the account's CloudWatch role on,
 * so that every resource of the module is made.
 */
export function chatRoot(source: string): string {
  return `module "chat" {
  source = ${JSON.stringify(source)}

  name_prefix                        = ${JSON.stringify(SETTINGS.namePrefix.default)}
  stage_name                         = "dev"
  jwt_issuer                         = "https://issuer.example.com"
  jwt_audience                       = "chat-web"
  jwks_url                           = "https://issuer.example.com/.well-known/jwks.json"
  manage_api_gateway_cloudwatch_role = true
}
`;
}

/** The arguments of an offline plan against a state file: no refresh, no lock, no prompt. */
export const OFFLINE_PLAN_ARGS = ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color"];

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
    process.stderr.write(`module-fixture: making the state an apply of ${commit}'s module leaves\n`);
    writeFileSync(path.join(out, LEGACY_STATE_FILE), `${JSON.stringify(convergedState(out), null, 1)}\n`);
    return out;
  } finally {
    rmSync(checkout, { recursive: true, force: true });
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface PlannedResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: number | string;
  readonly schema_version: number;
  readonly values: Record<string, Json>;
  readonly sensitive_values: Record<string, Json>;
}
interface PlanJson {
  readonly planned_values: { readonly root_module: { readonly child_modules?: { readonly address: string; readonly resources: PlannedResource[] }[] } };
  readonly resource_changes: { readonly address: string; readonly change: { readonly actions: string[]; readonly after_unknown: Record<string, Json> } }[];
}
type AttributeTypes = Record<string, Record<string, Json>>;

const PROVIDER = 'provider["registry.terraform.io/hashicorp/aws"]';
const LINEAGE = "9b0b5f0e-5e2c-4c1a-9d1e-wsstack-e98a";

/** Plans the module in `moduleDir` against its own planned values until nothing changes; returns that state. */
function convergedState(moduleDir: string): Json {
  const tooling = findTerraformTooling();
  const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-legacy-state-"));
  try {
    mkdirSync(path.join(dir, "module"));
    for (const file of readdirSync(moduleDir).filter((f) => f.endsWith(".tf"))) copyFileSync(path.join(moduleDir, file), path.join(dir, "module", file));
    writeFileSync(path.join(dir, "main.tf"), chatRoot("./module"));
    writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    const types = attributeTypes(tooling, dir);
    let state: Json = { version: 4, terraform_version: tooling.version, serial: 0, lineage: LINEAGE, outputs: {}, resources: [], check_results: null };
    for (let round = 1; round <= 12; round++) {
      writeFileSync(path.join(dir, "terraform.tfstate"), JSON.stringify(state));
      terraform(tooling, dir, [...OFFLINE_PLAN_ARGS, "-out=plan.bin"]);
      const plan = JSON.parse(terraform(tooling, dir, ["show", "-json", "plan.bin"])) as PlanJson;
      const changing = plan.resource_changes.filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"));
      process.stderr.write(`module-fixture: round ${round}: ${changing.length} resources still change\n`);
      if (changing.length === 0 && round > 1) return state;
      state = stateFrom(plan, types, round);
    }
    throw new Error("the state did not converge in 12 plans");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A state (format 4) holding every managed resource with its planned values, unknowns given stand-ins. */
function stateFrom(plan: PlanJson, types: AttributeTypes, serial: number): Json {
  const unknown = new Map(plan.resource_changes.map((c) => [c.address, c.change.after_unknown]));
  const byResource = new Map<string, { module: string; type: string; name: string; instances: Json[] }>();
  for (const child of plan.planned_values.root_module.child_modules ?? []) {
    for (const r of child.resources.filter((r) => r.mode === "managed")) {
      const key = `${child.address}.${r.type}.${r.name}`;
      const entry = byResource.get(key) ?? { module: child.address, type: r.type, name: r.name, instances: [] };
      const attributes = withStandIns(r.values, unknown.get(r.address) ?? {}, types[r.type] ?? {}, `${r.type}/${r.name}`);
      entry.instances.push({ ...(r.index !== undefined ? { index_key: r.index } : {}), schema_version: r.schema_version, attributes, sensitive_attributes: [] });
      byResource.set(key, entry);
    }
  }
  const resources = [...byResource.values()].map((r) => ({ module: r.module, mode: "managed", type: r.type, name: r.name, provider: PROVIDER, instances: r.instances }));
  return { version: 4, terraform_version: "1.11.4", serial, lineage: LINEAGE, outputs: {}, resources, check_results: null };
}

// Each top-level attribute only AWS would know gets a stand-in of its type,
// the same in every round, so a value read from it converges: an ARN where
// the provider checks for one, an id, or an empty value.
function withStandIns(values: Record<string, Json>, unknown: Record<string, Json>, types: Record<string, Json>, name: string): Record<string, Json> {
  const out: Record<string, Json> = { ...values };
  for (const [attribute, isUnknown] of Object.entries(unknown)) {
    if (isUnknown !== true) continue;
    const type = types[attribute];
    out[attribute] =
      type === "string" ? (/arn$/.test(attribute) ? `arn:aws:standin:us-east-1:123456789012:${name}/${attribute}` : `${name.replace(/\//g, "-")}-${attribute}`)
      : type === "number" ? 0
      : type === "bool" ? false
      : Array.isArray(type) && (type[0] === "list" || type[0] === "set") ? []
      : Array.isArray(type) && type[0] === "map" ? {}
      : null;
  }
  return out;
}

/** Each resource type's top-level attribute types, from the provider's own schema. */
function attributeTypes(tooling: TerraformTooling, dir: string): AttributeTypes {
  const out = path.join(dir, "schema.json");
  // Tens of megabytes: written to a file rather than through a pipe.
  writeFileSync(path.join(dir, "terraformrc"), "");
  const env = { ...process.env, TF_CLI_CONFIG_FILE: path.join(dir, "terraformrc"), CHECKPOINT_DISABLE: "1" };
  const run = spawnSync(tooling.binary, [`-chdir=${dir}`, "providers", "schema", "-json"], { stdio: ["ignore", "pipe", "inherit"], maxBuffer: 512 * 1024 * 1024, encoding: "utf8", env });
  if (run.status !== 0) throw new Error("terraform providers schema -json failed");
  writeFileSync(out, run.stdout);
  const schema = JSON.parse(readFileSync(out, "utf8")) as { provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes?: Record<string, { type: Json }> } }> }> };
  const aws = Object.values(schema.provider_schemas)[0]!;
  return Object.fromEntries(Object.entries(aws.resource_schemas).map(([type, s]) => [type, Object.fromEntries(Object.entries(s.block.attributes ?? {}).map(([a, v]) => [a, v.type]))]));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // `--state-only`: keep the .tf files, make the state again.
  const stateOnly = process.argv.includes("--state-only");
  const commit = process.argv.slice(2).find((a) => !a.startsWith("--")) ?? LEGACY_MODULE_COMMIT;
  const out = stateOnly ? moduleFixtureDir(commit) : writeModuleFixture(commit);
  if (stateOnly) writeFileSync(path.join(out, LEGACY_STATE_FILE), `${JSON.stringify(convergedState(out), null, 1)}\n`);
  process.stderr.write(`module-fixture: wrote ${path.relative(ROOT, out)}\n`);
}
