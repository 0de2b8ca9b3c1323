import path from "node:path";
import { EmulatorError } from "../errors.ts";
import { ConfigurationError, EvaluationError, UnsupportedFunctionError, type ConfigurationLocation } from "./errors.ts";
import { evaluateExpression, type EvaluationScope, type TerraformFunction } from "./expression/evaluate-expression.ts";
import { parseExpression, parseTemplate } from "./expression/parse-expression.ts";
import type { Expression } from "./expression/ast.ts";
import { lexicalKeys } from "./expression/collection-access.ts";
import { evaluateRaw } from "./evaluate-raw.ts";
import type { BlockLocation, ModuleCallBlock, ModuleConfig, ResourceBlock, VariableBlock } from "./load-module.ts";
import { providerFor, type InstanceInputs, type LocalProvider, type ProviderContext } from "./providers/index.ts";
import { convertToType, parseTypeConstraint } from "./type-constraint.ts";
import { isObject, isSet, typeName } from "./values.ts";
import type { VariableInput } from "./variable-inputs.ts";

/**
 * Pass 1 of the emulator: a loaded configuration evaluated into resource
 * instances whose arguments and attributes are fully resolved values.
 *
 * Evaluation is lazy and memoized, as Terraform's graph walk would give the
 * same values: an argument is evaluated the first time something reads it,
 * so an IAM policy that uses a function the emulator lacks never matters
 * unless the emulator needs it. Every failure is a {@link ConfigurationError}
 * that names the file, line, address and argument.
 */

/** What the evaluation of one configuration shares across its modules. */
export interface EvaluationContext {
  readonly provider: ProviderContext;
  /** The root module's folder: `path.root`. */
  readonly rootDir: string;
  /** Every module the configuration uses, loaded in advance, by absolute folder. */
  readonly modules: ReadonlyMap<string, ModuleConfig>;
  readonly functions: Readonly<Record<string, TerraformFunction>>;
  /** Shown to the user; evaluation never fails for these. */
  readonly warnings: string[];
  /** The id every `aws_apigatewayv2_api` gets instead of the provider's (`--api-id`). */
  readonly apiIdOverride?: string;
}

/** A reference to something the configuration does not declare: a static error in Terraform, so `try` does not hide it. */
class UndeclaredReferenceError extends EmulatorError {}

type Memo<T> = { value: T } | { error: unknown };

/** Runs `compute` once per key; a key reached again while computing is a dependency cycle. */
class Memos {
  private readonly done = new Map<string, Memo<unknown>>();
  private readonly running = new Set<string>();

  get<T>(key: string, location: () => ConfigurationLocation, compute: () => T): T {
    const memo = this.done.get(key);
    if (memo !== undefined) {
      if ("error" in memo) throw memo.error;
      return memo.value as T;
    }
    if (this.running.has(key)) {
      throw new ConfigurationError(location(), `depends on itself (cycle through ${[...this.running].slice(-4).join(" → ")} → ${key})`, "Break the cycle, as Terraform would require");
    }
    this.running.add(key);
    try {
      const value = compute();
      this.done.set(key, { value });
      return value;
    } catch (error) {
      this.done.set(key, { error });
      throw error;
    } finally {
      this.running.delete(key);
    }
  }
}

/** `["key"]` or `[0]`, as Terraform writes instance keys in addresses. */
function instanceKeySuffix(key: string | number | undefined): string {
  if (key === undefined) return "";
  return typeof key === "number" ? `[${key}]` : `[${JSON.stringify(key)}]`;
}

/** The instances a `count` or `for_each` asks for; `undefined` key for a block with neither. */
interface Expansion {
  readonly kind: "single" | "count" | "for_each";
  readonly instances: readonly { readonly key: string | number | undefined; readonly each?: { key: string; value: unknown } }[];
}

const META_ARGUMENTS = new Set(["count", "for_each", "depends_on", "lifecycle", "provider", "providers", "provisioner", "connection", "source", "version", "dynamic"]);

/** One resource or data source instance, with its arguments and attributes. */
export class ResourceInstance {
  private readonly memos = new Memos();
  private readonly provider: LocalProvider;
  private attributesCache?: Readonly<Record<string, () => unknown>>;
  private inputsCache?: InstanceInputs;
  private objectCache?: Record<string, unknown>;

