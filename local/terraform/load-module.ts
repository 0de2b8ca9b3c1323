import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { ConfigurationError, type ConfigurationLocation } from "./errors.ts";
import { HclLines } from "./hcl-lines.ts";
import { isObject } from "./values.ts";

/**
 * Reads one Terraform module folder (or a single file) into one merged
 * configuration, the way Terraform does before it evaluates anything: every
 * `.tf` and `.tf.json` file in lexical order, duplicates refused, then the
 * override files merged in.
 *
 * Values stay raw, as hcl2json and Terraform JSON give them (strings are
 * templates such as `"${var.name}-api"`); evaluating them is the evaluator's job.
 *
 * @see https://developer.hashicorp.com/terraform/language/files
 * @see https://developer.hashicorp.com/terraform/language/files/override
 * @see https://developer.hashicorp.com/terraform/language/syntax/json
 */

/** Where a block is written. */
export interface BlockLocation {
  /** The file, relative to the folder the user named where possible. */
  readonly file: string;
  /** 1-based line of the block header; undefined for JSON sources or when it cannot be found. */
  readonly line?: number;
  /** Which syntax the block was written in. */
  readonly format: "hcl" | "json";
  /** The cdktf construct path (`stack/chat_api`) of a block cdktf wrote, from its `"//"` metadata. */
  readonly constructPath?: string;
  /** Line of `argument =` (or a nested `argument {` block) inside the block, if found; dotted paths descend (`environment.variables`). */
  argumentLine(argument: string): number | undefined;
  /** The location for a {@link ConfigurationError} about this block, or one of its arguments (falling back to the block's line). */
  at(address: string, argument?: string): ConfigurationLocation;
}

export interface VariableValidation {
  readonly condition: unknown;
  readonly errorMessage: unknown;
  readonly location: BlockLocation;
}

export interface VariableBlock {
  readonly name: string;
  /** The type constraint as written: `"${map(string)}"` from HCL, `"map(string)"` from JSON; undefined when not given. */
  readonly type?: unknown;
  readonly hasDefault: boolean;
  readonly default?: unknown;
  /**
   * How to read `default`: `raw` (strings are templates) when it was written
   * in HCL; `literal` when written in a `.tf.json` file, where Terraform reads
   * a default without template processing (`"${x}"` stays that text).
   */
  readonly defaultForm: "literal" | "raw";
  /** @default true */
  readonly nullable: boolean;
  /** @default false */
  readonly sensitive: boolean;
  readonly description?: string;
  readonly validations: readonly VariableValidation[];
  readonly location: BlockLocation;
}

export interface ResourceBlock {
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  /** Arguments and nested blocks, with count/for_each/depends_on/lifecycle/provider/provisioner/connection removed; `dynamic` as `{ type: [body, …] }`. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly count?: unknown;
  readonly forEach?: unknown;
  readonly location: BlockLocation;
}

export interface ModuleCallBlock {
  readonly name: string;
  /** A literal string, as Terraform requires. */
  readonly source: string;
  /** Every argument but the meta-arguments (source, version, count, for_each, depends_on, providers). */
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly count?: unknown;
  readonly forEach?: unknown;
  readonly location: BlockLocation;
}

export interface LocalValue {
  readonly name: string;
  readonly value: unknown;
  readonly location: BlockLocation;
}

export interface OutputBlock {
  readonly name: string;
  readonly value: unknown;
  readonly description?: string;
  /** @default false */
  readonly sensitive: boolean;
  readonly location: BlockLocation;
}

export interface ModuleConfig {
  /** The module folder (absolute): `path.module`. */
  readonly dir: string;
  /** The files read (absolute), primary files then override files, each group in lexical order. */
  readonly files: readonly string[];
  readonly variables: ReadonlyMap<string, VariableBlock>;
  readonly locals: ReadonlyMap<string, LocalValue>;
  /** Key `type.name`. */
  readonly resources: ReadonlyMap<string, ResourceBlock>;
  /** Key `data.type.name`. */
  readonly dataSources: ReadonlyMap<string, ResourceBlock>;
  readonly moduleCalls: ReadonlyMap<string, ModuleCallBlock>;
  readonly outputs: ReadonlyMap<string, OutputBlock>;
  /** Which syntax the files use. */
  readonly format: "hcl" | "json" | "mixed";
  /** Whether a JSON file came from cdktf (its `"//"` metadata is present): blocks then carry their construct path. */
  readonly cdktf: boolean;
}

