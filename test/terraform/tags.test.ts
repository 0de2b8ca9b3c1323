import { parse } from "@cdktf/hcl2json";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildModule } from "../../scripts/build-module.ts";
import { bracedInterpolations } from "../stacks/hcl-scan.ts";
import { synthChatStack, type TerraformJson } from "../stacks/synth-helpers.ts";
import { taggableResourceTypes, type TaggableTypes } from "./provider-schema.ts";
import { findTerraformTooling, OFFLINE_PROVIDER_OVERRIDE, terraform, type TerraformTooling } from "./terraform-cli.ts";

/** Types the stack has always had that the provider can tag: the floor the schema's answer is checked against. */
const KNOWN_TAGGABLE = ["aws_apigatewayv2_api", "aws_apigatewayv2_stage", "aws_cloudwatch_log_group", "aws_dynamodb_table", "aws_iam_role", "aws_lambda_function"];

type Blocks = Record<string, Record<string, unknown>>;

/**
 * Every resource of a type the provider can tag, by address, with what its
 * `tags` argument says (undefined when it has none), and the stack's other
 * types. `resources` is type → name → block (hcl2json wraps each block in a list).
 */
function tagsByAddress(resources: Record<string, Record<string, unknown>>, taggable: TaggableTypes): { tagged: Map<string, unknown>; untaggableTypes: string[] } {
  const tagged = new Map<string, unknown>();
  const untaggableTypes: string[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    if (!taggable.types.has(type)) {
      untaggableTypes.push(type);
      continue;
    }
    for (const [name, block] of Object.entries(byName)) {
      const body = (Array.isArray(block) ? block[0] : block) as Blocks[string] | undefined;
      tagged.set(`${type}.${name}`, body?.tags);
    }
  }
  return { tagged, untaggableTypes };
}

/** The addresses whose tags do not take the module's `tags` input. */
function withoutVarTags(tagged: Map<string, unknown>): string[] {
  return [...tagged].filter(([, tags]) => typeof tags !== "string" || !/(^|[^\w.])var\.tags\b/.test(tags)).map(([address]) => address);
}

