import { EmulatorError } from "../../errors.ts";

/**
 * The contract between the module evaluator and the emulator's local
 * providers: one small provider per resource type fills the attributes that
 * Terraform knows only after apply (ids, ARNs, URLs) or that a data source
 * reads, so that every reference in a configuration resolves to a value.
 *
 * Values are deterministic: the same address, arguments and context give the
 * same ids in every run, so handlers, logs and snapshots that record them
 * stay comparable across restarts.
 */

/** Where the emulated stack "runs": the values a real provider gets from its configuration and credentials. */
export interface ProviderContext {
  /** e.g. `us-east-1` */
  readonly region: string;
  /** 12 digits. */
  readonly accountId: string;
  /** `aws` for the commercial regions; `aws-cn`, `aws-us-gov` elsewhere. */
  readonly partition: string;
  /** Terraform's working folder: relative paths in `filename`, `source_dir`, `output_path` resolve against it, as they do for the real providers. */
  readonly cwd: string;
}

/** One resource or data instance, as the evaluator presents it to a provider. */
export interface InstanceInputs {
  /** e.g. `module.function["connect"].aws_lambda_function.this`, `data.archive_file.handler` */
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  /** The evaluated argument (nested blocks come as arrays of objects, or an object), or undefined when unset/null. Throws that argument's evaluation error. */
  argument(name: string): unknown;
  readonly context: ProviderContext;
}

/** Fills the computed attributes of one resource or data source type. */
export interface LocalProvider {
  readonly type: string;
  readonly mode: "managed" | "data";
  /**
   * Attributes known only after apply (or read by a data source), each computed on first use, so an attribute
   * nobody reads costs nothing and cannot fail. A configured argument always wins over these.
   * The thunks remember their value: calling one again returns the same value without recomputing it.
   */
  attributes(instance: InstanceInputs): Readonly<Record<string, () => unknown>>;
  /**
   * What a real apply or data read leaves on disk, for the types that leave something (`archive_file` writes its
   * zip). Terraform reads data sources at plan time whether or not anything refers to their computed attributes,
   * so the evaluator calls this for every instance of such a type; reading `output_path` (a configured argument)
   * would otherwise leave the zip unwritten.
   */
  apply?(instance: InstanceInputs): void;
}

/**
 * Someone read an attribute the local provider cannot know: one the emulator does not model for the type, or
 * one it models but cannot compute from this configuration (a `source_code_hash` with no local package).
 */
export class UnknownAttributeError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly type: string,
    readonly attribute: string,
    /** The attributes the emulator does fill for this type. */
    readonly modeled: readonly string[],
    /** Why a modeled attribute could not be computed here. */
    readonly reason?: string,
  ) {
    super(
      `${address}: ${type}.${attribute} is known only after apply` +
        (reason === undefined ? "" : ` and ${reason}`) +
        `; the emulator models only ${modeled.length === 0 ? "no computed attributes" : modeled.join(", ")} for ${type}` +
        " (set the value in the configuration, or refer to an attribute the emulator models)",
    );
  }
}

/** An argument the provider needs (and the real provider requires) is not set. */
export class MissingArgumentError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly argument: string,
    /** The attribute that needed it, e.g. `arn`. */
    readonly neededFor: string,
  ) {
    super(`${address}: the argument "${argument}" is required (the emulator needs it for ${neededFor})`);
  }
}

/** An argument has a value the real provider would refuse, or a type it cannot be converted from. */
export class InvalidArgumentError extends EmulatorError {
  constructor(
    readonly address: string,
    readonly argument: string,
    detail: string,
  ) {
    super(`${address}: argument "${argument}": ${detail}`);
  }
}
