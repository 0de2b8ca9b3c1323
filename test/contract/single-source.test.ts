import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CONNECTION_TABLE } from "../../contract/connection-table.ts";
import { RESOURCE_ENVIRONMENT, SETTINGS } from "../../contract/settings.ts";
import { STACK_ID } from "../../contract/stack.ts";

// The contract is the one place where a setting, an environment variable or
// a fact of the table's schema is written. Every other source file (tests
// and documentation aside) must import it: a copy would drift.

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SOURCE_ROOTS = ["main.ts", "stacks", "functions", "local", "dev", "web", "bench", "scripts"];

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  let stat;
  try {
    stat = statSync(full);
  } catch {
    return [];
  }
  if (stat.isFile()) return /\.(ts|mts|cts|js|mjs|cjs)$/.test(entry) ? [entry] : [];
  return readdirSync(full).filter((name) => name !== "node_modules" && !name.startsWith(".")).flatMap((name) => sourceFiles(path.join(entry, name)));
}

/** Quoted occurrences (`"x"`, `'x'`, `` `x` ``, or inside a template such as `${var.x}`) of `fact` in `text`. */
function writes(text: string, fact: string): boolean {
  const escaped = fact.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`["'\`]${escaped}["'\`#]|var\\.${escaped}\\b|["'\`]${escaped}\\$\\{`).test(text);
}

/** The code without its comments: a comment may name a setting, only code can copy one. */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const files = SOURCE_ROOTS.flatMap(sourceFiles);
const texts = new Map(files.map((file) => [file, withoutComments(readFileSync(path.join(ROOT, file), "utf8"))]));

/** Same words, other meanings: the emulator resolves the `aws_region` data source, which is not our variable. */
// The generic emulator reads aws_apigatewayv2_stage's own throttling attributes, whose names our variables share.
// The custom domain reads aws_apigatewayv2_domain_name's own `domain_name` and its configuration's `hosted_zone_id`.
const HOMONYMS = new Set([
  "local/plan.ts: throttling_rate_limit",
  "local/plan.ts: throttling_burst_limit",
  "stacks/custom-domain.ts: domain_name",
  "stacks/custom-domain.ts: hosted_zone_id",
  // The emulator's local providers know the AWS provider's own schema: a domain name's `domain_name`, the
  // `aws_region` data source, `name_prefix` and `tags` arguments of several resource types.
  "local/terraform/providers/apigatewayv2.ts: domain_name",
  "local/terraform/providers/aws-data-sources.ts: aws_region",
  "local/terraform/providers/cloudwatch-logs.ts: name_prefix",
  "local/terraform/providers/computed.ts: tags",
  "local/terraform/providers/iam.ts: name_prefix",
  "local/terraform/providers/kms.ts: name_prefix",
  "local/terraform/providers/messaging.ts: name_prefix",
]);

function writtenOutsideContract(facts: readonly string[]): string[] {
  const found: string[] = [];
  for (const [file, text] of texts) for (const fact of facts) if (writes(text, fact) && !HOMONYMS.has(`${file}: ${fact}`)) found.push(`${file}: ${fact}`);
  return found;
}

describe("contract: one source of truth", () => {
  it("the scan reads the source folders (a scan of nothing would pass anything)", () => {
    expect(files).toContain("stacks/chat-stack.ts");
    expect(files).toContain("functions/aws/settings.ts");
    expect(files.filter((file) => file.startsWith("local/")).length).toBeGreaterThan(10);
  });

  it("no Terraform variable name of a setting is written outside contract/", () => {
    expect(writtenOutsideContract(Object.values(SETTINGS).map((s) => s.variable))).toEqual([]);
  });

  it("no environment variable name is written outside contract/", () => {
    const names = [...Object.values(SETTINGS).flatMap((s) => ("environment" in s ? [s.environment.name] : [])), ...Object.values(RESOURCE_ENVIRONMENT)];
    expect(names.length).toBeGreaterThan(8);
    expect(writtenOutsideContract(names)).toEqual([]);
  });

  it("no fact of the table's schema is written outside contract/", () => {
    const t = CONNECTION_TABLE;
    // Key prefixes, fixed sort keys, the index and the TTL attribute: words too plain to scan for (pk, room) are left out.
    const facts = [t.roomIndexName, t.ttlAttribute, ...Object.values(t.keys)];
    expect(writtenOutsideContract(facts)).toEqual([]);
  });

  it("the stack id is written once: the app, the module build and wsstack dev import it", () => {
    const locating = [...texts.keys()].filter((file) => file === "main.ts" || file.startsWith("scripts/") || file.startsWith("dev/") || file === "local/cli.ts");
    expect(locating).toContain("main.ts");
    expect(locating.filter((file) => writes(texts.get(file)!, STACK_ID))).toEqual([]);
  });

  it("the detector finds a copy when there is one", () => {
    expect(writes('const table = "byRoom";', "byRoom")).toBe(true);
    expect(writes("`${var.fan_out_concurrency}`", "fan_out_concurrency")).toBe(true);
    expect(writes('pk: "CONN#" + id', "CONN#")).toBe(true);
    expect(writes("`CONN#${id}`", "CONN#")).toBe(true);
    expect(writes(withoutComments("// the `byRoom` index, in a comment\n/** and `byRoom` in a doc comment */"), "byRoom")).toBe(false);
    expect(withoutComments('const url = "http://x"; // note')).toBe('const url = "http://x"; ');
  });
});