  constructor(
    readonly module: ModuleInstance,
    readonly block: ResourceBlock,
    readonly address: string,
    readonly key: string | number | undefined,
    private readonly each: { key: string; value: unknown } | undefined,
  ) {
    this.provider = providerFor(block.mode, block.type);
  }

  get type(): string {
    return this.block.type;
  }

  get mode(): "managed" | "data" {
    return this.block.mode;
  }

  /** Where an argument (or the block) is written. */
  location(argument?: string): ConfigurationLocation {
    const line = argument === undefined ? this.block.location.line : (this.block.location.argumentLine(argument.split(/[.[]/)[0]!) ?? this.block.location.line);
    return { file: this.block.location.file, line, address: this.address, argument };
  }

  /** Whether the configuration sets the argument (or has nested blocks of that type). */
  has(argument: string): boolean {
    const body = this.block.body;
    return (body[argument] !== undefined && body[argument] !== null) || (isObject(body.dynamic) && body.dynamic[argument] !== undefined);
  }

  /** The evaluated argument; undefined when it is unset or null. Nested blocks are lists of objects. */
  argument(name: string): unknown {
    if (!this.has(name)) return undefined;
    const value = this.memos.get(`argument ${name}`, () => this.location(name), () =>
      this.module.guard(this.location(name), () => {
        const body = this.block.body;
        const raw = isObject(body.dynamic) && body.dynamic[name] !== undefined ? { [name]: body[name], dynamic: { [name]: body.dynamic[name] } } : { [name]: body[name] };
        return (evaluateRaw(raw, this.module.scope(this.scopeExtras())) as Record<string, unknown>)[name];
      }),
    );
    return value === null ? undefined : value;
  }

  /** An argument when set, else what the local provider knows after apply; null when neither. */
  attribute(name: string): unknown {
    const configured = this.argument(name);
    if (configured !== undefined) return configured;
    const computed = this.providerAttributes()[name];
    if (computed === undefined) return null;
    return this.memos.get(`attribute ${name}`, () => this.location(name), () => this.module.guard(this.location(name), computed));
  }

  /** The instance as an expression sees it (`aws_x.y.arn`): an object whose attributes evaluate on first read. */
  asObject(): Record<string, unknown> {
    if (this.objectCache !== undefined) return this.objectCache;
    const object: Record<string, unknown> = {};
    const names = new Set([...Object.keys(this.block.body).filter((k) => !META_ARGUMENTS.has(k)), ...Object.keys(isObject(this.block.body.dynamic) ? this.block.body.dynamic : {}), ...Object.keys(this.providerAttributes())]);
    for (const name of names) Object.defineProperty(object, name, { enumerable: true, get: () => this.attribute(name) });
    this.objectCache = object;
    return object;
  }

  /**
   * What the provider does when Terraform creates or reads the instance beyond
   * computing attributes (archive_file writes its zip): the emulator calls it
   * before it uses anything the instance may have produced.
   */
  apply(): void {
    this.memos.get("apply", () => this.location(), () => this.module.guard(this.location(), () => this.provider.apply?.(this.providerInputs())));
  }

  private providerInputs(): InstanceInputs {
    this.inputsCache ??= {
      address: this.address,
      mode: this.block.mode,
      type: this.block.type,
      argument: (name) => this.argument(name),
      context: this.module.context.provider,
    };
    return this.inputsCache;
  }

  private providerAttributes(): Readonly<Record<string, () => unknown>> {
    if (this.attributesCache !== undefined) return this.attributesCache;
    const attributes = this.provider.attributes(this.providerInputs());
    const apiId = this.module.context.apiIdOverride;
    // --api-id: the API's id is given, and every attribute derived from it follows.
    this.attributesCache =
      this.block.type === "aws_apigatewayv2_api" && this.block.mode === "managed" && apiId !== undefined && attributes.id !== undefined
        ? Object.fromEntries(Object.entries(attributes).map(([name, compute]) => [name, () => replaceId(compute(), String(attributes.id!()), apiId)]))
        : attributes;
    return this.attributesCache;
  }

  private scopeExtras(): ScopeExtras {
    return { each: this.each, countIndex: typeof this.key === "number" ? this.key : undefined };
  }
}

interface ScopeExtras {
  readonly each?: { key: string; value: unknown };
  readonly countIndex?: number;
}

/** The expanded instances of one resource block, and its value in expressions. */
interface ResourceGroup {
  readonly expansion: Expansion;
  readonly instances: readonly ResourceInstance[];
  readonly value: unknown;
}

interface ModuleGroup {
  readonly instances: readonly ModuleInstance[];
  readonly value: unknown;
}

/** One instance of a module (the root, or one `module` call instance) with its variables' values. */
export class ModuleInstance {
  private readonly memos = new Memos();
  private readonly variableValues = new Map<string, unknown>();