export interface LoadModuleOptions {
  /**
   * Folder the reported file names are relative to (a child module's files
   * read better as `modules/function/main.tf`).
   * @default the folder named, or the named file's folder
   */
  readonly relativeTo?: string;
}

/** Top-level blocks that do not change what the emulator serves. */
const IGNORED_BLOCKS = new Set(["terraform", "provider", "moved", "import", "removed", "check", "ephemeral"]);
/** Ignored, but Terraform refuses them in override files. */
const NOT_OVERRIDABLE = new Set(["moved", "import"]);
const RESOURCE_META = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"]);
const MODULE_META = new Set(["source", "version", "count", "for_each", "depends_on", "providers"]);
const VARIABLE_ARGUMENTS = new Set(["type", "default", "description", "sensitive", "nullable", "validation", "ephemeral"]);
const OUTPUT_ARGUMENTS = new Set(["value", "description", "sensitive", "depends_on", "precondition", "ephemeral"]);
const CDKTF_FILE = "cdk.tf.json";

/** Whether Terraform treats a file name as an override file (`override.tf`, `x_override.tf.json`, …). */
export function isOverrideFile(name: string): boolean {
  const base = name.endsWith(".tf.json") ? name.slice(0, -".tf.json".length) : name.endsWith(".tf") ? name.slice(0, -".tf".length) : undefined;
  return base !== undefined && (base === "override" || base.endsWith("_override"));
}

/**
 * Which files make the module at `target`: a single `.tf`/`.tf.json` file, or
 * every configuration file of a folder as Terraform picks them. In a cdktf
 * stack folder holding both `cdk.tf.json` and `cdk.tf` (two renderings of one
 * stack) only `cdk.tf.json` is read.
 * @returns the module folder and the files, absolute, in lexical order
 */
export function locateModuleSource(target: string): { dir: string; files: string[] } {
  const resolved = path.resolve(target);
  const where: ConfigurationLocation = { file: target, address: "root module" };
  const accepted = "a folder of .tf/.tf.json files, a single .tf or .tf.json file, or a cdktf stack folder (cdktf.out/stacks/<stack>)";
  if (!existsSync(resolved)) throw new ConfigurationError(where, "does not exist", `Give ${accepted}`);
  if (statSync(resolved).isFile()) {
    const name = path.basename(resolved);
    if (!name.endsWith(".tf") && !name.endsWith(".tf.json")) {
      const fix = /\.tfvars(\.json)?$/.test(name) ? "Variable files are passed with --var-file; give the module folder as the source" : `Give ${accepted}`;
      throw new ConfigurationError(where, "is not a Terraform configuration file (expected a name ending .tf or .tf.json)", fix);
    }
    return { dir: path.dirname(resolved), files: [resolved] };
  }
  let names = configurationFileNames(resolved);
  // cdktf can render a stack as both JSON and HCL; Terraform would see every block twice.
  if (names.includes(CDKTF_FILE)) names = names.filter((name) => name !== "cdk.tf");
  if (names.length === 0) {
    throw new ConfigurationError(where, "holds no Terraform configuration: looked for files ending .tf and .tf.json (a cdktf stack folder holds cdk.tf.json)", emptyFolderFix(resolved, accepted));
  }
  return { dir: resolved, files: names.map((name) => path.join(resolved, name)) };
}

/** Reads the module at `target` (a folder or a single file) into one merged configuration. */
export async function loadModule(target: string, options: LoadModuleOptions = {}): Promise<ModuleConfig> {
  const { dir, files } = locateModuleSource(target);
  const resolved = path.resolve(target);
  const relativeTo = path.resolve(options.relativeTo ?? (resolved === dir ? dir : path.dirname(resolved)));
  const parsed: SourceFile[] = [];
  for (const file of files) parsed.push(await readSourceFile(file, displayName(file, relativeTo)));
  // A single named file is the whole module, whatever its name.
  const single = files.length === 1 && resolved !== dir;
  const primary = parsed.filter((file) => single || !isOverrideFile(path.basename(file.path)));
  const overrides = parsed.filter((file) => !single && isOverrideFile(path.basename(file.path)));

  const module = new ModuleBuilder();
  for (const file of primary) module.append(declarationsOf(file));
  for (const file of overrides) module.override(declarationsOf(file));

  const formats = new Set(parsed.map((file) => file.format));
  return {
    dir,
    files: [...primary, ...overrides].map((file) => file.path),
    ...module.build(),
    format: formats.size > 1 ? "mixed" : (formats.values().next().value ?? "hcl"),
    cdktf: parsed.some((file) => file.cdktf),
  };
}

