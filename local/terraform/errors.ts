import { EmulatorError } from "../errors.ts";

/**
 * Errors of evaluating Terraform. Expression-level errors say what went wrong
 * in the expression; the module evaluator wraps them in a
 * {@link ConfigurationError} that adds the file, line, address and argument.
 */

/** Text that is not a valid Terraform expression or template. */
export class ExpressionSyntaxError extends EmulatorError {
  constructor(
    readonly detail: string,
    readonly source: string,
  ) {
    super(`${detail} in ${JSON.stringify(source.length > 120 ? `${source.slice(0, 117)}...` : source)}`);
  }
}

/** A valid expression whose evaluation fails as it would in Terraform (wrong type, missing key, a function's own error). */
export class EvaluationError extends EmulatorError {}

/** A function Terraform has but the emulator does not implement: refused by name, never guessed. */
export class UnsupportedFunctionError extends EmulatorError {
  constructor(readonly functionName: string) {
    super(`the emulator does not implement Terraform's ${functionName}() function`);
  }
}

/** Where in the configuration something is: every refusal carries one. */
export interface ConfigurationLocation {
  /** The file, relative to the folder the user named where possible. */
  readonly file: string;
  /** 1-based; undefined for JSON sources or when it cannot be found. */
  readonly line?: number;
  /** e.g. `module.function["connect"].aws_lambda_function.this`, `var.stage_name`, `local.routes`. */
  readonly address: string;
  /** e.g. `route_key`, `environment.variables`; undefined for the whole block. */
  readonly argument?: string;
}

/** A problem in the user's Terraform, with where it is and what would make it work. */
export class ConfigurationError extends EmulatorError {
  constructor(
    readonly location: ConfigurationLocation,
    readonly detail: string,
    readonly fix?: string,
    options?: { cause?: unknown; neededBy?: ConfigurationLocation },
  ) {
    const needed = options?.neededBy === undefined ? "" : ` (needed by ${describeLocation(options.neededBy)})`;
    super(`${describeLocation(location)}: ${detail}${needed}${fix === undefined ? "" : `. ${fix}`}`, options);
    this.neededBy = options?.neededBy;
  }

  /** The resource argument whose evaluation reached this problem, when it lies elsewhere (a local, an output, another module). */
  readonly neededBy?: ConfigurationLocation;

  /** The same error, saying which resource argument needed the value (only the first, outermost-but-one, is kept). */
  neededFor(location: ConfigurationLocation): ConfigurationError {
    if (this.neededBy !== undefined || location.address === this.location.address) return this;
    return new ConfigurationError(this.location, this.detail, this.fix, { cause: this.cause, neededBy: location });
  }
}

/** `main.tf:12: aws_x.y, argument z` */
function describeLocation(location: ConfigurationLocation): string {
  const where = `${location.file}${location.line === undefined ? "" : `:${location.line}`}`;
  return `${where}: ${location.address}${location.argument === undefined ? "" : `, argument ${location.argument}`}`;
}
