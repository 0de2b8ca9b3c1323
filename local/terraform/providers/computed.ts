import { UnknownAttributeError, type InstanceInputs, type LocalProvider } from "./local-provider.ts";

/**
 * How the providers build their attribute tables: each thunk runs at most
 * once per instance (a zip is written once however many of its hashes are
 * read), and only when someone reads it.
 */

/** Thrown inside a thunk by {@link unavailable}; {@link defineProvider} turns it into an {@link UnknownAttributeError} naming the attribute. */
class AttributeUnavailable extends Error {}

/** Inside an attribute thunk: the attribute cannot be known from this configuration, and why (e.g. "the package ./fn.zip does not exist"). */
export function unavailable(reason: string): never {
  throw new AttributeUnavailable(reason);
}

/** A provider whose attribute table `build` describes; thunks are remembered and {@link unavailable} is reported by attribute name. */
export function defineProvider(
  mode: "managed" | "data",
  type: string,
  build: (instance: InstanceInputs) => Record<string, () => unknown>,
  apply?: (instance: InstanceInputs, attributes: Readonly<Record<string, () => unknown>>) => void,
): LocalProvider {
  // One table per instance, so apply() and every later read share the remembered values (one zip, not two).
  const tables = new WeakMap<InstanceInputs, Readonly<Record<string, () => unknown>>>();
  const attributes = (instance: InstanceInputs): Readonly<Record<string, () => unknown>> => {
    const cached = tables.get(instance);
    if (cached !== undefined) return cached;
    const thunks = build(instance);
    const names = Object.keys(thunks);
    const out: Record<string, () => unknown> = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      out[name] = once(() => {
        try {
          return thunk();
        } catch (error) {
          if (error instanceof AttributeUnavailable) throw new UnknownAttributeError(instance.address, type, name, names, error.message);
          throw error;
        }
      });
    }
    const table = Object.freeze(out);
    tables.set(instance, table);
    return table;
  };
  return apply === undefined ? { mode, type, attributes } : { mode, type, attributes, apply: (instance) => apply(instance, attributes(instance)) };
}

/** A thunk that remembers its value. A failure is not remembered: reading again retries (and fails again). */
export function once<T>(thunk: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = thunk();
      done = true;
    }
    return value;
  };
}

/** `tags_all`: the resource's tags merged with the provider's `default_tags`, which the emulator does not read, so the tags alone. */
export function tagsAll(instance: InstanceInputs): () => unknown {
  return () => instance.argument("tags") ?? {};
}
