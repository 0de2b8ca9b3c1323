import { defineProvider } from "./computed.ts";
import { derivedId } from "./derived-ids.ts";
import type { LocalProvider } from "./local-provider.ts";

/**
 * The provider for a type the emulator has no provider for: its `id` (which
 * every resource has, and which `depends_on`-style references and `count`
 * guards often read) derived from the address; any other computed attribute is
 * unknown, and reading it is an `UnknownAttributeError`.
 */
export function genericProvider(mode: "managed" | "data", type: string): LocalProvider {
  return defineProvider(mode, type, (instance) => ({ id: () => derivedId(`generic-id\0${instance.address}`, 20) }));
}
