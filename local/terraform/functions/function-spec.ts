import { EvaluationError } from "../errors.ts";
import type { TerraformFunction } from "../functions.ts";
import { convertToType, TypeConversionError, type TypeConstraint } from "../type-constraint.ts";

/** One parameter of a function, as Terraform declares it. */
export interface Parameter {
  readonly name: string;
  /** The argument is converted to this before the call (`upper(5)` is `"5"`); `"dynamic"` takes it as it is. */
  readonly type: TypeConstraint | "dynamic";
  /**
   * Whether null may be passed; Terraform refuses null for most parameters.
   * @default false
   */
  readonly allowNull?: boolean;
}

/** What {@link defineFunction} needs: the parameters and the implementation, which sees converted arguments. */
export interface FunctionSpec {
  readonly params: readonly Parameter[];
  /** Takes any number of further arguments, each like this one. */
  readonly variadic?: Parameter;
  readonly impl: (args: unknown[]) => unknown;
}

/** A call with a wrong number of arguments or an argument of the wrong type or null. */
export class InvalidFunctionArgumentError extends EvaluationError {
  constructor(
    readonly functionName: string,
    readonly detail: string,
  ) {
    super(`Invalid function argument: ${detail}`);
  }
}

/** A function that refused its (well-typed) arguments: `lookup failed to find key "b"`. */
export class FunctionCallError extends EvaluationError {
  constructor(
    readonly functionName: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Call to function "${functionName}" failed: ${detail}.`, options);
  }
}

/** Parameter types, named as Terraform's function signatures write them. */
export const STRING: TypeConstraint = { kind: "string" };
export const NUMBER: TypeConstraint = { kind: "number" };
export const BOOL: TypeConstraint = { kind: "bool" };
export const ANY: TypeConstraint = { kind: "any" };
export const LIST_OF_STRING: TypeConstraint = { kind: "list", element: STRING };
export const LIST_OF_BOOL: TypeConstraint = { kind: "list", element: BOOL };
export const LIST_OF_ANY: TypeConstraint = { kind: "list", element: ANY };
export const SET_OF_ANY: TypeConstraint = { kind: "set", element: ANY };

/**
 * Wraps an implementation with Terraform's checks on the call: argument
 * count, null arguments and conversion to the parameter types, each failing
 * with the wording Terraform uses, and any error of the implementation
 * reported as a failed call to the named function.
 */
export function defineFunction(name: string, spec: FunctionSpec): TerraformFunction {
  return (given) => {
    const { params, variadic } = spec;
    if (given.length < params.length) {
      throw new InvalidFunctionArgumentError(
        name,
        `function "${name}" expects ${variadic === undefined ? "" : "at least "}${params.length} argument(s); missing value for "${params[given.length]!.name}"`,
      );
    }
    if (variadic === undefined && given.length > params.length) {
      throw new InvalidFunctionArgumentError(name, `function "${name}" expects only ${params.length} argument(s), got ${given.length}`);
    }
    const args = given.map((arg, i) => prepareArgument(name, params[i] ?? variadic!, arg));
    try {
      return spec.impl(args);
    } catch (error) {
      if (error instanceof InvalidFunctionArgumentError || error instanceof FunctionCallError) throw error;
      if (error instanceof EvaluationError) throw new FunctionCallError(name, error.message, { cause: error });
      throw error;
    }
  };
}

function prepareArgument(functionName: string, param: Parameter, arg: unknown): unknown {
  const value = arg ?? null;
  if (value === null) {
    if (param.allowNull !== true) throw new InvalidFunctionArgumentError(functionName, `invalid value for "${param.name}" parameter of ${functionName}(): argument must not be null`);
    return null;
  }
  if (param.type === "dynamic") return value;
  try {
    return convertToType(value, param.type);
  } catch (error) {
    if (error instanceof TypeConversionError) throw new InvalidFunctionArgumentError(functionName, `invalid value for "${param.name}" parameter of ${functionName}(): ${error.message}`);
    throw error;
  }
}

/** An error of a function's own (not of its arguments' types), reported as a failed call. */
export function fail(detail: string): never {
  throw new EvaluationError(detail);
}

/** A whole number from a converted number argument, as Go's int conversion insists. */
export function wholeNumber(value: unknown, what: string): number {
  const n = value as number;
  if (!Number.isInteger(n)) fail(`${what} must be a whole number`);
  return n;
}
