import { Fn, TerraformResource, Token, type IAspect, type IResolvable } from "cdktf";
import type { IConstruct } from "constructs";

/**
 * The physical-name arguments a `Name` tag is read from, in order: the first
 * one a resource was given is its name (`function_name` before `name`, so a
 * function is never named after something else it holds).
 */
const NAME_INPUTS = ["functionNameInput", "alarmNameInput", "domainNameInput", "nameInput"] as const;

/** What a provider binding of a resource with a `tags` argument offers: the argument's setter and its input. */
interface Taggable {
  tags: Record<string, string>;
  readonly tagsInput?: Record<string, string> | IResolvable;
}

const NAME_TAGS = new WeakMap<IConstruct, string | null>();

/**
 * Sets the `Name` tag {@link TagResources} gives `resource`, for a resource
 * whose own name argument is not a good one (a stage's `name` is only `dev`);
 * `null` gives it none.
 */
export function nameTag(resource: IConstruct, name: string | null): void {
  NAME_TAGS.set(resource, name);
}

/**
 * Tags every taggable resource of the scope it is applied to with the
 * module's `tags` input, merged with a `Name` tag when the resource has a
 * physical name: `tags = merge(var.tags, { Name = "<physical name>" })`, or
 * `tags = var.tags` when it has none. An aspect, so a resource added anywhere
 * in the stack later is tagged without its author doing anything.
 *
 * Taggable means the provider binding has a `tags` argument. It sets the
 * resource argument itself rather than relying on the provider's
 * `default_tags`: the module configures no provider, its caller does. Tags a
 * resource was given by its construct win over both.
 *
 * @see https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html
 */
export class TagResources implements IAspect {
  // Synthesis may invoke aspects more than once (Testing.synth, then the app).
  private readonly tagged = new WeakSet<TerraformResource>();

  /** @param tags the module's tags: `var.tags`. */
  constructor(private readonly tags: IResolvable) {}

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource) || !isTaggable(node) || this.tagged.has(node)) return;
    this.tagged.add(node);
    const name = NAME_TAGS.has(node) ? NAME_TAGS.get(node) : physicalNameOf(node);
    const own = node.tagsInput;
    const layers: unknown[] = [this.tags, ...(name ? [{ Name: name }] : []), ...(own ? [own] : [])];
    node.tags = Token.asStringMap(layers.length === 1 ? this.tags : Fn.merge(layers));
  }
}

function isTaggable(resource: TerraformResource): resource is TerraformResource & Taggable {
  return "tagsInput" in resource;
}

function physicalNameOf(resource: TerraformResource): string | undefined {
  for (const input of NAME_INPUTS) {
    const value = (resource as unknown as Record<string, unknown>)[input];
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
