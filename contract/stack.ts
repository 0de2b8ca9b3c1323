/**
 * Facts about the deployable stack that its app (main.ts), the module build
 * (scripts/build-module.ts) and `wsstack dev` (dev/) share.
 *
 * Part of the contract: no imports.
 */

/** The id of the stack `main.ts` synthesizes: `cdktf.out/stacks/<STACK_ID>`. */
export const STACK_ID = "wsstack";
