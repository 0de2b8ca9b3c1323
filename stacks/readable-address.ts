import { TerraformDataSource, TerraformElement, TerraformResource, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * Readable, stable Terraform addresses: `aws_lambda_function.on_message`
 * rather than the `Chat_OnMessageFunction_CF044908` cdktf derives from the
 * construct path. Addresses are what a Terraform team types in `terraform
 * state mv`, `import` blocks, `-target` and code review, so they are named
 * like hand-written Terraform, and they do not change when a construct is
 * moved or renamed.
 *
 * Usage, right after a resource is made and before anything refers to it:
 *
 * ```ts
 * const alarm = readableAddress(new CloudwatchMetricAlarm(this, "Errors", { … }), "on_message_errors");
 * ```
 *
 * @see https://developer.hashicorp.com/terraform/language/style#resource-naming
 */

/** A Terraform name as hand-written modules spell it: lower snake_case, starting with a letter. */
const TERRAFORM_NAME = /^[a-z][a-z0-9_]*$/;

/** Options of {@link readableAddress}. */
export interface ReadableAddressOptions {
  /**
   * The resource was released before addresses were readable (wsstack up to
   * e98a89c), under the id cdktf generated from its construct path: emit a
   * `moved` block from that id, so state made by an older release follows the
   * resource to its new address with no destroy and create. Only for
   * resources that existed then (a new resource has nothing to move), and
   * only while the construct path stays what it was then: the upgrade tests
   * pin every such id.
   * @default false
   */
  readonly movedFromGeneratedId?: boolean;
}

/**
 * Gives `element` the Terraform name `name` (its address becomes
 * `<type>.<name>`), and returns it. Call it as soon as the element is made:
 * a reference taken earlier (`role.arn`, …) would keep the generated id.
 *
 * @throws InvalidAddressError when `name` is not lower snake_case, or was
 * referred to before its name was set.
 */
export function readableAddress<T extends TerraformElement>(element: T, name: string, options: ReadableAddressOptions = {}): T {
  if (!TERRAFORM_NAME.test(name)) {
    throw new InvalidAddressError(`${element.node.path}: a Terraform name must be lower snake_case starting with a letter, got '${name}'.`);
  }
  const stack = TerraformStack.of(element);
  // What cdktf would have called it: derived from the construct path alone, whatever the override.
  const generated = stack.getLogicalId(element);
  element.overrideLogicalId(name);
  if (element.friendlyUniqueId !== name) {
    throw new InvalidAddressError(`${element.node.path}: its address was used (as ${element.friendlyUniqueId}) before readableAddress named it; name it right after it is made.`);
  }
  if (options.movedFromGeneratedId) {
    if (!TerraformResource.isTerraformResource(element)) {
      throw new InvalidAddressError(`${element.node.path}: only a managed resource has state to move; a data source or other element is read or declared anew.`);
    }
    element.moveFromId(`${element.terraformResourceType}.${generated}`);
  }
  checkUniqueAddresses(stack);
  return element;
}

/**
 * A name made of words, in Terraform's spelling: `on-message` → `on_message`,
 * `$connect` → `connect`, `onMessage` → `on_message`, `TypingIndicator` →
 * `typing_indicator`. Contract names are kebab-case, route keys camelCase;
 * both give the same name for the same words.
 */
export function terraformName(words: string): string {
  const name = words
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase())
    .join("_");
  if (!TERRAFORM_NAME.test(name)) throw new InvalidAddressError(`'${words}' gives no Terraform name (it must start with a letter).`);
  return name;
}

/**
 * The address of a resource or data source as Terraform prints it, e.g.
 * `aws_lambda_function.on_message` or `data.aws_iam_policy_document.on_message`.
 */
export function addressOf(element: TerraformResource | TerraformDataSource): string {
  const prefix = TerraformDataSource.isTerraformDataSource(element) ? "data." : "";
  return `${prefix}${element.terraformResourceType}.${element.friendlyUniqueId}`;
}

const CHECKED = new WeakSet<TerraformStack>();

// Two elements of one address would be merged silently into one JSON key;
// checked at synth, when every element (those named directly with
// overrideLogicalId too) has its final name.
function checkUniqueAddresses(stack: TerraformStack): void {
  if (CHECKED.has(stack)) return;
  CHECKED.add(stack);
  stack.node.addValidation({
    validate: () => {
      const seen = new Map<string, string>();
      const errors: string[] = [];
      for (const node of stack.node.findAll()) {
        const element = addressable(node);
        if (!element) continue;
        const address = addressOf(element);
        const other = seen.get(address);
        if (other) errors.push(`${address} is the address of both ${other} and ${node.node.path}: give one of them a name of its own.`);
        else seen.set(address, node.node.path);
      }
      return errors;
    },
  });
}

function addressable(node: IConstruct): TerraformResource | TerraformDataSource | undefined {
  if (TerraformResource.isTerraformResource(node) || TerraformDataSource.isTerraformDataSource(node)) return node as TerraformResource | TerraformDataSource;
  return undefined;
}

/** A Terraform name that is not one, or that was set too late. */
export class InvalidAddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidAddressError";
  }
}
