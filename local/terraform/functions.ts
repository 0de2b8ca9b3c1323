import { collectionFunctions } from "./functions/collection-functions.ts";
import { conversionFunctions } from "./functions/conversion-functions.ts";
import { encodingFunctions } from "./functions/encoding-functions.ts";
import { filesystemFunctions } from "./functions/filesystem-functions.ts";
import { numberFunctions } from "./functions/number-functions.ts";
import { sensitivityFunctions } from "./functions/sensitivity-functions.ts";
import { stringFunctions } from "./functions/string-functions.ts";

/**
 * A Terraform built-in function as the evaluator calls it: the evaluated
 * arguments in, the result out. Every failure Terraform would report is an
 * EvaluationError with Terraform's wording.
 */
export type TerraformFunction = (args: readonly unknown[]) => unknown;

/** Where the configuration is evaluated from. */
export interface FunctionContext {
  /** The directory Terraform would run in: `file()`, `fileexists()` and `abspath()` resolve relative paths against it. */
  readonly cwd: string;
}

/**
 * Terraform 1.11's built-in functions that give the same answer offline and
 * every time. Those that cannot (`timestamp`, `uuid`, `bcrypt`) and those not
 * implemented (`templatefile`, `cidrsubnet`…) are absent, so the evaluator
 * refuses them by name rather than guessing. `try` and `can` are the
 * evaluator's, as they take expressions, not values.
 *
 * @see https://developer.hashicorp.com/terraform/language/functions
 */
export function terraformFunctions(context: FunctionContext): Readonly<Record<string, TerraformFunction>> {
  // No prototype: a configuration calling `constructor()` or `toString()` must find nothing, not Object's methods.
  return Object.freeze(Object.assign(Object.create(null) as Record<string, TerraformFunction>, {
    ...collectionFunctions(),
    ...conversionFunctions(),
    ...stringFunctions(),
    ...numberFunctions(),
    ...encodingFunctions(),
    ...filesystemFunctions(context.cwd),
    ...sensitivityFunctions(),
  }));
}
