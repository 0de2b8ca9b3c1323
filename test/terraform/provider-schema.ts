import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AWS_PROVIDER_VERSION_RANGE } from "../../stacks/chat-stack.ts";
import { providerVersions, terraform, type TerraformTooling } from "./terraform-cli.ts";

/** The resource types of hashicorp/aws whose schema has a `tags` argument, from the provider itself. */
export interface TaggableTypes {
  /** The provider version the schema was read from. */
  readonly providerVersion: string;
  readonly types: ReadonlySet<string>;
  /** How many resource types the provider has in all (a sanity check on the reading). */
  readonly resourceTypeCount: number;
}

interface ProviderSchemas {
  provider_schemas: Record<string, { resource_schemas: Record<string, { block: { attributes?: Record<string, { optional?: boolean; required?: boolean }> } }> }>;
}

const AWS = "registry.terraform.io/hashicorp/aws";

/**
 * Asks hashicorp/aws (the version the module's constraint picks from the
 * offline mirror) which resource types take `tags`: `terraform providers
 * schema -json`, never a list kept by hand or the cdktf bindings' view.
 *
 * The schema of one provider build never changes, and reading it takes
 * seconds (a 13 MB document), so the answer is cached in the temp folder,
 * keyed by the provider version, its binary's size and mtime, and Terraform's
 * version.
 */
export function taggableResourceTypes(tooling: TerraformTooling): TaggableTypes {
  const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-aws-schema-"));
  writeFileSync(
    path.join(dir, "main.tf"),
    `terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = ${JSON.stringify(AWS_PROVIDER_VERSION_RANGE)}\n    }\n  }\n}\n`,
  );
  terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
  const providerVersion = providerVersions(tooling, dir)[AWS];
  if (!providerVersion) throw new Error(`terraform init in ${dir} selected no ${AWS}`);

  const binary = providerBinary(dir, providerVersion);
  const { size, mtimeMs } = statSync(binary);
  const cacheDir = path.join(os.tmpdir(), "wsstack-provider-schema-cache");
  const cacheFile = path.join(cacheDir, `aws-${providerVersion}-${size}-${Math.round(mtimeMs)}-tf${tooling.version}.json`);
  if (existsSync(cacheFile)) {
    const cached = JSON.parse(readFileSync(cacheFile, "utf8")) as { types: string[]; resourceTypeCount: number };
    return { providerVersion, types: new Set(cached.types), resourceTypeCount: cached.resourceTypeCount };
  }

  const schemas = (JSON.parse(terraform(tooling, dir, ["providers", "schema", "-json"])) as ProviderSchemas).provider_schemas[AWS];
  if (!schemas) throw new Error(`terraform providers schema -json in ${dir} has no ${AWS}`);
  const all = Object.entries(schemas.resource_schemas);
  // An argument the configuration can set, not a computed-only attribute.
  const types = all.filter(([, schema]) => schema.block.attributes?.tags?.optional || schema.block.attributes?.tags?.required).map(([type]) => type).sort();
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify({ types, resourceTypeCount: all.length }));
  return { providerVersion, types: new Set(types), resourceTypeCount: all.length };
}

// Where `init -plugin-dir` put the provider for this folder.
function providerBinary(dir: string, version: string): string {
  const platform = `${process.platform}_${process.arch === "x64" ? "amd64" : process.arch}`;
  const folder = path.join(dir, ".terraform", "providers", AWS, version, platform);
  const name = `terraform-provider-aws_v${version}_x5`;
  const binary = path.join(folder, name);
  if (!existsSync(binary)) throw new Error(`no provider binary at ${binary}`);
  return binary;
}
