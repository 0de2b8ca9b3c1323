import path from "node:path";
import { ConfigurationError } from "./errors.ts";
import { ModuleInstance, inputValue, type EvaluationContext } from "./evaluate-module.ts";
import { terraformFunctions } from "./functions.ts";
import { loadModule, type ModuleConfig } from "./load-module.ts";
import { collectVariableInputs, type VariableInputOptions } from "./variable-inputs.ts";

/**
 * Entry point of pass 1: a folder or file of Terraform (HCL, JSON, or a
 * cdktf stack) → its root module instance, every local module loaded, every
 * variable set by Terraform's precedence rules, ready to be read lazily.
 */

export interface ConfigurationOptions extends VariableInputOptions {
  /** A root module folder, a single `.tf`/`.tf.json` file, or a cdktf stack folder. */
  readonly source: string;
  /** Values that win over every other source (tests, programmatic use); taken as they are. */
  readonly variables?: Readonly<Record<string, unknown>>;
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "123456789012" */
  readonly accountId?: string;
  /** The id every `aws_apigatewayv2_api` gets, instead of one derived from its address (`--api-id`). */
  readonly apiIdOverride?: string;
}

export interface EvaluatedConfiguration {
  readonly root: ModuleInstance;
  /** The root module folder: `path.root`, and the emulator's working directory (`path.cwd`, relative file paths). */
  readonly rootDir: string;
  /** The files the root module was read from. */
  readonly files: readonly string[];
  readonly region: string;
  readonly accountId: string;
  /** Things ignored on purpose (undeclared tfvars, ...); evaluation adds more as it goes. */
  readonly warnings: string[];
}

export async function evaluateConfiguration(options: ConfigurationOptions): Promise<EvaluatedConfiguration> {
  const root = await loadModule(options.source);
  const modules = await loadModuleTree(root);
  const region = options.region ?? "us-east-1";
  const accountId = options.accountId ?? "123456789012";
  const { inputs, warnings } = await collectVariableInputs(root.dir, root.variables, options);
  const context: EvaluationContext = {
    provider: { region, accountId, partition: "aws", cwd: root.dir },
    apiIdOverride: options.apiIdOverride,
    rootDir: root.dir,
    modules,
    functions: terraformFunctions({ cwd: root.dir }),
    warnings: [...warnings],
  };
  const values = new Map<string, { value: unknown; origin: string }>();
  for (const [name, input] of inputs) {
    const variable = root.variables.get(name);
    const location = { file: variable?.location.file ?? input.origin, line: variable?.location.line, address: `var.${name}` };
    let value: unknown;
    try {
      value = inputValue(input, variable, context);
    } catch (error) {
      throw new ConfigurationError(location, `the value from ${input.origin} is not a valid expression: ${(error as Error).message}`, `Quote it as a string, or write it as Terraform would read it`, { cause: error });
    }
    values.set(name, { value, origin: input.origin });
  }
  for (const [name, given] of Object.entries(options.variables ?? {})) {
    const variable = root.variables.get(name);
    if (variable === undefined) {
      throw new ConfigurationError({ file: root.files[0] ?? root.dir, address: `var.${name}` }, `a value was given for undeclared variable "${name}"`, `Declare variable "${name}", or remove the value`);
    }
    // Text is read as --var reads it (a list variable's '["a"]' is parsed); other values are taken as they are.
    const input = { name, form: typeof given === "string" ? ("text" as const) : ("literal" as const), value: given, origin: "the emulator's options" };
    values.set(name, { value: inputValue(input, variable, context), origin: input.origin });
  }
  return { root: new ModuleInstance(context, root, "", values), rootDir: root.dir, files: root.files, region, accountId, warnings: context.warnings };
}

/** Loads every local module the configuration calls, at any depth, before evaluation (loading is asynchronous, evaluation is not). */
async function loadModuleTree(root: ModuleConfig): Promise<Map<string, ModuleConfig>> {
  // Child modules' files are named from the root folder (modules/function/main.tf), where the user looks.
  const modules = new Map<string, ModuleConfig>([[root.dir, root]]);
  const pending = [root];
  while (pending.length > 0) {
    const config = pending.pop()!;
    for (const call of config.moduleCalls.values()) {
      // Registry and git sources are refused when the call is evaluated, with the fix; here they are skipped.
      if (!/^\.\.?[\\/]/.test(call.source)) continue;
      const dir = path.resolve(config.dir, call.source);
      if (modules.has(dir)) continue;
      let child: ModuleConfig;
      try {
        child = await loadModule(dir, { relativeTo: root.dir });
      } catch (error) {
        throw new ConfigurationError(
          { file: call.location.file, line: call.location.argumentLine("source") ?? call.location.line, address: `module.${call.name}`, argument: "source" },
          `cannot load the module at ${dir}: ${(error as Error).message}`,
          undefined,
          { cause: error },
        );
      }
      modules.set(dir, child);
      pending.push(child);
    }
  }
  return modules;
}