function configurationFileNames(dir: string): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const name = entry.name;
    // Terraform skips hidden files and editor backups (`x.tf~`, `#x.tf#`).
    if (name.startsWith(".") || name.endsWith("~") || (name.startsWith("#") && name.endsWith("#"))) continue;
    if (!name.endsWith(".tf") && !name.endsWith(".tf.json")) continue;
    const isFile = entry.isFile() || (entry.isSymbolicLink() && statSync(path.join(dir, name), { throwIfNoEntry: false })?.isFile() === true);
    if (isFile) names.push(name);
  }
  // Go sorts directory entries by their bytes; so must we for the same override order.
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Points at what the user probably meant: a cdktf project's synthesized stacks. */
function emptyFolderFix(dir: string, accepted: string): string {
  const stacksDir = path.join(dir, "cdktf.out", "stacks");
  const stacks = existsSync(stacksDir) ? readdirSync(stacksDir).filter((stack) => existsSync(path.join(stacksDir, stack, CDKTF_FILE))) : [];
  if (stacks.length > 0) return `This looks like a cdktf project: give a synthesized stack folder, e.g. ${path.join(path.relative(process.cwd(), stacksDir) || ".", stacks[0]!)}`;
  if (existsSync(path.join(dir, "cdktf.json"))) return "This looks like a cdktf project: run `cdktf synth`, then give cdktf.out/stacks/<stack>";
  return `Give ${accepted}`;
}

function displayName(file: string, relativeTo: string): string {
  const relative = path.relative(relativeTo, file);
  return relative === "" || path.isAbsolute(relative) ? file : relative;
}

/** One configuration file, parsed. */
interface SourceFile {
  readonly path: string;
  readonly display: string;
  readonly format: "hcl" | "json";
  /** The file carries cdktf's top-level `"//"` metadata. */
  readonly cdktf: boolean;
  readonly document: Record<string, unknown>;
  /** Only for HCL: JSON sources have no line numbers to report. */
  readonly lines?: HclLines;
}

async function readSourceFile(file: string, display: string): Promise<SourceFile> {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".tf.json")) {
    const document = parseJson(text, display);
    const comment = document["//"];
    return { path: file, display, format: "json", cdktf: isObject(comment) && isObject(comment.metadata), document };
  }
  return { path: file, display, format: "hcl", cdktf: false, document: await parseHcl(text, display), lines: new HclLines(text) };
}

/** HCL text → hcl2json's JSON form; a syntax error names the file and line. */
export async function parseHcl(text: string, display: string): Promise<Record<string, unknown>> {
  try {
    return (await parse(display, text)) as Record<string, unknown>;
  } catch (error) {
    // hcl2json reports "parse config: [main.tf:2,6-3,1: Invalid expression; Expected …]".
    const message = error instanceof Error ? error.message : String(error);
    const inner = /^parse config: \[(.*)\]$/s.exec(message)?.[1] ?? message;
    const position = /^(?:.*?):(\d+),\d+(?:-\d+(?:,\d+)?)?: (.*)$/s.exec(inner);
    throw new ConfigurationError(
      { file: display, line: position ? Number(position[1]) : undefined, address: "HCL syntax" },
      position ? position[2]! : inner,
      "Fix the syntax (`terraform validate` shows the same error)",
      { cause: error },
    );
  }
}

/** JSON text → an object; a syntax error names the file and, where Node says it, the line. */
export function parseJson(text: string, display: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const offset = /position (\d+)/.exec((error as Error).message)?.[1];
    const line = offset === undefined ? undefined : text.slice(0, Number(offset)).split("\n").length;
    throw new ConfigurationError({ file: display, line, address: "JSON syntax" }, (error as Error).message, "Fix the JSON", { cause: error });
  }
  if (!isObject(document)) throw new ConfigurationError({ file: display, address: "JSON syntax" }, "the top level must be a JSON object", "Write the configuration as one object: { \"resource\": { … } }");
  return document;
}