  /**
   * @param address `""` for the root, else e.g. `module.function["connect"]`
   * @param inputs the variables' values before type conversion, with where each came from
   */
  constructor(
    readonly context: EvaluationContext,
    readonly config: ModuleConfig,
    readonly address: string,
    inputs: ReadonlyMap<string, { readonly value: unknown; readonly origin: string }>,
    private readonly calledFrom?: ConfigurationLocation,
  ) {
    for (const name of inputs.keys()) {
      if (!config.variables.has(name) && calledFrom !== undefined) {
        throw new ConfigurationError({ ...calledFrom, argument: name }, `the module at ${config.dir} declares no variable "${name}"`, `Declare variable "${name}" in the module, or remove the argument`);
      }
    }
    for (const variable of config.variables.values()) this.variableValues.set(variable.name, this.finalVariableValue(variable, inputs.get(variable.name)));
    for (const variable of config.variables.values()) this.validate(variable, inputs.get(variable.name)?.origin ?? "its default");
  }

  /** The address prefix of things inside this module (`module.x["k"].`), empty at the root. */
  private prefix(): string {
    return this.address === "" ? "" : `${this.address}.`;
  }

  /**
   * Runs `compute`, turning an expression-level failure into a ConfigurationError at `location`.
   * ConfigurationErrors pass through unchanged: they already name the spot they come from.
   */
  guard<T>(location: ConfigurationLocation, compute: () => T): T {
    try {
      return compute();
    } catch (error) {
      if (error instanceof ConfigurationError) throw location.argument === undefined ? error : error.neededFor(location);
      if (!(error instanceof EmulatorError)) throw error;
      const fix =
        error instanceof UnsupportedFunctionError
          ? "Compute the value another way, or pass it in with --var (local/README.md lists the functions the emulator has)"
          : error instanceof UndeclaredReferenceError
            ? "Declare it, or fix the name"
            : undefined;
      throw new ConfigurationError(location, error.message, fix, { cause: error });
    }
  }

  /** The scope expressions in this module evaluate in, with `each`/`count` where the block has them. */
  scope(extras: ScopeExtras = {}): EvaluationScope {
    return {
      functions: this.context.functions,
      reference: (name, attributes) => this.reference(name, attributes, extras),
    };
  }

  private reference(name: string, attributes: readonly string[], extras: ScopeExtras): { value: unknown; consumed: number } {
    const first = attributes[0];
    const need = (what: string): string => {
      if (first === undefined) throw new UndeclaredReferenceError(`"${name}" must be followed by ${what} (e.g. ${name}.${what})`);
      return first;
    };
    switch (name) {
      case "var":
        return { value: this.variable(need("a variable name")), consumed: 1 };
      case "local":
        return { value: this.local(need("a local name")), consumed: 1 };
      case "each":
        if (extras.each === undefined) throw new UndeclaredReferenceError(`each.${first ?? ""} is only available in a block with for_each`);
        if (first !== "key" && first !== "value") throw new UndeclaredReferenceError(`each has only "key" and "value" (got each.${first ?? ""})`);
        return { value: extras.each[first], consumed: 1 };
      case "count":
        if (extras.countIndex === undefined) throw new UndeclaredReferenceError("count.index is only available in a block with count");
        if (first !== "index") throw new UndeclaredReferenceError(`count has only "index" (got count.${first ?? ""})`);
        return { value: extras.countIndex, consumed: 1 };
      case "path": {
        const values: Record<string, string> = { module: this.relativePath(this.config.dir), root: this.relativePath(this.context.rootDir), cwd: this.context.provider.cwd };
        const which = need("module, root or cwd");
        if (!(which in values)) throw new UndeclaredReferenceError(`path has only module, root and cwd (got path.${which})`);
        return { value: values[which], consumed: 1 };
      }
      case "terraform":
        if (need("workspace") !== "workspace") throw new UndeclaredReferenceError(`the emulator knows only terraform.workspace (got terraform.${first})`);
        return { value: "default", consumed: 1 };
      case "data": {
        const type = need("a data source type");
        const dataName = attributes[1];
        if (dataName === undefined) throw new UndeclaredReferenceError(`data.${type} must be followed by the data source's name`);
        return { value: this.resourceGroup(`data.${type}.${dataName}`).value, consumed: 2 };
      }
      case "module":
        return { value: this.moduleGroup(need("a module call name")).value, consumed: 1 };
      case "self":
        throw new UndeclaredReferenceError("self is only available in provisioners, which the emulator does not run");
      default: {
        if (first !== undefined && this.config.resources.has(`${name}.${first}`)) return { value: this.resourceGroup(`${name}.${first}`).value, consumed: 1 };
        if (first !== undefined && /_/.test(name)) throw new UndeclaredReferenceError(`reference to undeclared resource "${name}.${first}"`);
        throw new UndeclaredReferenceError(`unknown name "${name}"`);
      }
    }
  }