describe("tags: every resource of a type hashicorp/aws can tag takes var.tags", () => {
  let tooling: TerraformTooling;
  let taggable: TaggableTypes;
  let moduleDir: string;

  beforeAll(async () => {
    // Throws with an install hint when terraform or the provider mirror is missing: never a skip.
    tooling = findTerraformTooling();
    taggable = taggableResourceTypes(tooling);
    moduleDir = await buildModule(path.join(mkdtempSync(path.join(os.tmpdir(), "wsstack-tags-")), "terraform-module"));
  });

  it("schema: the provider's own schema says which types take tags", () => {
    // THEN the reading found the provider's resources, the stack's taggable types among them, and not the untaggable ones
    expect(taggable.resourceTypeCount).toBeGreaterThan(1000);
    expect(taggable.types.size).toBeGreaterThan(300);
    for (const type of KNOWN_TAGGABLE) expect(taggable.types, type).toContain(type);
    for (const type of ["aws_lambda_permission", "aws_apigatewayv2_route", "aws_iam_role_policy", "aws_api_gateway_account"]) expect(taggable.types, type).not.toContain(type);
    console.info(`hashicorp/aws ${taggable.providerVersion}: ${taggable.types.size} of ${taggable.resourceTypeCount} resource types take tags`);
  });

  // The module's own mode is checked on the built module below.
  for (const mode of ["deploy"] as const) {
    it(`synthesized stack (${mode}): every resource of a taggable type has tags built on var.tags`, () => {
      // GIVEN the stack as cdktf synthesizes it
      const { tf } = synthChatStack({ mode });
      // WHEN its resources are sorted by what the provider says of their type
      const { tagged, untaggableTypes } = tagsByAddress(tf.resource, taggable);
      // THEN each taggable one takes var.tags, and no other claims tags
      expect(withoutVarTags(tagged)).toEqual([]);
      expect([...tagged.keys()].map((address) => address.split(".")[0])).toEqual(expect.arrayContaining(KNOWN_TAGGABLE));
      for (const type of untaggableTypes) {
        for (const [name, block] of Object.entries((tf as TerraformJson).resource[type]!)) expect((block as { tags?: unknown }).tags, `${type}.${name}`).toBeUndefined();
      }
      console.info(`taggable in the stack: ${[...new Set([...tagged.keys()].map((a) => a.split(".")[0]))].sort().join(", ")} (${tagged.size} resources); not taggable: ${untaggableTypes.sort().join(", ")}`);
    });
  }

  it("module (npm run module): every resource of a taggable type in main.tf has tags built on var.tags, with a Name where it has a name", async () => {
    // GIVEN the module's main.tf, parsed
    const text = readFileSync(path.join(moduleDir, "main.tf"), "utf8");
    const main = (await parse("main.tf", text)) as { resource: Record<string, Record<string, unknown>> };
    // (the merge's object literal stays outside any ${…}: scanners' parsers end one at its first brace)
    expect(text).toMatch(/^\s*tags\s+= merge\(var\.tags, \{ "Name" = "\$\{var\.name_prefix\}-connections" \}\)$/m);
    expect(bracedInterpolations(text)).toEqual([]);
    // WHEN its resources are sorted by what the provider says of their type
    const { tagged } = tagsByAddress(main.resource, taggable);
    // THEN each taggable one takes var.tags
    expect(tagged.size).toBeGreaterThanOrEqual(KNOWN_TAGGABLE.length);
    expect(withoutVarTags(tagged)).toEqual([]);
    // AND a function's Name is its physical name
    const functions = [...tagged].filter(([address]) => address.startsWith("aws_lambda_function."));
    expect(functions.length).toBeGreaterThan(0);
    for (const [address, tags] of functions) expect(tags, address).toMatch(/^\$\{merge\(var\.tags, \{ ?"Name" = "\$\{var\.name_prefix\}-[a-z-]+" ?\}\)\}$/);
  });

  it('plan: with tags = { team = "chat" } every planned resource of a taggable type carries it', () => {
    // GIVEN a root module that calls the module with tags (sign-in off: no issuer needed to plan)
    const dir = mkdtempSync(path.join(os.tmpdir(), "wsstack-tf-tags-"));
    writeFileSync(
      path.join(dir, "main.tf"),
      `module "chat" {\n  source       = ${JSON.stringify(moduleDir)}\n  auth_enabled = false\n  tags = {\n    team = "chat"\n  }\n}\n`,
    );
    writeFileSync(path.join(dir, "providers.tf"), OFFLINE_PROVIDER_OVERRIDE);
    terraform(tooling, dir, ["init", "-input=false", `-plugin-dir=${tooling.pluginDir}`]);
    // WHEN it plans
    terraform(tooling, dir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", "-out=tfplan"]);
    const plan = JSON.parse(terraform(tooling, dir, ["show", "-json", "tfplan"])) as {
      resource_changes: { address: string; type: string; change: { actions: string[]; after: { tags?: Record<string, string> | null; tags_all?: Record<string, string> | null } | null } }[];
    };
    // THEN every taggable resource it creates carries team = chat, in tags and in tags_all
    const planned = plan.resource_changes.filter((r) => taggable.types.has(r.type) && r.change.actions.includes("create"));
    expect(planned.map((r) => r.type)).toEqual(expect.arrayContaining(KNOWN_TAGGABLE));
    const missing = planned.filter((r) => r.change.after?.tags?.team !== "chat" || (r.change.after.tags_all && r.change.after.tags_all.team !== "chat"));
    expect(missing.map((r) => r.address)).toEqual([]);
    // AND a function is named after itself
    const fn = planned.find((r) => r.type === "aws_lambda_function" && r.change.after?.tags?.Name === "wsstack-on-message");
    expect(fn?.change.after?.tags).toEqual({ team: "chat", Name: "wsstack-on-message" });
    console.info(`planned with tags: ${planned.length} taggable resources of ${plan.resource_changes.length}`);
  });
});