class SourceBlockLocation implements BlockLocation {
  // Private, so logging or JSON-encoding a location does not dump the whole file.
  readonly #lines: HclLines | undefined;

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly format: "hcl" | "json",
    lines: HclLines | undefined,
    readonly constructPath?: string,
  ) {
    this.#lines = lines;
  }

  argumentLine(argument: string): number | undefined {
    return this.line === undefined || this.#lines === undefined ? undefined : this.#lines.argumentLine(this.line, argument);
  }

  at(address: string, argument?: string): ConfigurationLocation {
    return { file: this.file, line: argument === undefined ? this.line : (this.argumentLine(argument) ?? this.line), address, argument };
  }

  /** A block nested in this one (a validation), starting on `line`. */
  nested(line: number | undefined): SourceBlockLocation {
    return new SourceBlockLocation(this.file, line, this.format, this.#lines, this.constructPath);
  }
}

/** `main.tf:12`, `cdk.tf.json (construct stack/chat_api)`: for "already declared at …". */
function describe(location: BlockLocation): string {
  const where = `${location.file}${location.line === undefined ? "" : `:${location.line}`}`;
  return location.constructPath === undefined ? where : `${where} (construct ${location.constructPath})`;
}

/** A block as one file declares it, before merging. */
interface Declared {
  readonly kind: "resource" | "data" | "variable" | "local" | "module" | "output" | "unoverridable";
  /** `aws_iam_role.lambda`, `data.aws_region.current`, `var.name`, `local.routes`, `module.function`, `output.url`, `moved`. */
  readonly address: string;
  readonly labels: readonly string[];
  readonly body: Record<string, unknown>;
  /** For locals: the value itself. */
  readonly value?: unknown;
  readonly location: SourceBlockLocation;
}

/** Every declaration in one file, in document order. */
function declarationsOf(file: SourceFile): Declared[] {
  const out: Declared[] = [];
  const seen = new Map<string, number>();
  const occurrence = (key: string) => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  };
  const location = (line: number | undefined, constructPath?: string) => new SourceBlockLocation(file.display, line, file.format, file.lines, constructPath);
  const fileLocation: ConfigurationLocation = { file: file.display, address: "module" };

  for (const [key, value] of Object.entries(file.document)) {
    if (key === "//") continue;
    if (IGNORED_BLOCKS.has(key)) {
      if (NOT_OVERRIDABLE.has(key)) out.push({ kind: "unoverridable", address: key, labels: [], body: {}, location: location(file.lines?.blockLine(key, [])) });
      continue;
    }
    switch (key) {
      case "resource":
      case "data":
        for (const { labels, body, constructPath } of labelledBodies(value, 2, { ...fileLocation, address: key })) {
          const [type, name] = labels as [string, string];
          const line = file.lines?.blockLine(key, labels, occurrence(`${key} ${type} ${name}`));
          out.push({ kind: key, address: key === "data" ? `data.${type}.${name}` : `${type}.${name}`, labels, body, location: location(line, constructPath) });
        }
        break;
      case "variable":
      case "module":
      case "output":
        for (const { labels, body, constructPath } of labelledBodies(value, 1, { ...fileLocation, address: key })) {
          const line = file.lines?.blockLine(key, labels, occurrence(`${key} ${labels[0]}`));
          const prefix = key === "variable" ? "var" : key;
          out.push({ kind: key, address: `${prefix}.${labels[0]}`, labels, body, location: location(line, constructPath) });
        }
        break;
      case "locals":
        for (const { body } of labelledBodies(value, 0, { ...fileLocation, address: "locals" })) {
          for (const [name, local] of Object.entries(body)) {
            const line = file.lines?.localLine(name, occurrence(`local ${name}`));
            out.push({ kind: "local", address: `local.${name}`, labels: [name], body: {}, value: local, location: location(line) });
          }
        }
        break;
      default:
        throw new ConfigurationError(
          { ...fileLocation, address: key },
          `"${key}" is not a block type Terraform accepts at the top level of a module`,
          "Use resource, data, variable, locals, module or output (terraform, provider, moved, import, removed and check blocks are read and ignored)",
        );
    }
  }
  return out;
}