  /**
   * Terraform gives `path.module` relative to the working directory when it can
   * (`.`, `modules/function`); the emulator's working directory is the root module.
   */
  private relativePath(dir: string): string {
    const relative = path.relative(this.context.provider.cwd, dir);
    return relative === "" ? "." : relative.split(path.sep).join("/");
  }

  variable(name: string): unknown {
    if (!this.variableValues.has(name)) throw new UndeclaredReferenceError(`reference to undeclared input variable "${name}"`);
    return this.variableValues.get(name);
  }

  local(name: string): unknown {
    const local = this.config.locals.get(name);
    if (local === undefined) throw new UndeclaredReferenceError(`reference to undeclared local value "${name}"`);
    const location = { file: local.location.file, line: local.location.line, address: `${this.prefix()}local.${name}` };
    return this.memos.get(`local.${name}`, () => location, () => this.guard(location, () => evaluateRaw(local.value, this.scope())));
  }

  output(name: string): unknown {
    const output = this.config.outputs.get(name);
    if (output === undefined) throw new UndeclaredReferenceError(`the module ${this.address} has no output "${name}"`);
    const location = { file: output.location.file, line: output.location.line, address: `${this.prefix()}output.${name}`, argument: "value" };
    return this.memos.get(`output.${name}`, () => location, () => this.guard(location, () => evaluateRaw(output.value, this.scope())));
  }

  /** The outputs as an expression sees `module.x`: evaluated on first read. */
  outputsObject(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    for (const name of this.config.outputs.keys()) Object.defineProperty(object, name, { enumerable: true, get: () => this.output(name) });
    return object;
  }

  resourceGroup(key: string): ResourceGroup {
    const block = key.startsWith("data.") ? this.config.dataSources.get(key) : this.config.resources.get(key);
    if (block === undefined) throw new UndeclaredReferenceError(`reference to undeclared ${key.startsWith("data.") ? "data source" : "resource"} "${key}"`);
    const address = `${this.prefix()}${key}`;
    return this.memos.get(`resource ${key}`, () => ({ file: block.location.file, line: block.location.line, address }), () => {
      const expansion = this.expand(block, address);
      const instances = expansion.instances.map((i) => new ResourceInstance(this, block, `${address}${instanceKeySuffix(i.key)}`, i.key, i.each));
      return { expansion, instances, value: groupValue(expansion, instances.map((i) => i.asObject())) };
    });
  }

  moduleGroup(name: string): ModuleGroup {
    const call = this.config.moduleCalls.get(name);
    if (call === undefined) throw new UndeclaredReferenceError(`reference to undeclared module "${name}"`);
    const address = `${this.prefix()}module.${name}`;
    return this.memos.get(`module ${name}`, () => ({ file: call.location.file, line: call.location.line, address }), () => {
      const config = this.childConfig(call, address);
      const expansion = this.expand(call, address);
      const instances = expansion.instances.map((i) => {
        const instanceAddress = `${address}${instanceKeySuffix(i.key)}`;
        const scope = this.scope({ each: i.each, countIndex: typeof i.key === "number" ? i.key : undefined });
        const inputs = new Map<string, { value: unknown; origin: string }>();
        for (const [input, raw] of Object.entries(call.inputs)) {
          if (META_ARGUMENTS.has(input)) continue;
          const location = { file: call.location.file, line: call.location.argumentLine(input) ?? call.location.line, address: instanceAddress, argument: input };
          inputs.set(input, { value: this.guard(location, () => evaluateRaw(raw, scope)), origin: `${call.location.file}${location.line === undefined ? "" : `:${location.line}`} (${instanceAddress})` });
        }
        return new ModuleInstance(this.context, config, instanceAddress, inputs, { file: call.location.file, line: call.location.line, address: instanceAddress });
      });
      return { instances, value: groupValue(expansion, instances.map((m) => m.outputsObject())) };
    });
  }