/** One block of a file: its labels, its body without `"//"` comments, and the construct path cdktf recorded there. */
interface LabelledBody {
  readonly labels: string[];
  readonly body: Record<string, unknown>;
  readonly constructPath?: string;
}

/**
 * Terraform JSON allows a block (or a level of labels) as an object or as a
 * list of objects; hcl2json always writes lists. Both come out as one entry
 * per block.
 */
function labelledBodies(value: unknown, labelCount: number, where: ConfigurationLocation, labels: string[] = []): LabelledBody[] {
  if (Array.isArray(value)) return value.flatMap((item) => labelledBodies(item, labelCount, where, labels));
  const address = [where.address, ...labels].join(".");
  if (!isObject(value)) throw new ConfigurationError({ ...where, address }, `expected a block (a JSON object), found ${value === null ? "null" : typeof value}`, "Write each block as an object of its arguments");
  if (labels.length === labelCount) {
    const { "//": comment, ...body } = value;
    // cdktf writes `"//": { "metadata": { "path": "stack/construct" } }` into the blocks it synthesizes.
    const metadata = isObject(comment) && isObject(comment.metadata) ? comment.metadata : undefined;
    return [{ labels, body, ...(typeof metadata?.path === "string" ? { constructPath: metadata.path } : {}) }];
  }
  return Object.entries(value)
    .filter(([key]) => key !== "//")
    .flatMap(([key, inner]) => labelledBodies(inner, labelCount, where, [...labels, key]));
}

/** Merges the declarations of a module's files as Terraform's configs.NewModule does. */
class ModuleBuilder {
  private readonly variables = new Map<string, VariableDraft>();
  private readonly locals = new Map<string, { value: unknown; location: SourceBlockLocation }>();
  private readonly resources = new Map<string, BlockDraft>();
  private readonly dataSources = new Map<string, BlockDraft>();
  private readonly moduleCalls = new Map<string, BlockDraft>();
  private readonly outputs = new Map<string, OutputDraft>();

  /** A primary file: every name must be new. */
  append(declarations: readonly Declared[]): void {
    for (const d of declarations) {
      switch (d.kind) {
        case "variable":
          this.add(this.variables, d, variableDraft(d, false), "Duplicate variable declaration", `A variable named "${d.labels[0]}" was already declared at %s. Variable names must be unique within a module`);
          break;
        case "local":
          this.add(this.locals, d, { value: d.value, location: d.location }, "Duplicate local value definition", `A local value named "${d.labels[0]}" was already defined at %s. Local value names must be unique within a module`);
          break;
        case "output":
          this.add(this.outputs, d, outputDraft(d), "Duplicate output definition", `An output named "${d.labels[0]}" was already defined at %s. Output names must be unique within a module`);
          break;
        case "module":
          this.add(this.moduleCalls, d, blockDraft(d), "Duplicate module call", `A module call named "${d.labels[0]}" was already defined at %s. Module calls must have unique names within a module`);
          break;
        case "resource":
          this.add(this.resources, d, blockDraft(d), `Duplicate resource "${d.labels[0]}" configuration`, `A ${d.labels[0]} resource named "${d.labels[1]}" was already declared at %s. Resource names must be unique per type in each module`);
          break;
        case "data":
          this.add(this.dataSources, d, blockDraft(d), `Duplicate data "${d.labels[0]}" configuration`, `A ${d.labels[0]} data resource named "${d.labels[1]}" was already declared at %s. Resource names must be unique per type in each module`);
          break;
        case "unoverridable":
          break;
      }
    }
  }