  private childConfig(call: ModuleCallBlock, address: string): ModuleConfig {
    const location = { file: call.location.file, line: call.location.argumentLine("source") ?? call.location.line, address, argument: "source" };
    if (!/^\.\.?[\\/]/.test(call.source)) {
      throw new ConfigurationError(location, `module source "${call.source}" is not a local path`, 'The emulator runs local modules only (source = "./…" or "../…"): vendor the module into a local folder');
    }
    const dir = path.resolve(this.config.dir, call.source);
    const config = this.context.modules.get(dir);
    if (config === undefined) throw new ConfigurationError(location, `module folder ${dir} was not loaded`, "Check that the folder exists and holds .tf files");
    return config;
  }

  /** Every resource and data source instance in this module and the modules it calls. */
  allInstances(): ResourceInstance[] {
    const out: ResourceInstance[] = [];
    for (const key of [...this.config.resources.keys(), ...this.config.dataSources.keys()]) out.push(...this.resourceGroup(key).instances);
    for (const name of this.config.moduleCalls.keys()) for (const child of this.moduleGroup(name).instances) out.push(...child.allInstances());
    return out;
  }

  /** Instances of one resource type (managed), here and in called modules; other blocks are not evaluated. */
  instancesOf(type: string, mode: "managed" | "data" = "managed"): ResourceInstance[] {
    const out: ResourceInstance[] = [];
    const blocks = mode === "managed" ? this.config.resources : this.config.dataSources;
    for (const [key, block] of blocks) if (block.type === type) out.push(...this.resourceGroup(key).instances);
    for (const name of this.config.moduleCalls.keys()) for (const child of this.moduleGroup(name).instances) out.push(...child.instancesOf(type, mode));
    return out;
  }

  private expand(block: { readonly count?: unknown; readonly forEach?: unknown; readonly location: BlockLocation }, address: string): Expansion {
    const at = (argument: string): ConfigurationLocation => ({ file: block.location.file, line: block.location.argumentLine(argument) ?? block.location.line, address, argument });
    if (block.count !== undefined && block.forEach !== undefined) {
      throw new ConfigurationError(at("count"), 'declares both "count" and "for_each"', "Use one of them");
    }
    if (block.count !== undefined) {
      const count = this.guard(at("count"), () => evaluateRaw(block.count, this.scope()));
      if (typeof count !== "number" || !Number.isInteger(count) || count < 0) {
        throw new ConfigurationError(at("count"), `the "count" value must be a whole number of at least 0 (got ${typeName(count)} ${JSON.stringify(count)})`);
      }
      return { kind: "count", instances: Array.from({ length: count }, (_, i) => ({ key: i })) };
    }
    if (block.forEach !== undefined) {
      const collection = this.guard(at("for_each"), () => evaluateRaw(block.forEach, this.scope()));
      if (isObject(collection)) {
        return { kind: "for_each", instances: lexicalKeys(collection).map((key) => ({ key, each: { key, value: collection[key] } })) };
      }
      if (isSet(collection) && (collection as unknown[]).every((item) => typeof item === "string")) {
        return { kind: "for_each", instances: (collection as string[]).map((key) => ({ key, each: { key, value: key } })) };
      }
      throw new ConfigurationError(
        at("for_each"),
        `the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${isSet(collection) ? "set of non-strings" : typeName(collection)}`,
        Array.isArray(collection) ? "Wrap a list of strings in toset(), or build a map with a for expression" : undefined,
      );
    }
    return { kind: "single", instances: [{ key: undefined }] };
  }