  /** An override file: every block must override one declared in a primary file. */
  override(declarations: readonly Declared[]): void {
    for (const d of declarations) {
      switch (d.kind) {
        case "variable": {
          const base = this.existing(this.variables, d, "Missing base variable declaration to override", `There is no variable named "${d.labels[0]}"`, "variable");
          mergeVariable(base, variableDraft(d, true));
          break;
        }
        case "local": {
          const base = this.existing(this.locals, d, "Missing base local value definition to override", `There is no local value named "${d.labels[0]}"`, "local value");
          // A local is one expression: the override replaces it, location included, so errors point at the override.
          base.value = d.value;
          base.location = d.location;
          break;
        }
        case "output": {
          const base = this.existing(this.outputs, d, "Missing base output definition to override", `There is no output named "${d.labels[0]}"`, "output");
          refuseDependsOn(d);
          const over = outputDraft(d);
          if (over.hasValue) base.value = over.value;
          if (over.description !== undefined) base.description = over.description;
          if (over.sensitive !== undefined) base.sensitive = over.sensitive;
          break;
        }
        case "module":
        case "resource":
        case "data": {
          const map = d.kind === "module" ? this.moduleCalls : d.kind === "resource" ? this.resources : this.dataSources;
          const [summary, detail, what] =
            d.kind === "module"
              ? ["Missing module call to override", `There is no module call named "${d.labels[0]}"`, "module call"]
              : d.kind === "resource"
                ? ["Missing resource to override", `There is no ${d.labels[0]} resource named "${d.labels[1]}"`, "resource block"]
                : ["Missing data resource to override", `There is no ${d.labels[0]} data resource named "${d.labels[1]}"`, "data block"];
          const base = this.existing(map, d, summary, detail, what);
          refuseDependsOn(d);
          const over = blockDraft(d);
          base.body = mergeBodies(base.body, over.body);
          break;
        }
        case "unoverridable":
          throw new ConfigurationError(
            d.location.at(d.address),
            d.address === "moved" ? "Cannot override 'moved' blocks: records of moved objects can appear only in normal files, not in override files" : "Cannot override 'import' blocks: import blocks can appear only in normal files, not in override files",
            "Move the block to a file whose name does not end in override.tf",
          );
      }
    }
  }

  build(): Pick<ModuleConfig, "variables" | "locals" | "resources" | "dataSources" | "moduleCalls" | "outputs"> {
    return {
      variables: new Map([...this.variables].map(([name, draft]) => [name, finishVariable(name, draft)])),
      locals: new Map([...this.locals].map(([name, local]) => [name, { name, value: local.value, location: local.location }])),
      resources: new Map([...this.resources].map(([key, draft]) => [key, finishResource("managed", draft)])),
      dataSources: new Map([...this.dataSources].map(([key, draft]) => [key, finishResource("data", draft)])),
      moduleCalls: new Map([...this.moduleCalls].map(([name, draft]) => [name, finishModuleCall(draft)])),
      outputs: new Map([...this.outputs].map(([name, draft]) => [name, finishOutput(draft)])),
    };
  }

  private add<T>(map: Map<string, T & { location: SourceBlockLocation }>, d: Declared, draft: T & { location: SourceBlockLocation }, summary: string, detail: string): void {
    const key = mapKey(d);
    const existing = map.get(key);
    if (existing !== undefined) {
      throw new ConfigurationError(
        d.location.at(d.address),
        `${summary}: ${detail.replace("%s", describe(existing.location))}`,
        "Remove or rename one of them; to change a block from another file on purpose, put the change in an override file (a name ending _override.tf)",
      );
    }
    map.set(key, draft);
  }

  private existing<T>(map: Map<string, T>, d: Declared, summary: string, detail: string, what: string): T {
    const base = map.get(mapKey(d));
    if (base === undefined) {
      throw new ConfigurationError(
        d.location.at(d.address),
        `${summary}: ${detail}. An override file can only override a ${what} that was already declared in a primary configuration file`,
        "Declare it in a file whose name does not end in override.tf, or fix the name in the override",
      );
    }
    return base;
  }
}

/** The keys of ModuleConfig's maps. */
function mapKey(d: Declared): string {
  if (d.kind === "resource") return `${d.labels[0]}.${d.labels[1]}`;
  if (d.kind === "data") return `data.${d.labels[0]}.${d.labels[1]}`;
  return d.labels[0]!;
}

function refuseDependsOn(d: Declared): void {
  if ("depends_on" in d.body) {
    throw new ConfigurationError(d.location.at(d.address, "depends_on"), "Unsupported override: the depends_on argument may not be overridden", "Set depends_on in the original block");
  }
}

interface BlockDraft {
  readonly address: string;
  readonly labels: readonly string[];
  body: Record<string, unknown>;
  readonly location: SourceBlockLocation;
}

function blockDraft(d: Declared): BlockDraft {
  if ("count" in d.body && "for_each" in d.body) {
    throw new ConfigurationError(
      d.location.at(d.address, "for_each"),
      `Invalid combination of "count" and "for_each": the "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of ${d.kind === "module" ? "module instances" : "resources"} to be created`,
      "Remove one of them",
    );
  }
  const body = "dynamic" in d.body ? { ...d.body, dynamic: dynamicBlocks(d.body.dynamic) } : d.body;
  return { address: d.address, labels: d.labels, body, location: d.location };
}

/**
 * Terraform's MergeBodies: each argument in the override replaces the
 * original; any nested block type in the override (written plainly or as
 * `dynamic`) replaces every original block of that type, dynamic ones too;
 * nested blocks are never merged deeper.
 */
function mergeBodies(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const overrideDynamic = (override.dynamic ?? {}) as Record<string, unknown[]>;
  const replaced = new Set([...Object.keys(override).filter((key) => key !== "dynamic"), ...Object.keys(overrideDynamic)]);
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) if (key !== "dynamic" && !replaced.has(key)) merged[key] = value;
  for (const [key, value] of Object.entries(override)) if (key !== "dynamic") merged[key] = value;
  const dynamic: Record<string, unknown[]> = {};
  for (const [type, blocks] of Object.entries((base.dynamic ?? {}) as Record<string, unknown[]>)) if (!replaced.has(type)) dynamic[type] = blocks;
  Object.assign(dynamic, overrideDynamic);
  if (Object.keys(dynamic).length > 0) merged.dynamic = dynamic;
  return merged;
}

/** `dynamic` in hcl2json's shape, `{ type: [body, …] }`, whichever JSON form it was written in. */
function dynamicBlocks(value: unknown): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const item of Array.isArray(value) ? value : [value]) {
    if (!isObject(item)) continue;
    for (const [type, blocks] of Object.entries(item)) {
      if (type === "//") continue;
      (out[type] ??= []).push(...(Array.isArray(blocks) ? blocks : [blocks]));
    }
  }
  return out;
}

function finishResource(mode: "managed" | "data", draft: BlockDraft): ResourceBlock {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft.body)) if (!RESOURCE_META.has(key)) body[key] = value;
  const [type, name] = draft.labels as [string, string];
  return { mode, type, name, body, ...repetition(draft.body), location: draft.location };
}

function finishModuleCall(draft: BlockDraft): ModuleCallBlock {
  const name = draft.labels[0]!;
  const source = draft.body.source;
  if (source === undefined) {
    throw new ConfigurationError(draft.location.at(draft.address), 'Missing required argument: the argument "source" is required, but no definition was found', 'Add source = "./path/to/module"');
  }
  // Terraform installs modules before evaluating anything, so the source cannot be an expression.
  if (typeof source !== "string" || /(^|[^$])\$\{/.test(source)) {
    throw new ConfigurationError(draft.location.at(draft.address, "source"), "the module source must be a literal string", 'Write the path itself, e.g. source = "./modules/function"');
  }
  const inputs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft.body)) if (!MODULE_META.has(key)) inputs[key] = value;
  return { name, source, inputs, ...repetition(draft.body), location: draft.location };
}

/** count / for_each of a merged block. An override can leave both set; Terraform 1.11 then expands by count (checked). */
function repetition(body: Record<string, unknown>): { count?: unknown; forEach?: unknown } {
  if ("count" in body) return { count: body.count };
  if ("for_each" in body) return { forEach: body.for_each };
  return {};
}

interface VariableDraft {
  readonly name: string;
  type?: unknown;
  hasDefault: boolean;
  default?: unknown;
  defaultForm: "literal" | "raw";
  nullable?: boolean;
  sensitive?: boolean;
  description?: string;
  readonly validations: VariableValidation[];
  readonly location: SourceBlockLocation;
}