  private finalVariableValue(variable: VariableBlock, input: { readonly value: unknown; readonly origin: string } | undefined): unknown {
    const location = { file: variable.location.file, line: variable.location.line, address: `${this.prefix()}var.${variable.name}` };
    const typeExpression = variable.type === undefined ? undefined : this.guard({ ...location, argument: "type" }, () => typeExpressionOf(variable.type));
    let value: unknown;
    if (input !== undefined && !(input.value === null && !variable.nullable && variable.hasDefault)) value = input.value;
    // A .tf.json default is a literal value ("${x}" is that text); an HCL one may hold escapes and functions.
    else if (variable.hasDefault) value = variable.defaultForm === "literal" ? variable.default : this.guard({ ...location, argument: "default" }, () => evaluateRaw(variable.default, constantScope(this.context)));
    else {
      throw new ConfigurationError(
        location,
        `no value for required variable "${variable.name}"`,
        this.calledFrom === undefined
          ? `Pass --var ${variable.name}=VALUE, set TF_VAR_${variable.name}, or put ${variable.name} = … in terraform.tfvars`
          : `Set ${variable.name} = … in the module block at ${this.calledFrom.file}${this.calledFrom.line === undefined ? "" : `:${this.calledFrom.line}`}`,
      );
    }
    if (value === null && !variable.nullable) {
      throw new ConfigurationError(location, `variable "${variable.name}" is not nullable and got null (from ${input?.origin ?? "its default"})`, "Give it a value");
    }
    if (typeExpression === undefined || value === null) return value;
    const converted = this.guard(location, () => {
      try {
        return convertToType(value, parseTypeConstraint(typeExpression));
      } catch (error) {
        if (error instanceof EvaluationError) throw new EvaluationError(`invalid value for variable "${variable.name}" from ${input?.origin ?? "its default"}: ${error.message}`);
        throw error;
      }
    });
    return converted;
  }

  private validate(variable: VariableBlock, origin: string): void {
    for (const validation of variable.validations) {
      const location = { file: validation.location.file, line: validation.location.line, address: `${this.prefix()}var.${variable.name}`, argument: "validation.condition" };
      const ok = this.guard(location, () => evaluateRaw(validation.condition, this.scope()));
      if (ok === true) continue;
      if (ok !== false) throw new ConfigurationError(location, `the validation condition must be true or false (got ${typeName(ok)})`);
      const message = this.guard({ ...location, argument: "validation.error_message" }, () => String(evaluateRaw(validation.errorMessage, this.scope())));
      throw new ConfigurationError(
        { ...location, line: variable.location.line, argument: undefined },
        `Invalid value for variable: ${message} (the value came from ${origin})`,
        "This was checked by the validation rule at " + `${validation.location.file}${validation.location.line === undefined ? "" : `:${validation.location.line}`}`,
      );
    }
  }
}

function replaceId(value: unknown, generated: string, given: string): unknown {
  return typeof value === "string" ? value.split(generated).join(given) : value;
}

/** How a resource or module block is seen in expressions: one object, a list (count) or a map (for_each). */
function groupValue(expansion: Expansion, objects: readonly Record<string, unknown>[]): unknown {
  if (expansion.kind === "single") return objects[0];
  if (expansion.kind === "count") return [...objects];
  const map: Record<string, unknown> = {};
  expansion.instances.forEach((instance, i) => {
    map[String(instance.key)] = objects[i];
  });
  return map;
}

/** A variable's `type` as written: `"${map(string)}"` from hcl2json, `"string"` or `"map(string)"` in Terraform JSON. */
function typeExpressionOf(raw: unknown): Expression {
  if (typeof raw !== "string") throw new EvaluationError(`a type constraint must be written as an expression (got ${typeName(raw)})`);
  return raw.includes("${") ? parseTemplate(raw) : parseExpression(raw);
}

/** For values that may use functions but no references: variable defaults, tfvars values. */
function constantScope(context: { readonly functions: Readonly<Record<string, TerraformFunction>> }): EvaluationScope {
  return {
    functions: context.functions,
    reference: (name) => {
      throw new EvaluationError(`variables are not allowed here (found a reference to "${name}")`);
    },
  };
}

/** The value a variable input holds before type conversion; text from -var/TF_VAR is parsed only for collection types, as Terraform does. */
export function inputValue(input: VariableInput, variable: VariableBlock | undefined, context: { readonly functions: Readonly<Record<string, TerraformFunction>> }): unknown {
  if (input.form === "literal") return input.value;
  if (input.form === "raw") return evaluateRaw(input.value, constantScope(context));
  const text = String(input.value);
  const typeExpression = variable?.type === undefined ? undefined : typeExpressionOf(variable.type);
  const primitive = typeExpression === undefined || (typeExpression.kind === "variable" && ["string", "number", "bool", "any"].includes(typeExpression.name));
  if (primitive) return text;
  return evaluateExpression(parseExpression(text), constantScope(context));
}