function variableDraft(d: Declared, override: boolean): VariableDraft {
  const name = d.labels[0]!;
  const at = (argument?: string) => d.location.at(d.address, argument);
  for (const key of Object.keys(d.body)) {
    if (!VARIABLE_ARGUMENTS.has(key)) throw new ConfigurationError(at(key), `Unsupported argument: an argument named "${key}" is not expected in a variable block`, `Use ${[...VARIABLE_ARGUMENTS].join(", ")}`);
  }
  if (override && "validation" in d.body) {
    throw new ConfigurationError(at("validation"), 'Can\'t override validation blocks: override files cannot override "validation" blocks', "Put the validation in the original variable block");
  }
  const description = d.body.description;
  if (description !== undefined && typeof description !== "string") throw new ConfigurationError(at("description"), "the description must be a string");
  const validations = labelledBodies(d.body.validation ?? [], 0, at("validation")).map(({ body }, i) => {
    const location = d.location.nested(d.location.argumentLine(`validation[${i}]`));
    for (const required of ["condition", "error_message"]) {
      if (!(required in body)) throw new ConfigurationError(location.at(d.address, "validation"), `Missing required argument: the validation block needs "${required}"`, "Give both condition and error_message");
    }
    return { condition: body.condition, errorMessage: body.error_message, location };
  });
  return {
    name,
    type: d.body.type,
    hasDefault: "default" in d.body,
    default: d.body.default,
    // Terraform reads a JSON default without templates (expr.Value(nil)); HCL's stays an expression.
    defaultForm: d.location.format === "json" ? "literal" : "raw",
    nullable: flag(d, "nullable"),
    sensitive: flag(d, "sensitive"),
    description,
    validations,
    location: d.location,
  };
}

/** Terraform's Variable.merge: what the override sets replaces the original; validations stay the original's. */
function mergeVariable(base: VariableDraft, over: VariableDraft): void {
  if (over.type !== undefined) base.type = over.type;
  if (over.hasDefault) {
    base.hasDefault = true;
    base.default = over.default;
    base.defaultForm = over.defaultForm;
  }
  if (over.nullable !== undefined) base.nullable = over.nullable;
  if (over.sensitive !== undefined) base.sensitive = over.sensitive;
  if (over.description !== undefined) base.description = over.description;
}

function finishVariable(name: string, draft: VariableDraft): VariableBlock {
  const nullable = draft.nullable ?? true;
  if (!nullable && draft.hasDefault && draft.default === null) {
    throw new ConfigurationError(draft.location.at(`var.${name}`, "default"), "Invalid default value for variable: a null default value is not valid when nullable=false", "Give a non-null default, or remove nullable = false");
  }
  const block: VariableBlock = {
    name,
    hasDefault: draft.hasDefault,
    defaultForm: draft.defaultForm,
    nullable,
    sensitive: draft.sensitive ?? false,
    validations: draft.validations,
    location: draft.location,
    ...(draft.type === undefined ? {} : { type: draft.type }),
    ...(draft.hasDefault ? { default: draft.default } : {}),
    ...(draft.description === undefined ? {} : { description: draft.description }),
  };
  return block;
}

interface OutputDraft {
  hasValue: boolean;
  value?: unknown;
  description?: string;
  sensitive?: boolean;
  readonly location: SourceBlockLocation;
  readonly address: string;
}

function outputDraft(d: Declared): OutputDraft {
  for (const key of Object.keys(d.body)) {
    if (!OUTPUT_ARGUMENTS.has(key)) throw new ConfigurationError(d.location.at(d.address, key), `Unsupported argument: an argument named "${key}" is not expected in an output block`, `Use ${[...OUTPUT_ARGUMENTS].join(", ")}`);
  }
  const description = d.body.description;
  if (description !== undefined && typeof description !== "string") throw new ConfigurationError(d.location.at(d.address, "description"), "the description must be a string");
  return { hasValue: "value" in d.body, value: d.body.value, description, sensitive: flag(d, "sensitive"), location: d.location, address: d.address };
}

function finishOutput(draft: OutputDraft): OutputBlock {
  const name = draft.address.slice("output.".length);
  if (!draft.hasValue) throw new ConfigurationError(draft.location.at(draft.address), 'Missing required argument: the argument "value" is required, but no definition was found', "Add value = <expression>");
  return { name, value: draft.value, sensitive: draft.sensitive ?? false, location: draft.location, ...(draft.description === undefined ? {} : { description: draft.description }) };
}

/** A true/false argument; JSON may write it as a string, which Terraform converts. */
function flag(d: Declared, argument: string): boolean | undefined {
  const value = d.body[argument];
  if (value === undefined) return undefined;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new ConfigurationError(d.location.at(d.address, argument), `${argument} must be true or false (a literal, not an expression)`, `Write ${argument} = true or ${argument} = false`);
}
